"""A browser's selection as the bulk edit receives it, against the live sandbox: rows the table
does not hold are fetched with its own query when the ids are asked for, and "all matching"
walks every match, split by created-date windows past Copper's search cap."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from copper_desktop.domain.catalog import entity
from copper_desktop.session import Session
from copper_desktop.ui.browse.browser import EntityBrowser

Json = dict[str, Any]
Run = Callable[..., Any]
Make = Callable[..., EntityBrowser]


@pytest.fixture
def make_browser(qtbot: QtBot, run: Run) -> Iterator[Make]:
    """``make_browser(session, page_size)``: a shown people browser; closed after the test."""
    made: list[EntityBrowser] = []

    def make(session: Session, page_size: int = 200) -> EntityBrowser:
        browser = EntityBrowser(session, entity("people"), page_size=page_size)
        browser.resize(900, 400)
        browser.show()
        qtbot.waitExposed(browser)
        made.append(browser)
        return browser

    yield make
    for browser in made:
        run(browser.aclose())
        browser.close()
        browser.deleteLater()


def show(qtbot: QtBot, browser: EntityBrowser, filters: Json, count: int) -> None:
    browser.set_filters(filters)
    qtbot.waitUntil(lambda: browser.model.rowCount() == count and browser.model.is_loaded(0))
    qtbot.waitUntil(lambda: not browser.model.loading)


def select_all(browser: EntityBrowser) -> None:
    browser.table.setFocus()
    QTest.keyClick(browser.table, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)


def test_rows_not_loaded_are_fetched_with_the_tables_query_when_the_ids_are_asked_for(
    qtbot: QtBot, make_browser: Make, session: Session, run: Run, control: Any
) -> None:
    prefix = f"Selection {uuid.uuid4().hex[:8]}"
    made = run(session.client.bulk_create(
        "people", [{"name": f"{prefix} {i:02d}"} for i in range(40)]))  # fmt: skip
    assert not made.failed
    browser = make_browser(session, page_size=5)
    show(qtbot, browser, {"name": prefix}, 40)
    sort_by, direction = browser.current_sort()
    expected = run(session.client.search("people", {"name": prefix}, sort_by=sort_by,
                                         sort_direction=direction)).records  # fmt: skip
    held = browser.model.loaded_pages()
    assert held and len(held) < 8  # the view holds the first pages only

    select_all(browser)
    assert browser.selection.label.text() == "40 selected"
    reported: list[tuple[int, int | None]] = []
    source, count = browser.selection.selection_source(lambda *p: reported.append(p))
    assert count == 40
    assert callable(source)  # asked for only when the user previews
    control.reset()
    ids = run(source())

    assert ids == [r["id"] for r in expected]  # every row, in the table's order
    pages = sorted(e["body"]["page_number"] for e in control.requests()
                   if e["path"] == "/people/search")  # fmt: skip
    assert pages == [p + 1 for p in range(8) if p not in held]  # only what it did not hold
    assert reported and reported[-1][1] == 40


def test_all_matching_walks_past_the_search_cap_in_date_windows(
    qtbot: QtBot,
    make_browser: Make,
    make_session: Callable[..., Session],
    run: Run,
    control: Any,
) -> None:
    session = make_session(search_cap=10)  # the client knows the (lowered) cap
    oldest = run(session.client.search("people", {}, page_size=40, sort_by="date_created",
                                       sort_direction="asc")).records  # fmt: skip
    window = {
        "minimum_created_date": oldest[0]["date_created"],
        "maximum_created_date": oldest[-1]["date_created"],
    }
    expected = {r["id"] for r in run(session.client.search("people", window)).records}
    assert len(expected) >= 40
    browser = make_browser(session)
    show(qtbot, browser, window, len(expected))
    select_all(browser)
    browser.selection.select_all_matching()
    assert browser.selection.label.text() == f"All {len(expected)} matching selected"
    source, count = browser.selection.selection_source()
    assert count == len(expected) and callable(source)
    control.settings(search_cap=10)  # now no single search returns them all
    control.reset()

    ids = run(source())

    assert sorted(ids) == sorted(expected)
    windows = {
        (e["body"].get("minimum_created_date"), e["body"].get("maximum_created_date"))
        for e in control.requests(limit=1000)
        if e["path"] == "/people/search"
    }
    assert len(windows) > 2  # split into narrower created-date windows
