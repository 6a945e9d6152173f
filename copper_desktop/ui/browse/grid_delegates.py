"""The grid's cell delegate: edits a cell in place with the record editor's own field widget,
and marks staged cells.

The editor is ``ui.fields.make_editor``'s widget for the column's field (a line edit for text,
numbers and dates, a pick list for owners, statuses, stages and dropdowns, a check box), so a
cell accepts exactly what the record editor accepts. Its value goes to the grid (`GridHost`),
which stages it: nothing is written to Copper from here. Text that cannot be read is staged
too, with its reason, and shown as typed.

The field widgets are imported with the first editor opened, not at start-up.

`MarkingDelegate` draws staged cells on the changed background with a corner mark; invalid
ones with an error border, and cells a save could not write with the error colour's mark
(colours from ``ui.common.style``). The grid sets it only while something is staged.
"""

from __future__ import annotations

from typing import Any, Protocol

from PySide6.QtCore import (
    QAbstractItemModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPointF,
    QRect,
    Qt,
)
from PySide6.QtGui import QBrush, QKeyEvent, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import (
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from copper_desktop.domain.catalog import FieldSpec
from copper_desktop.models.lookups import Lookups
from copper_desktop.models.paged import RecordRole, StagedRole
from copper_desktop.models.staged_edits import FAILED, INVALID, StagedEdits
from copper_desktop.ui.common.style import (
    changed_background,
    changed_color,
    error_border,
    error_color,
)

__all__ = ["GridDelegate", "GridHost", "MarkingDelegate"]

Index = QModelIndex | QPersistentModelIndex
MARK = 7
"""Side of the corner triangle marking a staged cell (pixels)."""


class GridHost(Protocol):
    """What the delegate needs from the grid it edits."""

    staged: StagedEdits
    lookups: Lookups

    def field_at(self, column: int) -> FieldSpec | None:
        """The field a column edits in place, None when it is not edited in the grid."""
        ...

    def commit_cell(self, index: Index, value: Any, error: str | None, text: str) -> None:
        """Stage what the editor of `index` holds (``error``: why ``text`` cannot be read)."""
        ...


class GridDelegate(QStyledItemDelegate):
    """Edits the cells of one grid (see the module docstring); painting is Qt's own."""

    def __init__(self, host: GridHost, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("gridDelegate")
        self.host = host

    # ------------------------------------------------------------------ editing
    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        field = self.host.field_at(index.column())
        record = index.data(RecordRole)
        if field is None or record is None:
            return None  # type: ignore[return-value]  # Qt: no editor
        from copper_desktop.ui.fields.choice_editors import StageEditor
        from copper_desktop.ui.fields.field_editors import make_editor

        editor = make_editor(field, self.host.lookups, None, parent)
        editor.setObjectName(f"gridEditor_{field.key}")
        editor.setAccessibleName(f"Edit {field.label}")
        editor.setAutoFillBackground(True)
        editor.changed_bar.hide()
        editor.setFocusProxy(editor.focus_widget())
        if isinstance(editor, StageEditor):
            pipeline = record.get("pipeline_id")
            editor.set_pipeline(pipeline if isinstance(pipeline, int) else None)
        return editor

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        from copper_desktop.ui.fields.editor_base import FieldEditor, LineEditor

        record = index.data(RecordRole)
        field = self.host.field_at(index.column())
        if not isinstance(editor, FieldEditor) or record is None or field is None:
            return
        staged = self.host.staged
        editor.set_value(staged.value(record, field.key))
        cell = staged.cell(record.get("id"), field.key)
        if cell is not None and cell.error and isinstance(editor, LineEditor):
            editor.edit.setText(cell.text or "")

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: Index) -> None:
        from copper_desktop.ui.fields.editor_base import FieldEditor, LineEditor

        if not isinstance(editor, FieldEditor):
            return
        error = editor.input_error()
        text = editor.edit.text() if isinstance(editor, LineEditor) else ""
        self.host.commit_cell(index, None if error else editor.value(), error, text)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Qt commits on Enter but lets the key go on to the table, where Enter opens the
        record: the key stops at the editor."""
        from copper_desktop.ui.fields.editor_base import FieldEditor

        handled = super().eventFilter(watched, event)
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and isinstance(watched, FieldEditor)
        ):
            return True
        return handled

    def updateEditorGeometry(
        self, editor: QWidget, option: QStyleOptionViewItem, index: Index
    ) -> None:
        from copper_desktop.ui.fields.text_editors import MultilineEditor

        rect = QRect(option.rect)
        hint = editor.sizeHint()
        rect.setWidth(max(rect.width(), min(hint.width(), 320)))
        if isinstance(editor, MultilineEditor):
            rect.setHeight(max(rect.height(), hint.height()))
        editor.setGeometry(rect)


class MarkingDelegate(GridDelegate):
    """`GridDelegate` that also marks staged cells. A view uses it only while cells are
    staged: a paint in Python costs every cell of every repaint, so a grid without staged
    edits keeps Qt's own painting."""

    def __init__(self, host: GridHost, parent: QWidget | None = None) -> None:
        super().__init__(host, parent)
        self.setObjectName("gridMarkingDelegate")

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        state = index.data(StagedRole)
        if state is None:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        palette = opt.palette
        opt.backgroundBrush = QBrush(changed_background(palette))
        widget = opt.widget
        style = widget.style() if widget is not None else None
        if style is None:
            super().paint(painter, option, index)
            return
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        rect: QRect = opt.rect
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        mark = changed_color(palette) if state != FAILED else error_color(palette)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(mark)
        left, top = float(rect.left()), float(rect.top())
        painter.drawPolygon(
            QPolygonF([QPointF(left, top), QPointF(left + MARK, top), QPointF(left, top + MARK)])
        )
        if state == INVALID:
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(QPen(error_border(palette), 2))
            painter.drawRect(rect.adjusted(1, 1, -1, -1))
        painter.restore()
