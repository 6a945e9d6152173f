"""The import wizard's mapping page: one line per column of the file, with its first values,
the field it writes (a combo box: change it there) and how those values read as that field
(the value it becomes, or why it cannot); notes say which columns are left out and why."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from copper_desktop.models.import_model import ImportModel
from copper_desktop.ui.common.naming import name_popup, named
from copper_desktop.ui.common.style import error_color, when_palette_changes

__all__ = ["MappingPage"]

NOT_IMPORTED = "(not imported)"
COLUMNS = ("Column", "First values", "Writes to", "Reads as")


class MappingPage(QWidget):
    """Shows and edits ``model``'s mapping (see the module docstring)."""

    def __init__(self, model: ImportModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "importMappingPage", "Column mapping")
        self.model = model
        self.combos: list[QComboBox] = []
        self.about = named(QLabel(self), "importFileInfo", "The file")
        self.about.setWordWrap(True)
        self.table = named(QTableWidget(0, len(COLUMNS), self), "importMappingTable",
                           "Columns and the fields they write")  # fmt: skip
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate((170, 260, 210)):
            self.table.setColumnWidth(column, width)
        self.notes = named(QLabel(self), "importMappingNotes", "Columns left out")
        self.notes.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.about)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.notes)
        model.mapping_changed.connect(self.refresh)
        when_palette_changes(self, self._recolour)

    def refresh(self) -> None:
        """Rebuild from the model (a new file, entity or mode; a changed column)."""
        model, table = self.model, self.model.table
        if table is None:
            return
        fields = model.fields()
        spec = model.spec
        remembered = " (the mapping you used last time)" if model.recalled else ""
        self.about.setText(
            f"{table.description}; {len(table.rows):,} rows. Each column writes the field "
            f"chosen here into {spec.plural_label.lower()}{remembered}. A row matches on "
            f"{self._match_text()}."
        )
        blocked = self.table.blockSignals(True)
        self.table.setRowCount(len(table.headers))
        for combo in self.combos:
            combo.deleteLater()
        self.combos = []
        for column, header in enumerate(table.headers):
            self.table.setItem(column, 0, QTableWidgetItem(header))
            combo = named(QComboBox(self.table), f"importField{column}",
                          f"Field written by column {header}")  # fmt: skip
            combo.addItem(NOT_IMPORTED, None)
            for spec_field in fields:
                combo.addItem(spec_field.label, spec_field.key)
            name_popup(combo)
            key = model.mapping[column] if column < len(model.mapping) else None
            index = combo.findData(key) if key is not None else 0
            combo.setCurrentIndex(max(0, index))
            combo.currentIndexChanged.connect(
                lambda _i, c=column, box=combo: self._changed(c, box.currentData())
            )
            self.table.setCellWidget(column, 2, combo)
            self.combos.append(combo)
            self._show_samples(column)
        self.table.blockSignals(blocked)
        self.table.resizeRowsToContents()
        notes = model.notes()
        self.notes.setText("\n".join(notes))
        self.notes.setVisible(bool(notes))

    def _match_text(self) -> str:
        key = self.model.setup().match_field
        if key is None:
            return "nothing (no ID or natural key column): rows can only be created"
        if key == "id":
            return "the ID column"
        return {"emails": "the e-mail", "email": "the e-mail", "name": "the name"}[key]

    def _changed(self, column: int, key: object) -> None:
        self.model.set_column(column, key if isinstance(key, str) else None)

    def _show_samples(self, column: int) -> None:
        samples = self.model.samples(column)
        texts = QTableWidgetItem("\n".join(text for text, _shown, _ok in samples))
        self.table.setItem(column, 1, texts)
        shown = [s for _text, s, _ok in samples]
        if self.model.mapping[column] is None:
            shown = [NOT_IMPORTED] if samples else []
        reads = QTableWidgetItem("\n".join(shown))
        if any(not ok for _t, _s, ok in samples):
            reads.setForeground(error_color(self.palette()))
        self.table.setItem(column, 3, reads)

    def _recolour(self) -> None:
        """A switch of theme: values that cannot be read, in the new palette's red."""
        red = error_color(QGuiApplication.palette())
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 3)
            if item is not None and item.data(Qt.ItemDataRole.ForegroundRole) is not None:
                item.setForeground(red)
