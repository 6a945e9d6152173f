"""PagedSearchModel over real HTTP: an answer to a superseded query never shows.

test_paged.py stages this with a fake search; here the first query is held at the sandbox by a
latency fault while the user types a second one, which the sandbox answers at once.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from copper_desktop.api import CopperClient
from copper_desktop.models.paged import Column, PagedSearchModel
from tests.helpers.loop import Run, drain
from tests.helpers.sandbox import SandboxControl

SEARCH = "/people/search"
PAGING = ("page_number", "page_size", "sort_by", "sort_direction")


class SearchSeam:
    """The browser's fetch (client.search → records and total), noting each call's end."""

    def __init__(self, api: CopperClient) -> None:
        self.api = api
        self.started: list[dict[str, Any]] = []
        self.ended: list[str] = []

    async def __call__(self, body: dict[str, Any]) -> tuple[list[dict[str, Any]], int]:
        self.started.append(body)
        outcome = "raised"
        try:
            filters = {k: v for k, v in body.items() if k not in PAGING}
            page = await self.api.search(
                "people",
                filters,
                page_number=body["page_number"],
                page_size=body["page_size"],
                sort_by=body.get("sort_by"),
                sort_direction=body.get("sort_direction"),
            )
            outcome = "answered"
            return page.records, page.total if page.total is not None else len(page.records)
        except asyncio.CancelledError:
            outcome = "cancelled"
            raise
        finally:
            self.ended.append(outcome)

    @property
    def all_ended(self) -> bool:
        return len(self.ended) == len(self.started)


def searches(control: SandboxControl) -> list[dict[str, Any]]:
    return [r for r in control.requests(500) if r["method"] == "POST" and r["path"] == SEARCH]


@pytest.fixture
def model(client: CopperClient, qtbot: QtBot) -> Iterator[tuple[PagedSearchModel, SearchSeam]]:
    seam = SearchSeam(client)
    columns = [
        Column("id", "ID", lambda r: r["id"]),
        Column("name", "Name", lambda r: r["name"], sort_key="name"),
    ]
    made = PagedSearchModel(seam, columns)
    yield made, seam
    task = asyncio.get_running_loop().create_task(made.aclose())
    qtbot.waitUntil(task.done)


def test_a_slow_answer_to_a_superseded_query_never_shows(
    client: CopperClient,
    run: Run,
    control: SandboxControl,
    qtbot: QtBot,
    model: tuple[PagedSearchModel, SearchSeam],
) -> None:
    paged, seam = model
    tag = uuid.uuid4().hex[:10]
    old = [run(client.create("people", {"name": f"Stale{tag} {i}"}))["name"] for i in range(2)]
    new = [run(client.create("people", {"name": f"Fresh{tag} {i}"}))["name"] for i in range(3)]
    control.reset()
    control.add_fault("latency", ms=1500, method="POST", path=f"^{SEARCH}$", count=1)

    paged.set_query({"name": f"Stale{tag}"}, "name")
    qtbot.waitUntil(lambda: bool(searches(control)), timeout=10_000)
    assert searches(control)[0]["status"] is None, "the slow search was answered already"
    paged.set_query({"name": f"Fresh{tag}"}, "name")  # the user typed on
    qtbot.waitUntil(lambda: seam.all_ended and not paged.loading, timeout=15_000)
    drain(qtbot, asyncio.get_running_loop())

    shown = [paged.data(paged.index(row, 1)) for row in range(paged.rowCount())]
    assert not set(shown) & set(old), "the superseded query's answer shows"
    assert shown == new
    assert paged.rowCount() == 3 and paged.server_total == 3
    assert [r["body"]["name"] for r in searches(control)] == [f"Stale{tag}", f"Fresh{tag}"]
    assert seam.ended == ["cancelled", "answered"]  # the stale request was not waited for
    # The held request ends at the server before the next test starts counting requests.
    qtbot.waitUntil(lambda: searches(control)[0]["status"] is not None, timeout=10_000)
