"""The dialog that shows a save conflict field by field and lets the user decide.

Someone changed the record in Copper after the editor loaded it. Each field that either side
changed gets a row: Original | Mine | Theirs, formatted as everywhere else (domain.display);
fields both sides changed to different values are highlighted (a palette-aware amber behind the
palette's own text colour, so it reads on a dark theme too). The user keeps theirs, takes
mine, or cancels (the editor keeps the edits and sends nothing).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QFont, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from copper_desktop.domain.catalog import Editability, EntitySpec, FieldSpec, FieldType
from copper_desktop.domain.diff import ThreeWay
from copper_desktop.domain.display import NameOf, format_field
from copper_desktop.domain.formats import format_datetime
from copper_desktop.ui.common.style import changed_background, when_palette_changes

ConflictChoice = Literal["theirs", "mine"]

COLUMNS = ("Field", "Original", "Mine", "Theirs")
_SKIPPED = frozenset({FieldType.CUSTOM_FIELDS, FieldType.ID})


class ConflictDialog(QDialog):
    """Modal choice between my edit and the newer version in Copper.

    Open it with `open()` (never `exec()` inside a coroutine) and read `choice()` once it is
    finished: "theirs", "mine", or None for Cancel (also when closed with Escape).
    """

    def __init__(
        self,
        spec: EntitySpec,
        fields: Sequence[FieldSpec],
        conflict: ThreeWay,
        original: Mapping[str, Any],
        mine: Mapping[str, Any],
        theirs: Mapping[str, Any],
        name_of: NameOf | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._choice: ConflictChoice | None = None
        self.setObjectName("conflictDialog")
        self.setAccessibleName(f"{spec.label} changed in Copper")
        self.setWindowTitle(f"{spec.label} changed in Copper")
        self.setModal(True)

        changed = conflict.mine_changed | conflict.theirs_changed
        self.rows: list[FieldSpec] = [
            f
            for f in fields
            if f.key in changed
            and f.type not in _SKIPPED
            # Copper's own bookkeeping (date_modified, derived names) is noise here, unless I
            # changed it myself.
            and (f.editability is not Editability.READ_ONLY or f.key in conflict.mine_changed)
        ]
        self.conflict_keys = frozenset(conflict.conflict_keys)

        self.summary = QLabel(self._summary(spec, theirs), self)
        self.summary.setObjectName("conflictSummary")
        self.summary.setAccessibleName("What happened")
        self.summary.setWordWrap(True)

        self.table = QTableWidget(len(self.rows), len(COLUMNS), self)
        self.table.setObjectName("conflictTable")
        self.table.setAccessibleName("Changed fields: original, mine and theirs")
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        for column in range(1, len(COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        highlight = QBrush(changed_background(self.table.palette()))
        for row, field in enumerate(self.rows):
            self._fill_row(row, field, (original, mine, theirs), conflict, name_of, highlight)
        self.table.resizeRowsToContents()
        when_palette_changes(self, self._recolour)

        self.keep_theirs = self._button(
            "Keep theirs", "conflictKeepTheirs", "Drop my changes and keep the version in Copper"
        )
        self.take_mine = self._button(
            "Take mine", "conflictTakeMine", "Save my changes over the version in Copper"
        )
        self.cancel = self._button(
            "Cancel", "conflictCancel", "Go back to the editor without saving"
        )
        self.cancel.setDefault(True)  # the one choice that cannot lose anything
        self.keep_theirs.clicked.connect(lambda: self._decide("theirs"))
        self.take_mine.clicked.connect(lambda: self._decide("mine"))
        self.cancel.clicked.connect(self.reject)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.keep_theirs)
        buttons.addWidget(self.take_mine)
        buttons.addWidget(self.cancel)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.resize(720, 420)

    def _button(self, text: str, name: str, description: str) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.setAccessibleName(text)
        button.setAccessibleDescription(description)
        button.setToolTip(description)
        button.setAutoDefault(False)
        return button

    def _summary(self, spec: EntitySpec, theirs: Mapping[str, Any]) -> str:
        name = theirs.get("name")
        what = f"“{name}”" if isinstance(name, str) and name else f"This {spec.label.lower()}"
        when = theirs.get("date_modified")
        stamp = (
            f" on {format_datetime(when)}"
            if (isinstance(when, int) and not isinstance(when, bool))
            or (isinstance(when, float) and math.isfinite(when))
            else ""
        )
        conflicts = sum(1 for f in self.rows if f.key in self.conflict_keys)
        detail = (
            f" {conflicts} field{'s were' if conflicts != 1 else ' was'} changed on both sides "
            "(highlighted)."
            if conflicts
            else " None of the fields you changed was changed there too."
        )
        return (
            f"{what} was changed in Copper{stamp}, after you opened it.{detail} "
            "Keep their version, or save yours over it?"
        )

    def _fill_row(
        self,
        row: int,
        field: FieldSpec,
        versions: tuple[Mapping[str, Any], Mapping[str, Any], Mapping[str, Any]],
        conflict: ThreeWay,
        name_of: NameOf | None,
        highlight: QBrush,
    ) -> None:
        is_conflict = field.key in self.conflict_keys
        label = QTableWidgetItem(field.label)
        if is_conflict:
            # Colour alone does not reach a screen reader.
            label.setToolTip("Changed on both sides")
            label.setData(Qt.ItemDataRole.AccessibleTextRole,
                          f"{field.label} (changed on both sides)")  # fmt: skip
        items = [label]
        changed_by = (field.key in conflict.mine_changed, field.key in conflict.theirs_changed)
        for index, record in enumerate(versions):
            item = QTableWidgetItem(format_field(field, record, name_of))
            if index > 0 and changed_by[index - 1]:
                font = QFont(item.font())
                font.setBold(True)
                item.setFont(font)
            items.append(item)
        for column, item in enumerate(items):
            if is_conflict:
                item.setBackground(highlight)  # the text keeps the palette's Text colour
            self.table.setItem(row, column, item)

    def _recolour(self) -> None:
        """A switch of theme: the conflicting rows' tint, for the new palette."""
        highlight = QBrush(changed_background(QGuiApplication.palette()))
        for row in range(self.table.rowCount()):
            for column in range(self.table.columnCount()):
                item = self.table.item(row, column)
                if item is not None and item.data(Qt.ItemDataRole.BackgroundRole) is not None:
                    item.setBackground(highlight)

    def _decide(self, choice: ConflictChoice) -> None:
        self._choice = choice
        self.accept()

    def reject(self) -> None:
        self._choice = None
        super().reject()

    def choice(self) -> ConflictChoice | None:
        """The user's decision once the dialog is finished; None means Cancel."""
        return self._choice

    def row_keys(self) -> list[str]:
        """Field keys of the rows, in order (for tests and the editor's focus)."""
        return [f.key for f in self.rows]

    def is_conflict_row(self, row: int) -> bool:
        return self.rows[row].key in self.conflict_keys
