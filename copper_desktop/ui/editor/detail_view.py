"""A read-only view of one record: every field's label and formatted value, custom fields too.

Values are shown by `domain.display.format_field`, the formatter behind the table's cells, so a
cell and the detail view show a value the same way (here in full: every e-mail, long text).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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

from copper_desktop.domain.catalog import EntitySpec, FieldSpec, FieldType
from copper_desktop.domain.display import NameOf, format_field


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
