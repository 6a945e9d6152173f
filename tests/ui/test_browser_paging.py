"""A browser over 120,000 matches (a fake at the API seam): only the shown pages are fetched."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, cast

import pytest
from pytestqt.qtbot import QtBot

from copper_desktop.api import CopperClient, SearchPage
from copper_desktop.config import AppPaths
from copper_desktop.domain.catalog import entity
from copper_desktop.session import Session
from copper_desktop.ui.browse.browser import EntityBrowser

TOTAL = 120_000


class FakeSearchClient:
    """Answers `search` with synthetic people and an X-PW-TOTAL of 120,000; logs pages."""

    def __init__(self) -> None:
        self.pages: list[int] = []

    async def search(
        self, entity: str, filters: dict[str, Any] | None = None, **kw: Any
    ) -> SearchPage:
        number, size = kw["page_number"], kw["page_size"]
        self.pages.append(number)
        start = (number - 1) * size
        records = [
            {"id": i + 1, "name": f"Person {i + 1:06d}", "date_modified": 1_700_000_000}
            for i in range(start, min(start + size, TOTAL))
        ]
        return SearchPage(records, TOTAL, number, size)


@pytest.fixture
def fake() -> FakeSearchClient:
    return FakeSearchClient()


@pytest.fixture
def browser(
    qtbot: QtBot, fake: FakeSearchClient, app_paths: AppPaths, run: Callable[..., Any]
) -> Iterator[EntityBrowser]:
    session = Session(app_paths, cast(CopperClient, fake))
    widget = EntityBrowser(session, entity("people"))
    widget.resize(800, 480)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    run(widget.aclose())
    widget.close()
    widget.deleteLater()


def shown_loaded(browser: EntityBrowser) -> bool:
    first, last = browser.visible_rows()
    return first >= 0 and all(browser.model.is_loaded(r) for r in range(first, last + 1))


def test_jump_to_the_bottom_of_100000_rows(
    qtbot: QtBot, browser: EntityBrowser, fake: FakeSearchClient
) -> None:
    browser.start()
    qtbot.waitUntil(lambda: shown_loaded(browser))
    assert browser.model.rowCount() == 100_000  # Copper's search cap
    assert fake.pages == [1]
    browser.table.scrollToBottom()
    qtbot.waitUntil(lambda: shown_loaded(browser) and browser.visible_rows()[1] == 99_999)
    assert fake.pages[0] == 1
    assert set(fake.pages[1:]) <= {499, 500} and 500 in fake.pages
    assert len(fake.pages) == len(set(fake.pages))
    last = browser.model.index(99_999, browser.column_keys().index("name")).data()
    assert last == "Person 100000"
    first, _ = browser.visible_rows()
    assert browser.summary.text() == f"{first + 1:,}–100,000 of 100,000"


def test_scrolling_to_the_middle_fetches_that_page_only(
    qtbot: QtBot, browser: EntityBrowser, fake: FakeSearchClient
) -> None:
    browser.start()
    qtbot.waitUntil(lambda: shown_loaded(browser))
    browser.table.verticalScrollBar().setValue(50_010)
    qtbot.waitUntil(lambda: shown_loaded(browser))
    first, last = browser.visible_rows()
    wanted = {r // 200 + 1 for r in range(first, last + 1)}
    assert set(fake.pages) == {1} | wanted
