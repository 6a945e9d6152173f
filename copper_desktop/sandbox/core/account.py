"""The account's settings objects, independent of HTTP: webhook subscriptions, users, pipeline
stages, tags, custom activity types and custom field definitions (copper-behaviour.md §7, §11, §12).
"""

from __future__ import annotations

import copy
import ipaddress
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from copper_desktop.sandbox.core.fields import as_int
from copper_desktop.sandbox.core.keys import CF_DATA_TYPES, CF_ENTITIES
from copper_desktop.sandbox.core.operations import Operations
from copper_desktop.sandbox.core.refusals import ApiError, Invalid, NotFound, unknown_keys_error
from copper_desktop.sandbox.core.shapes import PLURAL_OF, WEBHOOK_TYPES

Json = dict[str, Any]

WEBHOOK_LIMIT = 100
WEBHOOK_KEYS = ("target", "type", "event", "secret", "headers", "custom_field_computed_values")
WEBHOOK_EVENTS = ("new", "update", "delete")
URI_ERROR = "Invalid input: Invalid URI For External Resource"
# The kinds that carry tags, in the order of GET /tags's counts.
TAGGED = ("person", "lead", "company", "opportunity", "project", "task")


def _short_text(value: Any) -> bool:
    return isinstance(value, str) and len(value) <= 255


def _is_bool(value: Any) -> bool:
    return isinstance(value, bool)


# A custom activity type's fields: each with its check and the 422 text when it fails.
TEXT_ERROR = "must be a string of at most 255 characters"
ACTIVITY_TYPE_FIELDS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "name": (lambda v: v is None or _short_text(v), TEXT_ERROR),
    "icon_type": (_short_text, TEXT_ERROR),
    "is_disabled": (_is_bool, "must be true or false"),
    "is_interaction": (_is_bool, "must be true or false"),
    "is_default_task_type": (lambda v: v is None or _is_bool(v), "must be true or false"),
}


class Account:
    """The account's settings objects for one request, on top of its ``Operations``."""

    def __init__(self, ops: Operations) -> None:
        self.store = ops.store
        self.rules = ops.rules

    # ----------------------------------------------------------------- webhooks
    def create_webhook(self, body: Any) -> Json:
        if not isinstance(body, dict):
            raise Invalid([("base", "Request body must be a JSON object")])
        unknown = [k for k in body if k not in WEBHOOK_KEYS]
        if unknown:
            raise unknown_keys_error(unknown)
        errors: list[tuple[str, str]] = []
        if body.get("type") is None:
            errors.append(("type", "can't be blank"))
        elif body["type"] not in WEBHOOK_TYPES:
            errors.append(("type", "is not included in the list"))
        if body.get("event") is None:
            errors.append(("event", "can't be blank"))
        elif body["event"] not in WEBHOOK_EVENTS:
            errors.append(("event", "is not included in the list"))
        hook: Json = {
            "id": None,
            "target": body.get("target"),
            "type": body.get("type"),
            "event": body.get("event"),
            "secret": {},
            "headers": {},
            "custom_field_computed_values": False,
            "created_at": int(time.time()),
        }
        self._webhook_extras(hook, body, errors)
        if errors:
            raise Invalid(errors)
        check_target(body.get("target"))
        if self.store.webhook_count() >= WEBHOOK_LIMIT:
            raise Invalid([("base", f"at most {WEBHOOK_LIMIT} webhook subscriptions allowed")])
        return self.store.save_webhook(hook)

    def update_webhook(self, wid: int, body: Any) -> Json:
        hook = self.store.get_webhook(wid)
        if hook is None:
            raise NotFound()
        if not isinstance(body, dict):
            raise Invalid([("base", "Request body must be a JSON object")])
        unknown = [k for k in body if k not in (*WEBHOOK_KEYS, "id", "created_at")]
        if unknown:
            raise unknown_keys_error(unknown)
        errors: list[tuple[str, str]] = []
        for key in ("type", "event"):
            if key in body and body[key] != hook[key]:
                errors.append((key, "cannot be changed; create a new subscription"))
        self._webhook_extras(hook, body, errors)
        if errors:
            raise Invalid(errors)
        if "target" in body:
            check_target(body["target"])
            hook["target"] = body["target"]
        return self.store.save_webhook(hook)

    @staticmethod
    def _webhook_extras(hook: Json, body: Json, errors: list[tuple[str, str]]) -> None:
        for key in ("secret", "headers"):
            if key in body:
                value = body[key] if body[key] is not None else {}
                if not isinstance(value, dict) or not all(
                    isinstance(k, str) and isinstance(v, str) for k, v in value.items()
                ):
                    errors.append((key, "must be an object of strings"))
                else:
                    hook[key] = value
        if "custom_field_computed_values" in body:
            flag = body["custom_field_computed_values"]
            if not isinstance(flag, bool):
                errors.append(("custom_field_computed_values", "must be true or false"))
            else:
                hook["custom_field_computed_values"] = flag

    # ----------------------------------------------------------------- lookups
    def user_view(self, user_id: int) -> Json:
        user = self.store.user(user_id)
        if user is None:
            raise NotFound()
        return {
            "id": user["id"],
            "name": user.get("name"),
            "email": user.get("email"),
            "groups": user.get("groups") or [],
        }

    def pipeline_stages(self, pipeline_id: int | None) -> list[Json]:
        pipes = self.rules.pipelines()
        if pipeline_id is not None:
            pipes = [p for p in pipes if p["id"] == pipeline_id]
            if not pipes:
                raise NotFound()
        return [
            {
                "id": s["id"],
                "name": s["name"],
                "pipeline_id": p["id"],
                "win_probability": s.get("win_probability"),
            }
            for p in pipes
            for s in p.get("stages") or []
        ]

    def tags(self, *, sort_by: str, names_only: bool, after: str | None) -> list[Any]:
        if sort_by not in ("name", "count"):
            raise Invalid([("sort_by", "is not included in the list")])
        counts = self.store.tag_counts()
        rows: list[Json] = []
        for tag, per in sorted(counts.items(), key=lambda item: item[0].lower()):
            row: Json = {"name": tag, "count": sum(per.values())}
            row.update({f"count_{PLURAL_OF[kind]}": per.get(kind, 0) for kind in TAGGED})
            rows.append(row)
        if sort_by == "count":
            rows.sort(key=lambda r: -int(r["count"]))
        if after is not None:
            names = [r["name"] for r in rows]
            rows = rows[names.index(after) + 1 :] if after in names else []
        return [r["name"] for r in rows] if names_only else rows

    def custom_activity_type(self, type_id: int) -> Json:
        for item in self.store.meta("custom_activity_types") or []:
            if item["id"] == type_id:
                found: Json = item
                return found
        raise NotFound()

    def save_custom_activity_type(self, type_id: int | None, body: Any) -> Json:
        items: list[Json] = copy.deepcopy(self.store.meta("custom_activity_types") or [])
        if not isinstance(body, dict):
            raise Invalid([("base", "Request body must be a JSON object")])
        unknown = [k for k in body if k not in (*ACTIVITY_TYPE_FIELDS, "id", "company_id")]
        if unknown:
            raise unknown_keys_error(unknown)
        if type_id is None:
            item: Json = {
                "id": max((i["id"] for i in items), default=0) + 1,
                "company_id": (self.store.meta("account") or {}).get("id"),
                "icon_type": "Event",
                "is_disabled": False,
                "is_interaction": True,
                "name": None,
                "is_default_task_type": None,
            }
            items.append(item)
        else:
            self.custom_activity_type(type_id)
            item = next(i for i in items if i["id"] == type_id)
        errors = [
            (key, message)
            for key, (check, message) in ACTIVITY_TYPE_FIELDS.items()
            if key in body and not check(body[key])
        ]
        item.update({k: body[k] for k in ACTIVITY_TYPE_FIELDS if k in body})
        if not isinstance(item.get("name"), str) or not item["name"].strip():
            errors.append(("name", "can't be blank"))
        if errors:
            raise Invalid(errors)
        self.store.set_meta("custom_activity_types", items)
        return item

    def save_definition(self, def_id: int | None, body: Any) -> Json:
        """Create or update a custom field definition; options are replaced on update (§7),
        keeping the ids of options sent with their id."""
        if not isinstance(body, dict):
            raise Invalid([("base", "Request body must be a JSON object")])
        allowed = ("name", "data_type", "available_on", "options", "currency", "is_filterable")
        unknown = [k for k in body if k not in (*allowed, "id", "canonical_name")]
        if unknown:
            raise unknown_keys_error(unknown)
        defs: list[Json] = [dict(d) for d in self.rules.definitions()]
        if def_id is None:
            d: Json = {"id": max((x["id"] for x in defs), default=0) + 1, "canonical_name": None,
                       "is_filterable": True, "available_on": []}  # fmt: skip
            defs.append(d)
        else:
            found = next((x for x in defs if x["id"] == def_id), None)
            if found is None:
                raise NotFound()
            d = found
        errors: list[tuple[str, str]] = []
        if "data_type" in body:
            if def_id is not None and body["data_type"] != d.get("data_type"):
                errors.append(("data_type", "cannot be changed"))
            elif body["data_type"] not in CF_DATA_TYPES:
                errors.append(("data_type", "is not included in the list"))
        elif def_id is None:
            errors.append(("data_type", "can't be blank"))
        if "currency" in body and not (body["currency"] is None or _short_text(body["currency"])):
            errors.append(("currency", TEXT_ERROR))
        if "is_filterable" in body and not isinstance(body["is_filterable"], bool):
            errors.append(("is_filterable", "must be true or false"))
        for key in ("name", "data_type", "currency", "is_filterable"):
            if key in body:
                d[key] = body[key]
        if not isinstance(d.get("name"), str) or not d["name"].strip():
            errors.append(("name", "can't be blank"))
        elif not _short_text(d["name"]):
            errors.append(("name", TEXT_ERROR))
        if "available_on" in body:
            on = body["available_on"]
            if not isinstance(on, list) or any(x not in CF_ENTITIES for x in on):
                errors.append(("available_on", "is not included in the list"))
            else:
                d["available_on"] = list(dict.fromkeys(on))
        if d.get("data_type") in ("Dropdown", "MultiSelect"):
            if "options" in body or def_id is None:
                d["options"] = self._options(body.get("options"), d.get("options") or [], errors)
        elif "options" in body:
            errors.append(("options", "apply to Dropdown and MultiSelect only"))
        if errors:
            raise Invalid(errors)
        self.store.set_meta("custom_field_definitions", defs)
        return d

    def _options(self, given: Any, current: list[Json], errors: list[tuple[str, str]]) -> Any:
        if not isinstance(given, list) or not given:
            errors.append(("options", "can't be blank"))
            return current
        used = [o["id"] for d in self.rules.definitions() for o in d.get("options") or []]
        next_id = max(used, default=0) + 1
        known = {o["id"] for o in current}
        out = []
        for rank, option in enumerate(given):
            if not isinstance(option, dict) or not isinstance(option.get("name"), str):
                errors.append(("options", "each option needs a name"))
                return current
            oid = as_int(option.get("id"))
            if oid is None or oid not in known:
                oid, next_id = next_id, next_id + 1
            out.append({"id": oid, "name": option["name"], "rank": option.get("rank", rank)})
        return out

    def delete_definition(self, def_id: int) -> None:
        defs = self.rules.definitions()
        if not any(d["id"] == def_id for d in defs):
            raise NotFound()
        with self.store.transaction():
            self.store.set_meta("custom_field_definitions", [d for d in defs if d["id"] != def_id])
            self.store.delete_links_of_definition(def_id)


def check_target(target: Any) -> None:
    """https only, except plain http to loopback hosts, which the sandbox allows for tests."""
    if not isinstance(target, str) or not target.strip():
        raise Invalid([("target", "can't be blank")])
    try:
        parts = urlsplit(target)
        host = parts.hostname
    except ValueError:
        raise ApiError(422, URI_ERROR) from None
    if not host or parts.scheme not in ("http", "https"):
        raise ApiError(422, URI_ERROR)
    if parts.scheme == "http" and not _loopback(host):
        raise ApiError(422, URI_ERROR)


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


__all__ = ["Account", "check_target"]
