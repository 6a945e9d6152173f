"""The column chooser: one checkable entry per column, custom fields included."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QWidget


class ColumnChooser(QMenu):
    """A menu of (key, header) columns with check marks for the visible ones.

    Signals:
        visibility_changed(str, bool): column `key` was shown (True) or hidden (False).
    """

    visibility_changed = Signal(str, bool)

    def __init__(
        self,
        columns: Sequence[tuple[str, str]],
        visible: set[str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("Columns", parent)
        self.setObjectName("columnChooser")
        self.setAccessibleName("Choose columns")
        self._actions: dict[str, QAction] = {}
        for key, header in columns:
            self.add_column(key, header, visible=key in visible)

    def add_column(self, key: str, header: str, *, visible: bool) -> None:
        action = QAction(header or key, self)
        action.setObjectName(f"column_{key}")
        action.setCheckable(True)
        action.setChecked(visible)
        action.toggled.connect(lambda on, k=key: self._toggled(k, on))
        self.addAction(action)
        self._actions[key] = action

    def action(self, key: str) -> QAction:
        return self._actions[key]

    def set_visible(self, key: str, on: bool) -> None:
        """Update a check mark without emitting (the browser changed visibility itself)."""
        action = self._actions[key]
        blocked = action.blockSignals(True)
        action.setChecked(on)
        action.blockSignals(blocked)

    def _toggled(self, key: str, on: bool) -> None:
        if not on and sum(a.isChecked() for a in self._actions.values()) == 0:
            self.set_visible(key, True)  # never hide the last column
            return
        self.visibility_changed.emit(key, on)
