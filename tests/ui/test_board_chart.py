"""The board's value chart against the live sandbox: it renders, its bars carry the sandbox's
sums per stage and status (won and lost in total too), and partial totals say so."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from pytestqt.qtbot import QtBot

from copper_desktop.domain.formats import format_money
from copper_desktop.models.board import BoardModel
from copper_desktop.ui.board.board_page import BoardPage
from copper_desktop.ui.board.value_chart import bars_of
from copper_desktop.ui.main_window import MainWindow
from tests.helpers.board import QUALIFIED, SALES, sandbox_sums, wait_first_pages
from tests.helpers.loop import Run
from tests.helpers.qt import MakeWindow
from tests.helpers.sandbox import SandboxControl
from tests.ui.test_board import view_of


@pytest.fixture
def api(api: httpx.Client, control: SandboxControl) -> httpx.Client:
    return api


@pytest.fixture
def page_of(make_window: MakeWindow, qtbot: QtBot, run: Run) -> Iterator[object]:
    pages: list[BoardPage] = []

    def make(**kw: object) -> BoardPage:
        window: MainWindow = make_window()
        model = BoardModel(window.session.client, window.lookups, **kw)  # type: ignore[arg-type]
        page = BoardPage(window.session.client, window.lookups, window.open_record, model=model)
        page.resize(1100, 700)
        page.show()
        qtbot.addWidget(page)
        pages.append(page)
        return page

    yield make
    for page in pages:
        run(page.aclose())


def money(value: float) -> str:
    return format_money(round(value, 2), "USD")


def test_the_chart_shows_each_stage_by_status_with_the_sandbox_totals(
    qtbot: QtBot, page_of: object, api: httpx.Client
) -> None:
    page: BoardPage = page_of(walk_pause=0)  # type: ignore[operator]
    wait_first_pages(qtbot, page.model)
    qtbot.waitUntil(lambda: page.model.complete, timeout=20_000)
    chart = page.chart
    image = chart.grab()
    assert not image.isNull() and image.width() > 0
    won = lost = 0.0
    bars = {bar.name: bar for bar in bars_of(page.model)}
    for column in page.model.columns:
        _count, total, by_status = sandbox_sums(api, column.group_id)
        bar = bars[column.name]
        assert bar.complete
        assert bar.total == pytest.approx(total)
        assert dict(p for p in bar.parts if p[1]) == pytest.approx(
            {k: v for k, v in by_status.items() if v}
        )
        won += by_status.get("Won", 0.0)
        lost += by_status.get("Lost", 0.0)
        header = view_of(page, column.group_id).total.text()
        assert header == money(total)
    summary = chart.summary()
    assert f"Won in total: {money(won)}" in summary
    assert f"Lost in total: {money(lost)}" in summary
    assert chart.accessibleDescription() == summary
    assert "≥" not in summary and "at least" not in summary


def test_partial_totals_are_marked_in_the_headers_and_the_chart(
    qtbot: QtBot, page_of: object
) -> None:
    page: BoardPage = page_of(page_size=3, walk=False)  # type: ignore[operator]
    wait_first_pages(qtbot, page.model)
    header = view_of(page, QUALIFIED).total
    assert header.text().startswith("≥ ")
    assert "added up so far" in header.toolTip()
    assert "Qualified: at least" in page.chart.summary()
    assert "Won in total: ≥" in page.chart.summary()
    assert not page.chart.grab().isNull()
    assert page.model.pipeline_id == SALES
