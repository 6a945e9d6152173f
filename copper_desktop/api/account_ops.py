"""Everything around the records: relations, activities of a record, the account and its
users, lookups, custom field definitions, custom activity types and webhooks.

Creates here have no created date to search by, so the list before sending is the reference
(``_create_listed``); deletes and relation changes are settled by looking too.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .base import Json, rid, segment
from .creates import CreatingClient
from .recovery import norm

__all__ = ["CatalogMixin"]


class CatalogMixin(CreatingClient):
    """Relations, record activities, account, users, lookups, definitions, webhooks."""

    # ------------------------------------------------------------------ related items
    async def related_items(
        self, entity: str, record_id: int, other: str | None = None
    ) -> list[Json]:
        """``[{id, type}]`` related to a record, optionally only one kind (plural, e.g.
        ``"opportunities"``)."""
        path = f"{segment(entity)}/{rid(record_id)}/related"
        if other:
            path += f"/{segment(other)}"
        return await self._list(path)

    async def add_related(
        self, entity: str, record_id: int, resource_type: str, resource_id: int
    ) -> Json:
        """Relate two records (``resource_type`` singular, e.g. ``"opportunity"``)."""
        return await self._relate("POST", entity, record_id, resource_type, resource_id)

    async def remove_related(
        self, entity: str, record_id: int, resource_type: str, resource_id: int
    ) -> Json:
        return await self._relate("DELETE", entity, record_id, resource_type, resource_id)

    async def _relate(
        self, method: str, entity: str, record_id: int, resource_type: str, resource_id: int
    ) -> Json:
        """Add (POST) or remove (DELETE) a relation; a lost answer is settled by the list."""
        resource = {"id": rid(resource_id), "type": resource_type}
        path = f"{segment(entity)}/{rid(record_id)}/related"
        adding = method == "POST"

        async def recover(_: float) -> Json | None:
            items = await self.related_items(entity, record_id)
            there = any(
                i.get("id") == resource["id"] and i.get("type") == resource["type"] for i in items
            )
            if there != adding:
                return None
            return {"added" if adding else "removed": True, "resource": resource}

        data = await self._json(method, path, {"resource": resource}, safe=False, recover=recover)
        return self._expect(data, dict, "a result")  # type: ignore[no-any-return]

    async def related_links(
        self,
        *,
        custom_field_definition_id: int | None = None,
        source_type: str | None = None,
        source_id: int | None = None,
    ) -> list[Json]:
        """Connect-field links (``GET /related_links``)."""
        params = {"custom_field_definition_id": custom_field_definition_id,
                  "source_type": source_type, "source_id": source_id}  # fmt: skip
        return await self._list("related_links", params)

    async def create_related_link(self, body: Json) -> Json:
        source = body.get("source") or {}
        target = body.get("target") or {}

        async def listing() -> list[Json]:
            return await self.related_links(
                custom_field_definition_id=body.get("custom_field_definition_id"),
                source_type=source.get("entity_type"),
                source_id=source.get("id"),
            )

        def match(link: Json) -> bool:
            return (link.get("target") or {}).get("id") == target.get("id")

        return await self._create_listed("related_links", body, listing, match)

    async def delete_related_link(self, link_id: int) -> Json:
        data = await self._json("DELETE", f"related_links/{rid(link_id)}")
        return self._expect(data, dict, "a result")  # type: ignore[no-any-return]

    # ------------------------------------------------------------------ activities
    async def record_activities(
        self,
        entity: str,
        record_id: int,
        activity_types: Sequence[Json] | None = None,
        *,
        page_number: int | None = None,
        page_size: int | None = None,
    ) -> list[Json]:
        """Activities of a lead, person or company (``POST /{entity}/{id}/activities``)."""
        body: Json = {}
        if activity_types is not None:
            body["activity_types"] = list(activity_types)
        if page_number is not None:
            body["page_number"] = page_number
        if page_size is not None:
            body["page_size"] = page_size
        path = f"{segment(entity)}/{rid(record_id)}/activities"
        return self._expect(await self._json("POST", path, body), list, "a list")  # type: ignore[no-any-return]

    # ------------------------------------------------------------------ account and users
    async def account(self) -> Json:
        return self._expect(await self._json("GET", "account"), dict, "the account")  # type: ignore[no-any-return]

    async def me(self) -> Json:
        """The key's owner (also the cheapest check that the credentials work)."""
        return self._expect(await self._json("GET", "users/me"), dict, "a user")  # type: ignore[no-any-return]

    async def get_user(self, user_id: int) -> Json:
        return await self._one(f"users/{rid(user_id)}", "a user")

    async def search_users(self, *, page_number: int = 1, page_size: int = 200) -> list[Json]:
        body = {"page_number": page_number, "page_size": page_size}
        return self._expect(await self._json("POST", "users/search", body), list, "a list")  # type: ignore[no-any-return]

    async def all_users(self) -> list[Json]:
        users: list[Json] = []
        page = 1
        while True:
            batch = await self.search_users(page_number=page, page_size=200)
            users.extend(batch)
            if len(batch) < 200:
                return users
            page += 1

    async def _one(self, path: str, what: str) -> Json:
        return self._expect(await self._json("GET", path), dict, what)  # type: ignore[no-any-return]

    async def _put(self, path: str, changes: Json, what: str) -> Json:
        return self._expect(await self._json("PUT", path, changes), dict, what)  # type: ignore[no-any-return]

    # ------------------------------------------------------------------ lookups
    async def pipelines(self) -> list[Json]:
        return await self._list("pipelines")

    async def pipeline_stages(self, pipeline_id: int | None = None) -> list[Json]:
        if pipeline_id is None:
            return await self._list("pipeline_stages")
        return await self._list(f"pipeline_stages/pipeline/{rid(pipeline_id)}")

    async def contact_types(self) -> list[Json]:
        return await self._list("contact_types")

    async def lead_statuses(self) -> list[Json]:
        return await self._list("lead_statuses")

    async def customer_sources(self) -> list[Json]:
        return await self._list("customer_sources")

    async def loss_reasons(self) -> list[Json]:
        return await self._list("loss_reasons")

    async def activity_types(self) -> dict[str, list[Json]]:
        """Keyed by category (``"user"``, ``"system"``); a plain list is grouped likewise."""
        data = await self._json("GET", "activity_types")
        if isinstance(data, list):
            grouped: dict[str, list[Json]] = {}
            for t in data:
                if isinstance(t, dict):
                    grouped.setdefault(str(t.get("category")), []).append(t)
            return grouped
        return self._expect(data, dict, "activity types by category")  # type: ignore[no-any-return]

    async def tags(
        self,
        *,
        sort_by: str | None = None,
        tag_names_only: bool = False,
        last_tag_value: str | None = None,
    ) -> list[Any]:
        """Tag summaries, or names with ``tag_names_only``; ``last_tag_value`` pages on."""
        params = {"sort_by": sort_by, "tag_names_only": tag_names_only or None,
                  "last_tag_value": last_tag_value}  # fmt: skip
        return await self._list("tags", params)

    # ------------------------------------------------------------------ custom field definitions
    async def custom_field_definitions(self) -> list[Json]:
        return await self._list("custom_field_definitions")

    async def get_custom_field_definition(self, definition_id: int) -> Json:
        return await self._one(f"custom_field_definitions/{rid(definition_id)}", "a definition")

    async def create_custom_field_definition(self, body: Json) -> Json:
        def match(d: Json) -> bool:
            return norm(d.get("name") or "") == norm(body.get("name") or "") and (
                d.get("data_type") == body.get("data_type")
            )

        return await self._create_listed(
            "custom_field_definitions", body, self.custom_field_definitions, match
        )

    async def update_custom_field_definition(self, definition_id: int, changes: Json) -> Json:
        path = f"custom_field_definitions/{rid(definition_id)}"
        return await self._put(path, changes, "a definition")

    async def delete_custom_field_definition(self, definition_id: int) -> Json:
        path = f"custom_field_definitions/{rid(definition_id)}"
        data = await self._delete(path, {"id": definition_id, "is_deleted": True})
        return self._expect(data, dict, "a result")  # type: ignore[no-any-return]

    # ------------------------------------------------------------------ custom activity types
    async def custom_activity_types(self) -> list[Json]:
        return await self._list("custom_activity_types")

    async def get_custom_activity_type(self, type_id: int) -> Json:
        return await self._one(f"custom_activity_types/{rid(type_id)}", "an activity type")

    async def create_custom_activity_type(self, body: Json) -> Json:
        def match(t: Json) -> bool:
            return norm(t.get("name") or "") == norm(body.get("name") or "")

        return await self._create_listed(
            "custom_activity_types", body, self.custom_activity_types, match
        )

    async def update_custom_activity_type(self, type_id: int, changes: Json) -> Json:
        return await self._put(f"custom_activity_types/{rid(type_id)}", changes, "an activity type")

    # ------------------------------------------------------------------ webhooks
    async def list_webhooks(self) -> list[Json]:
        return await self._list("webhooks")

    async def get_webhook(self, webhook_id: int) -> Json:
        return await self._one(f"webhooks/{rid(webhook_id)}", "a subscription")

    async def create_webhook(self, body: Json) -> Json:
        def match(w: Json) -> bool:
            return all(w.get(k) == body.get(k) for k in ("target", "type", "event"))

        return await self._create_listed("webhooks", body, self.list_webhooks, match)

    async def update_webhook(self, webhook_id: int, changes: Json) -> Json:
        return await self._put(f"webhooks/{rid(webhook_id)}", changes, "a subscription")

    async def delete_webhook(self, webhook_id: int) -> Json:
        data = await self._delete(f"webhooks/{rid(webhook_id)}", {"id": webhook_id})
        return self._expect(data, dict, "a result")  # type: ignore[no-any-return]
