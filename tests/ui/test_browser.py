"""The entity browser against the live sandbox: paging, sorting, filters, banner, layout."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QApplication,
    QLineEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from copper_desktop.domain.catalog import LookupKind, entity
from copper_desktop.domain.formats import summary_text
from copper_desktop.models.lookups import Lookups
from copper_desktop.models.paged import PLACEHOLDER
from copper_desktop.models.record_columns import columns_for
from copper_desktop.session import Session
from copper_desktop.ui.browse.browser import EntityBrowser
from tests.helpers.sandbox import SandboxControl

ENTITY_KEYS = ("people", "companies", "leads", "opportunities", "tasks", "projects", "activities")
Make = Callable[..., EntityBrowser]


@pytest.fixture
def make_browser(qtbot: QtBot, session: Session, run: Callable[..., Any]) -> Iterator[Make]:
    """``make_browser(key, **kw)``: a shown, started browser; closed after the test.

    Not given to qtbot.addWidget: qtbot deletes its widgets before fixtures end, and the
    browsers must still exist when their aclose() runs."""
    made: list[EntityBrowser] = []

    def make(key: str = "people", *, start: bool = True, **kw: Any) -> EntityBrowser:
        kw.setdefault("session", session)
        browser = EntityBrowser(kw.pop("session"), entity(key), **kw)
        browser.resize(900, 500)
        browser.show()
        qtbot.waitExposed(browser)
        if start:
            browser.start()
        made.append(browser)
        return browser

    yield make
    for browser in made:
        run(browser.aclose())
        browser.close()
        browser.deleteLater()


def loaded(browser: EntityBrowser) -> bool:
    first, last = browser.visible_rows()
    return first >= 0 and all(browser.model.is_loaded(r) for r in range(first, last + 1))


def searches(control: SandboxControl, path: str = "/people/search") -> list[dict[str, Any]]:
    return [
        r["body"]
        for r in control.requests(limit=1000)
        if r["method"] == "POST" and r["path"].endswith(path)
    ]


def header_click(qtbot: QtBot, browser: EntityBrowser, key: str) -> None:
    header = browser.header
    logical = browser.column_keys().index(key)
    x = header.sectionViewportPosition(logical) + header.sectionSize(logical) // 2
    QTest.mouseClick(
        header.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(x, 5)
    )


@pytest.mark.parametrize("key", ENTITY_KEYS)
def test_each_entity_shows_its_first_rows(
    qtbot: QtBot, make_browser: Make, control: SandboxControl, key: str
) -> None:
    browser = make_browser(key)
    qtbot.waitUntil(lambda: loaded(browser))
    model = browser.model
    assert model.rowCount() > 0
    visible = browser.visible_column_keys()
    assert visible == [k for k in entity(key).default_columns if k in browser.column_keys()]
    first = model.index(0, browser.column_keys().index(visible[0])).data()
    assert first not in (None, PLACEHOLDER)
    body = searches(control, f"/{entity(key).path}/search")[0]
    assert body["page_number"] == 1 and body["page_size"] == 200
    assert body.get("sort_by") == entity(key).default_sort


@pytest.fixture
def lookups(session: Session, run: Callable[..., Any]) -> Lookups:
    """The account's lookup lists, loaded from the sandbox as the main window does."""
    loaded = Lookups()
    run(loaded.load(session.client))
    return loaded


def test_cells_are_the_apps_columns_with_names_not_ids(
    qtbot: QtBot, make_browser: Make, lookups: Lookups
) -> None:
    browser = make_browser("people", lookups=lookups)  # no columns given: the app's own
    assert browser.column_keys() == [c.key for c in columns_for(entity("people"), lookups)]
    qtbot.waitUntil(lambda: loaded(browser))
    model = browser.model
    for key, kind in (("assignee_id", LookupKind.USERS),
                      ("contact_type_id", LookupKind.CONTACT_TYPES)):  # fmt: skip
        column = browser.column_keys().index(key)
        ids = [(model.record(r) or {}).get(key) for r in range(min(50, model.rowCount()))]
        row = next(i for i, value in enumerate(ids) if value is not None)
        assert model.index(row, column).data() == lookups.name(kind, ids[row])


def test_names_that_cannot_be_looked_up_leave_ids_and_no_banner(
    qtbot: QtBot,
    make_browser: Make,
    lookups: Lookups,
    control: SandboxControl,
    running_loop: asyncio.AbstractEventLoop,
) -> None:
    """Resolving the names of the records tasks relate to fails: the cells keep the ids, the
    rows stay, and it is no error for the banner nor a crash (the failure is logged only)."""
    reported: list[dict[str, Any]] = []
    previous = running_loop.get_exception_handler()
    running_loop.set_exception_handler(lambda _loop, context: reported.append(context))
    kinds = ("companies", "people", "leads", "opportunities", "projects")
    control.add_fault("error", status=500, method="POST", path=f"^/({'|'.join(kinds)})/search$")
    try:
        browser = make_browser("tasks", lookups=lookups)
        qtbot.waitUntil(lambda: loaded(browser))
        qtbot.waitUntil(lambda: any(searches(control, f"/{k}/search") for k in kinds))
        qtbot.waitUntil(lambda: not browser.runner.pending)
    finally:
        running_loop.set_exception_handler(previous)
    assert reported == []
    assert not browser.banner.isVisible()
    model, column = browser.model, browser.column_keys().index("related_resource")
    links = [(model.record(r) or {}).get("related_resource") for r in range(model.rowCount())]
    row, link = next((i, v) for i, v in enumerate(links) if v and v.get("id") is not None)
    assert model.index(row, column).data().startswith(f"#{link['id']} (")


@pytest.mark.parametrize(
    ("key", "fields"),
    [
        ("opportunities", ("close_date", "pipeline_stage_id", "assignee_id", "monetary_value")),
        ("tasks", ("related_resource", "due_date", "assignee_id")),
        ("activities", ("type", "parent", "activity_date")),
    ],
)
def test_a_cell_and_the_detail_view_show_a_value_alike(
    qtbot: QtBot, make_browser: Make, lookups: Lookups, key: str, fields: tuple[str, ...]
) -> None:
    """Close dates, related records and activity types once read differently (issue 9)."""
    browser = make_browser(key, lookups=lookups)
    qtbot.waitUntil(lambda: loaded(browser))
    model = browser.model
    rows = range(min(20, model.rowCount()))
    for field in fields:
        row = next(r for r in rows if (model.record(r) or {}).get(field) not in (None, ""))
        detail = browser.open_detail(row)
        assert detail is not None
        cell = model.index(row, browser.column_keys().index(field)).data()
        assert cell and cell == detail.text(field), field
        assert not cell.startswith("{"), field  # never raw JSON for these
        detail.close()


def test_jump_to_the_end_fetches_only_the_last_pages(
    qtbot: QtBot, make_browser: Make, control: SandboxControl
) -> None:
    browser = make_browser("people", page_size=10)  # 300 seeded people (others may add some)
    qtbot.waitUntil(lambda: loaded(browser))
    total = browser.model.rowCount()
    assert total >= 300
    last_page = (total + 9) // 10
    browser.table.scrollToBottom()
    qtbot.waitUntil(lambda: loaded(browser) and browser.visible_rows()[1] == total - 1)
    pages = [b["page_number"] for b in searches(control)]
    assert pages[0] == 1 and last_page in pages
    first_shown = browser.visible_rows()[0]
    assert set(pages) <= {1, 2} | set(range(first_shown // 10 + 1, last_page + 1))
    assert len(pages) == len(set(pages))
    assert browser.summary.text() == summary_text(first_shown + 1, total, total)


def test_header_click_sorts_on_the_server(
    qtbot: QtBot, make_browser: Make, control: SandboxControl
) -> None:
    browser = make_browser("people")
    qtbot.waitUntil(lambda: loaded(browser))
    header_click(qtbot, browser, "title")
    qtbot.waitUntil(lambda: loaded(browser) and browser.current_sort() == ("title", "asc"))
    assert searches(control)[-1]["sort_by"] == "title"
    assert searches(control)[-1]["sort_direction"] == "asc"
    header_click(qtbot, browser, "title")
    qtbot.waitUntil(lambda: loaded(browser) and browser.current_sort() == ("title", "desc"))
    assert searches(control)[-1]["sort_direction"] == "desc"
    assert browser.header.sortIndicatorSection() == browser.column_keys().index("title")


def test_header_click_on_unsortable_column_sends_nothing(
    qtbot: QtBot, make_browser: Make, control: SandboxControl
) -> None:
    browser = make_browser("people")
    qtbot.waitUntil(lambda: loaded(browser))
    unsortable = next(
        k
        for k in browser.visible_column_keys()
        if not browser.model.is_sortable(browser.column_keys().index(k))
    )
    before = len(searches(control))
    header_click(qtbot, browser, unsortable)
    QApplication.processEvents()
    assert len(searches(control)) == before
    assert browser.current_sort() == ("first_name", "asc")


def test_filters_change_the_query(
    qtbot: QtBot, make_browser: Make, control: SandboxControl
) -> None:
    browser = make_browser("people")
    qtbot.waitUntil(lambda: loaded(browser))
    name = (browser.model.record(0) or {})["name"]
    everyone = browser.model.rowCount()
    browser.set_filters({"name": name})
    qtbot.waitUntil(lambda: loaded(browser) and browser.model.rowCount() < everyone)
    body = searches(control)[-1]
    assert body["name"] == name and body["page_number"] == 1
    assert all(
        name.casefold() in str((browser.model.record(r) or {}).get("name")).casefold()
        for r in range(browser.model.rowCount())
    )


def test_refresh_requests_the_visible_pages_again(
    qtbot: QtBot, make_browser: Make, control: SandboxControl
) -> None:
    browser = make_browser("people")
    qtbot.waitUntil(lambda: loaded(browser))
    before = len(searches(control))
    browser.refresh()
    qtbot.waitUntil(lambda: len(searches(control)) > before and not browser.model.loading)
    assert searches(control)[-1]["page_number"] == 1


def test_failure_shows_a_banner_and_retry_recovers(
    qtbot: QtBot, make_browser: Make, control: SandboxControl
) -> None:
    control.add_fault("error", status=500, path="^/people/search$")
    browser = make_browser("people")
    errors: list[str] = []
    browser.error_occurred.connect(errors.append)
    qtbot.waitUntil(lambda: browser.banner.isVisible())
    assert browser.banner.objectName() == "errorBanner"
    assert "Could not load people" in browser.banner.message
    assert errors and "Traceback" not in errors[0]
    assert browser.model.rowCount() == 0
    assert browser.isEnabled()
    control.clear_faults()
    retry = browser.findChild(type(browser.banner._retry), "bannerRetry")
    assert retry is not None
    QTest.mouseClick(retry, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: loaded(browser))
    assert not browser.banner.isVisible()
    assert browser.model.rowCount() >= 300


def test_banner_can_be_dismissed(qtbot: QtBot, make_browser: Make, control: SandboxControl) -> None:
    control.add_fault("error", status=500, path="^/companies/search$")
    browser = make_browser("companies")
    qtbot.waitUntil(lambda: browser.banner.isVisible())
    QTest.mouseClick(browser.banner._dismiss, Qt.MouseButton.LeftButton)
    assert not browser.banner.isVisible()


def test_column_layout_is_saved_and_restored(
    qtbot: QtBot, make_browser: Make, session: Session, run: Callable[..., Any]
) -> None:
    browser = make_browser("people", start=False)
    keys = browser.column_keys()
    header = browser.header
    # show a custom-chooser column, hide another, move and resize
    browser.chooser.action("title").trigger()
    assert "title" not in browser.visible_column_keys()
    browser.chooser.action("date_created").trigger()
    assert "date_created" in browser.visible_column_keys()
    header.moveSection(header.visualIndex(keys.index("emails")), 0)
    header.resizeSection(keys.index("emails"), 321)
    expected = browser.visible_column_keys()
    assert expected[0] == "emails"
    run(browser.aclose())
    saved = session.settings["browsers"]["people"]["columns"]
    assert [e["key"] for e in saved if not e["hidden"]] == expected
    assert session.paths.settings_file.exists()

    again = make_browser("people", start=False)
    assert again.visible_column_keys() == expected
    assert again.header.sectionSize(keys.index("emails")) == 321
    assert again.chooser.action("date_created").isChecked()
    assert not again.chooser.action("title").isChecked()


def test_last_column_cannot_be_hidden(make_browser: Make) -> None:
    browser = make_browser("people", start=False)
    for key in browser.visible_column_keys()[:-1]:
        browser.chooser.action(key).trigger()
    last = browser.visible_column_keys()
    assert len(last) == 1
    browser.chooser.action(last[0]).trigger()
    assert browser.visible_column_keys() == last
    assert browser.chooser.action(last[0]).isChecked()


def test_enter_opens_the_read_only_detail_view(qtbot: QtBot, make_browser: Make) -> None:
    browser = make_browser("opportunities")
    qtbot.waitUntil(lambda: loaded(browser))
    browser.table.setFocus()
    browser.table.selectRow(0)
    record = browser.model.record(0)
    assert record is not None
    QTest.keyClick(browser.table, Qt.Key.Key_Return)
    detail = browser.detail
    assert detail is not None and detail.isVisible()
    assert detail.objectName() == "detailView"
    assert detail.text("name") == record["name"]
    assert "monetary_value" in detail.values
    for widget in detail.findChildren(QAbstractButton) + detail.findChildren(QAbstractScrollArea):
        assert widget.objectName() and widget.accessibleName(), widget
    if record.get("monetary_value") is not None:
        assert record.get("monetary_unit", "") in detail.text("monetary_value")
    detail.close()


def test_double_click_opens_the_detail_view(qtbot: QtBot, make_browser: Make) -> None:
    browser = make_browser("companies")
    qtbot.waitUntil(lambda: loaded(browser))
    column = browser.column_keys().index(browser.visible_column_keys()[0])
    rect = browser.table.visualRect(browser.model.index(1, column))
    opened: list[dict[str, Any]] = []
    browser.record_opened.connect(opened.append)
    QTest.mouseClick(
        browser.table.viewport(),
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        rect.center(),
    )
    QTest.mouseDClick(
        browser.table.viewport(),
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        rect.center(),
    )
    assert [r["id"] for r in opened] == [(browser.model.record(1) or {})["id"]]
    assert browser.detail is not None
    assert browser.detail.record["id"] == (browser.model.record(1) or {})["id"]


def test_model_of_a_live_browser_passes_the_model_tester(
    qtbot: QtBot, qtmodeltester: Any, make_browser: Make
) -> None:
    browser = make_browser("people")
    qtbot.waitUntil(lambda: loaded(browser))
    qtmodeltester.check(browser.model)


def test_every_interactive_widget_is_named(make_browser: Make) -> None:
    from PySide6.QtWidgets import QAbstractButton, QAbstractItemView

    browser = make_browser("leads", start=False)
    widgets = browser.findChildren(QAbstractButton) + browser.findChildren(QAbstractItemView)
    assert widgets
    for widget in widgets:
        assert widget.objectName(), widget
        assert widget.accessibleName(), widget.objectName()


class StubFilterBar(QWidget):
    """The FilterBar interface the browser relies on (signal, focus, summary)."""

    filters_changed = Signal(dict)

    def __init__(self) -> None:
        super().__init__()
        self.search = QLineEdit(self)
        self.search.setObjectName("filterSearch")
        self.search.setAccessibleName("Search")
        self.summaries: list[tuple[int, int, int]] = []

    def focus_search(self) -> None:
        self.search.setFocus()

    def set_summary(self, first: int, last: int, total: int) -> None:
        self.summaries.append((first, last, total))


def test_a_filter_bar_drives_the_query_and_gets_the_summary(
    qtbot: QtBot, make_browser: Make, control: SandboxControl
) -> None:
    browser = make_browser("companies")
    bar = StubFilterBar()
    browser.set_filter_bar(bar)
    qtbot.waitUntil(lambda: loaded(browser))
    assert not browser.summary.isVisible()
    _, last = browser.visible_rows()
    assert bar.summaries[-1] == (1, last + 1, browser.model.rowCount())
    name = (browser.model.record(0) or {})["name"]
    bar.filters_changed.emit({"name": name})
    qtbot.waitUntil(lambda: loaded(browser) and browser.model.rowCount() < 50)
    assert searches(control, "/companies/search")[-1]["name"] == name
    assert bar.summaries[-1][2] == browser.model.rowCount()
    browser.table.setFocus()
    browser.focus_search()
    assert bar.search.hasFocus()
