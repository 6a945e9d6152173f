"""A read-only view of one record: every field's label and formatted value, custom fields too.

`format_field` is also what the browser's fallback columns use, so a cell and the detail view
show a value the same way.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from copper_desktop.domain.catalog import EntitySpec, FieldSpec, FieldType, LookupKind
from copper_desktop.domain.custom_fields import get_field_value
from copper_desktop.domain.formats import (
    ListKind,
    choice_label,
    format_boolean,
    format_choices,
    format_date,
    format_datetime,
    format_entries,
    format_money,
    format_number,
    format_percent,
)

NameOf = Callable[[LookupKind, Any], "str | None"]
"""Resolves a reference id to a display name (None when unknown yet)."""

_LISTS = {
    FieldType.EMAIL_LIST: ListKind.EMAILS,
    FieldType.PHONE_LIST: ListKind.PHONE_NUMBERS,
    FieldType.SOCIAL_LIST: ListKind.SOCIALS,
    FieldType.WEBSITE_LIST: ListKind.WEBSITES,
}


def _ref(kind: LookupKind | None, value: Any, name_of: NameOf | None) -> str:
    if value is None:
        return ""
    if kind is not None and name_of is not None:
        name = name_of(kind, value)
        if name:
            return name
    return f"#{value}"


def format_field(field: FieldSpec, record: Mapping[str, Any], name_of: NameOf | None = None) -> str:
    """The text a user sees for `field` of `record` (names for ids when `name_of` knows them)."""
    value = get_field_value(record, field.key)
    kind = field.type
    if value is None or value == "" or value == []:
        return "" if kind is not FieldType.BOOLEAN else format_boolean(None)
    if kind in _LISTS:
        return format_entries(_LISTS[kind], value)
    if kind is FieldType.SINGLE_EMAIL:
        return format_entries(ListKind.EMAILS, [value])
    if kind is FieldType.TAGS:
        return ", ".join(str(v) for v in value)
    if kind is FieldType.ADDRESS and isinstance(value, Mapping):
        return ", ".join(str(value[k]) for k in value if value.get(k))
    if kind is FieldType.REF:
        return _ref(field.lookup, value, name_of)
    if kind is FieldType.ENUM:
        return choice_label(field.choices, value) if field.choices else str(value)
    if kind is FieldType.MULTI_ENUM:
        return format_choices(field.choices, value)
    if kind is FieldType.DATETIME and isinstance(value, int | float):
        return format_datetime(int(value))
    if kind is FieldType.DATE and isinstance(value, int | float):
        return format_date(int(value))
    if kind is FieldType.MONEY and isinstance(value, int | float):
        currency = field.currency or (
            record.get(field.currency_key) if field.currency_key else None
        )
        return format_money(value, currency if isinstance(currency, str) else None)
    if kind is FieldType.PERCENT and isinstance(value, int | float):
        return format_percent(value)
    if kind in (FieldType.NUMBER, FieldType.INTEGER) and isinstance(value, int | float):
        return format_number(value)
    if kind is FieldType.BOOLEAN:
        return format_boolean(bool(value))
    if kind in (FieldType.RELATED_RESOURCE, FieldType.PARENT) and isinstance(value, Mapping):
        return f"{value.get('type', '')} #{value.get('id', '')}".strip()
    if isinstance(value, str | int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False, default=str)


class DetailView(QDialog):
    """Non-modal, read-only: opened with `show()`, so the browser stays usable behind it."""

    def __init__(
        self,
        spec: EntitySpec,
        record: Mapping[str, Any],
        fields: Sequence[FieldSpec] | None = None,
        name_of: NameOf | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("detailView")
        self.setAccessibleName(f"{spec.label} details")
        self.record = dict(record)
        title = str(record.get("name") or f"#{record.get('id', '')}")
        self.setWindowTitle(f"{spec.label}: {title}")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        body = QWidget()
        form = QFormLayout(body)
        self.values: dict[str, QLabel] = {}
        for field in fields if fields is not None else spec.fields:
            if field.type is FieldType.CUSTOM_FIELDS:
                continue  # shown one by one through their definitions
            value = QLabel(format_field(field, record, name_of))
            value.setObjectName(f"detail_{field.key}")
            value.setAccessibleName(field.label)
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(f"{field.label}:", value)
            self.values[field.key] = value
        scroll = QScrollArea(self)
        scroll.setObjectName("detailScroll")
        scroll.setAccessibleName("Fields")
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.setObjectName("detailButtons")
        buttons.setAccessibleName("Close details")
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setObjectName("detailClose")
        close.setAccessibleName("Close")
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll)
        layout.addWidget(buttons)
        self.resize(480, 560)

    def text(self, key: str) -> str:
        """The shown value of field `key` (for tests and accessibility checks)."""
        return self.values[key].text()
