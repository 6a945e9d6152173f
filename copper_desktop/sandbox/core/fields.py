"""One field at a time: the store's lookups a value is checked against, the checks per kind of
field (with Copper's 422 texts), custom field values by data_type, and the number parsing they
share. ``records.Rules`` builds on this to merge whole records."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

from copper_desktop.sandbox.core.keys import (
    EMAIL_CATEGORIES,
    PARENT_TYPES,
    PHONE_CATEGORIES,
    SOCIAL_CATEGORIES,
    WEBSITE_CATEGORIES,
)
from copper_desktop.sandbox.core.refusals import label
from copper_desktop.sandbox.core.schema import INT64_MAX, fits_sqlite, parse_close_date
from copper_desktop.sandbox.core.store import Store
from copper_desktop.sandbox.settings import SandboxConfig

Json = dict[str, Any]

_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


class FieldRules:
    """Field checks against the store's lookups and the live settings."""

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

    @property
    def order(self) -> str:
        return str(self.settings.close_date_order)

    # ----------------------------------------------------------------- field checks
    def check(
        self, kind: str, key: str, spec: tuple[str, Any], value: Any, errors: list[tuple[str, str]]
    ) -> Any:
        checker: Callable[[str, str, Any, Any], Any] = getattr(self, f"_c_{spec[0]}")
        try:
            return checker(kind, key, value, spec[1])
        except FieldError as e:
            errors.append((key, e.message))
            return None

    def _c_string(self, kind: str, key: str, value: Any, arg: Any) -> Any:
        if value is None:
            return None
        if not isinstance(value, str):
            raise FieldError("is invalid")
        if len(value) > 255:
            raise FieldError("is too long (maximum is 255 characters)")
        return value

    def _c_text(self, kind: str, key: str, value: Any, arg: Any) -> Any:
        if value is not None and not isinstance(value, str):
            raise FieldError("is invalid")
        return value

    def _c_ref(self, kind: str, key: str, value: Any, target: str) -> Any:
        if value is None:
            return None
        number = as_int(value)
        if number is None or number <= 0:
            raise FieldError(
                f"Invalid value for {label(key)}: IDs must be positive integers: {value}"
            )
        if not self.ref_exists(target, number):
            raise FieldError(f"Invalid value for {label(key)}: {number} does not exist")
        return number

    def _c_enum(self, kind: str, key: str, value: Any, allowed: tuple[str, ...]) -> Any:
        if value not in allowed:
            raise FieldError("is not included in the list")
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
            raise FieldError("is not included in the list")
        return match

    def _converted(self, value: Any, convert: Callable[[Any], Any], message: str) -> Any:
        """``None`` stays unset; anything else must convert, else the field's 422 text."""
        if value is None:
            return None
        converted = convert(value)
        if converted is None:
            raise FieldError(message)
        return converted

    def _c_timestamp(self, kind: str, key: str, value: Any, arg: Any) -> Any:
        return self._converted(value, as_stamp, "is invalid")

    def _c_number(self, kind: str, key: str, value: Any, arg: Any) -> Any:
        return self._converted(value, as_number, "is not a number")

    def _c_percent(self, kind: str, key: str, value: Any, arg: Any) -> Any:
        return self._converted(value, as_percent, "must be an integer from 0 to 100")

    def _c_close_date(self, kind: str, key: str, value: Any, arg: Any) -> Any:
        if value is None or value == "":
            return None
        try:
            return parse_close_date(str(value), self.order)
        except ValueError:
            raise FieldError(f"is invalid: {value}") from None

    def _categorised(
        self, value: Any, sub: str, categories: tuple[str, ...], check: Callable[[str], bool]
    ) -> list[Json]:
        if value is None:
            return []
        if not isinstance(value, list):
            raise FieldError("must be an array")
        out = []
        for item in value:
            if not isinstance(item, dict) or not isinstance(item.get(sub), str):
                raise FieldError(f"each entry needs a {sub}")
            if not check(item[sub]):
                raise FieldError(f"{item[sub]} is invalid")
            category = item.get("category")
            if category is not None and category not in categories:
                raise FieldError(f"Category {category} is not included in the list")
            out.append({sub: item[sub], "category": category})
        return out

    def _c_emails(self, kind: str, key: str, value: Any, arg: Any) -> Any:
        emails = self._categorised(value, "email", EMAIL_CATEGORIES, _valid_email)
        seen: set[str] = set()
        for e in emails:
            if e["email"].lower() in seen:
                raise FieldError(f"{e['email']} is listed twice")
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
            raise FieldError("must be an array of strings")
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
            raise FieldError("is invalid")
        out = {}
        for sub in ("street", "city", "state", "postal_code", "country"):
            part = value.get(sub)
            if part is not None and not isinstance(part, str):
                raise FieldError(f"{sub} is invalid")
            out[sub] = part
        return out

    def _c_resource(self, kind: str, key: str, value: Any, types: tuple[str, ...]) -> Any:
        if value is None or (isinstance(value, dict) and value.get("id") is None):
            return None
        if not isinstance(value, dict) or value.get("type") not in types:
            raise FieldError(f"type must be one of {', '.join(types)}")
        rid = as_int(value.get("id"))
        if rid is None or rid <= 0 or not self.store.exists(value["type"], rid):
            raise FieldError(f"{value.get('type')} {value.get('id')} does not exist")
        return {"id": rid, "type": value["type"]}

    def _c_parent(self, kind: str, key: str, value: Any, arg: Any) -> Any:
        if value is None:
            return None
        return self._c_resource(kind, key, value, PARENT_TYPES)

    def _c_activity_type(self, kind: str, key: str, value: Any, arg: Any) -> Any:
        if value is None:
            return None
        if not isinstance(value, dict):
            raise FieldError("is invalid")
        if value.get("category") != "user":
            raise FieldError("only user activities can be created or edited")
        type_id = as_int(value.get("id"))
        if type_id is None or type_id not in self.user_activity_type_ids():
            raise FieldError(f"{value.get('id')} is not a user activity type")
        return {"id": type_id, "category": "user"}

    def _c_custom_fields(self, kind: str, key: str, value: Any, arg: Any) -> Any:
        if value is None:
            return {}
        if not isinstance(value, list):
            raise FieldError("must be an array")
        out: dict[str, Any] = {}
        for item in value:
            if not isinstance(item, dict):
                raise FieldError("each entry must be an object")
            def_id = as_int(item.get("custom_field_definition_id"))
            d = self.definition(def_id) if def_id is not None else None
            if d is None:
                raise FieldError(
                    f"Unknown custom field definition: {item.get('custom_field_definition_id')}"
                )
            if kind not in (d.get("available_on") or []):
                raise FieldError(f"{d['name']} is not available on {kind}")
            out[str(d["id"])] = check_cf_value(d, item.get("value"))
        return out


class FieldError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def check_cf_value(d: Json, value: Any) -> Any:
    """A custom field value checked against its definition's data_type; FieldError if not."""
    if value is None:
        return None
    dtype = d["data_type"]
    bad = FieldError(f"Invalid value for {d['name']}: {value!r}")
    if dtype in ("String", "Text", "URL"):
        if not isinstance(value, str):
            raise bad
        if dtype == "String" and len(value) > 255:
            raise FieldError(f"{d['name']} is too long (maximum is 255 characters)")
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
    if isinstance(value, str) and re.fullmatch(r"-?\d{1,4300}", value.strip()):
        return int(value)  # Python refuses to convert longer digit strings: no integer then
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


def as_percent(value: Any) -> int | None:
    """An integer from 0 to 100."""
    number = as_int(value)
    return number if number is not None and 0 <= number <= 100 else None


def as_stamp(value: Any) -> int | None:
    """Unix seconds: a non-negative integer SQLite can hold."""
    number = as_int(value)
    return number if number is not None and 0 <= number <= INT64_MAX else None


def _valid_email(text: str) -> bool:
    return bool(_EMAIL_RE.match(text))
