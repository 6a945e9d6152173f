"""The flat tables the app shows (previews, plans, jobs): columns and their titles come from
the class's ``COLUMNS``, so each model states only its rows and cells."""

from __future__ import annotations

from typing import Any, ClassVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

__all__ = ["ColumnsTable", "Index"]

Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()
_DISPLAY = Qt.ItemDataRole.DisplayRole


class ColumnsTable(QAbstractTableModel):
    """A flat table whose columns and horizontal header titles are ``COLUMNS``."""

    COLUMNS: ClassVar[tuple[str, ...]] = ()

    def columnCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal
        if horizontal and role == _DISPLAY and 0 <= section < len(self.COLUMNS):
            return self.COLUMNS[section]
        return None
