"""The entity browser: filter bar, a table over a paged server-side search, detail on Enter.

The table never sorts or filters locally: a header click re-queries the server, and only the
pages the view shows are fetched (the browser feeds the visible row range to the model's
`ensure_rows` whenever the view scrolls, resizes or the row count changes).

Rows are multi-selected, with "Select all N matching the current filters" and "Bulk edit…"
(`selection.RowSelection`, the browser's ``selection``).

Column order, widths and visibility are kept per entity in
``session.settings["browsers"][spec.key]["columns"]`` as a list of
``{"key", "width", "hidden"}`` in visual order; the sort and the filters (the search body, and
the filter bar's own ``state()``) beside them under ``"query"``, so the next start shows the
same rows. A saved view (``view_state``/``apply_view``) is the three together.

While pages are in flight for longer than a blink, a busy bar shows in the bottom line.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from copper_desktop.domain.catalog import EntitySpec, FieldSpec, LookupKind
from copper_desktop.domain.display import NameOf
from copper_desktop.domain.formats import summary_text
from copper_desktop.models.actions import ActionRunner, Failure
from copper_desktop.models.lookups import Lookups
from copper_desktop.models.paged import Column, PagedSearchModel
from copper_desktop.models.record_columns import columns_for, references
from copper_desktop.models.record_search import filters_of, page_fetcher
from copper_desktop.session import Session
from copper_desktop.ui.browse.column_chooser import ColumnChooser
from copper_desktop.ui.browse.selection import RowSelection
from copper_desktop.ui.common.banner import Banner
from copper_desktop.ui.editor.detail_view import DetailView

log = logging.getLogger(__name__)

PAGE_SIZE = 200
SAVE_DELAY_MS = 500
DEFAULT_WIDTH = 130
WIDE_COLUMNS = {"name": 240, "emails": 220, "company_name": 180, "title": 160, "details": 240}
"""Starting widths (pixels) before the user resizes anything."""
BUSY_DELAY_MS = 150
"""Pages that come quicker than this show no busy bar (it would only flicker)."""


class EntityBrowser(QWidget):
    """One entity's records in a table over a `PagedSearchModel`.

    Signals:
        error_occurred(str): a page failed to load (the banner shows it too).
        record_opened(dict): Enter or double-click opened this record.
    """

    error_occurred = Signal(str)
    record_opened = Signal(dict)
    query_changed = Signal()
    """The filters or the sort changed (the window saves the workspace, counts follow)."""

    def __init__(
        self,
        session: Session,
        spec: EntitySpec,
        lookups: Lookups | None = None,
        *,
        columns: Sequence[Column] | None = None,
        default_visible: Sequence[str] | None = None,
        detail_fields: Sequence[FieldSpec] | None = None,
        name_of: NameOf | None = None,
        page_size: int = PAGE_SIZE,
        parent: QWidget | None = None,
    ) -> None:
        """`columns` default to the app's columns of `spec` (`record_columns.columns_for`:
        names from `lookups`, custom fields last) and `default_visible` to the catalog's
        default columns; `name_of` (default: `lookups.name`) names ids in the detail view;
        `page_size` is Copper's (200) but for tests.
        """
        super().__init__(parent)
        self.session = session
        self.spec = spec
        self.lookups = lookups
        self.runner = ActionRunner(self)
        """Runs the name look-ups of the rows shown (pages are the model's own requests)."""
        self._name_of = name_of if name_of is not None or lookups is None else lookups.name
        self._detail_fields = detail_fields
        self._filters: dict[str, Any] = {}
        self._detail: DetailView | None = None
        self.opener: Callable[[str, dict[str, Any]], object] | None = None
        """Set by the main window: opens a record (entity key, record) in an editor."""
        self._closed = False
        self.setObjectName(f"browser_{spec.key}")
        self.setAccessibleName(f"{spec.plural_label} browser")

        cols = list(columns) if columns is not None else columns_for(spec, lookups or Lookups(self))
        self.fetch_page = page_fetcher(session.client, spec.path)
        """How the table fetches a page (the selection fetches rows it does not hold)."""
        self.model = PagedSearchModel(
            self.fetch_page,
            cols,
            page_size=page_size,
            fetch_on_data=False,
            parent=self,
        )
        self._keys = [c.key for c in cols]
        visible = default_visible if default_visible is not None else spec.default_columns
        self._default_visible = [k for k in visible if k in self._keys] or self._keys[:6]

        self.banner = Banner(self)
        self.filter_bar: QWidget | None = None

        self.table = QTableView(self)
        self.table.setObjectName("browserTable")
        self.table.setAccessibleName(f"{spec.plural_label} table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setObjectName("browserRowHeader")
        self.table.verticalHeader().setAccessibleName("Rows")
        self.table.setCornerButtonEnabled(False)
        for button in self.table.findChildren(QAbstractButton):  # the corner button
            button.setAccessibleName("Select all")
        self.table.installEventFilter(self)
        header = self.header
        header.setSectionsMovable(True)
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setHighlightSections(False)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.setAccessibleName(f"{spec.plural_label} columns")
        header.setObjectName("browserHeader")

        self.chooser = ColumnChooser([(c.key, c.header) for c in cols], set(), self)
        self.chooser.visibility_changed.connect(self.set_column_visible)
        self.columns_button = QToolButton(self)
        self.columns_button.setText("Columns…")
        self.columns_button.setObjectName("columnChooserButton")
        self.columns_button.setAccessibleName("Choose columns")
        self.columns_button.setMenu(self.chooser)
        self.columns_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)

        self.summary = QLabel(self)
        self.summary.setObjectName("browserSummary")
        self.summary.setAccessibleName("Rows shown")
        self.busy = QProgressBar(self)
        self.busy.setObjectName("browserBusy")
        self.busy.setAccessibleName("Loading rows")
        self.busy.setRange(0, 0)  # indeterminate: how long a page takes is not known
        self.busy.setMaximumWidth(120)
        self.busy.setMaximumHeight(12)
        self.busy.setTextVisible(False)
        self.busy.hide()
        self._busy_timer = QTimer(self)
        self._busy_timer.setSingleShot(True)
        self._busy_timer.setInterval(BUSY_DELAY_MS)
        self._busy_timer.timeout.connect(lambda: self.busy.setVisible(self.model.loading))
        self.selection = RowSelection(self)
        self.copy_action = QAction("&Copy rows", self)
        self.copy_action.setObjectName("actionCopyRows")
        self.copy_action.setShortcut(QKeySequence.StandardKey.Copy)
        self.copy_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.copy_action.triggered.connect(self.copy_rows)
        self.table.addAction(self.copy_action)

        bottom = QHBoxLayout()
        bottom.addWidget(self.summary)
        selection = self.selection
        for widget in (selection.label, selection.matching_button, selection.clear_button):
            bottom.addWidget(widget)
        bottom.addStretch(1)
        bottom.addWidget(self.busy)
        bottom.addWidget(selection.bulk_button)
        bottom.addWidget(self.columns_button)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.addWidget(self.banner)
        self._layout.addWidget(self.table, 1)
        self._layout.addLayout(bottom)

        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(SAVE_DELAY_MS)
        self._save_timer.timeout.connect(self.session_save)

        self.restore_layout()
        header.sectionClicked.connect(self._on_header_clicked)
        header.sectionMoved.connect(lambda *_: self._layout_changed())
        header.sectionResized.connect(lambda *_: self._layout_changed())
        header.customContextMenuRequested.connect(
            lambda pos: self.chooser.popup(header.mapToGlobal(pos))
        )
        self.table.verticalScrollBar().valueChanged.connect(lambda _: self._follow_view())
        self.table.doubleClicked.connect(self._on_double_click)
        self.model.total_changed.connect(lambda _: self._follow_view())
        self.model.modelReset.connect(self._follow_view)
        self.model.page_loaded.connect(self._on_page_loaded)
        self.model.error.connect(self._on_error)
        self.model.loading_changed.connect(self._on_loading)
        self.banner.retry_requested.connect(self.retry)
        if lookups is not None:
            lookups.names_resolved.connect(self.model.refresh_display)  # drops cached texts

    # ------------------------------------------------------------------ public API

    @property
    def header(self) -> QHeaderView:
        return self.table.horizontalHeader()

    def start(self) -> None:
        """Run the first query: the sort and filters saved last time, else the entity's
        default sort and no filter."""
        saved = self._settings().get("query")
        if isinstance(saved, dict):
            sort_by, direction = self._restore_query(saved)
        else:
            sort_by, direction = self.spec.default_sort, self.spec.default_sort_direction
        self.model.set_query(self._filters, sort_by, direction)
        self._sync_sort_indicator()

    def set_filters(self, filters: Mapping[str, Any]) -> None:
        """Re-query with these search filters, keeping the current sort."""
        self._filters = filters_of(filters)
        sort_by, direction = self.current_sort()
        self.model.set_query(self._filters, sort_by, direction)
        self._sync_sort_indicator()
        self._query_changed()

    def view_state(self) -> dict[str, Any]:
        """What a saved view holds: the filters (search body and the bar's state), the sort
        and the column layout (JSON)."""
        sort_by, direction = self.current_sort()
        bar_state = getattr(self.filter_bar, "state", None)
        return {
            "filters": dict(self._filters),
            "bar": bar_state() if callable(bar_state) else {},
            "sort": [sort_by, direction],
            "columns": self.layout_state(),
        }

    def apply_view(self, view: Mapping[str, Any]) -> None:
        """Show a `view_state()` again: its columns, then one query with its filters and sort."""
        columns = view.get("columns")
        if isinstance(columns, list) and columns:
            self._settings()["columns"] = columns
            self.restore_layout()
            self._layout_changed()
        sort_by, direction = self._restore_query(view)
        self.model.set_query(self._filters, sort_by, direction)
        self._sync_sort_indicator()
        self._query_changed()

    def _restore_query(self, saved: Mapping[str, Any]) -> tuple[str | None, str]:
        """Put saved filters into the bar and `_filters` (no query yet); the saved sort when
        a column still sorts by it, else the entity's default."""
        body = saved.get("filters")
        self._filters = filters_of(body) if isinstance(body, dict) else {}
        bar = self.filter_bar
        set_state = getattr(bar, "set_state", None)
        if callable(set_state):
            set_state(saved.get("bar") or {}, emit=False)
            assume = getattr(bar, "assume_sent", None)
            if callable(assume):
                assume(self._filters)
        sort = saved.get("sort")
        keys = {c.sort_key for c in self.model.columns if c.sort_key}
        if (
            isinstance(sort, list | tuple)
            and len(sort) == 2
            and sort[0] in keys
            and sort[1] in ("asc", "desc")
        ):
            return str(sort[0]), str(sort[1])
        return self.spec.default_sort, self.spec.default_sort_direction

    def save_query(self) -> None:
        """Write the sort and filters into the session's settings (the file follows)."""
        state = self.view_state()
        del state["columns"]
        self._settings()["query"] = state

    def _query_changed(self) -> None:
        self.save_query()
        self._save_timer.start()
        self.query_changed.emit()

    def copy_rows(self) -> None:
        """Ctrl+C on the table: the selected loaded rows' visible cells, tab-separated (with
        a header line), for a spreadsheet or a mail."""
        ranges = self.selection.ranges()
        if not ranges:
            return
        header = self.header
        logical = [header.logicalIndex(v) for v in range(header.count())]
        shown = [i for i in logical if not header.isSectionHidden(i)]
        lines = ["\t".join(str(self.model.headerData(i, Qt.Orientation.Horizontal)) for i in shown)]
        for top, bottom in ranges:
            for row in range(top, bottom + 1):
                if self.model.is_loaded(row):
                    cells = (self.model.index(row, i).data() for i in shown)
                    lines.append("\t".join("" if c is None else str(c) for c in cells))
        QGuiApplication.clipboard().setText("\n".join(lines) + "\n")

    def set_filter_bar(self, bar: QWidget) -> None:
        """Put a filter bar on top: its `filters_changed(dict)` re-queries, Ctrl+F calls its
        `focus_search()`, and its `set_summary(first, last, total)` replaces the own label."""
        if self.filter_bar is not None:
            self._layout.removeWidget(self.filter_bar)
            self.filter_bar.deleteLater()
        bar.setParent(self)
        self.filter_bar = bar
        self._layout.insertWidget(1, bar)
        changed = getattr(bar, "filters_changed", None)
        if changed is not None:
            changed.connect(self.set_filters)
        has_summary = callable(getattr(bar, "set_summary", None))
        self.summary.setVisible(not has_summary)
        self._update_summary()

    def filters(self) -> dict[str, Any]:
        return dict(self._filters)

    def current_sort(self) -> tuple[str | None, str]:
        column = self.model.sort_column
        if column < 0:
            return self.spec.default_sort, self.spec.default_sort_direction
        order = self.model.sort_order
        sort_key = self.model.columns[column].sort_key
        return sort_key, "asc" if order == Qt.SortOrder.AscendingOrder else "desc"

    def refresh(self) -> None:
        """F5: fetch the visible pages again (rows keep their old values until then)."""
        self.banner.clear()
        self.model.refresh()

    def retry(self) -> None:
        """The banner's Retry: request the failed pages again."""
        self.banner.clear()
        self.model.retry()

    def focus_search(self) -> None:
        """Ctrl+F: the filter bar's search box, else the table."""
        bar = self.filter_bar
        focus = getattr(bar, "focus_search", None)
        if callable(focus):
            focus()
        else:
            self.table.setFocus()

    def selected_row(self) -> int:
        index = self.table.currentIndex()
        return index.row() if index.isValid() else -1

    def open_detail(self, row: int | None = None) -> DetailView | None:
        """Open `row` (the current one by default), if loaded: in the record editor when the
        window set an `opener`, else in a read-only detail view (returned)."""
        row = self.selected_row() if row is None else row
        record = self.model.record(row) if row >= 0 else None
        if record is None:
            return None
        if self.opener is not None:
            self.record_opened.emit(dict(record))
            self.opener(self.spec.key, dict(record))
            return None
        if self._detail is not None:
            self._detail.close()
        self._detail = DetailView(
            self.spec, record, self._detail_fields, self._name_of, parent=self
        )
        self._detail.destroyed.connect(self._forget_detail)
        self._detail.show()
        self.record_opened.emit(dict(record))
        return self._detail

    @property
    def detail(self) -> DetailView | None:
        return self._detail

    def visible_rows(self) -> tuple[int, int]:
        """0-based first and last rows the viewport shows; (-1, -1) when none."""
        rows = self.model.rowCount()
        if rows == 0:
            return -1, -1
        first = self.table.rowAt(0)
        if first < 0:
            first = 0
        last = self.table.rowAt(self.table.viewport().height() - 1)
        if last < 0:
            last = rows - 1
        return first, last

    def summary_text(self) -> str:
        first, last = self.visible_rows()
        return summary_text(first + 1, last + 1, self.model.rowCount())

    async def aclose(self) -> None:
        """Cancel page requests and save the column layout now (once; later calls do nothing)."""
        if self._closed:
            return
        self._closed = True
        self._busy_timer.stop()
        if self._save_timer.isActive():
            self._save_timer.stop()
            self.session_save()
        if self._detail is not None:
            self._detail.close()
        await self.runner.aclose()
        await self.model.aclose()

    # ------------------------------------------------------------ column layout

    def column_keys(self) -> list[str]:
        return list(self._keys)

    def add_columns(self, columns: Sequence[Column]) -> None:
        """Columns learned after the browser was made (custom fields whose definitions came
        after the first page): appended, then the saved layout (or the defaults) applied."""
        fresh = [c for c in columns if c.key not in self._keys]
        self.model.add_columns(fresh)
        self._keys.extend(c.key for c in fresh)
        for column in fresh:
            self.chooser.add_column(column.key, column.header, visible=False)
        self.restore_layout()

    def visible_column_keys(self) -> list[str]:
        """Visible columns in their visual order."""
        header = self.header
        logical = [header.logicalIndex(v) for v in range(header.count())]
        return [self._keys[i] for i in logical if not header.isSectionHidden(i)]

    def set_column_visible(self, key: str, visible: bool) -> None:
        index = self._keys.index(key)
        self.header.setSectionHidden(index, not visible)
        self.chooser.set_visible(key, visible)
        self._layout_changed()
        if visible:
            self._follow_view()

    def layout_state(self) -> list[dict[str, Any]]:
        header = self.header
        state = []
        for visual in range(header.count()):
            logical = header.logicalIndex(visual)
            state.append(
                {
                    "key": self._keys[logical],
                    "width": header.sectionSize(logical),
                    "hidden": header.isSectionHidden(logical),
                }
            )
        return state

    def _settings(self) -> dict[str, Any]:
        browsers = self.session.settings.setdefault("browsers", {})
        mine: dict[str, Any] = browsers.setdefault(self.spec.key, {})
        return mine

    def restore_layout(self) -> None:
        """Apply the saved order, widths and visibility; columns not saved follow the
        entity's defaults (new custom fields start hidden)."""
        header = self.header
        saved = self.session.settings.get("browsers", {}).get(self.spec.key, {}).get("columns")
        entries = [e for e in saved or [] if isinstance(e, dict) and e.get("key") in self._keys]
        blocked = header.blockSignals(True)
        try:
            if entries:
                for visual, entry in enumerate(entries):
                    logical = self._keys.index(entry["key"])
                    header.moveSection(header.visualIndex(logical), visual)
                    width = entry.get("width")
                    if isinstance(width, int) and width > 0:
                        header.resizeSection(logical, width)
                    header.setSectionHidden(logical, bool(entry.get("hidden")))
                known = {e["key"] for e in entries}
                for logical, key in enumerate(self._keys):
                    if key not in known:
                        header.setSectionHidden(logical, True)
            else:
                for visual, key in enumerate(self._default_visible):
                    logical = self._keys.index(key)
                    header.moveSection(header.visualIndex(logical), visual)
                    header.resizeSection(logical, WIDE_COLUMNS.get(key, DEFAULT_WIDTH))
                for logical, key in enumerate(self._keys):
                    header.setSectionHidden(logical, key not in self._default_visible)
        finally:
            header.blockSignals(blocked)
        for key in self._keys:
            self.chooser.set_visible(key, not header.isSectionHidden(self._keys.index(key)))

    def save_layout(self) -> None:
        """Write the layout into the session's settings (the file is written shortly after)."""
        self._settings()["columns"] = self.layout_state()

    def session_save(self) -> None:
        self.save_layout()
        self.session.save_settings()

    def _layout_changed(self) -> None:
        self.save_layout()
        self._save_timer.start()

    # ------------------------------------------------------------------ internals

    def _on_header_clicked(self, logical: int) -> None:
        if not self.model.is_sortable(logical):
            self._sync_sort_indicator()
            return
        if self.model.sort_column == logical:
            order = (
                Qt.SortOrder.DescendingOrder
                if self.model.sort_order == Qt.SortOrder.AscendingOrder
                else Qt.SortOrder.AscendingOrder
            )
        else:
            order = Qt.SortOrder.AscendingOrder
        self.model.sort(logical, order)
        self._sync_sort_indicator()
        self._query_changed()

    def _sync_sort_indicator(self) -> None:
        header = self.header
        blocked = header.blockSignals(True)
        header.setSortIndicator(self.model.sort_column, self.model.sort_order)
        header.blockSignals(blocked)

    def _follow_view(self) -> None:
        """Tell the model which rows are on screen, and update the summary."""
        first, last = self.visible_rows()
        if first >= 0:
            self.model.ensure_rows(first, last)
        self._update_summary()

    def _update_summary(self) -> None:
        first, last = self.visible_rows()
        total = self.model.rowCount()
        set_summary = getattr(self.filter_bar, "set_summary", None)
        if callable(set_summary):
            set_summary(first + 1, last + 1, total)
        self.summary.setText(summary_text(first + 1, last + 1, total))

    def _on_loading(self, loading: bool) -> None:
        """Show the busy bar once pages have been in flight for BUSY_DELAY_MS."""
        if loading:
            if not self._busy_timer.isActive() and not self.busy.isVisible():
                self._busy_timer.start()
        else:
            self._busy_timer.stop()
            self.busy.hide()

    def _on_page_loaded(self, page: int) -> None:
        self.banner.clear()
        self._update_summary()
        self._resolve_names(page)

    def _resolve_names(self, page: int) -> None:
        """Ask for the names of companies, people, ... the page refers to (one search per
        kind); cells repaint when they arrive and keep showing ids if they never do."""
        lookups = self.lookups
        if lookups is None:
            return
        size = self.model.page_size
        rows = range(page * size, min((page + 1) * size, self.model.rowCount()))
        for kind, ids in references(self.spec, (self.model.record(r) for r in rows)).items():
            unknown = lookups.unknown(kind, ids)
            if unknown:
                self.runner.run(
                    lookups.resolve(kind, unknown),
                    failure=partial(self._names_unavailable, kind),
                    name=f"{self.objectName()} names of {kind.value}",
                )

    @staticmethod
    def _names_unavailable(kind: LookupKind, failure: Failure) -> None:
        """Cells keep showing ids; a missing name is no error worth a banner."""
        log.info("Names of %s unavailable: %s", kind.value, failure.reason)

    def _on_error(self, exc: Exception) -> None:
        message = str(exc) or type(exc).__name__
        self.banner.show_error(f"Could not load {self.spec.plural_label.lower()}: {message}")
        self.error_occurred.emit(message)

    def _on_double_click(self, index: QModelIndex) -> None:
        """Opens the record, except on a cell the table edits in place (grid editing)."""
        if not index.flags() & Qt.ItemFlag.ItemIsEditable:
            self.open_detail(index.row())

    def _forget_detail(self) -> None:
        self._detail = None

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self._follow_view()

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self._follow_view()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Enter/Return on the table opens the selected record."""
        if watched is self.table and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.open_detail()
                return True
        return super().eventFilter(watched, event)
