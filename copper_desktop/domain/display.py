"""How a field of a record reads on screen: the one formatter behind table cells, the detail view
and the conflict dialog, so a value looks the same wherever it is shown.

Names come from a `NameOf` callable (`Lookups.name` in the app), so this stays Qt-free. Any JSON
value is accepted: a value of the wrong shape for its field (a string where a number belongs,
a date no calendar holds, NaN) is shown as text, never raised while a table paints.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any, Final

from copper_desktop.domain.catalog import FieldSpec, FieldType, LookupKind, entity_for_type
from copper_desktop.domain.custom_fields import get_field_value
from copper_desktop.domain.formats import (
    LIST_KINDS,
    VALUE_KEYS,
    ListKind,
    choice_label,
    format_boolean,
    format_date,
    format_datetime,
    format_entries,
    format_money,
    format_number,
    format_percent,
    parse_close_date,
)

NameOf = Callable[[LookupKind, Any], "str | None"]
"""Resolves a reference id to a display name (None while unknown)."""

MAX_CELL_CHARS: Final = 200
"""Compact text (table cells) is cut here so one long value cannot slow the whole table."""

_NAME_FALLBACK: Final = {"company_id": "company_name"}
"""Record keys holding a name Copper already sent for a reference (used until resolved)."""
_NUMBERS: Final[dict[FieldType, Callable[[float], str]]] = {
    FieldType.NUMBER: format_number,
    FieldType.INTEGER: format_number,
    FieldType.PERCENT: format_percent,
    FieldType.DATETIME: format_datetime,
    FieldType.DATE: format_date,
}


def is_number(value: object) -> bool:
    """A JSON number (booleans are not numbers here)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def plain_text(value: object) -> str:
    """Any value as text: strings as they are, everything else as JSON ("NaN", "[1, 2]")."""
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, ensure_ascii=False, default=str)
    except (ValueError, TypeError, RecursionError):  # e.g. an int beyond 4,300 digits
        return f"({type(value).__name__})"


def _compact(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= MAX_CELL_CHARS else line[: MAX_CELL_CHARS - 1] + "…"


def lookup_kind(entity_key: str) -> LookupKind | None:
    """The lookup kind named like an entity ("companies"), or None (activities, webhooks)."""
    try:
        return LookupKind(entity_key)
    except ValueError:
        return None


def _name(name_of: NameOf | None, kind: LookupKind | None, value: object) -> str | None:
    if name_of is None or kind is None or not _is_id(value):
        return None
    return name_of(kind, value) or None


def _reference(
    field: FieldSpec, record: Mapping[str, Any], value: Any, name_of: NameOf | None
) -> str:
    """A name for an id; the name Copper sent alongside (company_name); else "#<id>"."""
    name = _name(name_of, field.lookup, value)
    if name is not None:
        return name
    fallback = record.get(_NAME_FALLBACK.get(field.key, ""))
    if isinstance(fallback, str) and fallback:
        return fallback
    return f"#{value}" if _is_id(value) else plain_text(value)


def _resource(link: Mapping[str, Any], name_of: NameOf | None) -> str:
    """ "Acme Corp (Company)" for a `{id, type}` link; "#<id> (Company)" until resolved."""
    copper_type, item_id = link.get("type"), link.get("id")
    shown_id = f"#{plain_text(item_id)}"
    try:
        spec = entity_for_type(copper_type) if isinstance(copper_type, str) else None
    except KeyError:
        spec = None
    if spec is None:
        return f"{plain_text(copper_type) if copper_type is not None else ''} {shown_id}".strip()
    return f"{_name(name_of, lookup_kind(spec.key), item_id) or shown_id} ({spec.label})"


def _activity_type(value: Mapping[str, Any], name_of: NameOf | None) -> str:
    item_id = value.get("id")
    name = _name(name_of, LookupKind.ACTIVITY_TYPES, item_id)
    category = value.get("category")
    return name or f"{plain_text(category) if category else ''} #{plain_text(item_id)}".strip()


def _entries(kind: ListKind, value: list[Any], compact: bool) -> str:
    """Every entry with its category; a table cell shows only the first address."""
    key = VALUE_KEYS[kind]
    entries = [e for e in value if isinstance(e, dict) and e.get(key)]
    if compact:
        return plain_text(entries[0][key]) if entries else ""
    return format_entries(kind, entries)


def _close_date(value: str) -> str:
    """Copper's "M/D/YYYY" as an ISO date; text it cannot read is shown as sent."""
    try:
        return parse_close_date(value).isoformat()
    except ValueError:  # FormatError included
        return value


def _currency(field: FieldSpec, record: Mapping[str, Any]) -> str | None:
    currency = field.currency or (record.get(field.currency_key) if field.currency_key else None)
    return currency if isinstance(currency, str) and currency else None


def _shaped(
    field: FieldSpec, record: Mapping[str, Any], value: Any, name_of: NameOf | None, compact: bool
) -> str | None:
    """The text of a value of the shape its field expects; None when the shape is wrong."""
    kind = field.type
    if kind in _NUMBERS and is_number(value):
        return _NUMBERS[kind](value)
    if kind is FieldType.MONEY and is_number(value):
        return format_money(value, _currency(field, record))
    if kind is FieldType.REF:
        return _reference(field, record, value, name_of)
    if kind in (FieldType.ENUM, FieldType.MULTI_ENUM):
        values = value if isinstance(value, list) else [value]
        if field.choices and all(isinstance(v, str) or _is_id(v) for v in values):
            return ", ".join(choice_label(field.choices, v) for v in values)
        return None
    if kind is FieldType.CLOSE_DATE and isinstance(value, str):
        return _close_date(value)
    if isinstance(value, list):
        if kind in LIST_KINDS:
            return _entries(LIST_KINDS[kind], value, compact)
        if kind is FieldType.TAGS:
            return ", ".join(plain_text(tag) for tag in value)
    if not isinstance(value, Mapping):
        return None
    if kind is FieldType.SINGLE_EMAIL:
        return _entries(ListKind.EMAILS, [value], compact)
    if kind is FieldType.ADDRESS:
        return ", ".join(plain_text(part) for part in value.values() if part)
    if kind in (FieldType.RELATED_RESOURCE, FieldType.PARENT):
        return _resource(value, name_of)
    if kind is FieldType.ACTIVITY_TYPE:
        return _activity_type(value, name_of)
    if kind is FieldType.STRING_MAP:  # webhook secret/headers: the keys, never the values
        return ", ".join(str(key) for key in value)
    return None


def format_field(
    field: FieldSpec,
    record: Mapping[str, Any],
    name_of: NameOf | None = None,
    *,
    compact: bool = False,
) -> str:
    """The text a person reads for `field` of `record` ("" for no value).

    `compact` is for table cells: one line of at most MAX_CELL_CHARS, and only the first of
    a list of e-mails, phones or websites (the detail view shows them all, with categories).
    Never raises for any JSON value.
    """
    value = get_field_value(record, field.key)
    if field.type is FieldType.BOOLEAN and (value is None or isinstance(value, bool)):
        # An unchecked custom checkbox arrives as false, or null on older records: "No".
        text = format_boolean(bool(value) if field.is_custom else value)
    elif value is None or value == "" or value == []:
        return ""
    else:
        shaped = _shaped(field, record, value, name_of, compact)
        text = shaped if shaped is not None else plain_text(value)
    return _compact(text) if compact else text
