"""The remembered workspace against the live sandbox: window state, each browser's sort and
filters, the pipeline board's choices, and saved views survive a restart of the app (the window
closed as the app closes it, a new one built on the same config folder), and a saved view
applies its filters."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QSize
from pytestqt.qtbot import QtBot

from copper_desktop.config import AppPaths, load_settings, save_settings
from copper_desktop.domain.catalog import LookupKind
from copper_desktop.domain.custom_fields import DataType
from copper_desktop.session import Session
from copper_desktop.ui.board.board_page import BoardPage
from copper_desktop.ui.browse.browser import EntityBrowser
from copper_desktop.ui.browse.filter_bar import FilterBar
from copper_desktop.ui.browse.filter_widgets import ChoiceButton, RangeEdit
from copper_desktop.ui.main_window import MainWindow
from tests.helpers.board import FOLLOW_UP, QUALIFIED, SALES, wait_first_pages
from tests.helpers.loop import Run
from tests.helpers.sandbox import SandboxControl

Open = Callable[[], MainWindow]


@pytest.fixture
def open_app(
    qtbot: QtBot, make_session: Callable[..., Session], app_paths: AppPaths, run: Run
) -> Iterator[tuple[Open, Callable[[MainWindow], None]]]:
    """``(open, close)``: open builds a window as the app does (settings read from the config
    folder, shown, started); close closes it as the app does (the close event, then
    ``aclose``), which writes the settings file."""
    opened: list[MainWindow] = []

    def open_() -> MainWindow:
        window = MainWindow(make_session(load_settings(app_paths)))
        window.show()
        qtbot.waitExposed(window)
        opened.append(window)
        run(window.start())
        return window

    def close(window: MainWindow) -> None:
        assert window.close()
        run(window.aclose())
        opened.remove(window)
        window.deleteLater()

    yield open_, close
    for window in list(opened):
        close(window)


def loaded(browser: EntityBrowser) -> bool:
    return not browser.model.loading and browser.model.is_loaded(0)


def answered(browser: EntityBrowser) -> bool:
    """The current query was answered (with rows or none)."""
    return not browser.model.loading and browser.model.server_total is not None


def searches(control: SandboxControl, path: str) -> list[dict[str, Any]]:
    return [
        r["body"]
        for r in control.requests(limit=1000)
        if r["method"] == "POST" and r["path"] == path
    ]


def bar_of(browser: EntityBrowser) -> FilterBar:
    assert isinstance(browser.filter_bar, FilterBar)
    return browser.filter_bar


def filter_companies(window: MainWindow, qtbot: QtBot) -> EntityBrowser:
    """Companies sorted by name descending, filtered by owner, tag, a date range, a number
    range, a text field and a custom dropdown."""
    browser = window.show_page("companies")
    assert isinstance(browser, EntityBrowser)
    qtbot.waitUntil(lambda: window.lookups.is_loaded and loaded(browser))
    bar = bar_of(browser)
    owner = bar.control("assignee_ids")
    assert isinstance(owner, ChoiceButton)
    owner.action(window.lookups.choices(LookupKind.USERS)[0][0]).trigger()
    tags = bar.control("tags")
    assert isinstance(tags, ChoiceButton)
    tags.action(window.lookups.tags[0]).trigger()
    created = bar.control("created_date")
    assert isinstance(created, RangeEdit)
    created.enabled.setChecked(True)
    count = bar.control("interaction_count")
    assert isinstance(count, RangeEdit)
    count.set_numbers(0, 40)
    count.enabled.setChecked(True)
    dropdown = next(
        d
        for d in window.definitions
        if d.applies_to("company") and d.data_type is DataType.DROPDOWN and bar.has_filter(d.key)
    )
    custom = bar.control(dropdown.key)
    assert isinstance(custom, ChoiceButton)
    custom.action(custom.choices()[0][0]).trigger()
    name_column = browser.column_keys().index("name")
    browser.header.sectionClicked.emit(name_column)  # ascending
    browser.header.sectionClicked.emit(name_column)  # descending
    assert browser.current_sort() == ("name", "desc")
    qtbot.waitUntil(lambda: not browser.model.loading)
    return browser


def test_window_state_and_browser_queries_survive_a_restart(
    qtbot: QtBot, open_app: tuple[Open, Callable[[MainWindow], None]], control: SandboxControl
) -> None:
    open_, close = open_app
    window = open_()
    window.resize(QSize(740, 520))
    window.move(QPoint(20, 30))
    size = window.size()
    assert size != QSize(1100, 700)  # not the default size
    browser = filter_companies(window, qtbot)
    window.splitter.setSizes([230, 490])
    sizes = window.splitter.sizes()
    state = bar_of(browser).state()
    body = browser.filters()
    assert set(body) >= {"assignee_ids", "tags", "minimum_created_date", "custom_fields"}
    columns = browser.layout_state()
    close(window)

    control.reset()
    again = open_()
    assert again.size() == size
    assert again.splitter.sizes() == sizes
    assert again.current_key == "companies"  # the last page, shown first
    restored = again.browser("companies")
    assert restored is not None and again.browser("people") is None
    qtbot.waitUntil(lambda: answered(restored))
    first = searches(control, "/companies/search")[0]
    assert {k: v for k, v in first.items() if k in body} == body  # before the lookups came
    assert (first["sort_by"], first["sort_direction"]) == ("name", "desc")
    assert restored.current_sort() == ("name", "desc")
    qtbot.waitUntil(lambda: again.lookups.is_loaded)
    assert bar_of(restored).state() == state  # owner, tag, dates, numbers, custom field
    assert restored.filters() == body
    assert restored.layout_state() == columns
    assert "Owner" in bar_of(restored).active.text()
    assert len(searches(control, "/companies/search")) >= 1
    assert all(s.get("custom_fields") for s in searches(control, "/companies/search")
               if "page_size" in s and s["page_size"] > 1)  # fmt: skip


def test_saved_views_survive_a_restart_and_apply(
    qtbot: QtBot, open_app: tuple[Open, Callable[[MainWindow], None]], control: SandboxControl
) -> None:
    open_, close = open_app
    window = open_()
    browser = filter_companies(window, qtbot)
    browser.set_column_visible("websites", True)
    body = browser.filters()
    state = bar_of(browser).state()
    views = window.workspace.views
    dialog = views.ask_name("companies")
    assert dialog is not None
    dialog.setTextValue("Mine, by name")
    dialog.accept()
    assert window.nav.view_names("companies") == ["Mine, by name"]
    assert window.nav.current_view() == "Mine, by name"
    views.rename("companies", "Mine, by name", "Mine")
    views.save("companies", "Throwaway")
    assert views.delete("companies", "Throwaway")
    bar_of(browser).clear()
    browser.set_column_visible("websites", False)
    close(window)

    again = open_()
    assert again.nav.view_names("companies") == ["Mine"]
    assert again.nav.view_names("people") == []
    restored = again.browser("companies")
    assert restored is not None
    qtbot.waitUntil(lambda: again.lookups.is_loaded and answered(restored))
    assert restored.filters() == {}  # the filters were cleared before closing
    assert "websites" not in restored.visible_column_keys()
    control.reset()
    again.nav.select_view("companies", "Mine")
    assert again.current_key == "companies" and again.nav.current_view() == "Mine"
    qtbot.waitUntil(lambda: bool(searches(control, "/companies/search")))
    sent = searches(control, "/companies/search")[-1]
    assert {k: v for k, v in sent.items() if k in body} == body
    assert (sent["sort_by"], sent["sort_direction"]) == ("name", "desc")
    assert bar_of(restored).state() == state
    assert "websites" in restored.visible_column_keys()


def test_the_navigation_shows_record_counts_after_the_first_rows(
    qtbot: QtBot, open_app: tuple[Open, Callable[[MainWindow], None]], run: Run
) -> None:
    open_, _close = open_app
    window = open_()
    qtbot.waitUntil(lambda: window.rows_were_shown)
    page = run(window.session.client.search("companies", {}, page_size=1))
    qtbot.waitUntil(lambda: window.nav.count_text("companies") == f"{page.total:,}")
    for key in ("people", "leads", "opportunities", "tasks", "projects", "activities"):
        qtbot.waitUntil(lambda key=key: bool(window.nav.count_text(key)))
    assert window.nav.count_text("webhooks") == ""


PARTNERSHIPS = 213215
"""The seeded second opportunity pipeline (sandbox/core/seed_tables.py)."""


def shown_board(window: MainWindow, qtbot: QtBot) -> BoardPage:
    """The board page once the lookups came and every column has its first page."""
    page = window.show_page("board")
    assert isinstance(page, BoardPage)
    qtbot.waitUntil(lambda: window.lookups.is_loaded)
    wait_first_pages(qtbot, page.model)
    return page


def test_the_board_comes_back_on_its_pipeline_sort_and_filters_after_a_restart(
    qtbot: QtBot, open_app: tuple[Open, Callable[[MainWindow], None]], control: SandboxControl
) -> None:
    open_, close = open_app
    window = open_()
    board = shown_board(window, qtbot)
    board.show_pipeline(PARTNERSHIPS)
    board.sort_combo.setCurrentIndex(1)
    assert board.filter_bar is not None
    owner = board.filter_bar.control("assignee_ids")
    assert isinstance(owner, ChoiceButton)
    owner.action(window.lookups.choices(LookupKind.USERS)[0][0]).trigger()
    wait_first_pages(qtbot, board.model)
    sort, filters = board.model.sort, dict(board.model.filters)
    assert board.model.pipeline_id == PARTNERSHIPS and sort != board.kind.sorts[0][:2]
    assert set(filters) == {"assignee_ids"}
    state = board.filter_bar.state()
    stages = {stage for stage, _name in window.lookups.stages(PARTNERSHIPS)}
    close(window)

    control.reset()
    again = open_()
    assert again.current_key == "board"  # the last page, shown first
    restored = shown_board(again, qtbot)
    assert restored.kind.key == "opportunities"
    assert restored.kind_combo.currentData() == "opportunities"
    assert restored.model.pipeline_id == PARTNERSHIPS
    assert restored.pipeline_combo.currentData() == PARTNERSHIPS
    assert restored.pipeline_combo.currentText() == "Partnerships"
    assert {c.group_id for c in restored.model.columns} == stages
    assert restored.model.sort == sort and restored.sort_combo.currentIndex() == 1
    assert restored.model.filters == filters
    assert restored.filter_bar is not None and restored.filter_bar.state() == state
    sent = [b for b in searches(control, "/opportunities/search") if "pipeline_stage_ids" in b]
    assert sent and all(b["pipeline_stage_ids"][0] in stages for b in sent)
    assert all(b["assignee_ids"] == filters["assignee_ids"] for b in sent)
    assert all((b["sort_by"], b["sort_direction"]) == sort for b in sent)


def test_the_leads_board_comes_back_and_a_lost_pipeline_falls_back_to_the_first(
    qtbot: QtBot,
    open_app: tuple[Open, Callable[[MainWindow], None]],
    app_paths: AppPaths,
) -> None:
    open_, close = open_app
    window = open_()
    board = shown_board(window, qtbot)
    board.kind_combo.setCurrentIndex(board.kind_combo.findData("leads"))
    wait_first_pages(qtbot, board.model)
    close(window)

    again = open_()
    restored = shown_board(again, qtbot)
    assert restored.kind.key == "leads" and restored.kind_combo.currentData() == "leads"
    assert restored.pipeline_combo.isHidden()
    close(again)

    settings = load_settings(app_paths)
    settings["board"] = {**settings["board"], "kind": "opportunities", "pipeline": 999_999}
    save_settings(app_paths, settings)
    third = open_()
    fallen = shown_board(third, qtbot)
    assert fallen.kind.key == "opportunities"
    assert fallen.model.pipeline_id == SALES == fallen.pipeline_combo.currentData()
    assert [c.group_id for c in fallen.model.columns][:2] == [QUALIFIED, FOLLOW_UP]
