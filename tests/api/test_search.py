"""Paging, totals and the cap split, against the sandbox; the walk's edge cases in isolation."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from copper_desktop.api import CopperClient, SearchPage, SearchWalk
from tests.helpers.sandbox import SandboxControl

pytestmark = pytest.mark.anyio

MakeClient = Callable[..., CopperClient]


async def test_page_and_total(make_client: MakeClient) -> None:
    async with make_client() as c:
        page = await c.search("people", page_size=7, sort_by="date_created")
        assert len(page.records) == 7 and page.total is not None and page.total >= 300
        assert not page.is_last


async def test_walk_reaches_every_record_once_with_a_sort(
    make_client: MakeClient, control: SandboxControl
) -> None:
    async with make_client() as c:
        total = (await c.search("people", page_size=1)).total
        walk = c.iter_search("people", page_size=50)
        ids = [r["id"] async for r in walk]
    assert len(ids) == len(set(ids)) == total and not walk.split
    bodies = [r["body"] for r in control.requests(1000) if r["path"] == "/people/search"]
    assert all(b.get("sort_by") == "date_created" for b in bodies[1:])


@pytest.mark.parametrize("entity", ["people", "activities"])
async def test_cap_is_split_into_date_windows(
    make_client: MakeClient, control: SandboxControl, entity: str
) -> None:
    async with make_client() as c:
        records = [r async for r in c.iter_search(entity)]
        everything = [r["id"] for r in records]
        # Other tests may have created many records in one second: the cap must exceed the
        # largest one-second cluster, or part of it is unreachable (and the walk says so).
        stamp = "activity_date" if entity == "activities" else "date_created"
        seconds = Counter(r.get(stamp) for r in records)
        cap = max(60, seconds.most_common(1)[0][1] + 10)
        control.settings(search_cap=cap)
        # Copper would stop at the cap: the sandbox does too.
        capped = await c.search(entity, page_number=cap // 50 + 1, page_size=50)
        assert len(capped.records) == cap % 50
        split_client = make_client(search_cap=cap)
        async with split_client:
            walk = split_client.iter_search(entity, page_size=50)
            ids = [r["id"] async for r in walk]
    assert walk.split and walk.windows > 1 and not walk.incomplete
    assert sorted(ids) == sorted(everything) and len(everything) > cap


def _fake(records: list[dict[str, Any]], total: int | None, cap: int) -> Any:
    """A stand-in for one Copper search (no HTTP): filters by created date, honours the cap."""

    async def fetch(filters: dict[str, Any], number: int, size: int) -> SearchPage:
        lo = filters.get("minimum_created_date", 0)
        hi = filters.get("maximum_created_date", 2**31)
        match = [r for r in records if lo <= r["date_created"] <= hi]
        reachable = match[:cap]
        page = reachable[(number - 1) * size : number * size]
        shown = total if total is not None and "minimum_created_date" not in filters else None
        return SearchPage(page, shown, number, size)

    return fetch


async def test_overstated_total_ends_on_a_short_page() -> None:
    records = [{"id": i, "date_created": 1000 + i} for i in range(1, 26)]
    walk = SearchWalk("people", {}, _fake(records, total=90, cap=1000), page_size=10)
    assert [r["id"] for r in await walk.collect()] == list(range(1, 26))


async def test_cap_reached_without_total_still_splits() -> None:
    records = [{"id": i, "date_created": 1000 + i} for i in range(1, 56)]
    walk = SearchWalk("people", {}, _fake(records, total=None, cap=20), cap=20, page_size=10)
    ids = [r["id"] for r in await walk.collect()]
    assert walk.split and sorted(ids) == list(range(1, 56)) and len(ids) == 55


async def test_a_cap_the_page_size_does_not_divide_is_still_seen() -> None:
    """The page that reaches the cap comes back short: it is a cap, not the end."""
    records = [{"id": i, "date_created": 1000} for i in range(1, 56)]
    walk = SearchWalk("people", {}, _fake(records, total=None, cap=20), cap=20, page_size=15)
    ids = [r["id"] for r in await walk.collect()]
    assert walk.incomplete and len(ids) == 20


async def test_exactly_the_cap_is_not_walked_twice() -> None:
    """100,000 matches reach the cap, yet all were seen: two one-record searches of the two
    halves of the date range tell so, instead of every window walked again."""
    records = [{"id": i, "date_created": 1000 + i} for i in range(1, 21)]
    calls: list[tuple[dict[str, Any], int, int]] = []

    async def fetch(filters: dict[str, Any], number: int, size: int) -> SearchPage:
        calls.append((filters, number, size))
        lo = filters.get("minimum_created_date", 0)
        hi = filters.get("maximum_created_date", 2**31)
        match = [r for r in records if lo <= r["date_created"] <= hi][:20]
        return SearchPage(match[(number - 1) * size : number * size], len(match), number, size)

    walk = SearchWalk("people", {}, fetch, cap=20, page_size=10)
    ids = [r["id"] for r in await walk.collect()]
    assert sorted(ids) == list(range(1, 21)) and not walk.split and not walk.incomplete
    assert len(calls) == 4 and [size for _f, _n, size in calls[2:]] == [1, 1]


async def test_one_past_the_cap_is_still_split() -> None:
    records = [{"id": i, "date_created": 1000 + i} for i in range(1, 22)]
    walk = SearchWalk("people", {}, _fake(records, total=None, cap=20), cap=20, page_size=10)
    ids = [r["id"] for r in await walk.collect()]
    assert walk.split and sorted(ids) == list(range(1, 22))
