"""Cell values of `PagedSearchModel`: read without ever raising, display texts kept, cells an
overlay shows instead (a grid's staged edits), and pages checked as they arrive.

Formatting a cell (names looked up, dates and money formatted) is most of what a table repaint
costs, and a view repaints cells that did not change: the whole visible area when a page
arrives, when one is evicted, when names resolve. `PagedSearchModel` keeps each text it
computed here and forgets a page's texts whenever anything its cells show may have changed
(its records stored, replaced or dropped, names or columns arriving, a new query).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final, Protocol

if TYPE_CHECKING:
    from copper_desktop.models.paged import Column

__all__ = ["MISS", "CellOverlay", "TextCache", "checked", "read_cell"]

log = logging.getLogger("copper_desktop.models.paged")

MISS: Final[Any] = object()
"""What `TextCache.get` returns for a cell it does not hold (None is a valid text)."""


class CellOverlay(Protocol):
    """Cells shown over the records' own (``PagedSearchModel.overlay``)."""

    def cell_data(self, record: Mapping[str, Any], column: Column, role: int) -> Any:
        """What the cell of `column` on `record` shows for `role`; `MISS` for the record's own."""
        ...


def checked(answer: Any) -> tuple[list[dict[str, Any]], int]:
    """Validate what `fetch` returned, so a broken answer becomes an error signal, not a
    half-updated model."""
    if not (isinstance(answer, tuple) and len(answer) == 2):
        raise TypeError(f"fetch must return (records, total), got {type(answer).__name__}")
    records, total = answer
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise TypeError("fetch must return a list of record dicts")
    if isinstance(total, bool) or not isinstance(total, int) or total < 0:
        raise TypeError(f"fetch must return a non-negative int total, got {total!r}")
    return records, total


def read_cell(
    key: str,
    read: Callable[[Mapping[str, Any]], Any],
    record: Mapping[str, Any],
    failed: set[str],
    id_key: str,
) -> Any:
    """A cell's value; None when column `key` fails on this record. Last resort only (the
    formatters accept any JSON value): one log line per column (`failed` remembers which), not
    a crash per repaint."""
    try:
        return read(record)
    except Exception:
        if key not in failed:
            failed.add(key)
            log.exception("Column %r cannot show record %r", key, record.get(id_key))
        return None


class TextCache:
    """Cell texts by page: ``{page: {(row, column): text}}``, so a page is forgotten at once."""

    __slots__ = ("_page_size", "_pages")

    def __init__(self, page_size: int) -> None:
        self._page_size = page_size
        self._pages: dict[int, dict[tuple[int, int], str | None]] = {}

    def __len__(self) -> int:
        return sum(len(texts) for texts in self._pages.values())

    def get(self, row: int, column: int) -> Any:
        """The text held for the cell, or `MISS`."""
        texts = self._pages.get(row // self._page_size)
        return MISS if texts is None else texts.get((row, column), MISS)

    def put(self, row: int, column: int, text: str | None) -> str | None:
        """Keep `text` for the cell and return it."""
        page = row // self._page_size
        texts = self._pages.get(page)
        if texts is None:
            texts = self._pages[page] = {}
        texts[(row, column)] = text
        return text

    def forget(self, first: int, last: int) -> None:
        """Forget the pages holding rows first..last (their cells may show something else)."""
        lo, hi = first // self._page_size, last // self._page_size
        for page in [page for page in self._pages if lo <= page <= hi]:
            del self._pages[page]

    def forget_page(self, page: int) -> None:
        self._pages.pop(page, None)

    def clear(self) -> None:
        self._pages.clear()
