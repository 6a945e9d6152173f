"""Searching records: the requests behind the entity browser's table and the record pickers,
so that no widget calls the client itself.

`page_fetcher` is what a `PagedSearchModel` fetches pages with (a search body in, the page's
records and X-PW-TOTAL out); `find_records` is one short search for a picker's results list.
Both go through the client's ``search`` (the `SearchClient` seam; a fake will do in tests).
`fetch_record` reads one record known only by its id (a related item the window opens).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, Protocol

from copper_desktop.models.lookups import SearchClient
from copper_desktop.models.paged import FetchPage, Record

PAGING: Final = ("page_number", "page_size", "sort_by", "sort_direction")
"""The keys of a search body that page and sort; the rest are filters."""

PICK_PAGE_SIZE: Final = 20
"""A picker shows this many matches: enough to choose from, small enough to be quick."""


class RecordGetter(Protocol):
    """What `fetch_record` needs (``CopperClient`` has it)."""

    async def get(self, entity: str, record_id: int, *, computed: bool = False) -> Record: ...


def filters_of(body: Mapping[str, Any]) -> dict[str, Any]:
    """The filter keys of a search body (paging and sorting left out)."""
    return {key: value for key, value in body.items() if key not in PAGING}


def page_fetcher(client: SearchClient, entity: str) -> FetchPage:
    """Fetches one page of `entity` (its API path, e.g. "people") for a `PagedSearchModel`.

    Without an X-PW-TOTAL the total counts the rows up to this page, so the view ends there.
    Errors propagate: the paged model reports them (and retries the page on request)."""

    async def fetch(body: dict[str, Any]) -> tuple[list[Record], int]:
        page = await client.search(
            entity,
            filters_of(body),
            page_number=int(body["page_number"]),
            page_size=int(body["page_size"]),
            sort_by=body.get("sort_by"),
            sort_direction=body.get("sort_direction"),
        )
        total = page.total
        if total is None:
            total = (page.page_number - 1) * page.page_size + len(page.records)
        return page.records, total

    return fetch


async def find_records(
    client: SearchClient,
    entity: str,
    filters: Mapping[str, Any],
    *,
    page_size: int = PICK_PAGE_SIZE,
) -> list[Mapping[str, Any]]:
    """The first `page_size` records of `entity` matching `filters`, by name."""
    page: Any = await client.search(entity, dict(filters), page_size=page_size, sort_by="name")
    return [r for r in getattr(page, "records", page) if isinstance(r, Mapping)]


async def fetch_record(client: RecordGetter, entity: str, record_id: int) -> Record:
    """The record `record_id` of `entity` (its API path), as Copper returns it."""
    return await client.get(entity, record_id)
