"""One CSV cell as a field value, and one value as a CSV cell: the two directions of import
and export, so a file the app exported reads back as the values it came from.

Export writes either what people read (``domain.display.format_field``: names, local dates,
"$1,234.50 USD", "a@b.test (work)") or raw values (ids, unix seconds, JSON for lists and
objects). :func:`parse_cell` reads both forms: "#123" or 123 for a reference, a name of a
user, contact type, stage, status or source (case-insensitive), dates as typed or as unix
seconds, categorised lists as "a@b.test (work); c@d.test" or JSON. An address, a related
record or other objects are read as JSON only. Every problem is a ``FormatError`` whose text
can be shown as is. Pure Python.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from copper_desktop.domain.catalog import FieldSpec, FieldType, LookupKind
from copper_desktop.domain.custom_fields import get_field_value
from copper_desktop.domain.display import NameOf, format_field, plain_text
from copper_desktop.domain.formats import (
    LIST_KINDS,
    DateOrder,
    FormatError,
    ListKind,
    format_close_date,
    parse_boolean,
    parse_choice,
    parse_choices,
    parse_entries,
    parse_integer,
    parse_money,
    parse_number,
    parse_percent,
)
from copper_desktop.domain.parsing import parse_day, parse_day_time

__all__ = [
    "JSON_ONLY",
    "NOT_IMPORTABLE",
    "NameIndex",
    "blank_value",
    "cell_text",
    "parse_cell",
    "raw_text",
]

NOT_IMPORTABLE: Final = frozenset(
    {FieldType.CONNECT, FieldType.JSON, FieldType.CUSTOM_FIELDS, FieldType.STRING_MAP,
     FieldType.ID}
)  # fmt: skip
"""Types no column can write (ids are the match key, not a value)."""
JSON_ONLY: Final = frozenset(
    {FieldType.ADDRESS, FieldType.RELATED_RESOURCE, FieldType.PARENT, FieldType.ACTIVITY_TYPE}
)
"""Objects whose readable text cannot be read back: a changed cell must be JSON."""
_REF_ID = re.compile(r"#?\s*(\d+)")
_LISTS: Final = frozenset({FieldType.TAGS, FieldType.MULTI_ENUM, *LIST_KINDS})


@dataclass(frozen=True, slots=True)
class NameIndex:
    """Ids by name (case-insensitive) for the reference lists loaded whole (users, contact
    types, stages, ...), the reverse of what ``NameOf`` gives."""

    ids: Mapping[LookupKind, Mapping[str, int]] = field(default_factory=dict)

    @staticmethod
    def of(pairs: Mapping[LookupKind, list[tuple[int, str]]]) -> NameIndex:
        """From (id, name) pairs per kind; a name two entries share names neither."""
        ids: dict[LookupKind, dict[str, int]] = {}
        for kind, items in pairs.items():
            seen: dict[str, int] = {}
            shared: set[str] = set()
            for item_id, name in items:
                key = name.strip().casefold()
                if key in seen and seen[key] != item_id:
                    shared.add(key)
                seen[key] = item_id
            ids[kind] = {k: v for k, v in seen.items() if k not in shared}
        return NameIndex(ids)

    def id_of(self, kind: LookupKind, name: str) -> int | None:
        return self.ids.get(kind, {}).get(name.strip().casefold())


def blank_value(spec: FieldSpec) -> Any:
    """What an empty cell writes: ``[]`` for list fields, else ``None`` (clears)."""
    return [] if spec.type in _LISTS else None


def raw_text(value: Any) -> str:
    """A value as Copper holds it: text as is, numbers and ids as digits, lists and objects
    as JSON, ``true``/``false``; "" for no value."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return plain_text(value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def cell_text(
    spec: FieldSpec, record: Mapping[str, Any], name_of: NameOf | None, *, raw: bool = False
) -> str:
    """The text a CSV export writes for ``spec`` of ``record``: what people read (names,
    every e-mail with its category), or raw values."""
    if raw:
        return raw_text(get_field_value(record, spec.key))
    return format_field(spec, record, name_of)


def _json(text: str, what: type | tuple[type, ...], spec: FieldSpec) -> Any:
    try:
        value = json.loads(text)
    except ValueError:
        value = None
    if not isinstance(value, what):
        shape = "a list" if what is list else "an object"
        raise FormatError(f"“{_short(text)}” is not {shape} in JSON.")
    return value


def _short(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= 60 else flat[:59] + "…"


def _reference(spec: FieldSpec, text: str, names: NameIndex) -> int:
    found = _REF_ID.fullmatch(text)
    if found is not None:
        return int(found.group(1))
    if spec.lookup is not None:
        item_id = names.id_of(spec.lookup, text)
        if item_id is not None:
            return item_id
    what = spec.lookup.value.replace("_", " ") if spec.lookup is not None else "entries"
    raise FormatError(f"no {what} named “{_short(text)}” (or give its id as #123).")


def _single_email(text: str) -> Any:
    if text.startswith("{"):
        value = json.loads(text) if text.endswith("}") else None
        if isinstance(value, dict):
            return value
    entries = parse_entries(ListKind.EMAILS, text, "work")
    if len(entries) != 1:
        raise FormatError("A lead has one e-mail address.")
    return entries[0]


def _tags(text: str, spec: FieldSpec) -> list[str]:
    if text.startswith("["):
        return [str(t) for t in _json(text, list, spec)]
    tags: list[str] = []
    for part in text.split(","):
        tag = part.strip()
        if tag and tag.casefold() not in {t.casefold() for t in tags}:
            tags.append(tag)
    return tags


def _currency(text: str) -> str:
    code = text.strip().upper()
    if len(code) != 3 or not code.isalpha():
        raise FormatError(f"“{text.strip()}” is not a currency code such as USD.")
    return code


_SIMPLE: Final[dict[FieldType, Callable[[str], Any]]] = {
    FieldType.MONEY: parse_money,
    FieldType.PERCENT: parse_percent,
    FieldType.NUMBER: parse_number,
    FieldType.INTEGER: parse_integer,
    FieldType.BOOLEAN: parse_boolean,
    FieldType.DATETIME: parse_day_time,
    FieldType.DATE: parse_day_time,
    FieldType.CURRENCY_CODE: _currency,
}


def parse_cell(
    spec: FieldSpec, text: str, names: NameIndex, order: DateOrder = DateOrder.MDY
) -> Any:
    """The value ``text`` gives ``spec`` (Copper's encoding); FormatError when it cannot.
    A blank cell is :func:`blank_value`; ``order`` writes close dates as the account does."""
    kind = spec.type
    cleaned = text.strip()
    if not cleaned:
        return blank_value(spec)
    if kind in NOT_IMPORTABLE:
        raise FormatError(f"{spec.label} cannot be imported.")
    if kind in (FieldType.TEXT, FieldType.URL):
        return cleaned
    if kind is FieldType.MULTILINE:
        return text.strip("\r\n")
    if kind in LIST_KINDS:
        if cleaned.startswith("["):
            return _json(cleaned, list, spec)
        return parse_entries(LIST_KINDS[kind], cleaned)
    if kind is FieldType.SINGLE_EMAIL:
        return _single_email(cleaned)
    if kind is FieldType.TAGS:
        return _tags(cleaned, spec)
    if kind is FieldType.REF:
        return _reference(spec, cleaned, names)
    if kind is FieldType.ENUM:
        value = parse_choice(spec.choices, cleaned)
        if value is None:  # pragma: no cover - blank was handled above
            return None
        return value
    if kind is FieldType.MULTI_ENUM:
        if cleaned.startswith("["):
            return _json(cleaned, list, spec)
        return parse_choices(spec.choices, cleaned)
    if kind is FieldType.CLOSE_DATE:
        return format_close_date(parse_day(cleaned, order), order)
    if kind in JSON_ONLY:
        return _json(cleaned, dict, spec)
    simple = _SIMPLE.get(kind)
    if simple is not None:
        return simple(cleaned)
    return cleaned
