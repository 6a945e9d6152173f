"""A browser's selection: how many rows are picked, "all N matching", and the bulk edit.

Rows are multi-selected (click, Shift/Ctrl+click, Ctrl+A: Qt's extended selection on whole
rows). Once every row is selected, a link offers "Select all N matching the current filters",
as Gmail does; past Copper's 100,000 search cap that is more than the table can show. The
bottom line says what is selected ("12 selected", "All 2,000 matching selected").

"Bulk edit…" (a button, the row menu, a shortcut) is offered once the window enables it; the
selection reaches the dialog through `selection_source`: the ids at once when every selected
row is loaded, else an async provider run when the user previews (`models/selection.py`), so
selecting stays instant however many rows it covers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QPoint, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QMenu, QToolButton

from copper_desktop.models.selection import (
    Progress,
    count_rows,
    matching_ids,
    merge_ranges,
    pages_of,
    row_ids,
)

if TYPE_CHECKING:
    from copper_desktop.models.bulk import IdSource
    from copper_desktop.ui.browse.browser import EntityBrowser

__all__ = ["RowSelection"]


class RowSelection(QObject):
    """The selection of one browser's table, its widgets (``label``, ``matching_button``,
    ``clear_button``, ``bulk_button``, parented to the browser) and its actions.

    Signals:
        changed(str): what is selected changed ("12 selected", "" for nothing).
    """

    changed = Signal(str)

    def __init__(self, browser: EntityBrowser) -> None:
        super().__init__(browser)
        self.setObjectName("rowSelection")
        self.browser = browser
        self.table = browser.table
        self.model = browser.model
        self.bulk_editor: Callable[[], object] | None = None
        """Set through `enable_bulk_edit`: opens the bulk edit of the selection."""
        self._all_matching = False
        self._selecting_all = False
        self._menu_row = -1

        self.label = QLabel(browser)
        self.label.setObjectName("browserSelection")
        self.label.setAccessibleName("Selected records")
        self.label.hide()
        self.matching_action = self._action(
            "actionSelectAllMatching", "Select all matching the current filters",
            self.select_all_matching,
        )  # fmt: skip
        self.clear_action = self._action("actionClearSelection", "Clear selection", self.clear)
        self.bulk_action = self._action("actionBulkEdit", "&Bulk edit…", self.bulk_edit)
        self.bulk_action.setEnabled(False)
        self.bulk_action.setVisible(False)
        self.open_action = self._action(
            "actionOpenRow", "&Open", lambda: browser.open_detail(self._menu_row)
        )
        self.matching_button = self._button(
            self.matching_action, "selectAllMatchingButton", "Select all matching records"
        )
        self.clear_button = self._button(
            self.clear_action, "clearSelectionButton", "Clear the selection"
        )
        self.bulk_button = self._button(
            self.bulk_action, "bulkEditButton", "Bulk edit the selected records"
        )
        self.menu = QMenu(browser)
        self.menu.setObjectName("browserRowMenu")
        self.menu.setAccessibleName(f"{browser.spec.label} actions")
        self.menu.addAction(self.open_action)
        self.menu.addAction(self.bulk_action)
        self._feature_end = self.menu.addSeparator()
        self.menu.addAction(self.matching_action)
        self.menu.addAction(self.clear_action)

        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self.show_menu)
        self.table.selectionModel().selectionChanged.connect(self._on_changed)
        self.model.modelReset.connect(self._on_changed)  # a new query: nothing is selected
        self.model.total_changed.connect(lambda _total: self.redraw())

    def _action(self, name: str, text: str, slot: Callable[[], object]) -> QAction:
        action = QAction(text, self.browser)
        action.setObjectName(name)
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def _button(self, action: QAction, name: str, accessible: str) -> QToolButton:
        button = QToolButton(self.browser)
        button.setDefaultAction(action)
        button.setObjectName(name)
        button.setAccessibleName(accessible)
        button.setAutoRaise(True)
        button.hide()
        return button

    def add_row_action(self, action: QAction) -> None:
        """A feature's action on the selected rows (Convert…, Export…): listed in the row
        menu after Bulk edit, and its shortcut works while the browser has focus."""
        self.menu.insertAction(self._feature_end, action)
        if action.shortcutContext() == Qt.ShortcutContext.WindowShortcut:
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.browser.addAction(action)

    # ------------------------------------------------------------------ bulk edit
    def enable_bulk_edit(self, editor: Callable[[], object], shortcut: str) -> None:
        """Offer "Bulk edit…" (button, row menu, ``shortcut`` while the browser has focus);
        ``editor()`` opens it (reading `selection_source`)."""
        self.bulk_editor = editor
        self.bulk_action.setShortcut(QKeySequence(shortcut))
        self.bulk_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.browser.addAction(self.bulk_action)
        self.bulk_action.setVisible(True)
        self.bulk_button.show()
        self.redraw()

    def bulk_edit(self) -> object:
        """Open the bulk edit of the selection: what the window's editor returns."""
        if self.bulk_editor is None or not self.count():
            return None
        return self.bulk_editor()

    # ------------------------------------------------------------------ what is selected
    @property
    def all_matching(self) -> bool:
        """ "Select all N matching" was chosen (the rows show selected too)."""
        return self._all_matching

    def ranges(self) -> list[tuple[int, int]]:
        """The selected rows as merged, inclusive (first, last) ranges."""
        chosen = self.table.selectionModel().selection()
        return merge_ranges((part.top(), part.bottom()) for part in chosen.toList())

    def matching_total(self) -> int:
        """How many records match the filters: the rows, or past the cap Copper's total."""
        total = self.model.server_total
        if self.model.is_capped and total is not None:
            return total
        return self.model.rowCount()

    def count(self) -> int:
        return self.matching_total() if self._all_matching else count_rows(self.ranges())

    def text(self) -> str:
        """ "12 selected", "All 2,000 matching selected", or "" for nothing."""
        count = self.count()
        if self._all_matching:
            return f"All {count:,} matching selected"
        return f"{count:,} selected" if count else ""

    def select_all_matching(self) -> None:
        """Every record matching the filters (not only the rows the table can show)."""
        if self.model.rowCount() == 0:
            return
        self._selecting_all = True
        try:
            self.table.selectAll()
        finally:
            self._selecting_all = False
        self._all_matching = True
        self.redraw()

    def clear(self) -> None:
        self.table.clearSelection()
        self._on_changed()

    def selection_source(self, progress: Progress | None = None) -> tuple[IdSource, int]:
        """The selection as the bulk edit takes it, and how many are selected: the ids at once
        when every selected row is loaded; else an async provider fetching the other rows'
        pages with the table's query, or walking every match for "all matching" (split by
        date windows past the cap). ``progress(found, expected)`` follows a provider."""
        count = self.count()
        browser = self.browser
        if self._all_matching:
            client, path = browser.session.client, browser.spec.path
            filters = browser.filters()

            async def every_match() -> list[int]:
                return await matching_ids(client, path, filters, progress)

            return every_match, count
        ranges = self.ranges()
        size = self.model.page_size
        touched = pages_of(ranges, size)
        loaded = set(self.model.loaded_pages())
        held = {page: self._page_records(page) for page in touched if page in loaded}
        if len(held) < len(touched):
            sort_by, direction = browser.current_sort()
            query = {**browser.filters(), "sort_by": sort_by, "sort_direction": direction}
            fetch = browser.fetch_page

            async def picked_rows() -> list[int]:
                return await row_ids(fetch, query, size, ranges, held, progress)

            return picked_rows, count
        records = (self.model.record(row) for top, end in ranges for row in range(top, end + 1))
        return [r["id"] for r in records if r is not None and isinstance(r.get("id"), int)], count

    def _page_records(self, page: int) -> list[dict[str, Any]]:
        size, rows = self.model.page_size, self.model.rowCount()
        records = []
        for row in range(page * size, min((page + 1) * size, rows)):
            record = self.model.record(row)
            if record is None:
                break
            records.append(record)
        return records

    # ------------------------------------------------------------------ showing
    def _on_changed(self, *_: object) -> None:
        if not self._selecting_all:
            self._all_matching = False
        self.redraw()

    def redraw(self) -> None:
        """Redraw the line, the links and the actions' states."""
        text = self.text()
        count, rows = self.count(), self.model.rowCount()
        self.label.setText(text)
        self.label.setVisible(bool(text))
        self.matching_action.setText(
            f"Select all {self.matching_total():,} matching the current filters"
        )
        self.matching_action.setEnabled(rows > 0 and not self._all_matching)
        self.matching_button.setVisible(not self._all_matching and 0 < rows == count)
        self.clear_button.setVisible(self._all_matching)
        self.clear_action.setEnabled(count > 0)
        self.bulk_action.setEnabled(self.bulk_editor is not None and count > 0)
        self.changed.emit(text)

    def show_menu(self, pos: QPoint) -> QMenu:
        """The row menu (Open, Bulk edit…, select all matching) at ``pos`` in the table's
        viewport, without a nested loop (a right-click on an unselected row selects it
        first: Qt's own behaviour)."""
        index = self.table.indexAt(pos)
        self._menu_row = index.row() if index.isValid() else -1
        self.open_action.setEnabled(self.model.is_loaded(self._menu_row))
        self.menu.popup(self.table.viewport().mapToGlobal(pos))
        return self.menu
