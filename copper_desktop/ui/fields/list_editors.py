"""Editors for the structured fields: categorised lists (emails, phones, socials, websites),
the lead's single email, the address, and key/value maps (webhook secret and headers).

Each entry keeps the keys Copper sent that the editor does not show, so a save never drops
them; an untouched value comes back exactly as given.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, Final

from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from copper_desktop.domain.catalog import ADDRESS_KEYS, FieldSpec, FieldType
from copper_desktop.domain.formats import (
    CATEGORIES,
    NULL_CATEGORY_ALLOWED,
    VALUE_KEYS,
    ListKind,
    is_valid_email,
)
from copper_desktop.ui.common.naming import name_popup
from copper_desktop.ui.fields.editor_base import NONE_LABEL, FieldEditor, LineEditor, text_of

LIST_KINDS: Final = {
    FieldType.EMAIL_LIST: ListKind.EMAILS,
    FieldType.PHONE_LIST: ListKind.PHONE_NUMBERS,
    FieldType.SOCIAL_LIST: ListKind.SOCIALS,
    FieldType.WEBSITE_LIST: ListKind.WEBSITES,
}
_ENTRY_NOUNS: Final = {
    ListKind.EMAILS: "email",
    ListKind.PHONE_NUMBERS: "phone number",
    ListKind.SOCIALS: "social profile",
    ListKind.WEBSITES: "website",
}
_PLACEHOLDERS: Final = {
    ListKind.EMAILS: "name@example.com",
    ListKind.PHONE_NUMBERS: "+1 555 0100",
    ListKind.SOCIALS: "https://linkedin.com/in/…",
    ListKind.WEBSITES: "https://…",
}
ADDRESS_LABELS: Final = {
    "street": "Street",
    "city": "City",
    "state": "State",
    "postal_code": "Postal code",
    "country": "Country",
}


def _category_combo(
    parent: QWidget, kind: ListKind, name: str, accessible: str, current: Any
) -> tuple[QComboBox, list[Any]]:
    """A category pick list; an unknown category from the server is kept as an entry."""
    combo = QComboBox(parent)
    combo.setObjectName(name)
    combo.setAccessibleName(accessible)
    values: list[Any] = list(CATEGORIES[kind])
    if kind in NULL_CATEGORY_ALLOWED:
        values.insert(0, None)
    if current not in values:
        values.append(current)
    for value in values:
        combo.addItem(NONE_LABEL if value is None else str(value))
    combo.setCurrentIndex(values.index(current))
    name_popup(combo)
    return combo, values


@dataclasses.dataclass
class _Row:
    """One entry's widgets and the entry as it came from the server (None for a new row)."""

    value: QLineEdit
    category: QComboBox | None
    remove: QToolButton
    categories: list[Any]
    original: Mapping[str, Any] | None
    container: QWidget
    shown: str = dataclasses.field(init=False)

    def __post_init__(self) -> None:
        self.shown = self.value.text()

    def category_value(self) -> Any:
        if self.category is None:
            return None
        return self.categories[self.category.currentIndex()]


class CategorizedListEditor(FieldEditor):
    """EMAIL_LIST, PHONE_LIST, SOCIAL_LIST, WEBSITE_LIST: one row per entry (text and category)
    with add and remove buttons. Blank rows are left out of the value; e-mail addresses must
    look like local@domain.tld. Websites may have no category (Copper sends null)."""

    def __init__(self, field: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(field, parent)
        self.kind = LIST_KINDS[field.type]
        self.value_key = VALUE_KEYS[self.kind]
        self.noun = _ENTRY_NOUNS[self.kind]
        box = QWidget(self)
        self.rows_layout = QVBoxLayout(box)
        self.rows_layout.setContentsMargins(0, 0, 0, 0)
        self.rows_layout.setSpacing(2)
        self.content.addWidget(box, 1)
        self.add_button = QPushButton(f"Add {self.noun}", box)
        self.add_button.setObjectName(f"{self.objectName()}Add")
        self.add_button.setAccessibleName(f"Add {self.noun} to {field.label}")
        self.rows_layout.addWidget(self.add_button)
        self._box = box
        self.rows: list[_Row] = []
        self.add_button.clicked.connect(self._add_clicked)

    # ------------------------------------------------------------------ rows

    def add_row(self, entry: Mapping[str, Any] | None = None) -> _Row:
        """Append a row (a blank one, with the first category, for None)."""
        index = len(self.rows)
        container = QWidget(self._box)
        line = QHBoxLayout(container)
        line.setContentsMargins(0, 0, 0, 0)
        edit = QLineEdit(text_of(entry.get(self.value_key)) if entry else "", container)
        edit.setPlaceholderText(_PLACEHOLDERS[self.kind])
        default = CATEGORIES[self.kind][0]
        current = entry.get("category") if entry is not None else default
        combo, categories = _category_combo(
            container, self.kind, "", f"{self.field.label} {index + 1} category", current
        )
        remove = QToolButton(container)
        remove.setText("✕")
        remove.setToolTip(f"Remove this {self.noun}")
        line.addWidget(edit, 1)
        line.addWidget(combo)
        line.addWidget(remove)
        self.rows_layout.insertWidget(self.rows_layout.count() - 1, container)
        container.show()  # at once, not on a later event-loop turn: Tab must reach it now
        row = _Row(edit, combo, remove, categories, entry, container)
        self.rows.append(row)
        self._name_rows()
        edit.textEdited.connect(self._user_edited)
        edit.editingFinished.connect(self._commit)
        combo.activated.connect(self._user_edited)
        remove.clicked.connect(lambda: self.remove_row(self.rows.index(row)))
        self._apply_row_read_only(row, self._read_only)
        return row

    def remove_row(self, index: int) -> None:
        """Drop one row, as the user does with its ✕ button (a user edit)."""
        row = self.rows.pop(index)
        row.container.hide()
        row.container.deleteLater()
        self._name_rows()
        self._user_edited()
        self.structure_changed.emit()
        if self.rows:
            self.rows[min(index, len(self.rows) - 1)].value.setFocus()
        else:
            self.add_button.setFocus()

    def _add_clicked(self) -> None:
        row = self.add_row()
        self.structure_changed.emit()
        row.value.setFocus()

    def _name_rows(self) -> None:
        base = self.objectName()
        label = self.field.label
        for number, row in enumerate(self.rows, start=1):
            row.value.setObjectName(f"{base}Value{number}")
            row.value.setAccessibleName(f"{label} {number}")
            if row.category is not None:
                row.category.setObjectName(f"{base}Category{number}")
                row.category.setAccessibleName(f"{label} {number} category")
                name_popup(row.category)
            row.remove.setObjectName(f"{base}Remove{number}")
            row.remove.setAccessibleName(f"Remove {label} {number}")

    def _clear_rows(self) -> None:
        for row in self.rows:
            row.container.hide()
            row.container.deleteLater()
        self.rows = []

    # ------------------------------------------------------------------ FieldEditor

    def focus_widget(self) -> QWidget:
        return self.rows[0].value if self.rows else self.add_button

    def focus_widgets(self) -> list[QWidget]:
        widgets: list[QWidget] = []
        for row in self.rows:
            widgets.append(row.value)
            if row.category is not None:
                widgets.append(row.category)
            widgets.append(row.remove)
        widgets.append(self.add_button)
        return widgets

    def _show(self, value: Any) -> None:
        self._clear_rows()
        for entry in value if isinstance(value, list) else ():
            self.add_row(entry if isinstance(entry, Mapping) else {self.value_key: entry})
        self.structure_changed.emit()

    def _read(self) -> tuple[Any, str | None]:
        entries: list[Any] = []
        for row in self.rows:
            text = row.value.text()
            category = row.category_value()
            original = row.original
            if original is not None and text == row.shown and category == original.get("category"):
                entries.append(original)
                continue
            cleaned = text.strip()
            if not cleaned:
                continue
            if self.kind is ListKind.EMAILS and not is_valid_email(cleaned):
                return None, f"“{cleaned}” is not an e-mail address."
            entry = dict(original or {})
            entry[self.value_key] = original.get(self.value_key) if (
                original is not None and text == row.shown
            ) else cleaned  # fmt: skip
            entry["category"] = category
            entries.append(entry)
        original_list = self._original
        if isinstance(original_list, list) and entries == original_list:
            return original_list, None
        if not entries and original_list is None:
            return None, None
        return entries, None

    def _apply_read_only(self, read_only: bool) -> None:
        self.add_button.setVisible(not read_only)
        for row in self.rows:
            self._apply_row_read_only(row, read_only)

    @staticmethod
    def _apply_row_read_only(row: _Row, read_only: bool) -> None:
        row.value.setReadOnly(read_only)
        if row.category is not None:
            row.category.setEnabled(not read_only)
        row.remove.setVisible(not read_only)


class SingleEmailEditor(LineEditor):
    """SINGLE_EMAIL (a lead's `email`): address and category; a blank address is null."""

    def __init__(self, field: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(field, parent, stretch=1)
        self.edit.setPlaceholderText(_PLACEHOLDERS[ListKind.EMAILS])
        self.category: QComboBox
        self._categories: list[Any] = []
        self._build_combo("work")

    def _build_combo(self, current: Any) -> None:
        old = getattr(self, "category", None)
        combo, self._categories = _category_combo(
            self, ListKind.EMAILS, f"{self.objectName()}Category",
            f"{self.field.label} category", current,
        )  # fmt: skip
        if old is not None:
            self.content.replaceWidget(old, combo)
            old.deleteLater()
        else:
            self.content.addWidget(combo)
        combo.setEnabled(not self._read_only)
        combo.activated.connect(self._user_edited)
        self.category = combo

    def focus_widgets(self) -> list[QWidget]:
        return [self.edit, self.category]

    def _show(self, value: Any) -> None:
        entry = value if isinstance(value, Mapping) else {}
        self._show_text(text_of(entry.get("email")))
        current = entry.get("category", "work") if entry else "work"
        if current in self._categories:
            self.category.setCurrentIndex(self._categories.index(current))
        else:
            self._build_combo(current)

    def _read(self) -> tuple[Any, str | None]:
        text = self.edit.text()
        category = self._categories[self.category.currentIndex()]
        original = self._original if isinstance(self._original, Mapping) else None
        if text == self._shown and original is not None and category == original.get("category"):
            return self._original, None
        cleaned = text.strip()
        if not cleaned:
            return None, None
        if not is_valid_email(cleaned):
            return None, f"“{cleaned}” is not an e-mail address."
        entry = dict(original or {})
        entry["email"] = cleaned
        entry["category"] = category
        return entry, None

    def _apply_read_only(self, read_only: bool) -> None:
        super()._apply_read_only(read_only)
        self.category.setEnabled(not read_only)


class AddressEditor(FieldEditor):
    """ADDRESS: street, city, state, postal code and country. Copper replaces the address whole
    (§7), so the value always carries all five keys (blank ones null); all blank is null."""

    def __init__(self, field: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(field, parent)
        box = QWidget(self)
        grid = QGridLayout(box)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(2)
        self.edits: dict[str, QLineEdit] = {}
        positions = {
            "street": (0, 0, 1, 3),
            "city": (1, 0, 1, 1),
            "state": (1, 1, 1, 1),
            "postal_code": (1, 2, 1, 1),
            "country": (2, 0, 1, 1),
        }
        for key in ADDRESS_KEYS:
            edit = QLineEdit(box)
            name = "".join(part.capitalize() for part in key.split("_"))
            edit.setObjectName(f"{self.objectName()}{name}")
            edit.setAccessibleName(f"{field.label} {ADDRESS_LABELS[key].lower()}")
            edit.setPlaceholderText(ADDRESS_LABELS[key])
            grid.addWidget(edit, *positions[key])
            edit.textEdited.connect(self._user_edited)
            edit.editingFinished.connect(self._commit)
            self.edits[key] = edit
        self.content.addWidget(box, 1)
        self._shown: dict[str, str] = dict.fromkeys(ADDRESS_KEYS, "")

    def focus_widget(self) -> QWidget:
        return self.edits["street"]

    def focus_widgets(self) -> list[QWidget]:
        return [self.edits[key] for key in ADDRESS_KEYS]

    def _show(self, value: Any) -> None:
        address = value if isinstance(value, Mapping) else {}
        for key, edit in self.edits.items():
            self._shown[key] = text_of(address.get(key))
            edit.setText(self._shown[key])

    def _read(self) -> tuple[Any, str | None]:
        original = self._original if isinstance(self._original, Mapping) else None
        texts = {key: edit.text() for key, edit in self.edits.items()}
        if texts == self._shown:
            return self._original, None
        if not any(t.strip() for t in texts.values()):
            return None, None
        address = dict(original or {})
        for key, text in texts.items():
            if original is not None and text == self._shown[key]:
                address[key] = original.get(key)
            else:
                address[key] = text.strip() or None
        return address, None

    def _apply_read_only(self, read_only: bool) -> None:
        for edit in self.edits.values():
            edit.setReadOnly(read_only)


class StringMapEditor(FieldEditor):
    """STRING_MAP (webhook secret and headers): rows of name and value. Rows with both blank are
    ignored; a value without a name, or a name used twice, is an input error."""

    def __init__(self, field: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(field, parent)
        box = QWidget(self)
        self.rows_layout = QVBoxLayout(box)
        self.rows_layout.setContentsMargins(0, 0, 0, 0)
        self.rows_layout.setSpacing(2)
        self.add_button = QPushButton("Add entry", box)
        self.add_button.setObjectName(f"{self.objectName()}Add")
        self.add_button.setAccessibleName(f"Add an entry to {field.label}")
        self.rows_layout.addWidget(self.add_button)
        self.content.addWidget(box, 1)
        self._box = box
        self.rows: list[tuple[QLineEdit, QLineEdit, QToolButton, QWidget]] = []
        self.add_button.clicked.connect(self._add_clicked)

    def add_row(self, key: str = "", value: str = "") -> tuple[QLineEdit, QLineEdit]:
        container = QWidget(self._box)
        line = QHBoxLayout(container)
        line.setContentsMargins(0, 0, 0, 0)
        name_edit = QLineEdit(key, container)
        name_edit.setPlaceholderText("Name")
        value_edit = QLineEdit(value, container)
        value_edit.setPlaceholderText("Value")
        remove = QToolButton(container)
        remove.setText("✕")
        remove.setToolTip("Remove this entry")
        line.addWidget(name_edit, 1)
        line.addWidget(value_edit, 2)
        line.addWidget(remove)
        self.rows_layout.insertWidget(self.rows_layout.count() - 1, container)
        container.show()
        row = (name_edit, value_edit, remove, container)
        self.rows.append(row)
        self._name_rows()
        for edit in (name_edit, value_edit):
            edit.textEdited.connect(self._user_edited)
            edit.editingFinished.connect(self._commit)
            edit.setReadOnly(self._read_only)
        remove.setVisible(not self._read_only)
        remove.clicked.connect(lambda: self.remove_row(self.rows.index(row)))
        return name_edit, value_edit

    def remove_row(self, index: int) -> None:
        *_, container = self.rows.pop(index)
        container.hide()
        container.deleteLater()
        self._name_rows()
        self._user_edited()
        self.structure_changed.emit()
        self.add_button.setFocus()

    def _add_clicked(self) -> None:
        name_edit, _ = self.add_row()
        self.structure_changed.emit()
        name_edit.setFocus()

    def _name_rows(self) -> None:
        base = self.objectName()
        label = self.field.label
        for number, (name_edit, value_edit, remove, _) in enumerate(self.rows, start=1):
            name_edit.setObjectName(f"{base}Name{number}")
            name_edit.setAccessibleName(f"{label} {number} name")
            value_edit.setObjectName(f"{base}Value{number}")
            value_edit.setAccessibleName(f"{label} {number} value")
            remove.setObjectName(f"{base}Remove{number}")
            remove.setAccessibleName(f"Remove {label} {number}")

    def focus_widget(self) -> QWidget:
        return self.rows[0][0] if self.rows else self.add_button

    def focus_widgets(self) -> list[QWidget]:
        widgets: list[QWidget] = []
        for name_edit, value_edit, remove, _ in self.rows:
            widgets.extend((name_edit, value_edit, remove))
        widgets.append(self.add_button)
        return widgets

    def _show(self, value: Any) -> None:
        for *_, container in self.rows:
            container.hide()
            container.deleteLater()
        self.rows = []
        if isinstance(value, Mapping):
            for key, item in value.items():
                self.add_row(str(key), text_of(item))
        self.structure_changed.emit()

    def _read(self) -> tuple[Any, str | None]:
        result: dict[str, str] = {}
        for name_edit, value_edit, _, _ in self.rows:
            key, text = name_edit.text().strip(), value_edit.text()
            if not key and not text.strip():
                continue
            if not key:
                return None, f"Give the value “{text.strip()}” a name."
            if key in result:
                return None, f"“{key}” is listed twice."
            result[key] = text
        if isinstance(self._original, Mapping) and result == dict(self._original):
            return self._original, None
        if not result and self._original is None:
            return None, None
        return result, None

    def _apply_read_only(self, read_only: bool) -> None:
        self.add_button.setVisible(not read_only)
        for name_edit, value_edit, remove, _ in self.rows:
            name_edit.setReadOnly(read_only)
            value_edit.setReadOnly(read_only)
            remove.setVisible(not read_only)
