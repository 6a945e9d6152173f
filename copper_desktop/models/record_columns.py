"""Table columns for an entity, read from the catalog plus the account's custom fields.

Each `Column` (models/paged.py) shows a record the way a person reads it, through the one
formatter the detail view and conflict dialog use too (`domain.display.format_field`, compact):
names, not ids (via `Lookups`, looked up when the cell is painted, so names that arrive later
just need a repaint); dates in local time; money with its currency; option names for dropdowns;
the first e-mail or phone. Its `key` (the field key, `cf_<id>` for custom fields) is stable
across runs, so saved column layouts survive; its `sort_key` is the catalog's server `sort_by`
value.
"""

from __future__ import annotations

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
from copper_desktop.domain.display import format_field, is_number, lookup_kind
from copper_desktop.domain.formats import parse_close_date
from copper_desktop.models.lookups import RESOLVABLE, Lookups
from copper_desktop.models.paged import Column

_NATIVE_SORT = frozenset(
    {
        FieldType.DATETIME,
        FieldType.DATE,
        FieldType.ID,
        FieldType.MONEY,
        FieldType.PERCENT,
        FieldType.NUMBER,
        FieldType.INTEGER,
    }
)
"""Fields whose numbers sort as numbers (unix seconds included), not as their text."""


def format_cell(field: FieldSpec, record: Mapping[str, Any], lookups: Lookups) -> str:
    """The text of `field` in a table cell ("" for no value): `format_field`, compact."""
    return format_field(field, record, lookups.name, compact=True)


def sort_value(field: FieldSpec, record: Mapping[str, Any], lookups: Lookups) -> Any:
    """A native value for SortRole: numbers and unix seconds as such, other cells as
    case-folded text (None sorts as "")."""
    value = get_field_value(record, field.key)
    if field.type in _NATIVE_SORT and is_number(value):
        return value
    if field.type is FieldType.BOOLEAN:
        return bool(value)
    if field.type is FieldType.CLOSE_DATE and isinstance(value, str):
        try:
            return parse_close_date(value).isoformat()
        except ValueError:  # FormatError included
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
                kind = lookup_kind(target.key)
                if kind is not None:
                    add(kind, link.get("id"))
    return {kind: list(ids) for kind, ids in found.items()}
