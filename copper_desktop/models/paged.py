"""A table model over a Copper search that loads 200-record pages as rows come into view.

Copper answers a search with one page of records and an `X-PW-TOTAL` header that is only an
upper bound, and never returns more than the first 100,000 records. The model therefore:

- sizes itself from the first page's total (capped), and shrinks when a page comes back short;
- fetches only the pages the view shows (`ensure_rows`, or on demand from `data()`), one request
  per page, at most `max_concurrent` at a time, most recent visible range first;
- keeps at most `max_pages` pages, evicting those farthest from the visible range, so memory
  stays bounded however far the user scrolls;
- drops answers to a superseded query (generation counter) and cancels their tasks.

It talks to the API only through the injected `fetch` callable, so it knows nothing of HTTP.
Do not put a sorting or filtering proxy on top: sorting happens on the server (`sort`), and a
proxy that reads every row would page through the whole result.
"""

from __future__ import annotations

import asyncio
import copy
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from copper_desktop.models.async_support import TaskKeeper
from copper_desktop.models.paged_cache import MISS, CellOverlay, TextCache, checked, read_cell

Record = dict[str, Any]
FetchPage = Callable[[dict[str, Any]], Awaitable[tuple[list[Record], int]]]
"""Sends one search body and returns (records, X-PW-TOTAL)."""

ModelIndex = QModelIndex | QPersistentModelIndex

# Custom roles, so views and delegates read native values through any proxy.
RecordRole: Final = int(Qt.ItemDataRole.UserRole) + 1
"""The whole record dict (None while the row is a placeholder)."""
SortRole: Final = int(Qt.ItemDataRole.UserRole) + 2
"""The column's native value (for comparisons), not its display text."""
IdRole: Final = int(Qt.ItemDataRole.UserRole) + 3
"""The record's id."""
LoadingRole: Final = int(Qt.ItemDataRole.UserRole) + 4
"""True while the row is a placeholder (not loaded, loading, or failed)."""
SortKeyRole: Final = int(Qt.ItemDataRole.UserRole) + 5
"""headerData: the column's server `sort_by` value, None when the column is not sortable."""
StagedRole: Final = int(Qt.ItemDataRole.UserRole) + 6
"""A staged (edited, unsaved) cell's state from the `overlay`; None for other cells."""

COPPER_MAX_PAGE_SIZE: Final = 200
COPPER_SEARCH_CAP: Final = 100_000
PLACEHOLDER: Final = "…"

_ROOT: Final = QModelIndex()
_DISPLAY: Final = int(Qt.ItemDataRole.DisplayRole)
_PAGING_KEYS: Final = frozenset({"page_number", "page_size", "sort_by", "sort_direction"})
_CHANGED_ROLES: Final = [_DISPLAY, RecordRole, SortRole, IdRole, LoadingRole]
_SERVED: Final = frozenset([*_CHANGED_ROLES, Qt.ItemDataRole.EditRole, Qt.ItemDataRole.ToolTipRole,
                            StagedRole])  # fmt: skip
"""Roles `data()` answers; a view asks ~10 per cell per paint, the rest get None at once."""
_FLAGS: Final = (
    Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
)
_EDITABLE: Final = _FLAGS | Qt.ItemFlag.ItemIsEditable


@dataclass(frozen=True, slots=True)
class Column:
    """How one column shows a record; the entity catalog produces these.

    `value` returns what the cell displays (DisplayRole is always text: other values are
    shown through `str()`, None stays empty). `sort_key` is the
    server's `sort_by` value for this column; without one the column cannot be sorted.
    `sort_value` gives SortRole a native value when the display text would compare badly.
    """

    key: str
    header: str
    value: Callable[[Mapping[str, Any]], Any]
    sort_key: str | None = None
    sort_value: Callable[[Mapping[str, Any]], Any] | None = None


@dataclass(frozen=True, slots=True)
class _Query:
    filters: dict[str, Any]
    sort_by: str | None
    sort_direction: str


class PagedSearchModel(QAbstractTableModel):
    """Rows of one Copper search, loaded a page at a time on the qasync loop.

    Signals:
        loading_changed(bool): whether any page request is in flight.
        total_changed(int): the row count changed (capped total, or the end a short page found).
        error(Exception): a page request failed; the rows stay placeholders until `retry()`.
        page_loaded(int): the records of this 0-based page index arrived.
    """

    loading_changed = Signal(bool)
    total_changed = Signal(int)
    error = Signal(Exception)
    page_loaded = Signal(int)

    def __init__(
        self,
        fetch: FetchPage,
        columns: Sequence[Column],
        *,
        page_size: int = COPPER_MAX_PAGE_SIZE,
        max_rows: int = COPPER_SEARCH_CAP,
        max_pages: int = 20,
        max_concurrent: int = 4,
        fetch_on_data: bool = True,
        id_key: str = "id",
        placeholder: str = PLACEHOLDER,
        loop: asyncio.AbstractEventLoop | None = None,
        parent: QObject | None = None,
    ) -> None:
        """`fetch_on_data`: a `data()` call for a placeholder row requests its page, so plain
        views that never call `ensure_rows` still fill in. `loop` defaults to the running loop.
        """
        super().__init__(parent)
        if not 1 <= page_size <= COPPER_MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be 1..{COPPER_MAX_PAGE_SIZE}, not {page_size}")
        if min(max_rows, max_pages, max_concurrent) < 1:
            raise ValueError("max_rows, max_pages and max_concurrent must be at least 1")
        self._fetch = fetch
        self._columns = tuple(columns)
        self._page_size = page_size
        self._max_rows = max_rows
        self._max_pages = max_pages
        self._max_concurrent = max_concurrent
        self._fetch_on_data = fetch_on_data
        self._id_key = id_key
        self._placeholder = placeholder
        self._tasks = TaskKeeper(loop)
        self._failed_columns: set[str] = set()
        self._texts = TextCache(page_size)  # display texts painted, until their page changes

        self._query: _Query | None = None
        self._generation = 0
        self._rows = 0
        self._end: int | None = None  # exact row count learned from a short page
        self._server_total: int | None = None
        self._pages: OrderedDict[int, list[Record]] = OrderedDict()  # LRU: oldest first
        self._stale: set[int] = set()  # shown, but re-fetched when visible (after refresh)
        self._inflight: dict[int, asyncio.Task[None]] = {}
        self._failed: set[int] = set()
        self._wanted: dict[int, None] = {}  # ordered set of pages to request next
        self._focus: tuple[int, int] | None = None  # visible page range
        self._row_of_id: dict[Any, int] = {}
        self._pump_handle: asyncio.Handle | None = None
        self._loading = False
        self._closed = False
        self._sort_column = -1
        self._sort_order = Qt.SortOrder.AscendingOrder
        self.overlay: CellOverlay | None = None  # cells shown over the records' (staged edits)
        self.editable_columns: frozenset[int] = frozenset()  # their cells are editable

    # ----------------------------------------------------------------- public API

    @property
    def columns(self) -> tuple[Column, ...]:
        return self._columns

    @property
    def page_size(self) -> int:
        return self._page_size

    @property
    def loading(self) -> bool:
        """Whether any page request is in flight."""
        return self._loading

    @property
    def server_total(self) -> int | None:
        """The last X-PW-TOTAL seen (an upper bound, uncapped); None before the first answer."""
        return self._server_total

    @property
    def is_capped(self) -> bool:
        """True when the server has more matches than the search cap lets anyone page to."""
        return self._server_total is not None and self._server_total > self._max_rows

    @property
    def sort_column(self) -> int:
        """The column the current query is sorted by, -1 when none matches its sort_by."""
        return self._sort_column

    @property
    def sort_order(self) -> Qt.SortOrder:
        return self._sort_order

    def loaded_pages(self) -> list[int]:
        """0-based indexes of the pages held in memory, least recently used first."""
        return list(self._pages)

    def is_loaded(self, row: int) -> bool:
        """Whether `row` shows a real record rather than a placeholder."""
        return self.record(row) is not None

    def record(self, row: int) -> Record | None:
        """The record at `row`, None when it is not loaded (or out of range)."""
        if not 0 <= row < self._rows:
            return None
        page, offset = divmod(row, self._page_size)
        records = self._pages.get(page)
        if records is None or offset >= len(records):
            return None
        return records[offset]

    def row_of(self, record_id: Any) -> int:
        """The row showing the record with this id, -1 when it is not held."""
        row = self._row_of_id.get(record_id, -1)
        return row if (self.record(row) or {}).get(self._id_key) == record_id else -1

    def is_sortable(self, column: int) -> bool:
        """Whether the server can sort by this column (it has a sort_key)."""
        return 0 <= column < len(self._columns) and self._columns[column].sort_key is not None

    def set_query(
        self,
        filters: Mapping[str, Any] | None = None,
        sort_by: str | None = None,
        sort_direction: str = "asc",
    ) -> None:
        """Start a new search: reset to no rows and request the first page.

        Without `sort_by` the server's default order applies; Copper pages are only stable
        under an explicit sort, so callers should pass one.
        """
        if self._closed:
            raise RuntimeError("PagedSearchModel is closed")
        if sort_direction not in ("asc", "desc"):
            raise ValueError(f"sort_direction must be 'asc' or 'desc', not {sort_direction!r}")
        clash = _PAGING_KEYS.intersection(filters or {})
        if clash:
            raise ValueError(f"filters must not contain paging keys: {sorted(clash)}")
        self._supersede()
        self.beginResetModel()
        self._query = _Query(copy.deepcopy(dict(filters or {})), sort_by, sort_direction)
        self._sort_column = next(
            (i for i, c in enumerate(self._columns) if sort_by and c.sort_key == sort_by), -1
        )
        self._sort_order = (
            Qt.SortOrder.AscendingOrder if sort_direction == "asc" else Qt.SortOrder.DescendingOrder
        )
        had_rows = self._rows != 0
        self._rows, self._end, self._server_total, self._focus = 0, None, None, None
        self._pages.clear()
        self._texts.clear()
        self._stale.clear()
        self._failed.clear()
        self._row_of_id.clear()
        self.endResetModel()
        if had_rows:
            self.total_changed.emit(0)
        self._want([0])
        self._pump()

    def ensure_rows(self, first: int, last: int) -> None:
        """The view shows rows first..last: request their pages, and keep them in memory.

        At most `max_pages` pages from `first` on are taken, so the visible range alone can
        never exceed the memory bound.
        """
        if self._closed or self._query is None or self._rows == 0:
            return
        first, last = max(0, first), min(last, self._rows - 1)
        if first > last:
            return
        lo = first // self._page_size
        hi = min(last // self._page_size, lo + self._max_pages - 1)
        self._focus = (lo, hi)
        for page in range(lo, hi + 1):
            if page in self._pages:
                self._pages.move_to_end(page)
        self._want(range(lo, hi + 1), replace=True)
        self._pump()

    def refresh(self) -> None:
        """Re-run the current query without a reset: visible pages are fetched again (showing
        their old records until then); other held pages are re-fetched when they come into view.
        """
        if self._closed or self._query is None:
            return
        self._supersede()
        self._failed.clear()
        self._end = None
        self._stale = set(self._pages)
        self._want(self._focus_pages())
        self._pump()

    def retry(self) -> None:
        """Request again the pages that failed (the visible ones now, the others when seen)."""
        if self._closed or self._query is None:
            return
        self._failed.clear()
        self._want(self._focus_pages())
        self._pump()

    def update_record(self, record: Mapping[str, Any]) -> bool:
        """Replace the loaded record with the same id (an editor saved it); False if not held.

        The row keeps its place even if the change affects the server's sort order.
        """
        record_id = record.get(self._id_key)
        row = self._row_of_id.get(record_id) if record_id is not None else None
        if row is None or (held := self.record(row)) is None or held.get(self._id_key) != record_id:
            return False
        page, offset = divmod(row, self._page_size)
        self._pages[page][offset] = dict(record)
        self._emit_changed(row, row)
        return True

    def add_columns(self, columns: Sequence[Column]) -> None:
        """Append columns learned after the model was made (custom fields whose definitions
        arrived after the first page): the rows stay as they are."""
        if columns:
            first = len(self._columns)
            self.beginInsertColumns(_ROOT, first, first + len(columns) - 1)
            self._columns = (*self._columns, *columns)
            self._texts.clear()
            self.endInsertColumns()

    def refresh_display(self) -> None:
        """Repaint the rows held: what their cells show changed (names that just arrived)."""
        if self._pages:
            first = min(self._pages) * self._page_size
            self._emit_changed(first, min((max(self._pages) + 1) * self._page_size, self._rows) - 1)

    def close(self) -> None:
        """Cancel every request in flight and stop (the app calls this on shutdown); the
        cancelled tasks end on a later loop turn: await `aclose()` to wait for them."""
        if self._closed:
            return
        self._closed = True
        self._loading = False
        self._generation += 1
        self._inflight.clear()
        self._wanted.clear()
        if self._pump_handle is not None:
            self._pump_handle.cancel()
            self._pump_handle = None
        self._tasks.cancel_all()

    async def aclose(self) -> None:
        """`close()`, then wait until every task has ended."""
        self.close()
        await self._tasks.aclose()

    # ------------------------------------------------------------ Qt model API

    def rowCount(self, parent: ModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else self._rows

    def columnCount(self, parent: ModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._columns)

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return _EDITABLE if index.column() in self.editable_columns else _FLAGS

    def data(self, index: ModelIndex, role: int = _DISPLAY) -> Any:
        if role not in _SERVED or not index.isValid():
            return None
        row, column = index.row(), index.column()
        if not (0 <= row < self._rows and 0 <= column < len(self._columns)):
            return None
        page = row // self._page_size
        record = self.record(row)
        if record is None:
            if role == LoadingRole:
                return True
            if self._fetch_on_data:
                self._request(page)
            return self._placeholder if role == _DISPLAY else None
        self._pages.move_to_end(page)
        col = self._columns[column]
        overlay = self.overlay
        if overlay is not None and (shown := overlay.cell_data(record, col, role)) is not MISS:
            return shown
        if role == _DISPLAY:
            if (text := self._texts.get(row, column)) is MISS:
                text = self._cell(col, col.value, record)
                text = self._texts.put(row, column, None if text is None else str(text))
            return text
        if role == RecordRole:
            return record
        if role == SortRole:
            return self._cell(col, col.sort_value or col.value, record)
        if role == IdRole:
            return record.get(self._id_key)
        if role == LoadingRole:
            return False
        return None

    def _cell(self, col: Column, read: Callable[[Mapping[str, Any]], Any], record: Record) -> Any:
        return read_cell(col.key, read, record, self._failed_columns, self._id_key)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        if orientation == Qt.Orientation.Horizontal:
            if not 0 <= section < len(self._columns):
                return None
            if role == _DISPLAY:
                return self._columns[section].header
            if role == SortKeyRole:
                return self._columns[section].sort_key
            return None
        return super().headerData(section, orientation, role)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Re-query sorted on the server; columns without a sort_key (and calls before any
        query) are ignored."""
        if self._closed or self._query is None or not self.is_sortable(column):
            return
        sort_by = self._columns[column].sort_key
        direction = "asc" if order == Qt.SortOrder.AscendingOrder else "desc"
        if self._query.sort_by == sort_by and self._query.sort_direction == direction:
            return
        self.set_query(self._query.filters, sort_by, direction)

    def canFetchMore(self, parent: ModelIndex) -> bool:
        """True while the bottom page (or, before the first answer, page 0) still needs a
        request: plain views ask this when their last row is visible."""
        if parent.isValid() or self._closed or self._query is None:
            return False
        return self._needs_fetch(self._bottom_page())

    def fetchMore(self, parent: ModelIndex) -> None:
        # qtmodeltester calls this without asking canFetchMore first.
        if self.canFetchMore(parent):
            self._request(self._bottom_page())

    # ---------------------------------------------------------------- internals

    def _bottom_page(self) -> int:
        return 0 if self._rows == 0 else (self._rows - 1) // self._page_size

    def _focus_pages(self) -> range:
        if self._rows == 0:
            return range(0, 1)
        lo, hi = self._focus or (0, 0)
        hi = min(hi, self._bottom_page())
        return range(min(lo, hi), hi + 1)

    def _page_exists(self, page: int) -> bool:
        if page < 0:
            return False
        if page * self._page_size < self._rows:
            return True
        # before the first answer nothing is known: page 0 is how we learn the total
        return page == 0 and self._rows == 0 and self._end is None

    def _needs_fetch(self, page: int) -> bool:
        return (
            self._query is not None
            and not self._closed
            and self._page_exists(page)
            and (page not in self._pages or page in self._stale)
            and page not in self._inflight
            and page not in self._failed
        )

    def _want(self, pages: Iterable[int], *, replace: bool = False) -> None:
        if replace:
            self._wanted.clear()
        for page in pages:
            if self._needs_fetch(page):
                self._wanted.pop(page, None)
                self._wanted[page] = None
        while len(self._wanted) > self._max_pages:  # the oldest wishes are the least visible
            del self._wanted[next(iter(self._wanted))]

    def _request(self, page: int) -> None:
        """Ask for one page outside `ensure_rows` (data() or fetchMore): it becomes the focus
        unless it extends the current one, and the pump runs on the next loop turn because
        Qt may be painting."""
        if not self._needs_fetch(page) or page in self._wanted:
            return
        lo, hi = self._focus or (page, page)
        if lo - 1 <= page <= hi + 1 and max(hi, page) - min(lo, page) < self._max_pages:
            self._focus = (min(lo, page), max(hi, page))
        else:
            self._focus = (page, page)
        self._want([page])
        self._schedule_pump()

    def _schedule_pump(self) -> None:
        if self._pump_handle is not None or self._closed:
            return
        try:
            self._pump_handle = self._tasks.loop.call_soon(self._pump)
        except RuntimeError:  # no loop yet: the next ensure_rows/set_query pumps anyway
            return

    def _pump(self) -> None:
        """Start requests for wanted pages while fewer than max_concurrent are in flight."""
        self._pump_handle = None
        if self._closed:
            return
        while self._wanted and len(self._inflight) < self._max_concurrent:
            page = next(iter(self._wanted))
            del self._wanted[page]
            if not self._needs_fetch(page):
                continue
            self._inflight[page] = self._tasks.spawn(
                self._load(page, self._generation), name=f"PagedSearchModel page {page}"
            )
        self._update_loading()

    def _supersede(self) -> None:
        """Invalidate everything in flight: later answers are dropped, their tasks cancelled."""
        self._generation += 1
        for task in self._inflight.values():
            task.cancel()
        self._inflight.clear()
        self._wanted.clear()

    def _body(self, page: int) -> dict[str, Any]:
        assert self._query is not None
        body = copy.deepcopy(self._query.filters)
        body["page_number"] = page + 1
        body["page_size"] = self._page_size
        if self._query.sort_by:
            body["sort_by"] = self._query.sort_by
            body["sort_direction"] = self._query.sort_direction
        return body

    async def _load(self, page: int, generation: int) -> None:
        task = asyncio.current_task()
        try:
            records, total = checked(await self._fetch(self._body(page)))
            await asyncio.sleep(0)  # rows change (and repaint) a turn after the JSON decode
        except asyncio.CancelledError:
            if self._release(page, task, generation):  # cancelled from outside the model
                self._update_loading()
            raise
        except Exception as exc:
            if self._release(page, task, generation):
                self._failed.add(page)
                self.error.emit(exc)
                self._pump()
            return
        if self._release(page, task, generation):
            self._receive(page, records, total)
            self._pump()

    def _release(self, page: int, task: asyncio.Task[Any] | None, generation: int) -> bool:
        """Forget the in-flight entry; True when the answer still belongs to the live query."""
        if self._closed or generation != self._generation:
            return False
        if self._inflight.get(page) is not task:
            return False
        del self._inflight[page]
        return True

    def _update_loading(self) -> None:
        loading = bool(self._inflight)
        if loading != self._loading and not self._closed:
            self._loading = loading
            self.loading_changed.emit(loading)

    def _receive(self, page: int, records: list[Record], total: int) -> None:
        self._server_total = total
        start = page * self._page_size
        records = records[: self._page_size]
        new_rows = self._rows_after(page, len(records), total)
        keep = records[: max(0, new_rows - start)]
        self._stale.discard(page)
        if keep:
            self._store(page, keep)
        else:
            self._drop(page, notify=False)
        generation = self._generation
        self._resize(new_rows)
        if self._generation != generation:  # a slot of total_changed started a new query
            return
        if keep:
            self._emit_changed(start, start + len(keep) - 1)
            self._evict(protect=page)
        if self._generation == generation:
            self.page_loaded.emit(page)

    def _rows_after(self, page: int, count: int, total: int) -> int:
        """The row count once page `page` returned `count` records and X-PW-TOTAL `total`.

        The total is an upper bound, so a short page marks the real end; the end is
        remembered so that a later full page with the old total does not grow the rows back.
        """
        start = page * self._page_size
        if count < self._page_size:
            if count > 0 or page == 0:
                self._end = start + count
                rows = self._end
            else:  # empty page: nothing at or past `start`, the rows before are unknown
                self._end = start if self._end is None else min(self._end, start)
                rows = min(self._rows, start)
        else:
            if self._end is not None and start + count > self._end:
                self._end = None  # records were added since the short page
            rows = max(min(total, self._max_rows), start + count)
            if self._end is not None:
                rows = min(rows, self._end)
        return min(rows, self._max_rows)

    def _resize(self, rows: int) -> None:
        old = self._rows
        if rows == old:
            return
        if rows > old:
            self.beginInsertRows(_ROOT, old, rows - 1)
            self._rows = rows
            self.endInsertRows()
        else:
            self.beginRemoveRows(_ROOT, rows, old - 1)
            self._rows = rows
            self._truncate(rows)
            self.endRemoveRows()
        self.total_changed.emit(rows)

    def _truncate(self, rows: int) -> None:
        """Forget everything at or past `rows` (no signals: the rows are being removed)."""
        for page in list(self._pages):
            start = page * self._page_size
            if start >= rows:
                self._drop(page, notify=False)
            elif start + len(self._pages[page]) > rows:
                self._store(page, self._pages[page][: rows - start])
        last = (rows - 1) // self._page_size if rows else -1
        self._failed = {p for p in self._failed if p <= last}
        self._stale = {p for p in self._stale if p <= last}
        for page in [p for p in self._wanted if p > last]:
            del self._wanted[page]

    def _store(self, page: int, records: list[Record]) -> None:
        self._unindex(page)
        self._texts.forget_page(page)
        self._pages[page] = records
        self._pages.move_to_end(page)
        start = page * self._page_size
        for offset, record in enumerate(records):
            record_id = record.get(self._id_key)
            if record_id is not None:
                self._row_of_id[record_id] = start + offset

    def _unindex(self, page: int) -> None:
        start = page * self._page_size
        for offset, record in enumerate(self._pages.get(page, ())):
            record_id = record.get(self._id_key)
            if record_id is not None and self._row_of_id.get(record_id) == start + offset:
                del self._row_of_id[record_id]

    def _drop(self, page: int, *, notify: bool) -> None:
        if page not in self._pages:
            return
        self._unindex(page)
        records = self._pages.pop(page)
        self._texts.forget_page(page)
        self._stale.discard(page)
        if notify and records:
            start = page * self._page_size
            self._emit_changed(start, min(start + len(records), self._rows) - 1)

    def _evict(self, *, protect: int) -> None:
        """Drop pages beyond max_pages: farthest from the visible range first, then least
        recently used. Visible pages and the page just stored are never dropped."""
        lo, hi = self._focus or (0, 0)
        while len(self._pages) > self._max_pages:
            candidates = [  # (distance from the visible range, -age, page); oldest first
                (lo - page if page < lo else page - hi, -age, page)
                for age, page in enumerate(self._pages)
                if page != protect and not lo <= page <= hi
            ]
            if not candidates:
                return
            self._drop(max(candidates)[2], notify=True)

    def _emit_changed(self, first: int, last: int) -> None:
        self._texts.forget(first, last)
        if first > last or not self._columns:
            return
        last_column = len(self._columns) - 1
        self.dataChanged.emit(self.index(first, 0), self.index(last, last_column), _CHANGED_ROLES)
