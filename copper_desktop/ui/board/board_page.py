"""The pipeline board page: opportunities by stage (one pipeline at a time) or leads by status,
with the browser's filter bar (owner, status, tags), a sort, Undo, and the value chart. Given
the app's settings, it remembers its kind, pipeline, sort and filters across restarts
(``settings["board"]``, written at each change; the window writes the file).

The page observes a `BoardModel` and never calls the client; moves, undo and loads go through
the model and its runner.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtGui import QAction, QHideEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from copper_desktop.models.board import BoardClient, BoardModel
from copper_desktop.models.board_column import BOARD_KINDS, BoardKind, board_spec
from copper_desktop.models.lookups import Lookups
from copper_desktop.models.record_search import filters_of
from copper_desktop.models.workspace import BoardState
from copper_desktop.ui.board.column_view import ColumnView
from copper_desktop.ui.board.value_chart import ValueChart
from copper_desktop.ui.browse.filter_bar import FilterBar
from copper_desktop.ui.common.naming import name_popup, named, named_button
from copper_desktop.ui.common.style import error_text_style, follow_palette

OpenRecord = Callable[[str, Mapping[str, Any]], object]
"""How a card opens in the editor (``MainWindow.open_record``)."""


class BoardPage(QWidget):
    """The board: choosers, filters, columns side by side and the chart below them."""

    def __init__(
        self,
        client: BoardClient,
        lookups: Lookups,
        open_record: OpenRecord,
        parent: QWidget | None = None,
        *,
        model: BoardModel | None = None,
        settings: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(parent)
        named(self, "boardPage", "Pipeline board")
        self.lookups = lookups
        self.settings = settings
        """The app's settings (``session.settings``): the board is kept there; None: not kept."""
        self.open_record = open_record
        self.model = model or BoardModel(client, lookups, parent=self)
        if self.model.parent() is None:
            self.model.setParent(self)
        self.views: list[ColumnView] = []

        self.kind_combo = named(QComboBox(self), "boardKind", "Board of")
        for kind in BOARD_KINDS:
            self.kind_combo.addItem(f"{kind.spec.plural_label} by {kind.group_label.lower()}",
                                    kind.key)  # fmt: skip
        name_popup(self.kind_combo)
        self.pipeline_combo = named(QComboBox(self), "boardPipeline", "Pipeline")
        name_popup(self.pipeline_combo)
        self.sort_combo = named(QComboBox(self), "boardSort", "Order cards by")
        name_popup(self.sort_combo)
        self.refresh_button = named_button(self, "boardRefresh", "Refresh", "Refresh the board")
        self.undo_button = named_button(self, "boardUndo", "Undo move", "Undo the last move")
        self.undo_button.setEnabled(False)
        self.undo_button.setToolTip("Move the last moved card back (Ctrl+Z)")
        self.busy = named(QProgressBar(self), "boardBusy", "Loading the board")
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(90)
        self.busy.setTextVisible(False)
        self.busy.setVisible(False)
        self.message = named(QLabel("", self), "boardMessage", "Board message")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.undo_action = QAction("Undo move", self)
        self.undo_action.setObjectName("boardUndoAction")
        self.undo_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Undo))
        self.undo_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.undo_action.triggered.connect(self.undo)
        self.addAction(self.undo_action)

        top = QHBoxLayout()
        for widget in (self.kind_combo, self.pipeline_combo, self.sort_combo):
            top.addWidget(widget)
        top.addWidget(self.refresh_button)
        top.addWidget(self.undo_button)
        top.addWidget(self.busy)
        top.addStretch(1)
        self.columns_host = named(QWidget(self), "boardColumns", "Board columns")
        self.columns_layout = QHBoxLayout(self.columns_host)
        self.columns_layout.setContentsMargins(0, 0, 0, 0)
        self.columns_layout.addStretch(1)
        self.board_scroll = named(QScrollArea(self), "boardScroll", "Board columns")
        self.board_scroll.setWidgetResizable(True)
        self.board_scroll.setWidget(self.columns_host)
        self.chart = ValueChart(self.model, self)
        self.splitter = named(QSplitter(Qt.Orientation.Vertical, self), "boardSplitter",
                              "Board and chart")  # fmt: skip
        self.splitter.addWidget(self.board_scroll)
        self.splitter.addWidget(self.chart)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setSizes([480, 180])
        self.layout_ = QVBoxLayout(self)
        self.layout_.addLayout(top)
        self.filter_bar: FilterBar | None = None
        self.layout_.addWidget(self.message)
        self.layout_.addWidget(self.splitter, 1)
        self.message.setVisible(False)

        self.kind_combo.currentIndexChanged.connect(self._kind_chosen)
        self.pipeline_combo.currentIndexChanged.connect(self._pipeline_chosen)
        self.sort_combo.currentIndexChanged.connect(self._sort_chosen)
        self.refresh_button.clicked.connect(self.model.reload)
        self.undo_button.clicked.connect(self.undo)
        self.model.columns_reset.connect(self._rebuild)
        self.model.busy_changed.connect(self.busy.setVisible)
        self.model.undo_changed.connect(self._undo_changed)
        self.model.message.connect(self.show_message)
        self.model.totals_changed.connect(self._update_summary)
        self.lookups.loaded.connect(self._fill_pipelines)
        self._restore()
        self.model.columns_reset.connect(self._remember)

    # ------------------------------------------------------------------ choosing

    @property
    def kind(self) -> BoardKind:
        return self.model.kind

    def _restore(self) -> None:
        """The board as it was left (kind, pipeline, sort, filters), else the first kind."""
        saved = BoardState.load(self.settings) if self.settings is not None else None
        kind = next((k for k in BOARD_KINDS if saved and k.key == saved.kind), BOARD_KINDS[0])
        with QSignalBlocker(self.kind_combo):
            self.kind_combo.setCurrentIndex(max(self.kind_combo.findData(kind.key), 0))
        self._set_kind(kind, saved)

    def _remember(self) -> None:
        """Keep the board's choices in the settings (each change rebuilds the columns)."""
        if self.settings is None or self.filter_bar is None:
            return
        BoardState(
            kind=self.kind.key,
            pipeline=self.model.pipeline_id,
            sort=self.model.sort,
            filters=dict(self.model.filters),
            bar=self.filter_bar.state(),
        ).store(self.settings)

    def _set_kind(self, kind: BoardKind, saved: BoardState | None = None) -> None:
        """Another entity: its filter bar and sorts, then its board (`saved`: as it was left;
        the saved sort when the kind has it, the saved filters sent before the lookups come
        as a browser does)."""
        if self.filter_bar is not None:
            self.filter_bar.filters_changed.disconnect(self.model.set_filters)
            self.filter_bar.deleteLater()
        self.filter_bar = FilterBar(board_spec(kind), self.lookups, self)
        self.filter_bar.setObjectName("boardFilterBar")
        self.filter_bar.setAccessibleName(f"{kind.spec.plural_label} board filters")
        self.layout_.insertWidget(1, self.filter_bar)
        sorts = [(sort_by, direction) for sort_by, direction, _label in kind.sorts]
        sort = saved.sort if saved is not None and saved.sort in sorts else None
        with QSignalBlocker(self.sort_combo):
            self.sort_combo.clear()
            for sort_by, direction, label in kind.sorts:
                self.sort_combo.addItem(label, (sort_by, direction))
            self.sort_combo.setCurrentIndex(sorts.index(sort) if sort else 0)
        self.pipeline_combo.setVisible(kind.by_pipeline)
        if saved is None:
            pipeline = self._chosen_pipeline() if kind.by_pipeline else None
            self.model.set_board(kind, pipeline)
        else:
            filters = filters_of(saved.filters)
            self.filter_bar.set_state(saved.bar, emit=False)
            self.filter_bar.assume_sent(filters)
            self.model.set_board(kind, saved.pipeline, sort=sort or sorts[0], filters=filters)
        self.filter_bar.filters_changed.connect(self.model.set_filters)
        self._fill_pipelines()

    def _chosen_pipeline(self) -> int | None:
        data = self.pipeline_combo.currentData()
        return data if isinstance(data, int) else None

    def _fill_pipelines(self) -> None:
        with QSignalBlocker(self.pipeline_combo):
            self.pipeline_combo.clear()
            for pipeline_id, name in self.model.pipelines():
                self.pipeline_combo.addItem(name, pipeline_id)
            at = self.pipeline_combo.findData(self.model.pipeline_id)
            self.pipeline_combo.setCurrentIndex(max(at, 0))

    def _kind_chosen(self, index: int) -> None:
        key = self.kind_combo.itemData(index)
        kind = next((k for k in BOARD_KINDS if k.key == key), BOARD_KINDS[0])
        if kind != self.kind:
            self._set_kind(kind)

    def _pipeline_chosen(self, _index: int) -> None:
        pipeline_id = self._chosen_pipeline()
        if pipeline_id is not None and pipeline_id != self.model.pipeline_id:
            self.model.set_board(self.kind, pipeline_id)

    def _sort_chosen(self, _index: int) -> None:
        data = self.sort_combo.currentData()
        if isinstance(data, tuple):
            self.model.set_sort(*data)

    def show_pipeline(self, pipeline_id: int) -> None:
        """Choose a pipeline (as the picker does)."""
        at = self.pipeline_combo.findData(pipeline_id)
        if at >= 0:
            self.pipeline_combo.setCurrentIndex(at)

    # ------------------------------------------------------------------ columns

    def _rebuild(self) -> None:
        for view in self.views:
            view.hide()
            view.deleteLater()
        self.views = []
        for column in self.model.columns:
            view = ColumnView(self.model, column, self._open, self.columns_host)
            view.cards.step_requested.connect(lambda step, v=view: self._step(v, step))
            self.columns_layout.insertWidget(len(self.views), view)
            self.views.append(view)
        self._update_summary()

    def view(self, group_id: int) -> ColumnView | None:
        return next((v for v in self.views if v.column.group_id == group_id), None)

    def _step(self, view: ColumnView, step: int) -> None:
        at = self.views.index(view) + step
        if 0 <= at < len(self.views):
            self.views[at].cards.setFocus(Qt.FocusReason.TabFocusReason)
            self.board_scroll.ensureWidgetVisible(self.views[at])

    def _open(self, record: Mapping[str, Any]) -> None:
        self.open_record(self.kind.key, record)

    # ------------------------------------------------------------------ feedback

    def undo(self) -> None:
        if not self.model.undo():
            self.show_message("Nothing to undo on the board.", error=False)

    def _undo_changed(self, available: bool) -> None:
        self.undo_button.setEnabled(available)
        self.undo_action.setEnabled(True)

    def show_message(self, text: str, error: bool = False) -> None:
        follow_palette(self.message, error_text_style if error else None)
        self.message.setText(text)
        self.message.setAccessibleDescription(text)
        self.message.setVisible(bool(text))

    def _update_summary(self) -> None:
        if self.filter_bar is None:
            return
        counts = [c.count for c in self.model.columns]
        if not counts:
            self.filter_bar.summary.setText("")
            return
        known = sum(c or 0 for c in counts)
        more = "" if all(c is not None for c in counts) else "+"
        noun = self.kind.spec.plural_label.lower()
        where = self.pipeline_combo.currentText() if self.kind.by_pipeline else "all statuses"
        self.filter_bar.summary.setText(f"{known:,}{more} {noun} in {where}")

    # ------------------------------------------------------------------ life

    def showEvent(self, event: QShowEvent) -> None:
        self.model.set_active(True)
        super().showEvent(event)

    def hideEvent(self, event: QHideEvent) -> None:
        self.model.set_active(False)
        super().hideEvent(event)

    async def aclose(self) -> None:
        await self.model.aclose()
