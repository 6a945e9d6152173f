"""Custom field definitions (GET /custom_field_definitions) joined to the catalog at run time.

Definitions differ per account, so the catalog cannot list them; this module turns each
definition into a `FieldSpec` (key `cf_<id>`) and, where Copper can search on it, a
`FilterSpec`, and reads or writes values in a record's `custom_fields` list by definition id
(§4: one entry per applicable definition, in no stable order).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from copper_desktop.domain import specs

CUSTOM_KEY_PREFIX = "cf_"
STRING_MAX_LENGTH = 255
"""⚠ Only a documentation sample states it ("255 chars or less", §5); the sandbox enforces it."""


class DataType(StrEnum):
    """Copper's custom field `data_type` values (§11)."""

    STRING = "String"
    TEXT = "Text"
    DROPDOWN = "Dropdown"
    DATE = "Date"
    CHECKBOX = "Checkbox"
    FLOAT = "Float"
    URL = "URL"
    PERCENTAGE = "Percentage"
    CURRENCY = "Currency"
    CONNECT = "Connect"
    MULTI_SELECT = "MultiSelect"


_FIELD_TYPES: Mapping[DataType, specs.FieldType] = {
    DataType.STRING: specs.FieldType.TEXT,
    DataType.TEXT: specs.FieldType.MULTILINE,
    DataType.DROPDOWN: specs.FieldType.ENUM,
    DataType.DATE: specs.FieldType.DATE,
    DataType.CHECKBOX: specs.FieldType.BOOLEAN,
    DataType.FLOAT: specs.FieldType.NUMBER,
    DataType.URL: specs.FieldType.URL,
    DataType.PERCENTAGE: specs.FieldType.PERCENT,
    DataType.CURRENCY: specs.FieldType.MONEY,
    DataType.CONNECT: specs.FieldType.CONNECT,
    DataType.MULTI_SELECT: specs.FieldType.MULTI_ENUM,
}
_NOT_SEARCHABLE = frozenset({DataType.STRING, DataType.TEXT, DataType.URL, DataType.CONNECT})
_RANGE_TYPES = frozenset({DataType.DATE, DataType.FLOAT, DataType.PERCENTAGE, DataType.CURRENCY})
LIST_VALUED = frozenset({DataType.MULTI_SELECT, DataType.CONNECT})
"""Types whose unset value is `[]` rather than `null` (§4)."""


class DefinitionError(ValueError):
    """A definition object lacks what the app needs (id, name, data_type)."""


@dataclass(frozen=True, slots=True)
class CustomFieldOption:
    id: int
    name: str
    rank: int


@dataclass(frozen=True, slots=True)
class CustomFieldDefinition:
    """One parsed definition. `data_type` is None for a type this app does not know yet."""

    id: int
    name: str
    data_type: DataType | None
    raw_data_type: str
    available_on: tuple[str, ...]
    is_filterable: bool | None  # None: older answers without the key
    options: tuple[CustomFieldOption, ...] = ()  # sorted by rank
    currency: str | None = None
    connected_id: int | None = None
    canonical_name: str | None = None

    @property
    def key(self) -> str:
        """Field key of this definition in the catalog's field lists."""
        return custom_field_key(self.id)

    def applies_to(self, entity_type: str) -> bool:
        """Whether records of this singular Copper type carry the field."""
        return entity_type in self.available_on

    @property
    def searchable(self) -> bool:
        """Copper can filter on it: filterable and not String/Text/URL/Connect (§3.5).

        Definitions without `is_filterable` (older samples) count as not filterable, so the
        app never sends a filter Copper answers with 422 or 500.
        """
        return (
            self.is_filterable is True
            and self.data_type is not None
            and self.data_type not in _NOT_SEARCHABLE
        )

    def option(self, option_id: int) -> CustomFieldOption | None:
        for option in self.options:
            if option.id == option_id:
                return option
        return None

    @property
    def empty_value(self) -> list[Any] | None:
        """The value that means "unset" for this type."""
        return [] if self.data_type in LIST_VALUED else None


def custom_field_key(definition_id: int) -> str:
    return f"{CUSTOM_KEY_PREFIX}{definition_id}"


def custom_field_id(key: str) -> int | None:
    """Definition id encoded in a `cf_<id>` key, or None for any other key."""
    if not key.startswith(CUSTOM_KEY_PREFIX):
        return None
    rest = key[len(CUSTOM_KEY_PREFIX) :]
    return int(rest) if rest.isdigit() else None


def _int(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise DefinitionError(f"custom field definition {what} must be an integer: {value!r}")
    return value


def parse_definition(data: Mapping[str, Any]) -> CustomFieldDefinition:
    """Parse one definition object (GET/POST/PUT /custom_field_definitions answers)."""
    definition_id = _int(data.get("id"), "id")
    name = data.get("name")
    raw_type = data.get("data_type")
    if not isinstance(name, str) or not isinstance(raw_type, str):
        raise DefinitionError(f"custom field definition {definition_id} lacks name or data_type")
    try:
        data_type: DataType | None = DataType(raw_type)
    except ValueError:
        data_type = None
    options = sorted(
        (
            CustomFieldOption(
                _int(o.get("id"), "option id"),
                str(o.get("name", "")),
                o["rank"] if isinstance(o.get("rank"), int) else 0,
            )
            for o in data.get("options") or ()
        ),
        key=lambda o: (o.rank, o.id),
    )
    filterable = data.get("is_filterable")
    connected = data.get("connected_id")
    currency = data.get("currency")
    canonical = data.get("canonical_name")
    return CustomFieldDefinition(
        id=definition_id,
        name=name,
        data_type=data_type,
        raw_data_type=raw_type,
        available_on=tuple(str(t) for t in data.get("available_on") or ()),
        is_filterable=filterable if isinstance(filterable, bool) else None,
        options=tuple(options),
        currency=currency if isinstance(currency, str) else None,
        connected_id=connected if isinstance(connected, int) else None,
        canonical_name=canonical if isinstance(canonical, str) else None,
    )


def parse_definitions(data: Iterable[Mapping[str, Any]]) -> tuple[CustomFieldDefinition, ...]:
    """Parse a GET /custom_field_definitions answer (an array)."""
    return tuple(parse_definition(item) for item in data)


def definitions_for(
    spec: specs.EntitySpec, definitions: Iterable[CustomFieldDefinition]
) -> tuple[CustomFieldDefinition, ...]:
    """The definitions that apply to `spec`'s records, in the order given."""
    if not spec.has_custom_fields:
        return ()
    return tuple(d for d in definitions if d.applies_to(spec.type))


def field_for(definition: CustomFieldDefinition) -> specs.FieldSpec:
    """The catalog field that shows and edits this definition's value."""
    data_type = definition.data_type
    field_type = _FIELD_TYPES[data_type] if data_type is not None else specs.FieldType.JSON
    # Connect values are links managed through /related_links; unknown types are left alone.
    read_only = data_type is None or data_type is DataType.CONNECT
    return specs.FieldSpec(
        key=definition.key,
        label=definition.name,
        type=field_type,
        editability=specs.Editability.READ_ONLY if read_only else specs.Editability.EDITABLE,
        choices=tuple(specs.Choice(o.id, o.name) for o in definition.options),
        currency=definition.currency,
        max_length=STRING_MAX_LENGTH if data_type is DataType.STRING else None,
        custom_field_id=definition.id,
        data_type=definition.raw_data_type,
    )


def filter_for(definition: CustomFieldDefinition) -> specs.FilterSpec | None:
    """The search filter for this definition, or None when Copper cannot search on it."""
    if not definition.searchable:
        return None
    data_type = definition.data_type
    assert data_type is not None  # searchable implies a known type
    choices = tuple(specs.Choice(o.id, o.name) for o in definition.options)
    common: dict[str, Any] = {
        "key": definition.key,
        "label": definition.name,
        "custom_field_id": definition.id,
    }
    if data_type is DataType.DROPDOWN:
        return specs.FilterSpec(**common, type=specs.FilterType.CUSTOM_DROPDOWN, choices=choices,
                                allow_empty=True)  # fmt: skip
    if data_type is DataType.MULTI_SELECT:
        return specs.FilterSpec(
            **common, type=specs.FilterType.CUSTOM_MULTI_SELECT, choices=choices, allow_empty=True
        )
    if data_type is DataType.CHECKBOX:
        return specs.FilterSpec(**common, type=specs.FilterType.CUSTOM_CHECKBOX)
    if data_type in _RANGE_TYPES:
        return specs.FilterSpec(
            **common,
            type=specs.FilterType.CUSTOM_RANGE,
            value_type=_FIELD_TYPES[data_type],
            currency=definition.currency,
        )
    return None


def entity_fields(
    spec: specs.EntitySpec, definitions: Iterable[CustomFieldDefinition]
) -> tuple[specs.FieldSpec, ...]:
    """The entity's built-in fields followed by one field per applicable definition."""
    return spec.fields + tuple(field_for(d) for d in definitions_for(spec, definitions))


def entity_filters(
    spec: specs.EntitySpec, definitions: Iterable[CustomFieldDefinition]
) -> tuple[specs.FilterSpec, ...]:
    """The entity's built-in filters followed by those of its searchable definitions."""
    custom = (filter_for(d) for d in definitions_for(spec, definitions))
    return spec.filters + tuple(f for f in custom if f is not None)


def custom_filter_entry(
    definition: CustomFieldDefinition,
    *,
    value: Any = None,
    option: str | None = None,
    allow_empty: bool = False,
    minimum: float | None = None,
    maximum: float | None = None,
) -> dict[str, Any]:
    """One object of a search body's `custom_fields` array (§3.5) for `definition`.

    Raises ValueError when Copper could not take the filter (not searchable, `option` on a
    non-MultiSelect, `allow_empty` on a non-choice field, or nothing to filter on).
    """
    if not definition.searchable:
        raise ValueError(f"“{definition.name}” cannot be used as a search filter.")
    kind = definition.data_type
    entry: dict[str, Any] = {"custom_field_definition_id": definition.id}
    if option is not None:
        if kind is not DataType.MULTI_SELECT or option not in ("ANY", "ALL", "NONE"):
            raise ValueError("Only multi-select fields take ANY, ALL or NONE.")
        entry["option"] = option
    if allow_empty:
        if kind not in (DataType.DROPDOWN, DataType.MULTI_SELECT):
            raise ValueError("Only dropdown and multi-select fields can match empty values.")
        entry["allow_empty"] = True
    if value is not None:
        entry["value"] = value
    if minimum is not None or maximum is not None:
        if kind not in _RANGE_TYPES:
            raise ValueError(f"“{definition.name}” does not take a range.")
        if minimum is not None:
            entry["minimum_value"] = minimum
        if maximum is not None:
            entry["maximum_value"] = maximum
    if len(entry) == 1 or set(entry) == {"custom_field_definition_id", "allow_empty"}:
        # allow_empty alone is observed to crash Copper with a 500 (§3.5).
        raise ValueError(f"Choose a value to filter “{definition.name}” on.")
    return entry


# --- values in records ---------------------------------------------------------------------------


def custom_entries(record: Mapping[str, Any]) -> list[Any]:
    """The record's `custom_fields` list; [] when it is missing or not a list (a record
    must open and show whatever the server sent)."""
    entries = record.get("custom_fields")
    return entries if isinstance(entries, list) else []


def custom_values(record: Mapping[str, Any]) -> dict[int, Any]:
    """Definition id → value for every entry of the record's `custom_fields`."""
    result: dict[int, Any] = {}
    for entry in custom_entries(record):
        if isinstance(entry, Mapping):
            definition_id = entry.get("custom_field_definition_id")
            if isinstance(definition_id, int):
                result[definition_id] = entry.get("value")
    return result


def get_custom_value(record: Mapping[str, Any], definition_id: int, default: Any = None) -> Any:
    """The record's value for a definition; `default` when the record has no entry for it."""
    for entry in custom_entries(record):
        if isinstance(entry, Mapping) and entry.get("custom_field_definition_id") == definition_id:
            return entry.get("value")
    return default


def set_custom_value(record: Mapping[str, Any], definition_id: int, value: Any) -> dict[str, Any]:
    """A copy of `record` with the definition's value replaced (or its entry appended).

    The original is left untouched so an editor can diff it against the copy. A changed entry
    drops its `computed_value`, which would otherwise describe the old value.
    """
    entries: list[Any] = []
    found = False
    for entry in custom_entries(record):
        if isinstance(entry, Mapping) and entry.get("custom_field_definition_id") == definition_id:
            updated = {k: v for k, v in entry.items() if k != "computed_value"}
            updated["value"] = value
            entries.append(updated)
            found = True
        else:
            entries.append(entry)
    if not found:
        entries.append({"custom_field_definition_id": definition_id, "value": value})
    copy = dict(record)
    copy["custom_fields"] = entries
    return copy


def get_field_value(record: Mapping[str, Any], key: str) -> Any:
    """Value of a catalog field key, custom (`cf_<id>`) or built-in; None when absent."""
    definition_id = custom_field_id(key)
    if definition_id is not None:
        return get_custom_value(record, definition_id)
    return record.get(key)


def set_field_value(record: Mapping[str, Any], key: str, value: Any) -> dict[str, Any]:
    """A copy of `record` with one catalog field key (custom or built-in) set."""
    definition_id = custom_field_id(key)
    if definition_id is not None:
        return set_custom_value(record, definition_id, value)
    copy = dict(record)
    copy[key] = value
    return copy


def definitions_by_id(
    definitions: Sequence[CustomFieldDefinition],
) -> dict[int, CustomFieldDefinition]:
    return {d.id: d for d in definitions}
