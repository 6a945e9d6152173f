"""Checks an editor runs before sending, so mistakes show next to the field instead of as a
422 from Copper. Each check returns a user-fit message or None; `validate_record` gathers them
per field key (custom fields as `cf_<id>`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from copper_desktop.domain.catalog import PARENT_TYPES, EntitySpec, FieldSpec, FieldType
from copper_desktop.domain.custom_fields import (
    CustomFieldDefinition,
    DataType,
    custom_values,
    definitions_for,
    field_for,
)
from copper_desktop.domain.formats import (
    CATEGORIES,
    LIST_KINDS,
    NULL_CATEGORY_ALLOWED,
    VALUE_KEYS,
    FormatError,
    ListKind,
    check_unix_seconds,
    parse_close_date,
)
from copper_desktop.domain.formats import (
    is_valid_email as is_valid_email,  # the one e-mail rule, re-exported for forms
)

_TEXT_TYPES = frozenset({FieldType.TEXT, FieldType.MULTILINE, FieldType.URL})
_NUMBER_TYPES = frozenset({FieldType.NUMBER, FieldType.MONEY, FieldType.PERCENT})


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def is_blank(value: object) -> bool:
    """Unset as far as "required" goes: None, whitespace, or an empty list or object."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, list | dict) and not value


def _entry_message(kind: ListKind, entry: object) -> str | None:
    if not isinstance(entry, Mapping):
        return "Each entry needs a value and a category."
    value = entry.get(VALUE_KEYS[kind])
    if not isinstance(value, str) or not value.strip():
        return "An entry is empty; fill it in or remove it."
    if kind is ListKind.EMAILS and not is_valid_email(value):
        return f"“{value}” is not an e-mail address."
    category = entry.get("category")
    if category is None and kind in NULL_CATEGORY_ALLOWED:
        return None
    if category not in CATEGORIES[kind]:
        return f"“{value}” needs a category: {', '.join(CATEGORIES[kind])}."
    return None


def _range_message(field: FieldSpec, value: float) -> str | None:
    if field.minimum is not None and value < field.minimum:
        return f"{field.label} must be at least {field.minimum:g}."
    if field.maximum is not None and value > field.maximum:
        return f"{field.label} must be at most {field.maximum:g}."
    return None


def _ref_message(value: object) -> str | None:
    # Copper: "IDs must be positive integers" (§8).
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        return "Choose an entry from the list."
    return None


def _resource_message(value: object, *, allow_empty: bool) -> str | None:
    if not isinstance(value, Mapping):
        return "Choose the record this belongs to."
    kind, ident = value.get("type"), value.get("id")
    if allow_empty and kind is None and ident is None:
        return None
    if kind not in PARENT_TYPES or _ref_message(ident) is not None:
        return "Choose the record this belongs to."
    return None


def validate_value(field: FieldSpec, value: Any) -> str | None:
    """A message when `value` cannot be sent as `field`, else None. Requiredness apart."""
    if value is None:
        return None  # null clears; requiredness is checked separately
    kind = field.type
    if kind in _TEXT_TYPES:
        if not isinstance(value, str):
            return f"{field.label} must be text."
        if field.max_length is not None and len(value) > field.max_length:
            return f"{field.label} is limited to {field.max_length} characters."
        return None
    if kind in LIST_KINDS:
        if not isinstance(value, list):
            return f"{field.label} must be a list."
        for entry in value:
            message = _entry_message(LIST_KINDS[kind], entry)
            if message:
                return message
        return None
    if kind is FieldType.SINGLE_EMAIL:
        return _entry_message(ListKind.EMAILS, value)
    if kind is FieldType.ADDRESS:
        if not isinstance(value, Mapping) or not all(
            v is None or isinstance(v, str) for v in value.values()
        ):
            return "The address is malformed."
        return None
    if kind is FieldType.TAGS:
        if not isinstance(value, list) or not all(isinstance(t, str) and t.strip() for t in value):
            return "Tags must be non-empty words."
        return None
    if kind is FieldType.REF:
        return _ref_message(value)
    if kind is FieldType.ENUM:
        if field.choice_label(value) is None:
            return f"{field.label}: choose one of {', '.join(c.label for c in field.choices)}."
        return None
    if kind is FieldType.MULTI_ENUM:
        if not isinstance(value, list) or any(field.choice_label(v) is None for v in value):
            return f"{field.label}: choose from {', '.join(c.label for c in field.choices)}."
        return None
    if kind in (FieldType.DATETIME, FieldType.DATE):
        try:
            check_unix_seconds(value)
        except FormatError as error:
            return str(error)
        return None
    if kind is FieldType.CLOSE_DATE:
        if not isinstance(value, str):
            return "The close date is malformed."
        try:
            parse_close_date(value)
        except FormatError as error:
            return str(error)
        return None
    if kind in _NUMBER_TYPES:
        if not _is_number(value):
            return f"{field.label} must be a number."
        return _range_message(field, value)
    if kind is FieldType.INTEGER:
        if isinstance(value, bool) or not isinstance(value, int):
            return f"{field.label} must be a whole number."
        return _range_message(field, value)
    if kind is FieldType.BOOLEAN:
        return None if isinstance(value, bool) else f"{field.label} must be yes or no."
    if kind is FieldType.CURRENCY_CODE:
        if not (isinstance(value, str) and len(value) == 3 and value.isalpha()):
            return "Use a three-letter currency code such as USD."
        return None
    if kind is FieldType.RELATED_RESOURCE:
        return _resource_message(value, allow_empty=True)
    if kind is FieldType.PARENT:
        return _resource_message(value, allow_empty=False)
    if kind is FieldType.ACTIVITY_TYPE:
        if not isinstance(value, Mapping) or isinstance(value.get("id"), bool):
            return "Choose an activity type."
        if not isinstance(value.get("id"), int) or value.get("category") != "user":
            return "Only user activity types can be written."
        return None
    if kind is FieldType.STRING_MAP:
        if not isinstance(value, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()
        ):
            return f"{field.label} must map names to text values."
        return None
    return None


def validate_custom_value(definition: CustomFieldDefinition, value: Any) -> str | None:
    """A message when `value` does not fit the definition's data_type (§5, §8)."""
    if value is None or definition.data_type in (None, DataType.CONNECT):
        return None
    if definition.data_type is DataType.MULTI_SELECT and value == []:
        return None
    if definition.data_type is DataType.STRING and isinstance(value, str) and "\n" in value:
        return f"{definition.name} takes a single line."
    # field_for carries the String length limit (STRING_MAX_LENGTH) and the option ids.
    return validate_value(field_for(definition), value)


def _webhook_target_message(value: object) -> str | None:
    if isinstance(value, str) and value.strip().lower().startswith("https://") and len(value) > 8:
        return None
    return "Copper only delivers to https:// addresses."


def validate_record(
    spec: EntitySpec,
    record: Mapping[str, Any],
    definitions: Iterable[CustomFieldDefinition] = (),
    *,
    creating: bool = False,
) -> dict[str, str]:
    """Field key → message for everything that would make Copper refuse the record.

    Read-only fields are the server's business and are not checked; create-only ones only
    when `creating`.
    """
    messages: dict[str, str] = {}
    for field in spec.fields:
        if not (field.creatable if creating else field.editable):
            continue
        value = record.get(field.key)
        if field.required and is_blank(value) and (creating or field.key in record):
            messages[field.key] = f"{field.label} is required."
            continue
        message = validate_value(field, value)
        if (
            message is None
            and value is not None
            and spec.key == "webhooks"
            and field.key == "target"
        ):
            message = _webhook_target_message(value)
        if message:
            messages[field.key] = message
    values = custom_values(record)
    for definition in definitions_for(spec, definitions):
        if definition.id in values:
            message = validate_custom_value(definition, values[definition.id])
            if message:
                messages[definition.key] = message
    return messages
