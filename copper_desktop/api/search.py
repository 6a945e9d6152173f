"""Search pages and the walk over every page, split by date windows past Copper's cap.

Copper returns at most the first 100,000 matches of a search whatever the paging
(copper-behaviour.md §3.1). A walk that may match more is split into created-date windows
(``activity_date`` for activities), bisected until each window fits under the cap, so every
record is reached; the walk says so (``split``), because records then come window by window
(oldest window first), each window in the requested order.

The end of a result is a short page, never ``X-PW-TOTAL``, which is only an upper bound.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

__all__ = [
    "MAX_DATE",
    "SearchClient",
    "SearchPage",
    "SearchWalk",
    "default_sort",
    "window_field",
]

MAX_DATE = 2**31 - 1
"""Copper caps date filters at 2^31; stay just under it."""
MAX_PAGE_SIZE = 200

Json = dict[str, Any]


@dataclass(frozen=True, slots=True)
class SearchPage:
    """One page of a search and Copper's total (an upper bound; None when absent)."""

    records: list[Json]
    total: int | None
    page_number: int
    page_size: int

    @property
    def is_last(self) -> bool:
        """A short page ends the result (the total may overstate it)."""
        return len(self.records) < self.page_size


class SearchClient(Protocol):
    """The search part of `CopperClient`: the one seam that name resolving, record pickers
    and the jobs' checks use (a fake at this seam is enough for their tests)."""

    async def search(
        self,
        entity: str,
        filters: Json | None = None,
        *,
        page_number: int = 1,
        page_size: int = 200,
        sort_by: str | None = None,
        sort_direction: str | None = None,
        computed: bool = False,
    ) -> SearchPage: ...


FetchPage = Callable[[Json, int, int], Awaitable[SearchPage]]


def window_field(entity: str) -> str | None:
    """The date filter a search is split on, or None when it cannot be split."""
    if entity == "activities":
        return "activity_date"
    if entity in ("people", "companies", "leads", "opportunities", "projects", "tasks"):
        return "created_date"
    return None


def default_sort(entity: str) -> tuple[str, str] | None:
    """A sort every entity accepts and that pages stably (the server breaks ties by id)."""
    if entity == "activities":
        return ("activity_date", "asc")
    if entity == "users":
        return None
    return ("date_created", "asc")


@dataclass
class SearchWalk:
    """Async iterator over every matching record; look at ``split``/``incomplete`` after.

    ``cap`` must match the server's (100,000 on Copper). Records are deduplicated by id.
    """

    entity: str
    filters: Json
    fetch: FetchPage
    cap: int = 100_000
    page_size: int = MAX_PAGE_SIZE
    split: bool = False
    """The search matched more than the cap and was walked in date windows."""
    incomplete: bool = False
    """Some one-second window alone matched more than the cap: its excess was unreachable."""
    total: int | None = None
    """``X-PW-TOTAL`` of the first page (an upper bound)."""
    windows: int = 0
    _seen: set[int] = field(default_factory=set)

    def __aiter__(self) -> AsyncIterator[Json]:
        return self._walk()

    async def collect(self) -> list[Json]:
        return [r async for r in self]

    def _new(self, records: list[Json]) -> list[Json]:
        out = []
        for r in records:
            rid = r.get("id") if isinstance(r, dict) else None
            if isinstance(rid, int):
                if rid in self._seen:
                    continue
                self._seen.add(rid)
            out.append(r)
        return out

    async def _walk(self) -> AsyncIterator[Json]:
        first = await self.fetch(self.filters, 1, self.page_size)
        self.total = first.total
        key = window_field(self.entity)
        if key is not None and first.total is not None and first.total > self.cap:
            self.split = True
            async for r in self._windows(key):
                yield r
            return
        hit_cap = False
        stamps: list[int] = []
        async for r in self._pages(self.filters, first):
            if r is _CAPPED:
                hit_cap = True
                continue
            if key is not None and isinstance(stamp := r.get(_RECORD_KEY.get(key, key)), int):
                stamps.append(stamp)
            yield r
        if hit_cap and key is not None and await self._all_seen(key, stamps):
            return
        if hit_cap and key is not None:
            # No (or a wrong) total, yet the cap was reached: walk the windows, skipping
            # what was already yielded.
            self.split = True
            async for r in self._windows(key):
                yield r
        elif hit_cap:
            self.incomplete = True

    async def _pages(self, filters: Json, page: SearchPage) -> AsyncIterator[Json]:
        """Yield a filter's records from its first page on; a final ``_CAPPED`` marks a cap."""
        number = page.page_number
        while True:
            for r in self._new(page.records):
                yield r
            # Checked before the short page: where the page size does not divide the cap, the
            # page that reaches the cap comes back short, which would look like the end.
            if (number - 1) * self.page_size + len(page.records) >= self.cap:
                yield _CAPPED
                return
            if page.is_last:
                return
            number += 1
            page = await self.fetch(filters, number, self.page_size)

    async def _all_seen(self, key: str, stamps: list[int]) -> bool:
        """Whether a walk that stopped at the cap has seen every match anyway (exactly the
        cap matched: 100,000 people). Two one-record searches, split at the median date
        seen, answer it: their totals are upper bounds, so if they add up to no more than
        was seen, nothing is left, and re-walking every window (500 pages) is spared."""
        if not stamps:
            return False
        lo_key, hi_key = f"minimum_{key}", f"maximum_{key}"
        lo = int(self.filters.get(lo_key) or 0)
        hi = int(min(int(self.filters.get(hi_key) or MAX_DATE), MAX_DATE))
        mid = min(max(sorted(stamps)[len(stamps) // 2], lo), hi - 1)
        halves = [{**self.filters, lo_key: lo, hi_key: mid},
                  {**self.filters, lo_key: mid + 1, hi_key: hi}]  # fmt: skip
        total = 0
        for filters in halves:
            page = await self.fetch(filters, 1, 1)
            if page.total is None or page.total >= self.cap:
                return False
            total += page.total
        return total <= len(self._seen)

    async def _windows(self, key: str) -> AsyncIterator[Json]:
        lo_key, hi_key = f"minimum_{key}", f"maximum_{key}"
        lo = int(self.filters.get(lo_key) or 0)
        hi = int(min(int(self.filters.get(hi_key) or MAX_DATE), MAX_DATE))
        stack = [(lo, hi)]
        while stack:
            lo, hi = stack.pop()
            if lo > hi:
                continue
            filters = {**self.filters, lo_key: lo, hi_key: hi}
            first = await self.fetch(filters, 1, self.page_size)
            self.windows += 1
            if first.total is not None and first.total > self.cap and lo < hi:
                mid = (lo + hi) // 2
                stack.append((mid + 1, hi))
                stack.append((lo, mid))  # popped first: oldest window first
                continue
            capped = False
            async for r in self._pages(filters, first):
                if r is _CAPPED:
                    capped = True
                    continue
                yield r
            if capped and lo < hi:
                # The total understated the window: split it anyway (dedup skips repeats).
                mid = (lo + hi) // 2
                stack.append((mid + 1, hi))
                stack.append((lo, mid))
            elif capped:
                self.incomplete = True


_CAPPED: Json = {"__capped__": True}
_RECORD_KEY = {"created_date": "date_created"}
"""A window filter's field in the records, where the names differ."""
