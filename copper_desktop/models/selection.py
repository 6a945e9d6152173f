"""What a browser's selection is in record ids: the rows picked, or every record matching the
filters (past Copper's 100,000 search cap too).

The bulk edit asks for the ids only when the user previews (an `IdSource` provider), so
selecting stays instant however many rows it covers:

- picked rows: the ids of rows already loaded are known; the pages of the others are fetched
  with the table's own query (filters and sort), page by page;
- "all N matching": the client's `iter_search` walk, which splits a search matching more than
  the cap into created-date windows (``api/search.py``). Copper has no way to ask for ids
  alone, so each page's records are dropped as they come and only their ids are kept.

QtCore-free: plain async functions the browser hands to the bulk edit dialog.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Final, Protocol

from copper_desktop.api.search import SearchWalk
from copper_desktop.models.paged import FetchPage, Record

__all__ = [
    "REPORT_EVERY",
    "Progress",
    "WalkClient",
    "count_rows",
    "matching_ids",
    "merge_ranges",
    "pages_of",
    "row_ids",
]

Json = dict[str, Any]
Progress = Callable[[int, int | None], None]
"""Called with (ids found so far, how many are expected; None when unknown)."""
REPORT_EVERY: Final = 200
"""Progress is reported once a page (Copper's largest page is 200 records)."""


class WalkClient(Protocol):
    """The part of `CopperClient` that finds every matching record: only what
    `matching_ids` asks of it (the walk's own sort and page size suit it)."""

    def iter_search(self, entity: str, filters: Json | None = None) -> SearchWalk: ...


def merge_ranges(ranges: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Inclusive row ranges sorted and merged, so overlapping or touching ones count once."""
    merged: list[tuple[int, int]] = []
    for top, bottom in sorted(r for r in ranges if r[0] <= r[1]):
        if merged and top <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], bottom))
        else:
            merged.append((top, bottom))
    return merged


def count_rows(ranges: Iterable[tuple[int, int]]) -> int:
    """Rows in merged inclusive ranges."""
    return sum(bottom - top + 1 for top, bottom in ranges)


def pages_of(ranges: Iterable[tuple[int, int]], page_size: int) -> list[int]:
    """The 0-based pages the ranges touch, in order."""
    pages: dict[int, None] = {}
    for top, bottom in ranges:
        pages.update(dict.fromkeys(range(top // page_size, bottom // page_size + 1)))
    return sorted(pages)


def _id(record: Mapping[str, Any] | None) -> int | None:
    rid = record.get("id") if record is not None else None
    return rid if isinstance(rid, int) and not isinstance(rid, bool) else None


async def row_ids(
    fetch: FetchPage,
    query: Mapping[str, Any],
    page_size: int,
    ranges: Sequence[tuple[int, int]],
    held: Mapping[int, Sequence[Record]],
    progress: Progress | None = None,
) -> list[int]:
    """The ids of the rows in ``ranges`` (merged, inclusive), in row order: from ``held``
    (page → the records the table had loaded when the user asked) or else from that page
    fetched again with ``query`` (the table's filters, ``sort_by`` and ``sort_direction``).
    Rows a shorter answer no longer has are left out."""
    expected = count_rows(ranges)
    ids: list[int] = []
    pages: dict[int, Sequence[Record]] = dict(held)
    for top, bottom in ranges:
        for row in range(top, bottom + 1):
            page, offset = divmod(row, page_size)
            if page not in pages:
                body = {**query, "page_number": page + 1, "page_size": page_size}
                pages[page], _total = await fetch(body)
                if progress is not None:
                    progress(len(ids), expected)
            records = pages[page]
            rid = _id(records[offset]) if offset < len(records) else None
            if rid is not None:
                ids.append(rid)
    return ids


async def matching_ids(
    client: WalkClient,
    entity: str,
    filters: Mapping[str, Any],
    progress: Progress | None = None,
) -> list[int]:
    """Every id matching ``filters``, walked page by page (split by created-date windows
    past the cap); only ids are kept."""
    walk = client.iter_search(entity, dict(filters))
    ids: list[int] = []
    async for record in walk:
        rid = _id(record)
        if rid is None:
            continue
        ids.append(rid)
        if progress is not None and len(ids) % REPORT_EVERY == 0:
            progress(len(ids), walk.total)
    if progress is not None:
        progress(len(ids), len(ids))
    return ids
