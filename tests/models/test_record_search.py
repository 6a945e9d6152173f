"""The searches behind the browser and the pickers (models/record_search.py), and the connection
check's text (models/connection_check.py), on fakes at the client seam."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from copper_desktop.models.connection_check import signed_in_text
from copper_desktop.models.record_search import filters_of, find_records, page_fetcher


@dataclass
class Page:
    records: list[Any]
    total: int | None
    page_number: int = 1
    page_size: int = 200


@dataclass
class FakeSearch:
    """Answers every search with `page` and records what was asked."""

    page: Page
    calls: list[tuple[str, dict[str, Any], dict[str, Any]]] = field(default_factory=list)

    async def search(self, entity: str, filters: dict[str, Any] | None = None, **kw: Any) -> Page:
        self.calls.append((entity, dict(filters or {}), kw))
        return self.page


Run = Callable[[Coroutine[Any, Any, Any]], Any]


@pytest.fixture
def run(qtbot: QtBot, running_loop: asyncio.AbstractEventLoop) -> Run:
    """Await a coroutine on the qasync loop from a sync test; return its result."""

    def run_coro(coro: Coroutine[Any, Any, Any]) -> Any:
        task = running_loop.create_task(coro)
        qtbot.waitUntil(task.done)
        return task.result()

    return run_coro


BODY = {"name": "Ac", "page_number": 3, "page_size": 50, "sort_by": "name", "sort_direction": "asc"}


def test_filters_leave_paging_and_sorting_out() -> None:
    assert filters_of(BODY) == {"name": "Ac"}


def test_a_page_is_fetched_with_its_paging_and_total(run: Run) -> None:
    client = FakeSearch(Page([{"id": 1}], total=120, page_number=3, page_size=50))
    records, total = run(page_fetcher(client, "people")(dict(BODY)))
    assert (records, total) == ([{"id": 1}], 120)
    assert client.calls == [
        (
            "people",
            {"name": "Ac"},
            {"page_number": 3, "page_size": 50, "sort_by": "name", "sort_direction": "asc"},
        )
    ]


def test_without_a_total_the_rows_end_at_this_page(run: Run) -> None:
    client = FakeSearch(Page([{"id": 1}, {"id": 2}], total=None, page_number=3, page_size=50))
    _, total = run(page_fetcher(client, "people")(dict(BODY)))
    assert total == 2 * 50 + 2


def test_find_records_keeps_records_only(run: Run) -> None:
    client = FakeSearch(Page([{"id": 1, "name": "Acme"}, "junk", None], total=None))
    assert run(find_records(client, "companies", {"name": "Ac"})) == [{"id": 1, "name": "Acme"}]
    assert client.calls == [("companies", {"name": "Ac"}, {"page_size": 20, "sort_by": "name"})]


@pytest.mark.parametrize(
    ("account", "me", "expected"),
    [
        ({"id": 1, "name": "Acme"}, {"name": "Ada Admin"}, "Acme — signed in as Ada Admin"),
        ({"id": 7}, {"email": "ada@acme.test"}, "Account 7 — signed in as ada@acme.test"),
        ({}, {}, "Account ? — signed in as typed@acme.test"),
    ],
)
def test_the_signed_in_line_names_account_and_user(
    account: dict[str, Any], me: dict[str, Any], expected: str
) -> None:
    assert signed_in_text(account, me, "typed@acme.test") == expected
