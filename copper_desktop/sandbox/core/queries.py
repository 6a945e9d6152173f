"""Search bodies per entity (copper-behaviour.md §3): allowed keys, filters, sort keys, paging
and the search cap, compiled to one SQL ``WHERE``/``ORDER BY`` over the store's indexed columns.

Unknown keys are rejected with Copper's message; numeric strings are coerced; date filters are
clamped at 2**31; ``-2`` in id lists means "no value".
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from copper_desktop.sandbox.core.fields import as_int, as_number
from copper_desktop.sandbox.core.records import Rules
from copper_desktop.sandbox.core.refusals import Invalid, unknown_keys_error
from copper_desktop.sandbox.core.schema import SEP, digits

Json = dict[str, Any]

MAX_DATE = 2**31
PAGING = ("page_number", "page_size", "sort_by", "sort_direction")

# sort_by value -> (column, reversed) per kind (§3.3). Values Copper names but the sandbox
# cannot order by exactly are mapped to the nearest stored column (e.g. company "contact" to
# its primary contact's id).
SORTS: dict[str, dict[str, tuple[str, bool]]] = {
    "person": {
        **{k: (k, False) for k in (
            "name", "first_name", "last_name", "title", "email", "phone", "date_modified",
            "date_created", "city", "state", "country")},
        "zip": ("postal_code", False),
        "socials": ("social", False),
    },
    "company": {
        **{k: (k, False) for k in (
            "name", "phone", "date_modified", "date_created", "email_domain", "city", "state",
            "country", "interaction_count")},
        "contact": ("primary_contact_id", False),
        "contact_first_name": ("primary_contact_id", False),
        "contact_last_name": ("primary_contact_id", False),
        "zip": ("postal_code", False),
        "assignee": ("assignee_id", False),
        "contact_group": ("contact_type_id", False),
        "last_interaction": ("date_last_contacted", False),
        "primary_website": ("website", False),
    },
    "lead": {
        **{k: (k, False) for k in (
            "name", "first_name", "last_name", "company_name", "title", "email", "phone",
            "date_modified", "date_created", "city", "state", "country")},
        "value": ("monetary_value", False),
        "zip": ("postal_code", False),
        "inactive_days": ("inactive", True),
    },
    "opportunity": {
        **{k: (k, False) for k in (
            "name", "company_name", "customer_source_id", "date_modified", "date_created",
            "status", "priority", "interaction_count", "win_probability")},
        "account": ("company_name", False),
        "value": ("monetary_value", False),
        "assignee": ("assignee_id", False),
        "contact": ("primary_contact_id", False),
        "stage": ("pipeline_stage_id", False),
        "close_date": ("close_ts", False),
        "source": ("customer_source_id", False),
        "last_interaction": ("date_last_contacted", False),
        "deal_last_stage": ("date_stage_changed", False),
    },
    "project": {
        **{k: (k, False) for k in ("name", "status", "date_modified", "date_created")},
        "assigned_to": ("assignee_id", False),
        "related_to": ("related_id", False),
    },
    "task": {
        **{k: (k, False) for k in (
            "name", "status", "priority", "due_date", "reminder_date", "completed_date",
            "date_created", "date_modified")},
        "assigned_to": ("assignee_id", False),
        "related_to": ("related_id", False),
    },
    "activity": {k: (k, False) for k in ("activity_date", "date_created", "date_modified")},
}  # fmt: skip
DEFAULT_SORT: dict[str, tuple[str, str]] = {
    "person": ("first_name", "asc"),
    "company": ("date_modified", "asc"),
    "lead": ("name", "asc"),
    "opportunity": ("name", "asc"),
    "project": ("name", "asc"),
    "task": ("due_date", "asc"),
    "activity": ("activity_date", "desc"),
}

# filter key -> (handler, column) per kind (§3.2).
_RANGES = {
    "interaction_count": ("int", "interaction_count"),
    "interaction_date": ("date", "date_last_contacted"),
    "created_date": ("date", "date_created"),
    "modified_date": ("date", "date_modified"),
    "monetary_value": ("number", "monetary_value"),
    "close_date": ("date", "close_ts"),
    "stage_change_date": ("date", "date_stage_changed"),
    "due_date": ("date", "due_date"),
    "activity_date": ("date", "activity_date"),
}


def _ranges(*names: str) -> dict[str, tuple[str, str]]:
    out: dict[str, tuple[str, str]] = {}
    for n in names:
        kind, col = _RANGES[n]
        out[f"minimum_{n}"] = (f"min_{kind}", col)
        out[f"maximum_{n}"] = (f"max_{kind}", col)
    return out


_ADDRESS = {k: ("address", k) for k in ("city", "state", "postal_code", "country")}
FILTERS: dict[str, dict[str, tuple[str, str]]] = {
    "person": {
        "ids": ("ids", "id"), "name": ("like", "name"), "phone_number": ("phone", "phones"),
        "emails": ("emails", "emails"), "contact_type_ids": ("id_list", "contact_type_id"),
        "assignee_ids": ("id_list", "assignee_id"), "company_ids": ("id_list", "company_id"),
        "opportunity_ids": ("person_opportunities", "id"), **_ADDRESS,
        "tags": ("tags", "tags"), "socials": ("socials", "socials"),
        "followed": ("followed", ""), "age": ("age", "date_created"),
        **_ranges("interaction_count", "interaction_date", "created_date"),
        "custom_fields": ("custom_fields", ""),
    },
    "company": {
        "ids": ("ids", "id"), "name": ("like", "name"), "phone_number": ("phone", "phones"),
        "email_domains": ("in_text", "email_domain"),
        "contact_type_ids": ("id_list", "contact_type_id"),
        "assignee_ids": ("id_list", "assignee_id"), **_ADDRESS, "tags": ("tags", "tags"),
        "socials": ("socials", "socials"), "followed": ("followed", ""),
        "age": ("age", "date_created"),
        **_ranges("interaction_count", "interaction_date", "created_date"),
        "custom_fields": ("custom_fields", ""),
    },
    "lead": {
        "ids": ("ids", "id"), "name": ("like", "name"), "phone_number": ("phone", "phones"),
        "emails": ("emails", "emails"), "assignee_ids": ("id_list", "assignee_id"),
        "status_ids": ("id_list", "status_id"),
        "customer_source_ids": ("id_list", "customer_source_id"), **_ADDRESS,
        "tags": ("tags", "tags"), "followed": ("followed", ""), "age": ("age", "date_created"),
        **_ranges("monetary_value", "interaction_count", "interaction_date", "created_date",
                  "modified_date"),
        "custom_fields": ("custom_fields", ""),
        "include_converted_leads": ("flag", ""),
    },
    "opportunity": {
        "ids": ("ids", "id"), "name": ("exact", "name"),
        "assignee_ids": ("id_list", "assignee_id"),
        "status_ids": ("choice", "status:Open,Won,Lost,Abandoned"),
        "pipeline_ids": ("id_list", "pipeline_id"),
        "pipeline_stage_ids": ("id_list", "pipeline_stage_id"),
        "priority_ids": ("choice", "priority:None,Low,Medium,High"),
        "customer_source_ids": ("id_list", "customer_source_id"),
        "loss_reason_ids": ("id_list", "loss_reason_id"),
        "company_ids": ("id_list", "company_id"), "person_ids": ("id_list", "primary_contact_id"),
        "tags": ("tags", "tags"), "followed": ("followed", ""),
        **_ranges("monetary_value", "interaction_count", "close_date", "interaction_date",
                  "stage_change_date", "created_date", "modified_date"),
        "custom_fields": ("custom_fields", ""),
    },
    "project": {
        "ids": ("ids", "id"), "name": ("like", "name"),
        "assignee_ids": ("id_list", "assignee_id"),
        "status_ids": ("choice", "status:Open,Completed"), "tags": ("tags", "tags"),
        "followed": ("followed", ""), **_ranges("created_date", "modified_date"),
        "custom_fields": ("custom_fields", ""),
    },
    "task": {
        "ids": ("ids", "id"), "assignee_ids": ("id_list", "assignee_id"),
        "opportunity_ids": ("related", "opportunity"), "project_ids": ("related", "project"),
        "statuses": ("statuses", "status"), "tags": ("tags", "tags"),
        "followed": ("followed", ""),
        **_ranges("due_date", "created_date", "modified_date"),
        "custom_fields": ("custom_fields", ""),
    },
    "activity": {
        "ids": ("ids", "id"), "parent": ("parent", ""),
        "activity_types": ("activity_types", ""), **_ranges("activity_date"),
        "full_result": ("flag", ""),
    },
}  # fmt: skip

CF_PATH = "json_extract(data, '$.custom_fields.\"{id}\"')"


@dataclass
class Plan:
    """A compiled search: where clause, parameters, ordering and the page window."""

    where: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)
    order: str = "id"
    limit: int = 20
    offset: int = 0
    empty_page: bool = False
    flags: dict[str, bool] = field(default_factory=dict)

    def add(self, clause: str, *params: Any) -> None:
        self.where.append(clause)
        self.params.extend(params)

    @property
    def where_sql(self) -> str:
        return " AND ".join(f"({w})" for w in self.where) or "1"


def parse_paging(body: Json, cap: int) -> tuple[int, int, bool]:
    """(limit, offset, past_cap) from page_number/page_size; 422 when out of range."""
    number = as_int(body.get("page_number", 1))
    size = as_int(body.get("page_size", 20))
    errors = []
    if number is None or number < 1:
        errors.append(("page_number", "must be a positive integer"))
    if size is None or not 1 <= size <= 200:
        errors.append(("page_size", "must be an integer from 1 to 200"))
    if errors or number is None or size is None:
        raise Invalid(errors)
    offset = (number - 1) * size
    if offset >= cap:
        return 0, 0, True
    return min(size, cap - offset), offset, False


def compile_search(kind: str, body: Any, rules: Rules) -> Plan:
    """A search body -> Plan; raises Invalid (422) for unknown keys and bad values."""
    if body is None:
        body = {}
    if not isinstance(body, dict):
        raise Invalid([("base", "Request body must be a JSON object")])
    filters = FILTERS[kind]
    unknown = [k for k in body if k not in filters and k not in PAGING]
    if unknown:
        raise unknown_keys_error(unknown)
    plan = Plan()
    plan.limit, plan.offset, plan.empty_page = parse_paging(body, rules.settings.search_cap)
    sort_by = body.get("sort_by") or DEFAULT_SORT[kind][0]
    direction = body.get("sort_direction") or DEFAULT_SORT[kind][1]
    if not isinstance(sort_by, str) or sort_by not in SORTS[kind]:
        raise Invalid([("sort_by", f"is not included in the list: {sort_by}")])
    if not isinstance(direction, str) or direction.lower() not in ("asc", "desc"):
        raise Invalid([("sort_direction", f"is not included in the list: {direction}")])
    column, reverse = SORTS[kind][sort_by]
    desc = (direction.lower() == "desc") != reverse
    plan.order = f"{column} {'DESC' if desc else 'ASC'}, id {'DESC' if desc else 'ASC'}"
    for key, value in body.items():
        if key in PAGING:
            continue
        handler, column = filters[key]
        try:
            _HANDLERS[handler](plan, key, value, column, kind, rules)
        except _Bad as e:
            raise Invalid([(key, e.message)]) from None
    if kind == "lead":
        include = plan.flags.get("include_converted_leads", False)
        if rules.settings.hide_converted_leads and not include:
            plan.add("hidden = 0")
    return plan


class _Bad(Exception):
    def __init__(self, message: str = "is invalid") -> None:
        super().__init__(message)
        self.message = message


Handler = Callable[[Plan, str, Any, str, str, Rules], None]


def _int_list(value: Any, *, allow_sentinel: bool = True) -> list[int]:
    if not isinstance(value, list):
        value = [value]
    out = []
    for v in value:
        n = as_int(v)
        if n is None or (n <= 0 and not (allow_sentinel and n == -2)):
            raise _Bad(f"contains an invalid id: {v!r}")
        out.append(n)
    return out


def _marks(n: int) -> str:
    return ", ".join("?" * n)


def _h_ids(plan: Plan, key: str, value: Any, col: str, kind: str, rules: Rules) -> None:
    ids = _int_list(value, allow_sentinel=False)
    plan.add(f"{col} IN ({_marks(len(ids))})" if ids else "0", *ids)


def _h_id_list(plan: Plan, key: str, value: Any, col: str, kind: str, rules: Rules) -> None:
    ids = _int_list(value)
    real = [i for i in ids if i != -2]
    parts = []
    if real:
        parts.append(f"{col} IN ({_marks(len(real))})")
    if -2 in ids:
        parts.append(f"{col} IS NULL")
    if parts:
        plan.add(" OR ".join(parts), *real)


def _text(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise _Bad("must be a string")
    return value


def _h_like(plan: Plan, key: str, value: Any, col: str, kind: str, rules: Rules) -> None:
    text = _text(value).strip()
    if text:
        escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        plan.add(f"{col} LIKE ? ESCAPE '\\'", f"%{escaped}%")


def _h_exact(plan: Plan, key: str, value: Any, col: str, kind: str, rules: Rules) -> None:
    plan.add(f"{col} = ?", _text(value).strip())


def _h_in_text(plan: Plan, key: str, value: Any, col: str, kind: str, rules: Rules) -> None:
    values = [_text(v).strip() for v in (value if isinstance(value, list) else [value])]
    if values:
        plan.add(f"{col} IN ({_marks(len(values))})", *values)


def _h_emails(plan: Plan, key: str, value: Any, col: str, kind: str, rules: Rules) -> None:
    values = [_text(v).strip().lower() for v in (value if isinstance(value, list) else [value])]
    values = [v for v in values if v]
    if values and kind == "person":  # the e-mail index (store.py): no scan of every person
        sql = f"SELECT person_id FROM person_emails WHERE email IN ({_marks(len(values))})"
        plan.add(f"id IN ({sql})", *values)
    elif values:
        plan.add(
            " OR ".join(f"instr(coalesce({col}, ''), ?) > 0" for _ in values),
            *(SEP + v + SEP for v in values),
        )


def _h_socials(plan: Plan, key: str, value: Any, col: str, kind: str, rules: Rules) -> None:
    values = [_text(v).strip().lower() for v in (value if isinstance(value, list) else [value])]
    values = [v for v in values if v]
    if values:
        plan.add(" OR ".join(f"instr(coalesce({col}, ''), ?) > 0" for _ in values), *values)


def phone_candidates(value: Any) -> list[str]:
    """Digit strings any of which, found inside a stored number, makes a phone match (§3.1)."""
    match = None
    if isinstance(value, dict):
        if set(value) - {"value", "match"}:
            raise _Bad("only value and match are allowed")
        match = value.get("match")
        value = value.get("value")
        if match not in (None, "partial", "fuzzy"):
            raise _Bad(f"match must be partial or fuzzy: {match}")
    wanted = digits(_text(value))
    if not wanted:
        raise _Bad("must contain digits")
    if match is None:
        match = "partial" if len(wanted) <= 6 else "fuzzy"
    if match == "partial":
        return [wanted]
    return [wanted[k:] for k in range(0, min(6, len(wanted) - 6) + 1)]


def _h_phone(plan: Plan, key: str, value: Any, col: str, kind: str, rules: Rules) -> None:
    candidates = phone_candidates(value)
    plan.add(" OR ".join(f"instr(coalesce({col}, ''), ?) > 0" for _ in candidates), *candidates)


def _h_tags(plan: Plan, key: str, value: Any, col: str, kind: str, rules: Rules) -> None:
    option = "ANY"
    if isinstance(value, dict):
        if set(value) - {"option", "value"}:
            raise _Bad("only option and value are allowed")
        option = str(value.get("option") or "ANY").upper()
        value = value.get("value") or []
        if option not in ("ANY", "ALL", "NONE"):
            raise _Bad(f"option must be ANY, ALL or NONE: {option}")
    if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
        raise _Bad("must be an array of strings")
    tags = [SEP + t.strip().lower() + SEP for t in value if t.strip()]
    if not tags:
        return
    tests = [f"instr(coalesce({col}, ''), ?) > 0" for _ in tags]
    if option == "ANY":
        plan.add(" OR ".join(tests), *tags)
    elif option == "ALL":
        plan.add(" AND ".join(tests), *tags)
    else:
        plan.add(f"NOT ({' OR '.join(tests)})", *tags)


def _h_address(plan: Plan, key: str, value: Any, col: str, kind: str, rules: Rules) -> None:
    if value is None or value == "":
        plan.add(f"({col} IS NULL OR {col} = '')")
        return
    plan.add(f"{col} = ?", _text(value).strip())


def _date(value: Any) -> int:
    n = as_int(value)
    if n is None:
        raise _Bad("must be unix seconds")
    return min(n, MAX_DATE)


def _number(value: Any) -> float | int:
    n = as_number(value)
    if n is None:
        raise _Bad("must be a number")
    return n


def _range(op: str, convert: Callable[[Any], Any]) -> Handler:
    def handler(plan: Plan, key: str, value: Any, col: str, kind: str, rules: Rules) -> None:
        plan.add(f"{col} {op} ?", convert(value))

    return handler


def _h_followed(plan: Plan, key: str, value: Any, col: str, kind: str, rules: Rules) -> None:
    n = as_int(value)
    if n not in (1, 2):
        raise _Bad("must be 1 (followed) or 2 (not followed)")
    if n == 1:
        plan.add("0")  # the sandbox's users follow nothing


def _h_age(plan: Plan, key: str, value: Any, col: str, kind: str, rules: Rules) -> None:
    seconds = as_int(value)
    if seconds is None or seconds < 0:
        raise _Bad("must be a number of seconds")
    plan.add(f"{col} >= ?", int(time.time()) - seconds)


def _h_flag(plan: Plan, key: str, value: Any, col: str, kind: str, rules: Rules) -> None:
    if not isinstance(value, bool):
        raise _Bad("must be true or false")
    plan.flags[key] = value


def _h_choice(plan: Plan, key: str, value: Any, spec: str, kind: str, rules: Rules) -> None:
    col, _, names = spec.partition(":")
    choices = names.split(",")
    picked = []
    for v in value if isinstance(value, list) else [value]:
        n = as_int(v)
        if n is None or not 0 <= n < len(choices):
            raise _Bad(f"must be integers from 0 to {len(choices) - 1}")
        picked.append(choices[n])
    if picked:
        plan.add(f"{col} IN ({_marks(len(picked))})", *picked)


def _h_statuses(plan: Plan, key: str, value: Any, col: str, kind: str, rules: Rules) -> None:
    values = value if isinstance(value, list) else [value]
    if not all(v in ("Open", "Completed") for v in values):
        raise _Bad("must be Open or Completed")
    if values:
        plan.add(f"{col} IN ({_marks(len(values))})", *values)


def _h_related(plan: Plan, key: str, value: Any, rtype: str, kind: str, rules: Rules) -> None:
    ids = _int_list(value)
    real = [i for i in ids if i != -2]
    parts = []
    if real:
        parts.append(f"(related_type = '{rtype}' AND related_id IN ({_marks(len(real))}))")
    if -2 in ids:
        parts.append(f"(related_type IS NULL OR related_type != '{rtype}')")
    if parts:
        plan.add(" OR ".join(parts), *real)


def _h_person_opportunities(
    plan: Plan, key: str, value: Any, col: str, kind: str, rules: Rules
) -> None:
    ids = _int_list(value, allow_sentinel=False)
    if not ids:
        return
    m = _marks(len(ids))
    plan.add(
        f"id IN (SELECT primary_contact_id FROM r_opportunity WHERE id IN ({m}))"
        f" OR id IN (SELECT b_id FROM relations WHERE a_type = 'opportunity'"
        f" AND b_type = 'person' AND a_id IN ({m}))"
        f" OR id IN (SELECT a_id FROM relations WHERE b_type = 'opportunity'"
        f" AND a_type = 'person' AND b_id IN ({m}))",
        *ids,
        *ids,
        *ids,
    )


def _h_parent(plan: Plan, key: str, value: Any, col: str, kind: str, rules: Rules) -> None:
    if not isinstance(value, dict) or set(value) - {"id", "type"}:
        raise _Bad("must be an object with id and type")
    pid = as_int(value.get("id"))
    if pid is None or value.get("type") not in (
        "lead", "person", "company", "opportunity", "project", "task",
    ):  # fmt: skip
        raise _Bad("must name a record by id and type")
    plan.add("parent_type = ? AND parent_id = ?", value["type"], pid)


def _h_activity_types(plan: Plan, key: str, value: Any, col: str, kind: str, rules: Rules) -> None:
    if not isinstance(value, list):
        raise _Bad("must be an array of {id, category}")
    parts: list[str] = []
    params: list[Any] = []
    for item in value:
        if not isinstance(item, dict) or item.get("category") not in ("user", "system"):
            raise _Bad("each entry needs a category user or system")
        if item.get("id") is None:
            parts.append("type_category = ?")
            params.append(item["category"])
        else:
            tid = as_int(item["id"])
            if tid is None:
                raise _Bad(f"invalid activity type id: {item['id']!r}")
            parts.append("(type_id = ? AND type_category = ?)")
            params.extend([tid, item["category"]])
    if parts:
        plan.add(" OR ".join(parts), *params)


def _h_custom_fields(plan: Plan, key: str, value: Any, col: str, kind: str, rules: Rules) -> None:
    if not isinstance(value, list):
        raise _Bad("must be an array")
    for item in value:
        if not isinstance(item, dict):
            raise _Bad("each entry must be an object")
        extra = set(item) - {
            "custom_field_definition_id", "value", "minimum_value", "maximum_value", "option",
            "allow_empty",
        }  # fmt: skip
        if extra:
            raise _Bad(f"Unrecognized attributes specified: {', '.join(sorted(extra))}")
        def_id = as_int(item.get("custom_field_definition_id"))
        d = rules.definition(def_id) if def_id is not None else None
        if d is None or kind not in (d.get("available_on") or []):
            raise _Bad(
                f"unknown custom field definition for {kind}: "
                f"{item.get('custom_field_definition_id')}"
            )
        if d.get("is_filterable") is False or d["data_type"] in (
            "String",
            "Text",
            "URL",
            "Connect",
        ):
            raise _Bad(f"{d['name']} is not filterable")
        _custom_field_clause(plan, d, item)


def _custom_field_clause(plan: Plan, d: Json, item: Json) -> None:
    path = CF_PATH.format(id=d["id"])
    dtype = d["data_type"]
    allow_empty = item.get("allow_empty") is True
    if dtype in ("Dropdown", "MultiSelect"):
        raw = item.get("value")
        options = _int_list(raw if raw is not None else [], allow_sentinel=False)
        parts: list[str] = []
        params: list[Any] = []
        if options and dtype == "Dropdown":
            parts.append(f"{path} IN ({_marks(len(options))})")
            params.extend(options)
        elif options:
            each = f"json_each(data, '$.custom_fields.\"{d['id']}\"')"
            any_sql = f"EXISTS (SELECT 1 FROM {each} WHERE value IN ({_marks(len(options))}))"
            option = str(item.get("option") or "ANY").upper()
            if option == "ANY":
                parts.append(any_sql)
            elif option == "ALL":
                parts.append(
                    f"(SELECT count(DISTINCT value) FROM {each}"
                    f" WHERE value IN ({_marks(len(options))})) = {len(set(options))}"
                )
            elif option == "NONE":
                parts.append(f"NOT {any_sql}")
            else:
                raise _Bad(f"option must be ANY, ALL or NONE: {option}")
            params.extend(options)
        if allow_empty:
            parts.append(f"{path} IS NULL")
        if parts:
            plan.add(" OR ".join(parts), *params)
        return
    if "option" in item or allow_empty:
        raise _Bad("option and allow_empty apply to Dropdown and MultiSelect only")
    if dtype == "Checkbox":
        if "value" in item:
            if not isinstance(item["value"], bool):
                raise _Bad("Checkbox value must be true or false")
            plan.add(f"{path} = 1" if item["value"] else f"({path} IS NULL OR {path} = 0)")
        return
    convert = _date if dtype == "Date" else _number
    if item.get("value") is not None:
        plan.add(f"{path} = ?", convert(item["value"]))
    if item.get("minimum_value") is not None:
        plan.add(f"{path} >= ?", convert(item["minimum_value"]))
    if item.get("maximum_value") is not None:
        plan.add(f"{path} <= ?", convert(item["maximum_value"]))


_HANDLERS: dict[str, Handler] = {
    "ids": _h_ids,
    "id_list": _h_id_list,
    "like": _h_like,
    "exact": _h_exact,
    "in_text": _h_in_text,
    "emails": _h_emails,
    "socials": _h_socials,
    "phone": _h_phone,
    "tags": _h_tags,
    "address": _h_address,
    "min_int": _range(">=", _number),
    "max_int": _range("<=", _number),
    "min_number": _range(">=", _number),
    "max_number": _range("<=", _number),
    "min_date": _range(">=", _date),
    "max_date": _range("<=", _date),
    "followed": _h_followed,
    "age": _h_age,
    "flag": _h_flag,
    "choice": _h_choice,
    "statuses": _h_statuses,
    "related": _h_related,
    "person_opportunities": _h_person_opportunities,
    "parent": _h_parent,
    "activity_types": _h_activity_types,
    "custom_fields": _h_custom_fields,
}
