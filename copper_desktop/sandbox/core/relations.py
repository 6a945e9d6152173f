"""Related items (``/{entity}/{id}/related``) and the links of Connect custom fields
(``/related_links``), independent of HTTP (copper-behaviour.md §11).

A relation is kept either in a record's own field (a task's ``related_resource``, a person's
``company_id``, an opportunity's ``primary_contact_id``) or in the relations table; both read
as one list, and adding or removing goes where Copper keeps it.
"""

from __future__ import annotations

import time
from typing import Any

from copper_desktop.sandbox.core.fields import as_int
from copper_desktop.sandbox.core.keys import CF_ENTITIES
from copper_desktop.sandbox.core.operations import Operations
from copper_desktop.sandbox.core.refusals import ApiError, Invalid, NotFound, unknown_keys_error
from copper_desktop.sandbox.core.shapes import PLURALS

Json = dict[str, Any]

RELATED_PAIRS: dict[str, tuple[str, ...]] = {
    "lead": ("task",),
    "person": ("company", "opportunity", "task", "project"),
    "company": ("opportunity", "person", "task", "project"),
    "opportunity": ("company", "person", "task", "project"),
    "project": ("company", "person", "opportunity", "task"),
    "task": ("company", "person", "opportunity", "lead", "project"),
}
# Entity types of related links: Copper's singular types, and the plurals its examples show.
LINK_TYPES: dict[str, str] = {
    **{kind: kind for kind in CF_ENTITIES},
    **{plural: kind for plural, kind in PLURALS.items() if kind in CF_ENTITIES},
}
LINK_KEYS = ("custom_field_definition_id", "source", "target")


class Relations:
    """Related items and related links for one request, on top of its ``Operations``."""

    def __init__(self, ops: Operations) -> None:
        self.ctx = ops.ctx
        self.store = ops.store
        self.rules = ops.rules
        self.get = ops.get

    # ----------------------------------------------------------------- related items
    def related(self, kind: str, rid: int) -> list[Json]:
        """Every record related to ``(kind, rid)``: stored relations and reference fields."""
        record = self.get(kind, rid)
        found: set[tuple[str, int]] = set(self.store.relations_of(kind, rid))
        if kind in ("person", "opportunity") and record.get("company_id"):
            found.add(("company", record["company_id"]))
        if kind == "opportunity" and record.get("primary_contact_id"):
            found.add(("person", record["primary_contact_id"]))
        resource = record.get("related_resource")
        if kind in ("task", "project") and resource and resource.get("id"):
            found.add((resource["type"], resource["id"]))
        for other in ("task", "project"):
            for oid in self.store.ids(other, "related_type = ? AND related_id = ?", (kind, rid)):
                found.add((other, oid))
        if kind == "company":
            for other in ("person", "opportunity"):
                for oid in self.store.ids(other, "company_id = ?", (rid,)):
                    found.add((other, oid))
        if kind == "person":
            for oid in self.store.ids("opportunity", "primary_contact_id = ?", (rid,)):
                found.add(("opportunity", oid))
        allowed = RELATED_PAIRS[kind]
        return [
            {"id": i, "type": t}
            for t, i in sorted(found)
            if t in allowed and self.store.exists(t, i)
        ]

    def change_related(self, kind: str, rid: int, body: Any, *, add: bool) -> Json:
        """Adds or removes one relation; answers the resource as Copper echoes it."""
        record = self.get(kind, rid)
        if not isinstance(body, dict) or not isinstance(body.get("resource"), dict):
            raise Invalid([("resource", "can't be blank")])
        unknown = [k for k in body if k != "resource"]
        if unknown:
            raise unknown_keys_error(unknown)
        resource = body["resource"]
        other_kind, other_id = resource.get("type"), as_int(resource.get("id"))
        if other_kind not in RELATED_PAIRS[kind]:
            raise Invalid([("resource", f"a {kind} cannot be related to a {other_kind}")])
        if other_id is None or other_id <= 0:
            raise Invalid([("resource", f"Invalid id: {resource.get('id')}")])
        other = self.store.get(other_kind, other_id)
        if other is None:
            raise NotFound()
        echo = {"id": other_id, "type": other_kind}
        with self.store.transaction():
            if add:
                self._add_related((kind, record), (other_kind, other))
            elif not self._remove_related((kind, record), (other_kind, other)):
                raise ApiError(422, "Invalid request: Resources are not related")
        return echo

    def _add_related(self, a: tuple[str, Json], b: tuple[str, Json]) -> None:
        if {"id": b[1]["id"], "type": b[0]} in self.related(a[0], a[1]["id"]):
            return
        for (k1, r1), (k2, r2) in ((a, b), (b, a)):
            if k1 == "task":
                if r1.get("related_resource") and r1["related_resource"].get("id"):
                    raise Invalid([("base", "A task can be related to only one record")])
                self._save_field(k1, r1, "related_resource", {"id": r2["id"], "type": k2})
                return
            if (k1, k2) == ("person", "company"):
                if r1.get("company_id"):
                    raise Invalid([("base", "A person can be related to only one company")])
                self._save_field(k1, r1, "company_id", r2["id"], company_name=r2.get("name"))
                return
        self.store.add_relation((a[0], a[1]["id"]), (b[0], b[1]["id"]))

    def _remove_related(self, a: tuple[str, Json], b: tuple[str, Json]) -> bool:
        removed = self.store.remove_relation((a[0], a[1]["id"]), (b[0], b[1]["id"]))
        for (k1, r1), (k2, r2) in ((a, b), (b, a)):
            resource = r1.get("related_resource") or {}
            if k1 in ("task", "project") and (resource.get("type"), resource.get("id")) == (
                k2, r2["id"],
            ):  # fmt: skip
                self._save_field(k1, r1, "related_resource", None)
                removed = True
            if (
                k1 in ("person", "opportunity")
                and k2 == "company"
                and r1.get("company_id") == r2["id"]
            ):
                self._save_field(k1, r1, "company_id", None, company_name=None)
                removed = True
            if (k1, k2) == ("opportunity", "person") and r1.get("primary_contact_id") == r2["id"]:
                self._save_field(k1, r1, "primary_contact_id", None)
                removed = True
        return removed

    def _save_field(self, kind: str, record: Json, key: str, value: Any, **extra: Any) -> None:
        """A relation kept in a record's own field: the record changes (no webhook: Copper's
        "update" excludes new relationships)."""
        record.update({key: value, **extra})
        record["date_modified"] = max(int(time.time()), int(record.get("date_modified") or 0) + 1)
        self.store.save(kind, record)

    # ----------------------------------------------------------------- related links
    def related_links(
        self, definition_id: str | None, source_type: str | None, source_id: str | None
    ) -> list[Json]:
        """``GET /related_links``: the query's filters (each optional) AND-ed."""
        errors: list[tuple[str, str]] = []
        def_id = self._link_filter_id("custom_field_definition_id", definition_id, errors)
        sid = self._link_filter_id("source_id", source_id, errors)
        kind = None
        if source_type:
            kind = LINK_TYPES.get(source_type)
            if kind is None:
                errors.append(("source_type", "is not included in the list"))
        if errors:
            raise Invalid(errors)
        if sid is not None and kind is None:
            found = [x for x in self.store.links(def_id) if x["source"]["id"] == sid]
        else:
            found = self.store.links(def_id, None if kind is None else (kind, sid))
        return [self.render_link(x) for x in found]

    @staticmethod
    def _link_filter_id(key: str, text: str | None, errors: list[tuple[str, str]]) -> int | None:
        if not text:
            return None
        number = as_int(text)
        if number is None:
            errors.append((key, "is not a number"))
        return number

    def create_related_link(self, body: Any) -> Json:
        """``POST /related_links``: the link and, on the connected definition, its reverse."""
        if not isinstance(body, dict):
            raise Invalid([("base", "Request body must be a JSON object")])
        unknown = [k for k in body if k not in LINK_KEYS]
        if unknown:
            raise unknown_keys_error(unknown)
        errors: list[tuple[str, str]] = []
        source = self._link_end("source", body.get("source"), errors)
        target = self._link_end("target", body.get("target"), errors)
        raw_id = body.get("custom_field_definition_id")
        def_id = as_int(raw_id)
        d = self.rules.definition(def_id) if def_id is not None else None
        paired: Json | None = None
        if raw_id is None:
            errors.append(("custom_field_definition_id", "can't be blank"))
        elif d is None:
            errors.append(("custom_field_definition_id",
                           f"Unknown custom field definition: {raw_id}"))  # fmt: skip
        elif d.get("data_type") != "Connect":
            errors.append(("custom_field_definition_id", f"{d['name']} is not a Connect field"))
        else:
            if source and source[0] not in (d.get("available_on") or []):
                errors.append(
                    ("custom_field_definition_id", f"{d['name']} is not available on {source[0]}")
                )
            pair_id = as_int(d.get("connected_id"))
            paired = self.rules.definition(pair_id) if pair_id is not None else None
            if paired and target and target[0] not in (paired.get("available_on") or []):
                errors.append(("target", f"{paired['name']} is not available on {target[0]}"))
        if errors:
            raise Invalid(errors)
        assert d is not None and source is not None and target is not None
        if self.store.find_link(d["id"], source[:2], target[:2]) is not None:
            raise Invalid([("target", f"{target[0]} {target[1]} is already linked")])
        link = self._new_link(d["id"], source, target)
        with self.store.transaction():
            if paired is not None and (paired["id"], target, source) != (d["id"], source, target):
                existing = self.store.find_link(paired["id"], target[:2], source[:2])
                if existing is None:
                    reverse = self._new_link(paired["id"], target, source)
                    reverse["pair_id"] = link["id"]
                    self.store.add_link(reverse)
                    existing = reverse["id"]
                link["pair_id"] = existing
            self.store.add_link(link)
        return self.render_link(link)

    def _link_end(
        self, key: str, value: Any, errors: list[tuple[str, str]]
    ) -> tuple[str, int, str] | None:
        """(kind, id, entity type as sent) of a link's source or target, or None (and an error)."""
        if not isinstance(value, dict):
            errors.append((key, "can't be blank"))
            return None
        unknown = [f"{key}.{k}" for k in value if k not in ("id", "entity_type", "name")]
        if unknown:
            raise unknown_keys_error(unknown)
        label = value.get("entity_type")
        kind = LINK_TYPES.get(label) if isinstance(label, str) else None
        if kind is None:
            errors.append(
                (
                    key,
                    "entity_type can't be blank"
                    if label is None
                    else f"Invalid entity_type: {label}",
                )
            )
            return None
        rid = as_int(value.get("id"))
        if rid is None or rid <= 0:
            errors.append((key, f"Invalid id: {value.get('id')}"))
            return None
        hide = kind == "lead" and self.ctx.settings.hide_converted_leads
        if self.store.get(kind, rid, include_hidden=not hide) is None:
            errors.append((key, f"{kind} {rid} does not exist"))
            return None
        assert isinstance(label, str)
        return kind, rid, label

    def _new_link(
        self, def_id: int, source: tuple[str, int, str], target: tuple[str, int, str]
    ) -> Json:
        return {
            "id": self.store.next_link_id(),
            "custom_field_definition_id": def_id,
            "source": {"id": source[1], "entity_type": source[0], "label": source[2]},
            "target": {"id": target[1], "entity_type": target[0], "label": target[2]},
            "pair_id": None,
        }

    def delete_related_link(self, link_id: int) -> list[int]:
        """``DELETE /related_links/{id}``: the link and its reverse; answers both ids."""
        link = self.store.get_link(link_id)
        if link is None:
            raise NotFound()
        ids = [link_id]
        if link["pair_id"] is not None and self.store.get_link(link["pair_id"]) is not None:
            ids.append(link["pair_id"])
        with self.store.transaction():
            self.store.delete_links(ids)
        return ids

    def render_link(self, link: Json) -> Json:
        """Copper's shape: each end with the entity type as sent and the record's name."""
        out: Json = {"id": link["id"],
                     "custom_field_definition_id": link["custom_field_definition_id"]}  # fmt: skip
        for end in ("source", "target"):
            e = link[end]
            out[end] = {"id": e["id"], "entity_type": e["label"],
                        "name": self.store.name_of(e["entity_type"], e["id"])}  # fmt: skip
        return out
