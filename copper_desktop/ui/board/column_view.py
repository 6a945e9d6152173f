"""One column of the board: its header (stage, count, total, a busy bar while a page loads) and
its cards, which drag to other columns, open on double-click and move from the keyboard.

Keyboard: arrows walk the cards, Left/Right (at the list) go to the next column, Enter opens
the card, Ctrl+Shift+Left/Right move it to the neighbouring stage, and the context menu
(Menu key or Shift+F10) has "Move to ▸" every other stage.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QPoint, Qt, Signal
from PySide6.QtGui import QContextMenuEvent, QDrag, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListView,
    QMenu,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from copper_desktop.models.board import BoardModel
from copper_desktop.models.board_column import BoardColumn, PendingRole, RecordRole
from copper_desktop.ui.board.card_delegate import CardDelegate
from copper_desktop.ui.common.naming import named
from copper_desktop.ui.common.style import error_text_style, follow_palette

MIN_WIDTH: Final = 165
MAX_WIDTH: Final = 320


class CardList(QListView):
    """A column's cards. Signals:
    open_requested(dict): a card was double-clicked or Enter pressed on it.
    step_requested(int): Left (-1) or Right (+1): focus the neighbouring column.
    """

    open_requested = Signal(dict)
    step_requested = Signal(int)

    def __init__(self, board: BoardModel, column: BoardColumn, parent: QWidget) -> None:
        super().__init__(parent)
        self.board = board
        self.column = column
        named(self, f"boardCards{column.group_id}", f"{column.name} cards")
        self.setModel(column)
        self.setItemDelegate(CardDelegate(self))
        self.setUniformItemSizes(True)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(False)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.doubleClicked.connect(self._open)
        column.rowsInserted.connect(self._first_current)

    def _first_current(self) -> None:
        if not self.currentIndex().isValid() and self.column.rowCount():
            # current (for the keyboard), not selected: no card looks chosen before one is
            self.selectionModel().setCurrentIndex(
                self.column.index(0), QItemSelectionModel.SelectionFlag.NoUpdate
            )

    def current_record(self) -> dict[str, object] | None:
        index = self.currentIndex()
        record = index.data(RecordRole) if index.isValid() else None
        return record if isinstance(record, dict) else None

    def _open(self, index: QModelIndex) -> None:
        record = index.data(RecordRole)
        if isinstance(record, dict):
            self.open_requested.emit(record)

    def startDrag(self, supportedActions: Qt.DropAction) -> None:
        """Drag the current card (its picture under the pointer); the drop saves the move, so
        nothing is removed here whatever the drag returns."""
        index = self.currentIndex()
        if not index.isValid() or index.data(PendingRole):
            return
        drag = QDrag(self)
        drag.setMimeData(self.column.mimeData([index]))
        rect = self.visualRect(index)
        drag.setPixmap(self.viewport().grab(rect))
        drag.setHotSpot(QPoint(rect.width() // 2, rect.height() // 2))
        drag.exec(Qt.DropAction.MoveAction)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, mods = event.key(), event.modifiers()
        ctrl_shift = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
        if key in (Qt.Key.Key_Left, Qt.Key.Key_Right):
            step = -1 if key == Qt.Key.Key_Left else 1
            if mods == ctrl_shift:
                self.move_current(step)
            elif mods == Qt.KeyboardModifier.NoModifier:
                self.step_requested.emit(step)
            else:
                super().keyPressEvent(event)
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self._open(self.currentIndex())
            return
        super().keyPressEvent(event)

    def move_current(self, step: int) -> bool:
        """Move the current card to the neighbouring column (Ctrl+Shift+Left/Right)."""
        record = self.current_record()
        columns = self.board.columns
        at = columns.index(self.column) if self.column in columns else -1
        if record is None or not 0 <= at + step < len(columns):
            return False
        record_id = record.get("id")
        return isinstance(record_id, int) and self.board.move(
            record_id, columns[at + step].group_id
        )

    def menu_for(self, record: dict[str, object]) -> QMenu:
        """The card's menu: Open, and Move to ▸ each other column."""
        menu = named(QMenu(self), "boardCardMenu", f"Actions for {record.get('name')}")
        open_action = menu.addAction("Open")
        open_action.setObjectName("boardOpenCard")
        open_action.triggered.connect(lambda: self.open_requested.emit(record))
        move = named(menu.addMenu("Move to"), "boardMoveTo", "Move to")
        move.menuAction().setObjectName("boardMoveToMenu")
        record_id = record.get("id")
        for column in self.board.columns:
            action = move.addAction(column.name)
            action.setObjectName(f"boardMoveTo{column.group_id}")
            action.setEnabled(column is not self.column and isinstance(record_id, int))
            if isinstance(record_id, int):
                action.triggered.connect(
                    lambda _=False, g=column.group_id, r=record_id: self.board.move(r, g)
                )
        return menu

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        index = self.indexAt(event.pos())
        if event.reason() != QContextMenuEvent.Reason.Mouse or not index.isValid():
            index = self.currentIndex()
        record = index.data(RecordRole) if index.isValid() else None
        if isinstance(record, dict):
            self.setCurrentIndex(index)
            self.menu_for(record).popup(event.globalPos())


class ColumnView(QFrame):
    """A column: header labels, busy bar, error with Retry, and the cards."""

    def __init__(
        self,
        board: BoardModel,
        column: BoardColumn,
        opener: Callable[[dict[str, object]], object],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.board = board
        self.column = column
        named(self, f"boardColumn{column.group_id}", f"{column.name} column")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setMinimumWidth(MIN_WIDTH)
        self.setMaximumWidth(MAX_WIDTH)
        self.title = named(QLabel(column.name, self), "boardColumnTitle", f"{column.name}")
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.count = named(QLabel("", self), "boardColumnCount", f"{column.name} count")
        self.total = named(QLabel("", self), "boardColumnTotal", f"{column.name} total value")
        self.busy = named(QProgressBar(self), "boardColumnBusy", f"Loading {column.name}")
        self.busy.setRange(0, 0)
        self.busy.setMaximumHeight(6)
        self.busy.setTextVisible(False)
        self.error = named(QLabel("", self), "boardColumnError", f"{column.name} error")
        self.error.setWordWrap(True)
        follow_palette(self.error, error_text_style)
        self.retry = named(QPushButton("Retry", self), "boardColumnRetry", f"Retry {column.name}")
        self.retry.clicked.connect(lambda: board.retry(column))
        self.cards = CardList(board, column, self)
        self.cards.open_requested.connect(opener)
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.count)
        errors = QHBoxLayout()
        errors.addWidget(self.error, 1)
        errors.addWidget(self.retry)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(head)
        layout.addWidget(self.total)
        layout.addWidget(self.busy)
        layout.addLayout(errors)
        layout.addWidget(self.cards, 1)
        column.header_changed.connect(self.update_header)
        self.update_header()

    def update_header(self) -> None:
        column = self.column
        noun = self.board.kind.spec.plural_label.lower()
        count = "…" if column.count is None else f"{column.count:,}"
        self.count.setText(count)
        self.count.setToolTip(f"{count} {noun} in {column.name}")
        self.count.setAccessibleDescription(f"{count} {noun}")
        shown = column.total_text() if column.count is not None else ""
        self.total.setText(shown)
        self.total.setToolTip(column.total_tooltip())
        self.total.setAccessibleDescription(f"Total {shown}. {column.total_tooltip()}")
        self.busy.setVisible(column.loading)
        self.error.setVisible(column.error is not None)
        self.retry.setVisible(column.error is not None)
        if column.error is not None:
            self.error.setText(column.error)
