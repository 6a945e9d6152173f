"""The model behind a real QTableView (offscreen): only what is shown gets fetched."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableView
from pytestqt.qtbot import QtBot

from copper_desktop.models.paged import PagedSearchModel
from tests.helpers.fakes import FakeSearch, columns

BIG = 120_000


def shown_rows(view: QTableView) -> range:
    first = view.rowAt(0)
    last = view.rowAt(view.viewport().height() - 1)
    if last < 0:  # the viewport is taller than the rows below `first`
        last = view.model().rowCount() - 1
    return range(first, last + 1)


@pytest.fixture
def view(qtbot: QtBot) -> QTableView:
    table = QTableView()
    qtbot.addWidget(table)
    table.resize(640, 400)
    return table


@pytest.fixture
def fake() -> FakeSearch:
    return FakeSearch(BIG)


@pytest.fixture
def plain_model(fake: FakeSearch) -> Iterator[PagedSearchModel]:
    model = PagedSearchModel(fake, columns())
    yield model
    model.close()


def all_shown_loaded(view: QTableView, model: PagedSearchModel) -> bool:
    rows = shown_rows(view)
    return len(rows) > 0 and all(model.is_loaded(row) for row in rows)


def test_plain_view_scrolled_to_the_bottom(
    qtbot: QtBot, view: QTableView, plain_model: PagedSearchModel, fake: FakeSearch
) -> None:
    """No ensure_rows: painting placeholders is what asks for their pages."""
    view.setModel(plain_model)
    view.show()
    qtbot.waitExposed(view)
    plain_model.set_query({})
    qtbot.waitUntil(lambda: plain_model.rowCount() == 100_000)
    qtbot.waitUntil(lambda: all_shown_loaded(view, plain_model))

    view.scrollToBottom()
    qtbot.waitUntil(lambda: all_shown_loaded(view, plain_model))
    assert shown_rows(view)[-1] == 99_999
    pages = fake.page_numbers()
    assert 500 in pages
    assert set(pages) <= {1, 499, 500}  # nothing in between
    assert len(pages) == len(set(pages))


def test_view_driving_ensure_rows_from_its_scroll_bar(
    qtbot: QtBot, view: QTableView, fake: FakeSearch
) -> None:
    """How the entity browser is meant to use the model: visible range in, pages out."""
    model = PagedSearchModel(fake, columns(), fetch_on_data=False, max_pages=5)
    try:
        view.setModel(model)

        def follow() -> None:
            rows = shown_rows(view)
            model.ensure_rows(rows.start, rows.stop - 1)

        view.verticalScrollBar().valueChanged.connect(follow)
        view.show()
        qtbot.waitExposed(view)
        model.set_query({})
        qtbot.waitUntil(lambda: all_shown_loaded(view, model))
        shown_pages = {1}

        for target in (30_000, 60_000, 99_999, 10):
            view.scrollTo(model.index(target, 0))
            qtbot.waitUntil(lambda: all_shown_loaded(view, model))
            assert len(model.loaded_pages()) <= 5
            shown_pages |= {row // 200 + 1 for row in shown_rows(view)}

        pages = fake.page_numbers()
        assert {151, 301, 500} <= shown_pages
        assert set(pages) == shown_pages  # exactly the pages shown, nothing scrolled past
        assert pages.count(1) == 2  # evicted on the way down, fetched again on the way up
    finally:
        model.close()


def test_header_click_sorts_on_the_server(
    qtbot: QtBot, view: QTableView, plain_model: PagedSearchModel, fake: FakeSearch
) -> None:
    view.setModel(plain_model)
    view.show()
    qtbot.waitExposed(view)
    plain_model.set_query({}, "name")
    qtbot.waitUntil(lambda: all_shown_loaded(view, plain_model))
    view.setSortingEnabled(True)  # sorts by the indicator section at once
    calls = len(fake.calls)

    view.sortByColumn(1, Qt.SortOrder.DescendingOrder)
    qtbot.waitUntil(lambda: all_shown_loaded(view, plain_model))
    assert (fake.calls[calls]["sort_by"], fake.calls[calls]["sort_direction"]) == ("name", "desc")
    assert plain_model.data(plain_model.index(0, 1)) == "Name 119999"

    calls = len(fake.calls)
    view.sortByColumn(0, Qt.SortOrder.AscendingOrder)  # no sort key: nothing happens
    assert len(fake.calls) == calls
    assert plain_model.data(plain_model.index(0, 1)) == "Name 119999"
