"""Copper's record rules: full key sets, custom fields per definition, validation with Copper's
422 texts, and PUT merge semantics (partial, ``null`` clears, custom fields merged by
definition, arrays and address replaced whole, derived fields kept consistent).

Records are validated and merged in storage form (see ``store``) and rendered to Copper's
shape only on the way out, so lookups and settings that change at run time show at once.
"""

from __future__ import annotations

import copy
import math
import re
import time
from collections.abc import Callable
from typing import Any

from copper_desktop.sandbox.core.schema import (
    INT64_MAX,
    SEP,
    fits_sqlite,
    format_close_date,
    parse_close_date,
)
from copper_desktop.sandbox.core.store import Store
from copper_desktop.sandbox.settings import SandboxConfig

Json = dict[str, Any]

VALIDATION_PREFIX = "Invalid input: Validation errors: "

# Every key of every answer, in Copper's order (copper-api.md §4).
KEYS: dict[str, tuple[str, ...]] = {
    "person": (
        "id", "name", "prefix", "first_name", "middle_name", "last_name", "suffix", "address",
        "assignee_id", "company_id", "company_name", "contact_type_id", "details", "emails",
        "phone_numbers", "socials", "tags", "title", "websites", "custom_fields",
        "date_created", "date_modified", "date_last_contacted", "interaction_count",
        "leads_converted_from", "date_lead_created",
    ),
    "company": (
        "id", "name", "address", "assignee_id", "contact_type_id", "details", "email_domain",
        "phone_numbers", "socials", "tags", "websites", "custom_fields", "interaction_count",
        "date_created", "date_modified", "primary_contact_id",
    ),
    "lead": (
        "id", "name", "prefix", "first_name", "middle_name", "last_name", "suffix", "address",
        "assignee_id", "company_name", "customer_source_id", "details", "email",
        "interaction_count", "monetary_unit", "monetary_value", "socials", "status",
        "status_id", "tags", "title", "websites", "phone_numbers", "custom_fields",
        "date_created", "date_modified", "date_last_contacted",
    ),
    "opportunity": (
        "id", "name", "assignee_id", "close_date", "company_id", "company_name",
        "customer_source_id", "details", "loss_reason_id", "pipeline_id", "pipeline_stage_id",
        "primary_contact_id", "priority", "status", "tags", "interaction_count",
        "monetary_unit", "monetary_value", "converted_unit", "converted_value",
        "win_probability", "date_stage_changed", "date_last_contacted", "leads_converted_from",
        "date_lead_created", "date_created", "date_modified", "custom_fields",
    ),
    "project": (
        "id", "name", "related_resource", "assignee_id", "status", "details", "tags",
        "custom_fields", "date_created", "date_modified",
    ),
    "task": (
        "id", "name", "related_resource", "assignee_id", "due_date", "reminder_date",
        "completed_date", "priority", "status", "details", "tags", "custom_fields",
        "custom_activity_type_id", "date_created", "date_modified",
    ),
    "activity": (
        "id", "parent", "type", "user_id", "details", "activity_date", "old_value",
        "new_value", "date_created", "date_modified",
    ),
}  # fmt: skip
LIST_KEYS = frozenset(
    {"emails", "phone_numbers", "socials", "tags", "websites", "leads_converted_from"}
)
ZERO_KEYS = frozenset({"interaction_count"})

NAME_PARTS = ("prefix", "first_name", "middle_name", "last_name", "suffix")
_PREFIXES = {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir"}
_SUFFIXES = {"jr", "sr", "ii", "iii", "iv", "phd", "md", "esq"}

EMAIL_CATEGORIES = ("work", "personal", "other")
PHONE_CATEGORIES = ("mobile", "work", "home", "other")
SOCIAL_CATEGORIES = (
    "linkedin", "twitter", "googleplus", "facebook", "youtube", "quora", "foursquare", "klout",
    "gravatar", "other",
)  # fmt: skip
WEBSITE_CATEGORIES = ("work", "personal", "other")
OPPORTUNITY_STATUSES = ("Open", "Won", "Lost", "Abandoned")
OPPORTUNITY_PRIORITIES = ("None", "Low", "Medium", "High")
TASK_PRIORITIES = ("None", "High")
OPEN_COMPLETED = ("Open", "Completed")
RELATED_TYPES = {
    "task": ("person", "company", "opportunity", "lead", "project"),
    "project": ("person", "company", "opportunity", "task"),
}
PARENT_TYPES = ("lead", "person", "company", "opportunity", "project", "task")
CF_DATA_TYPES = (
    "String", "Text", "Dropdown", "Date", "Checkbox", "Float", "URL", "Percentage", "Currency",
    "Connect", "MultiSelect",
)  # fmt: skip
CF_ENTITIES = ("lead", "person", "company", "opportunity", "project", "task")

# Keys a client may send back unchanged: accepted and ignored.
READ_ONLY: dict[str, frozenset[str]] = {
    "person": frozenset(
        {"id", "date_created", "date_modified", "interaction_count", "date_last_contacted",
         "company_name", "leads_converted_from", "date_lead_created"}
    ),
    "company": frozenset(
        {"id", "date_created", "date_modified", "interaction_count", "date_last_contacted"}
    ),
    "lead": frozenset(
        {"id", "date_created", "date_modified", "interaction_count", "date_last_contacted"}
    ),
    "opportunity": frozenset(
        {"id", "date_created", "date_modified", "interaction_count", "date_last_contacted",
         "company_name", "converted_unit", "converted_value", "date_stage_changed",
         "leads_converted_from", "date_lead_created"}
    ),
    "project": frozenset({"id", "date_created", "date_modified"}),
    "task": frozenset({"id", "date_created", "date_modified", "completed_date"}),
    "activity": frozenset({"id", "date_created", "date_modified", "old_value", "new_value"}),
}  # fmt: skip

# field -> validator name (and argument) per kind; see Rules._check.
SPECS: dict[str, dict[str, tuple[str, Any]]] = {
    "person": {
        "name": ("string", None), "prefix": ("string", None), "first_name": ("string", None),
        "middle_name": ("string", None), "last_name": ("string", None),
        "suffix": ("string", None), "address": ("address", None),
        "assignee_id": ("ref", "user"), "company_id": ("ref", "company"),
        "contact_type_id": ("ref", "contact_type"), "details": ("text", None),
        "emails": ("emails", None), "phone_numbers": ("phones", None),
        "socials": ("socials", None), "tags": ("tags", None), "title": ("string", None),
        "websites": ("websites", None), "custom_fields": ("custom_fields", None),
    },
    "company": {
        "name": ("string", None), "address": ("address", None),
        "assignee_id": ("ref", "user"), "contact_type_id": ("ref", "contact_type"),
        "details": ("text", None), "email_domain": ("string", None),
        "phone_numbers": ("phones", None), "socials": ("socials", None),
        "tags": ("tags", None), "websites": ("websites", None),
        "custom_fields": ("custom_fields", None), "primary_contact_id": ("ref", "person"),
    },
    "lead": {
        "name": ("string", None), "prefix": ("string", None), "first_name": ("string", None),
        "middle_name": ("string", None), "last_name": ("string", None),
        "suffix": ("string", None), "address": ("address", None),
        "assignee_id": ("ref", "user"), "company_name": ("string", None),
        "customer_source_id": ("ref", "customer_source"), "details": ("text", None),
        "email": ("email", None), "monetary_unit": ("string", None),
        "monetary_value": ("number", None), "socials": ("socials", None),
        "status": ("lead_status_name", None), "status_id": ("ref", "lead_status"),
        "tags": ("tags", None), "title": ("string", None), "websites": ("websites", None),
        "phone_numbers": ("phones", None), "custom_fields": ("custom_fields", None),
    },
    "opportunity": {
        "name": ("string", None), "assignee_id": ("ref", "user"),
        "close_date": ("close_date", None), "company_id": ("ref", "company"),
        "customer_source_id": ("ref", "customer_source"), "details": ("text", None),
        "loss_reason_id": ("ref", "loss_reason"), "pipeline_id": ("ref", "pipeline"),
        "pipeline_stage_id": ("ref", "pipeline_stage"), "primary_contact_id": ("ref", "person"),
        "priority": ("enum_null", OPPORTUNITY_PRIORITIES),
        "status": ("enum", OPPORTUNITY_STATUSES), "tags": ("tags", None),
        "monetary_unit": ("string", None), "monetary_value": ("number", None),
        "win_probability": ("percent", None), "custom_fields": ("custom_fields", None),
    },
    "project": {
        "name": ("string", None), "related_resource": ("resource", RELATED_TYPES["project"]),
        "assignee_id": ("ref", "user"), "status": ("enum", OPEN_COMPLETED),
        "details": ("text", None), "tags": ("tags", None),
        "custom_fields": ("custom_fields", None),
    },
    "task": {
        "name": ("string", None), "related_resource": ("resource", RELATED_TYPES["task"]),
        "assignee_id": ("ref", "user"), "due_date": ("timestamp", None),
        "reminder_date": ("timestamp", None), "priority": ("enum", TASK_PRIORITIES),
        "status": ("enum", OPEN_COMPLETED), "details": ("text", None), "tags": ("tags", None),
        "custom_fields": ("custom_fields", None),
        "custom_activity_type_id": ("ref", "custom_activity_type"),
    },
    "activity": {
        "parent": ("parent", None), "type": ("activity_type", None),
        "user_id": ("ref", "user"), "details": ("text", None),
        "activity_date": ("timestamp", None),
    },
}  # fmt: skip
REQUIRED = {"activity": ("parent", "type")}

_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


def label(field: str) -> str:
    """Copper's field label in messages: ``company_id`` -> ``Company Id``."""
    return " ".join(w.capitalize() for w in field.split("_")) or "Base"


class ApiError(Exception):
    """An answer other than 200: rendered as Copper's error envelope by the routes."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class NotFound(ApiError):
    def __init__(self) -> None:
        super().__init__(404, "Resource not found")


class Invalid(ApiError):
    """A 422 with one or more ``(field, message)`` pairs (field ``base`` for the whole body)."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        self.errors = errors
        text = "\n".join(f"{label(f) if f != 'base' else 'Base'}: {m}" for f, m in errors)
        super().__init__(422, VALIDATION_PREFIX + text)

    def as_bulk(self) -> Json:
        """The per-item ``message`` of a failed bulk item: ``{field: [{"error": ...}]}``."""
        out: dict[str, list[Json]] = {}
        for f, m in self.errors:
            out.setdefault(f, []).append({"error": m})
        return out


def unknown_keys_error(keys: list[str]) -> Invalid:
    return Invalid([("base", f"Unrecognized attributes specified: {', '.join(keys)}")])


def split_name(name: str) -> dict[str, str | None]:
    """Copper derives the parts: ``"Dr. Jane Q Public, Jr."`` -> prefix/first/middle/last/suffix."""
    main, _, suffix = name.strip().partition(",")
    tokens = main.split()
    prefix = None
    if len(tokens) > 1 and tokens[0].rstrip(".").lower() in _PREFIXES:
        prefix = tokens.pop(0)
    suffix_value = suffix.strip() or None
    if suffix_value is None and len(tokens) > 2 and tokens[-1].rstrip(".").lower() in _SUFFIXES:
        suffix_value = tokens.pop()
    return {
        "prefix": prefix,
        "first_name": tokens[0] if tokens else None,
        "middle_name": " ".join(tokens[1:-1]) or None,
        "last_name": tokens[-1] if len(tokens) > 1 else None,
        "suffix": suffix_value,
    }


def join_name(rec: Json) -> str | None:
    main = " ".join(
        str(rec[k]) for k in ("prefix", "first_name", "middle_name", "last_name") if rec.get(k)
    )
    if rec.get("suffix"):
        main = f"{main}, {rec['suffix']}" if main else str(rec["suffix"])
    return main or None


def now() -> int:
    return int(time.time())


class Rules:
    """Validation, merging and rendering against the store's lookups and the live settings."""

    def __init__(self, store: Store, settings: SandboxConfig) -> None:
        self.store = store
        self.settings = settings

    # ----------------------------------------------------------------- lookups
    def definitions(self) -> list[Json]:
        defs: list[Json] = self.store.meta("custom_field_definitions") or []
        return defs

    def definition(self, def_id: int) -> Json | None:
        return next((d for d in self.definitions() if d["id"] == def_id), None)

    def definitions_for(self, kind: str) -> list[Json]:
        return [d for d in self.definitions() if kind in (d.get("available_on") or [])]

    def pipelines(self) -> list[Json]:
        pipes: list[Json] = self.store.meta("pipelines") or []
        return pipes

    def stage(self, stage_id: int) -> tuple[Json, Json] | None:
        """(pipeline, stage) of a stage id."""
        for p in self.pipelines():
            for s in p.get("stages") or []:
                if s["id"] == stage_id:
                    return p, s
        return None

    def lead_statuses(self) -> list[Json]:
        statuses: list[Json] = self.store.meta("lead_statuses") or []
        return statuses

    def user_activity_type_ids(self) -> set[int]:
        types = self.store.meta("activity_types") or {}
        return {t["id"] for t in types.get("user", [])}

    def ref_exists(self, target: str, value: int) -> bool:
        if target == "user":
            return self.store.user(value) is not None
        if target in ("company", "person", "opportunity", "lead", "project", "task"):
            return self.store.exists(target, value)
        if target == "pipeline":
            return any(p["id"] == value for p in self.pipelines())
        if target == "pipeline_stage":
            return self.stage(value) is not None
        meta_key = {
            "contact_type": "contact_types",
            "customer_source": "customer_sources",
            "loss_reason": "loss_reasons",
            "lead_status": "lead_statuses",
            "custom_activity_type": "custom_activity_types",
        }[target]
        return any(item["id"] == value for item in self.store.meta(meta_key) or [])

    # ----------------------------------------------------------------- rendering
    def render(self, kind: str, rec: Json, *, computed: bool = False) -> Json:
        """Storage form -> Copper's answer: every key, every applicable custom field."""
        out: Json = {}
        for key in KEYS[kind]:
            value = rec.get(key)
            if value is None:
                value = [] if key in LIST_KEYS else 0 if key in ZERO_KEYS else None
            out[key] = value
        if kind == "activity":
            return out
        stored = rec.get("custom_fields") or {}
        links: dict[int, list[int]] | None = None
        fields = []
        for d in self.definitions_for(kind):
            if d["data_type"] == "Connect":
                # Connect values are the record's related links (§11), never stored values.
                if links is None:
                    links = self.store.link_targets(kind, rec["id"]) if "id" in rec else {}
                value = list(links.get(d["id"], []))
            else:
                value = stored.get(str(d["id"]))
            if value is None:
                value = (
                    []
                    if d["data_type"] in ("MultiSelect", "Connect")
                    else False
                    if d["data_type"] == "Checkbox"
                    else None
                )
            entry: Json = {"custom_field_definition_id": d["id"], "value": value}
            if computed:
                entry["computed_value"] = computed_value(d, value)
            fields.append(entry)
        out["custom_fields"] = fields
        if kind == "task" and not out["related_resource"]:
            out["related_resource"] = {"id": None, "type": None}  # Copper's "related to nothing"
        if kind == "opportunity":
            out["close_date"] = format_close_date(rec.get("close_date"), self.order)
        if kind == "lead":
            status = next(
                (s for s in self.lead_statuses() if s["id"] == rec.get("status_id")), None
            )
            out["status"] = status["name"] if status else rec.get("status")
        return out

    @property
    def order(self) -> str:
        return str(self.settings.close_date_order)

    # ----------------------------------------------------------------- create / update
    def create(self, kind: str, body: Any, user: Json | None) -> Json:
        """A new record in storage form (id assigned, not yet saved); raises Invalid."""
        rec = self._merge(kind, None, body, user)
        rec["id"] = self.store.next_id(kind)
        return rec

    def update(self, kind: str, old: Json, body: Any, user: Json | None) -> Json:
        """``old`` with ``body`` applied as Copper's partial PUT; raises Invalid."""
        return self._merge(kind, old, body, user)

    def _merge(self, kind: str, old: Json | None, body: Any, user: Json | None) -> Json:
        if not isinstance(body, dict):
            raise Invalid([("base", "Request body must be a JSON object")])
        spec = SPECS[kind]
        unknown = [k for k in body if k not in spec and k not in READ_ONLY[kind]]
        if unknown:
            raise unknown_keys_error(unknown)
        creating = old is None
        rec: Json = self._defaults(kind, user) if old is None else copy.deepcopy(old)
        errors: list[tuple[str, str]] = []
        for key, value in body.items():
            if key not in spec:
                continue
            if not creating and (kind, key) == ("person", "company_id"):
                continue  # a person's company changes through related items (§7)
            checked = self._check(kind, key, spec[key], value, errors)
            if key == "custom_fields":
                rec["custom_fields"] = {**(rec.get("custom_fields") or {}), **(checked or {})}
                rec["custom_fields"] = {
                    k: v for k, v in rec["custom_fields"].items() if v not in (None, [])
                }
            elif key == "status" and kind == "lead":
                if checked is not None and "status_id" not in body:
                    rec["status_id"] = checked
            else:
                rec[key] = checked
        for key in REQUIRED.get(kind, ()):
            if rec.get(key) is None:
                errors.append((key, "can't be blank"))
        self._derive(kind, old, rec, body, errors)
        if errors:
            raise Invalid(errors)
        if old is None:
            stamp = now()
            rec["date_created"] = rec["date_modified"] = stamp
        elif _changed(old, rec):
            rec["date_modified"] = max(now(), int(old.get("date_modified") or 0) + 1)
        return rec

    def _defaults(self, kind: str, user: Json | None) -> Json:
        rec: Json = {k: ([] if k in LIST_KEYS else None) for k in KEYS[kind]}
        rec.pop("id")
        if kind != "activity":
            rec["custom_fields"] = {}
        if kind in ("person", "company", "lead", "opportunity"):
            rec["interaction_count"] = 0
        if kind == "lead":
            statuses = self.lead_statuses()
            default = next((s for s in statuses if s.get("is_default")), None)
            default = default or (statuses[0] if statuses else None)
            rec["status_id"] = default["id"] if default else None
        if kind == "opportunity":
            rec.update(status="Open", priority="None")
        if kind in ("project", "task"):
            rec["status"] = "Open"
        if kind == "task":
            rec["priority"] = "None"
            rec["related_resource"] = None
        if kind == "activity":
            rec["user_id"] = user["id"] if user else None
            rec["activity_date"] = now()
        return rec

    def _derive(
        self, kind: str, old: Json | None, rec: Json, body: Json, errors: list[tuple[str, str]]
    ) -> None:
        """Keep derived fields consistent and check rules spanning several fields."""
        if kind in ("person", "lead"):
            if isinstance(body.get("name"), str) and body["name"].strip():
                parts = split_name(body["name"])
                for part in NAME_PARTS:
                    if part not in body:
                        rec[part] = parts[part]
                rec["name"] = body["name"].strip()
            elif any(p in body for p in NAME_PARTS) and "name" not in body:
                rec["name"] = join_name(rec)
        if kind != "activity" and not (isinstance(rec.get("name"), str) and rec["name"].strip()):
            errors.append(("name", "can't be blank"))
        if kind == "person":
            if rec.get("company_id") != (old or {}).get("company_id") or old is None:
                rec["company_name"] = self._company_name(rec.get("company_id"))
            for email in rec.get("emails") or []:
                owner = self.person_with_email(email["email"])
                if owner is not None and owner != rec.get("id", -1):
                    errors.append(("emails", f"{email['email']} has already been taken"))
        if kind == "company" and rec.get("email_domain"):
            rec["email_domain"] = str(rec["email_domain"]).strip().lower()
            taken = self.store.ids("company", "email_domain = ?", (rec["email_domain"],))
            if any(i != rec.get("id", -1) for i in taken):
                errors.append(("email_domain", "has already been taken"))
        if kind == "lead":
            status = next(
                (s for s in self.lead_statuses() if s["id"] == rec.get("status_id")), None
            )
            rec["status"] = status["name"] if status else None
        if kind == "opportunity":
            self._derive_opportunity(old, rec, body, errors)
        if kind == "task":
            was = (old or {}).get("status")
            if rec.get("status") == "Completed" and was != "Completed":
                rec["completed_date"] = now()
            elif rec.get("status") != "Completed":
                rec["completed_date"] = None

    def _derive_opportunity(
        self, old: Json | None, rec: Json, body: Json, errors: list[tuple[str, str]]
    ) -> None:
        if old is None or "company_id" in body:
            rec["company_name"] = self._company_name(rec.get("company_id"))
        pipes = [p for p in self.pipelines() if p.get("type", "opportunity") == "opportunity"]
        pipe_id, stage_id = rec.get("pipeline_id"), rec.get("pipeline_stage_id")
        if "pipeline_stage_id" in body and stage_id is not None and "pipeline_id" not in body:
            found = self.stage(stage_id)
            if found:
                pipe_id = found[0]["id"]
        if pipe_id is None and pipes:
            pipe_id = pipes[0]["id"]
        pipe = next((p for p in self.pipelines() if p["id"] == pipe_id), None)
        stages = (pipe or {}).get("stages") or []
        if pipe is not None and not any(s["id"] == stage_id for s in stages):
            if "pipeline_stage_id" in body and stage_id is not None:
                errors.append(("pipeline_stage_id", f"is not a stage of pipeline {pipe_id}"))
            stage_id = stages[0]["id"] if stages else None
        rec["pipeline_id"], rec["pipeline_stage_id"] = pipe_id, stage_id
        if old is None or stage_id != old.get("pipeline_stage_id"):
            stage = next((s for s in stages if s["id"] == stage_id), None)
            if "win_probability" not in body:
                rec["win_probability"] = stage.get("win_probability") if stage else None
            rec["date_stage_changed"] = now()

    def _company_name(self, company_id: int | None) -> str | None:
        if company_id is None:
            return None
        company = self.store.get("company", company_id)
        return company.get("name") if company else None

    def person_with_email(self, email: str) -> int | None:
        ids = self.store.ids("person", "instr(emails, ?) > 0", (SEP + email.lower() + SEP,))
        return ids[0] if ids else None

    # ----------------------------------------------------------------- field checks
    def _check(
        self, kind: str, key: str, spec: tuple[str, Any], value: Any, errors: list[tuple[str, str]]
    ) -> Any:
        checker: Callable[[str, str, Any, Any], Any] = getattr(self, f"_c_{spec[0]}")
        try:
            return checker(kind, key, value, spec[1])
        except _FieldError as e:
            errors.append((key, e.message))
            return None

    def _c_string(self, kind: str, key: str, value: Any, arg: Any) -> Any:
        if value is None:
            return None
        if not isinstance(value, str):
            raise _FieldError("is invalid")
        if len(value) > 255:
            raise _FieldError("is too long (maximum is 255 characters)")
        return value

    def _c_text(self, kind: str, key: str, value: Any, arg: Any) -> Any:
        if value is not None and not isinstance(value, str):
            raise _FieldError("is invalid")
        return value

    def _c_ref(self, kind: str, key: str, value: Any, target: str) -> Any:
        if value is None:
            return None
        number = as_int(value)
        if number is None or number <= 0:
            raise _FieldError(
                f"Invalid value for {label(key)}: IDs must be positive integers: {value}"
            )
        if not self.ref_exists(target, number):
            raise _FieldError(f"Invalid value for {label(key)}: {number} does not exist")
        return number

    def _c_enum(self, kind: str, key: str, value: Any, allowed: tuple[str, ...]) -> Any:
        if value not in allowed:
            raise _FieldError("is not included in the list")
        return value

    def _c_enum_null(self, kind: str, key: str, value: Any, allowed: tuple[str, ...]) -> Any:
        return None if value is None else self._c_enum(kind, key, value, allowed)

    def _c_lead_status_name(self, kind: str, key: str, value: Any, arg: Any) -> Any:
        if value is None:
            return None
        match = next(
            (
                s["id"]
                for s in self.lead_statuses()
                if isinstance(value, str) and s["name"].lower() == value.lower()
            ),
            None,
        )
        if match is None:
            raise _FieldError("is not included in the list")
        return match

    def _c_timestamp(self, kind: str, key: str, value: Any, arg: Any) -> Any:
        if value is None:
            return None
        number = as_stamp(value)
        if number is None:
            raise _FieldError("is invalid")
        return number

    def _c_number(self, kind: str, key: str, value: Any, arg: Any) -> Any:
        if value is None:
            return None
        number = as_number(value)
        if number is None:
            raise _FieldError("is not a number")
        return number

    def _c_percent(self, kind: str, key: str, value: Any, arg: Any) -> Any:
        if value is None:
            return None
        number = as_int(value)
        if number is None or not 0 <= number <= 100:
            raise _FieldError("must be an integer from 0 to 100")
        return number

    def _c_close_date(self, kind: str, key: str, value: Any, arg: Any) -> Any:
        if value is None or value == "":
            return None
        try:
            return parse_close_date(str(value), self.order)
        except ValueError:
            raise _FieldError(f"is invalid: {value}") from None

    def _categorised(
        self, value: Any, sub: str, categories: tuple[str, ...], check: Callable[[str], bool]
    ) -> list[Json]:
        if value is None:
            return []
        if not isinstance(value, list):
            raise _FieldError("must be an array")
        out = []
        for item in value:
            if not isinstance(item, dict) or not isinstance(item.get(sub), str):
                raise _FieldError(f"each entry needs a {sub}")
            if not check(item[sub]):
                raise _FieldError(f"{item[sub]} is invalid")
            category = item.get("category")
            if category is not None and category not in categories:
                raise _FieldError(f"Category {category} is not included in the list")
            out.append({sub: item[sub], "category": category})
        return out

    def _c_emails(self, kind: str, key: str, value: Any, arg: Any) -> Any:
        emails = self._categorised(value, "email", EMAIL_CATEGORIES, _valid_email)
        seen: set[str] = set()
        for e in emails:
            if e["email"].lower() in seen:
                raise _FieldError(f"{e['email']} is listed twice")
            seen.add(e["email"].lower())
        return emails

    def _c_email(self, kind: str, key: str, value: Any, arg: Any) -> Any:
        if value is None:
            return None
        return self._categorised([value], "email", EMAIL_CATEGORIES, _valid_email)[0]

    def _c_phones(self, kind: str, key: str, value: Any, arg: Any) -> Any:
        return self._categorised(value, "number", PHONE_CATEGORIES, lambda n: bool(n.strip()))

    def _c_socials(self, kind: str, key: str, value: Any, arg: Any) -> Any:
        return self._categorised(value, "url", SOCIAL_CATEGORIES, lambda u: bool(u.strip()))

    def _c_websites(self, kind: str, key: str, value: Any, arg: Any) -> Any:
        return self._categorised(value, "url", WEBSITE_CATEGORIES, lambda u: bool(u.strip()))

    def _c_tags(self, kind: str, key: str, value: Any, arg: Any) -> Any:
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
            raise _FieldError("must be an array of strings")
        out: list[str] = []
        for tag in value:
            tag = tag.strip()
            if tag and tag.lower() not in (t.lower() for t in out):
                out.append(tag)
        return out

    def _c_address(self, kind: str, key: str, value: Any, arg: Any) -> Any:
        if value is None:
            return None
        if not isinstance(value, dict):
            raise _FieldError("is invalid")
        out = {}
        for sub in ("street", "city", "state", "postal_code", "country"):
            part = value.get(sub)
            if part is not None and not isinstance(part, str):
                raise _FieldError(f"{sub} is invalid")
            out[sub] = part
        return out

    def _c_resource(self, kind: str, key: str, value: Any, types: tuple[str, ...]) -> Any:
        if value is None or (isinstance(value, dict) and value.get("id") is None):
            return None
        if not isinstance(value, dict) or value.get("type") not in types:
            raise _FieldError(f"type must be one of {', '.join(types)}")
        rid = as_int(value.get("id"))
        if rid is None or rid <= 0 or not self.store.exists(value["type"], rid):
            raise _FieldError(f"{value.get('type')} {value.get('id')} does not exist")
        return {"id": rid, "type": value["type"]}

    def _c_parent(self, kind: str, key: str, value: Any, arg: Any) -> Any:
        if value is None:
            return None
        return self._c_resource(kind, key, value, PARENT_TYPES)

    def _c_activity_type(self, kind: str, key: str, value: Any, arg: Any) -> Any:
        if value is None:
            return None
        if not isinstance(value, dict):
            raise _FieldError("is invalid")
        if value.get("category") != "user":
            raise _FieldError("only user activities can be created or edited")
        type_id = as_int(value.get("id"))
        if type_id is None or type_id not in self.user_activity_type_ids():
            raise _FieldError(f"{value.get('id')} is not a user activity type")
        return {"id": type_id, "category": "user"}

    def _c_custom_fields(self, kind: str, key: str, value: Any, arg: Any) -> Any:
        if value is None:
            return {}
        if not isinstance(value, list):
            raise _FieldError("must be an array")
        out: dict[str, Any] = {}
        for item in value:
            if not isinstance(item, dict):
                raise _FieldError("each entry must be an object")
            def_id = as_int(item.get("custom_field_definition_id"))
            d = self.definition(def_id) if def_id is not None else None
            if d is None:
                raise _FieldError(
                    f"Unknown custom field definition: {item.get('custom_field_definition_id')}"
                )
            if kind not in (d.get("available_on") or []):
                raise _FieldError(f"{d['name']} is not available on {kind}")
            out[str(d["id"])] = check_cf_value(d, item.get("value"))
        return out


class _FieldError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def check_cf_value(d: Json, value: Any) -> Any:
    """A custom field value checked against its definition's data_type; _FieldError if not."""
    if value is None:
        return None
    dtype = d["data_type"]
    bad = _FieldError(f"Invalid value for {d['name']}: {value!r}")
    if dtype in ("String", "Text", "URL"):
        if not isinstance(value, str):
            raise bad
        if dtype == "String" and len(value) > 255:
            raise _FieldError(f"{d['name']} is too long (maximum is 255 characters)")
        return value
    if dtype == "Dropdown":
        option = as_int(value)
        if option is None or option not in {o["id"] for o in d.get("options") or []}:
            raise bad
        return option
    if dtype == "MultiSelect":
        if not isinstance(value, list):
            raise bad
        options = {o["id"] for o in d.get("options") or []}
        picked = [as_int(v) for v in value]
        if any(p is None or p not in options for p in picked):
            raise bad
        return picked
    if dtype == "Date":
        stamp = as_int(value)
        if stamp is None or not fits_sqlite(stamp):
            raise bad
        return stamp
    if dtype == "Checkbox":
        if not isinstance(value, bool):
            raise bad
        return value
    if dtype in ("Float", "Percentage", "Currency"):
        number = as_number(value)
        if number is None:
            raise bad
        return number
    if dtype == "Connect":
        if not isinstance(value, list):
            raise bad
        return value
    raise bad


def computed_value(d: Json, value: Any) -> Any:
    """``computed_value`` of ``?custom_field_computed_values=true``: option names for choices."""
    names = {o["id"]: o["name"] for o in d.get("options") or []}
    if d["data_type"] == "Dropdown":
        return names.get(value) if value is not None else None
    if d["data_type"] == "MultiSelect":
        return [names.get(v) for v in value or []]
    return value


def as_int(value: Any) -> int | None:
    """Integers, and numeric strings (Copper coerces them); never booleans or fractions."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        return int(value)
    return None


def as_number(value: Any) -> float | int | None:
    """Numbers and numeric strings a float can hold: never NaN, infinities or beyond 1.8e308,
    which JSON cannot carry back to the client."""
    if isinstance(value, bool):
        return None
    number: float | int
    if isinstance(value, int | float):
        number = value
    elif isinstance(value, str):
        try:
            number = float(value) if "." in value else int(value)
        except ValueError:
            return None
    else:
        return None
    try:
        return number if math.isfinite(number) else None
    except OverflowError:  # an integer beyond any float
        return None


def as_stamp(value: Any) -> int | None:
    """Unix seconds: a non-negative integer SQLite can hold."""
    number = as_int(value)
    return number if number is not None and 0 <= number <= INT64_MAX else None


def _valid_email(text: str) -> bool:
    return bool(_EMAIL_RE.match(text))


def _changed(old: Json, new: Json) -> bool:
    skip = {"date_modified"}
    keys = (set(old) | set(new)) - skip
    return any(old.get(k) != new.get(k) for k in keys)


def diff(old: Json, new: Json) -> dict[str, list[Any]]:
    """``updated_attributes`` of a webhook: each rendered field that really changed."""
    return {
        k: [old.get(k), new.get(k)]
        for k in new
        if k not in ("date_modified",) and old.get(k) != new.get(k)
    }
