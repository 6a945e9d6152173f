"""Table columns for an entity, read from the catalog plus the account's custom fields.

Each `Column` (models/paged.py) shows a record the way a person reads it: names, not ids (via
`Lookups`, looked up when the cell is painted, so names that arrive later just need a repaint);
dates in local time; money with its currency; option names for dropdowns; the first e-mail or
phone. Its `key` (the field key, `cf_<id>` for custom fields) is stable across runs, so saved
column layouts survive; its `sort_key` is the catalog's server `sort_by` value.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from copper_desktop.domain.catalog import (
    EntitySpec,
    FieldSpec,
    FieldType,
    LookupKind,
    entity_for_type,
)
from copper_desktop.domain.custom_fields import (
    definitions_for,
    field_for,
    get_field_value,
)
from copper_desktop.domain.formats import (
    VALUE_KEYS,
    FormatError,
    ListKind,
    choice_label,
    format_boolean,
    format_choices,
    format_date,
    format_datetime,
    format_money,
    format_number,
    format_percent,
    parse_close_date,
)
from copper_desktop.models.lookups import RESOLVABLE, Lookups
from copper_desktop.models.paged import Column

MAX_CELL_CHARS = 200
"""Long text (details, JSON) is cut so one cell cannot slow the whole table down."""

_LISTS = {
    FieldType.EMAIL_LIST: ListKind.EMAILS,
    FieldType.PHONE_LIST: ListKind.PHONE_NUMBERS,
    FieldType.SOCIAL_LIST: ListKind.SOCIALS,
    FieldType.WEBSITE_LIST: ListKind.WEBSITES,
}
_NAME_FALLBACK = {"company_id": "company_name"}
"""Record keys holding a name Copper already sent for a reference (used until resolved)."""


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _short(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= MAX_CELL_CHARS else line[: MAX_CELL_CHARS - 1] + "…"


def _first_entry(kind: ListKind, entries: Any) -> str:
    """The first entry's value: a table cell shows one address, the detail view all."""
    if not isinstance(entries, list):
        return ""
    for entry in entries:
        if isinstance(entry, Mapping) and entry.get(VALUE_KEYS[kind]):
            return str(entry[VALUE_KEYS[kind]])
    return ""


def _kind(entity_key: str) -> LookupKind | None:
    try:
        return LookupKind(entity_key)
    except ValueError:
        return None


def _reference(lookups: Lookups, kind: LookupKind | None, value: Any) -> str:
    if kind is not None:
        name = lookups.name(kind, value)
        if name is not None:
            return name
    return f"#{value}"


def _resource(lookups: Lookups, value: Mapping[str, Any]) -> str:
    """ "Acme Corp (Company)" for a `{id, type}` link; the id until its name is resolved."""
    copper_type = str(value.get("type") or "")
    item_id = value.get("id")
    try:
        spec = entity_for_type(copper_type)
    except KeyError:
        return f"{copper_type} #{item_id}".strip()
    kind = _kind(spec.key)
    name = lookups.name(kind, item_id) if kind is not None else None
    return f"{name or f'#{item_id}'} ({spec.label})"


def _close_date(value: Any) -> str:
    """Copper's "M/D/YYYY" shown as an ISO date; text it cannot read is shown as sent."""
    if not isinstance(value, str):
        return str(value)
    try:
        return parse_close_date(value).isoformat()
    except (FormatError, ValueError):
        return value


def format_cell(field: FieldSpec, record: Mapping[str, Any], lookups: Lookups) -> str:
    """The text of `field` in a table cell ("" for no value)."""
    value = get_field_value(record, field.key)
    kind = field.type
    if kind is FieldType.BOOLEAN:
        # An unchecked checkbox arrives as false (or null on older records): show "No".
        return format_boolean(bool(value)) if field.is_custom else format_boolean(value)
    if value is None or value == "" or value == []:
        return ""
    if kind in _LISTS:
        return _first_entry(_LISTS[kind], value)
    if kind is FieldType.SINGLE_EMAIL:
        return str(value.get("email") or "") if isinstance(value, Mapping) else str(value)
    if kind is FieldType.TAGS and isinstance(value, list):
        return ", ".join(str(tag) for tag in value)
    if kind is FieldType.ADDRESS and isinstance(value, Mapping):
        return ", ".join(str(value[k]) for k in value if value.get(k))
    if kind is FieldType.REF:
        fallback = _NAME_FALLBACK.get(field.key)
        name = lookups.name(field.lookup, value) if field.lookup is not None else None
        if name is None and fallback and record.get(fallback):
            return str(record[fallback])
        return name if name is not None else _reference(lookups, field.lookup, value)
    if kind is FieldType.ENUM:
        return choice_label(field.choices, value) if field.choices else str(value)
    if kind is FieldType.MULTI_ENUM:
        return format_choices(field.choices, value if isinstance(value, list) else [value])
    if kind is FieldType.DATETIME and _number(value):
        return format_datetime(int(value))
    if kind is FieldType.DATE and _number(value):
        return format_date(int(value))
    if kind is FieldType.CLOSE_DATE:
        return _close_date(value)
    if kind is FieldType.MONEY and _number(value):
        return format_money(value, _currency(field, record))
    if kind is FieldType.PERCENT and _number(value):
        return format_percent(value)
    if kind in (FieldType.NUMBER, FieldType.INTEGER) and _number(value):
        return format_number(value)
    if kind in (FieldType.RELATED_RESOURCE, FieldType.PARENT) and isinstance(value, Mapping):
        return _resource(lookups, value)
    if kind is FieldType.ACTIVITY_TYPE and isinstance(value, Mapping):
        name = lookups.name(LookupKind.ACTIVITY_TYPES, value.get("id"))
        return name or f"{value.get('category', '')} #{value.get('id')}".strip()
    if kind is FieldType.STRING_MAP and isinstance(value, Mapping):
        return ", ".join(str(k) for k in value)
    if isinstance(value, str):
        return _short(value)
    if _number(value):
        return str(value)
    return _short(json.dumps(value, ensure_ascii=False, default=str))


def _currency(field: FieldSpec, record: Mapping[str, Any]) -> str | None:
    currency = field.currency or (record.get(field.currency_key) if field.currency_key else None)
    return currency if isinstance(currency, str) and currency else None


def sort_value(field: FieldSpec, record: Mapping[str, Any], lookups: Lookups) -> Any:
    """A native value for SortRole: numbers and unix seconds as such, other cells as
    case-folded text (None sorts as "")."""
    value = get_field_value(record, field.key)
    if field.type in (FieldType.DATETIME, FieldType.DATE, FieldType.ID) and _number(value):
        return value
    if field.type in (
        FieldType.MONEY,
        FieldType.PERCENT,
        FieldType.NUMBER,
        FieldType.INTEGER,
    ) and _number(value):
        return value
    if field.type is FieldType.BOOLEAN:
        return bool(value)
    if field.type is FieldType.CLOSE_DATE and isinstance(value, str):
        try:
            return parse_close_date(value).isoformat()
        except (FormatError, ValueError):
            return value
    return format_cell(field, record, lookups).casefold()


def sort_key_for(spec: EntitySpec, field: FieldSpec) -> str | None:
    """The server `sort_by` that orders this column: the field's own, else a catalog sort
    option naming the whole field (not a part such as the address's city)."""
    if field.sort_by is not None:
        return field.sort_by
    for option in spec.sort_options:
        if option.field_key == field.key and option.subkey is None:
            return option.value
    return None


def column_for(spec: EntitySpec, field: FieldSpec, lookups: Lookups) -> Column:
    """One column showing `field` of `spec`'s records."""

    def value(record: Mapping[str, Any]) -> str:
        return format_cell(field, record, lookups)

    def native(record: Mapping[str, Any]) -> Any:
        return sort_value(field, record, lookups)

    return Column(
        key=field.key,
        header=field.label,
        value=value,
        sort_key=None if field.is_custom else sort_key_for(spec, field),
        sort_value=native,
    )


def column_fields(spec: EntitySpec, lookups: Lookups) -> list[FieldSpec]:
    """Every field a column can show: the catalog's (not the raw custom_fields list), then
    one per custom field definition that applies to `spec`."""
    fields = [f for f in spec.fields if f.type is not FieldType.CUSTOM_FIELDS]
    fields.extend(field_for(d) for d in definitions_for(spec, lookups.definitions))
    return fields


def columns_for(spec: EntitySpec, lookups: Lookups) -> list[Column]:
    """The columns of `spec`'s table, in catalog order, custom fields last."""
    return [column_for(spec, field, lookups) for field in column_fields(spec, lookups)]


def default_column_keys(spec: EntitySpec) -> list[str]:
    """Keys of the columns shown before the user chooses any."""
    return [key for key in spec.default_columns if spec.has_field(key)]


def references(
    spec: EntitySpec, records: Iterable[Mapping[str, Any] | None]
) -> dict[LookupKind, list[int]]:
    """Ids of companies, people, ... that `records` refer to, by kind, for `Lookups.resolve`
    (lists such as users are loaded whole and are not included)."""
    found: dict[LookupKind, dict[int, None]] = {}

    def add(kind: LookupKind, item_id: Any) -> None:
        if kind in RESOLVABLE and isinstance(item_id, int) and not isinstance(item_id, bool):
            found.setdefault(kind, {})[item_id] = None

    refs = [f for f in spec.fields if f.type is FieldType.REF and f.lookup is not None]
    links = [f for f in spec.fields if f.type in (FieldType.RELATED_RESOURCE, FieldType.PARENT)]
    for record in records:
        if record is None:
            continue
        for field in refs:
            assert field.lookup is not None
            add(field.lookup, record.get(field.key))
        for field in links:
            link = record.get(field.key)
            if isinstance(link, Mapping):
                try:
                    target = entity_for_type(str(link.get("type")))
                except KeyError:
                    continue
                kind = _kind(target.key)
                if kind is not None:
                    add(kind, link.get("id"))
    return {kind: list(ids) for kind, ids in found.items()}
