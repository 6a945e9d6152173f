"""The main window against the live sandbox: start, navigation keys, refresh, menus, title."""

from __future__ import annotations

import functools
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QAbstractItemView, QComboBox
from pytestqt.qtbot import QtBot

from copper_desktop.domain.catalog import LookupKind
from copper_desktop.ui.browse.browser import EntityBrowser
from copper_desktop.ui.browse.filter_bar import ChoiceButton, FilterBar
from copper_desktop.ui.main_window import MainWindow
from copper_desktop.ui.webhooks.webhooks_page import WebhooksPage
from tests.helpers.qt import MakeWindow as Make
from tests.helpers.sandbox import SandboxControl


def browser_loaded(window: MainWindow, key: str) -> bool:
    browser = window.browser(key)
    return browser is not None and browser.model.rowCount() > 0 and browser.model.is_loaded(0)


def test_start_shows_people_and_the_account_in_the_title(qtbot: QtBot, make_window: Make) -> None:
    window = make_window(sandbox_url="http://127.0.0.1:1")
    assert window.account_name
    assert window.windowTitle().startswith(window.account_name)
    assert window.windowTitle().endswith("(sandbox)")
    assert window.current_key == "people"
    qtbot.waitUntil(lambda: browser_loaded(window, "people"))
    assert window.page("companies") is None  # created lazily


def test_title_without_sandbox(make_window: Make) -> None:
    window = make_window()
    assert "(sandbox)" not in window.windowTitle()


def test_ctrl_tab_cycles_between_entities(qtbot: QtBot, make_window: Make) -> None:
    window = make_window()
    qtbot.waitUntil(lambda: browser_loaded(window, "people"))
    focus = window.browser("people")
    assert focus is not None
    focus.table.setFocus()
    QTest.keyClick(focus.table, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    assert window.current_key == "companies"
    assert isinstance(window.stack.currentWidget(), EntityBrowser)
    qtbot.waitUntil(lambda: browser_loaded(window, "companies"))
    current = window.current_page()
    assert current is not None
    QTest.keyClick(
        current,
        Qt.Key.Key_Backtab,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert window.current_key == "people"
    QTest.keyClick(
        window.nav,
        Qt.Key.Key_Backtab,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert window.current_key == window.page_keys()[-1]  # wraps around
    assert window.page_keys()[window.page_keys().index("webhooks") :] == ["webhooks", "board"]


def test_every_page_opens(qtbot: QtBot, make_window: Make) -> None:
    window = make_window()
    for key in window.page_keys():
        window.show_page(key)
    for key in window.page_keys()[: window.page_keys().index("webhooks")]:
        qtbot.waitUntil(functools.partial(browser_loaded, window, key))
    hooks = window.page("webhooks")
    assert isinstance(hooks, WebhooksPage)
    qtbot.waitUntil(lambda: not hooks.loading)


def test_f5_refreshes_the_current_browser(
    qtbot: QtBot, make_window: Make, control: SandboxControl
) -> None:
    window = make_window()
    qtbot.waitUntil(lambda: browser_loaded(window, "people"))
    browser = window.browser("people")
    assert browser is not None
    qtbot.waitUntil(lambda: not browser.model.loading)
    control.reset()
    QTest.keyClick(browser.table, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: any(r["path"].endswith("/people/search") for r in control.requests()))
    qtbot.waitUntil(lambda: not browser.model.loading)


def test_ctrl_f_focuses_the_browser(qtbot: QtBot, make_window: Make) -> None:
    window = make_window()
    window.activateWindow()
    browser = window.browser("people")
    assert browser is not None
    window.nav.setFocus()
    QTest.keyClick(window.nav, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    focused = window.focusWidget()
    assert focused is not None and browser.isAncestorOf(focused)


def test_enter_opens_the_record_editor(qtbot: QtBot, make_window: Make) -> None:
    window = make_window()
    qtbot.waitUntil(lambda: browser_loaded(window, "people"))
    browser = window.browser("people")
    assert browser is not None
    browser.table.selectRow(0)
    QTest.keyClick(browser.table, Qt.Key.Key_Enter)
    record_id = (browser.model.record(0) or {})["id"]
    editor = window.editor("people", record_id)
    assert editor is not None and editor.isVisible()
    assert browser.detail is None  # the editor replaced the read-only view


def test_settings_menu_emits_and_quit_closes(qtbot: QtBot, make_window: Make) -> None:
    window = make_window(start=False)
    with qtbot.waitSignal(window.settings_requested):
        window.settings_action.trigger()
    with qtbot.waitSignal(window.quit_requested):
        window.quit_action.trigger()
    assert not window.isVisible()


def test_a_failing_page_reports_to_the_status_bar(
    qtbot: QtBot, make_window: Make, control: SandboxControl
) -> None:
    control.add_fault("error", status=500, path="^/companies/search$")
    window = make_window()
    window.show_page("companies")
    browser = window.browser("companies")
    assert browser is not None
    qtbot.waitUntil(lambda: browser.banner.isVisible())
    assert window.status.error_label.text().startswith("Last error:")
    assert window.isEnabled()


def test_status_bar_shows_headroom(make_window: Make) -> None:
    window = make_window()
    window.status.model.poll()
    status = window.session.client.status()
    assert window.status.headroom_label.text() == f"{status.headroom}/{status.limit} per min"
    assert "in flight" in window.status.in_flight_label.text()


def test_every_interactive_widget_is_named(qtbot: QtBot, make_window: Make) -> None:
    window = make_window()
    for key in window.page_keys():
        window.show_page(key)
    widgets = window.findChildren(QAbstractButton) + window.findChildren(QAbstractItemView)
    assert len(widgets) > 10
    for widget in widgets:
        assert widget.objectName(), widget
        assert widget.accessibleName(), widget.objectName()
    for action in window.actions():
        assert action.objectName()


def test_custom_fields_are_columns_and_detail_rows(
    qtbot: QtBot, make_window: Make, control: SandboxControl
) -> None:
    window = make_window()
    people = [d for d in window.definitions if d.applies_to("person")]
    assert people
    browser = window.browser("people")
    assert browser is not None
    qtbot.waitUntil(lambda: browser_loaded(window, "people"))
    key = people[0].key
    assert key in browser.column_keys()
    assert key not in browser.visible_column_keys()  # custom columns start hidden
    assert browser.chooser.action(key).text() == people[0].name
    browser.chooser.action(key).trigger()
    assert key in browser.visible_column_keys()
    browser.open_detail(0)
    editor = window.editor("people", (browser.model.record(0) or {})["id"])
    assert editor is not None
    assert all(editor.form.has_field(d.key) for d in people)


def test_cells_show_names_not_ids(qtbot: QtBot, make_window: Make) -> None:
    window = make_window()
    window.show_page("opportunities")
    qtbot.waitUntil(lambda: browser_loaded(window, "opportunities"))
    browser = window.browser("opportunities")
    assert browser is not None
    keys = browser.column_keys()
    model = browser.model
    for key in ("assignee_id", "pipeline_stage_id"):
        column = keys.index(key)
        row = next(
            r for r in range(model.rowCount()) if (model.record(r) or {}).get(key) is not None
        )
        text = model.index(row, column).data()
        assert text and not text.startswith("#"), (key, text)
    assert window.name_of is not None
    record = model.record(0) or {}
    browser.open_detail(0)
    editor = window.editor("opportunities", record["id"])
    assert editor is not None
    if record.get("pipeline_id") is not None:
        pipeline = editor.form.editor("pipeline_id").focus_widget()
        assert isinstance(pipeline, QComboBox)
        assert pipeline.currentText() == window.name_of(LookupKind.PIPELINES, record["pipeline_id"])


def test_a_rate_limit_shows_its_retry_in_the_status_bar(
    qtbot: QtBot, make_window: Make, control: SandboxControl
) -> None:
    window = make_window(start=False)
    seen: list[str] = []
    show_retry = window.status.model.show_retry

    def spy(event: Any) -> None:
        seen.append(event.message)
        show_retry(event)

    window.status.model.show_retry = spy  # type: ignore[method-assign]
    control.add_fault("rate_limit", path="^/people/search$", count=1)
    window.show_page("people")
    qtbot.waitUntil(lambda: browser_loaded(window, "people"))
    assert seen and seen[0].startswith("Rate limited, retrying in ")
    browser = window.browser("people")
    assert browser is not None and not browser.banner.isVisible()


def test_f5_reloads_the_webhooks_page(qtbot: QtBot, make_window: Make) -> None:
    window = make_window()
    hooks = window.show_page("webhooks")
    assert isinstance(hooks, WebhooksPage)
    qtbot.waitUntil(lambda: not hooks.loading)
    with qtbot.waitSignal(hooks.loaded):
        QTest.keyClick(hooks.table, Qt.Key.Key_F5)


def searches(control: SandboxControl, path: str) -> list[dict[str, Any]]:
    return [
        r["body"]
        for r in control.requests(limit=1000)
        if r["method"] == "POST" and r["path"] == path
    ]


def test_each_browser_has_a_filter_bar_that_queries_the_server(
    qtbot: QtBot, make_window: Make, control: SandboxControl
) -> None:
    window = make_window()
    qtbot.waitUntil(lambda: browser_loaded(window, "people"))
    browser = window.browser("people")
    assert browser is not None and isinstance(browser.filter_bar, FilterBar)
    bar = browser.filter_bar
    everyone = browser.model.rowCount()
    assert bar.summary.text().endswith(f"of {everyone:,}")
    # QTest asserts (aborting Python) on keys outside ASCII: type an ASCII name
    name = next(
        n for r in range(200) if (n := str((browser.model.record(r) or {}).get("name"))).isascii()
    )
    window.find_action.trigger()
    assert bar.search.hasFocus()
    qtbot.keyClicks(bar.search, name)
    qtbot.waitUntil(
        lambda: (
            any(b.get("name") == name for b in searches(control, "/people/search"))
            and browser_loaded(window, "people")
            and browser.model.rowCount() < everyone
        )
    )
    assert name in bar.active.text()
    assert all(
        name.casefold() in str((browser.model.record(r) or {}).get("name")).casefold()
        for r in range(browser.model.rowCount())
    )
    QTest.mouseClick(bar.clear_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: browser.model.rowCount() == everyone)
    assert "name" not in searches(control, "/people/search")[-1]
    for key in ("companies", "leads", "opportunities", "tasks", "projects", "activities"):
        window.show_page(key)
        other = window.browser(key)
        assert other is not None and isinstance(other.filter_bar, FilterBar)


def test_owner_filter_offers_the_account_users(
    qtbot: QtBot, make_window: Make, control: SandboxControl
) -> None:
    window = make_window()
    window.show_page("opportunities")
    qtbot.waitUntil(lambda: browser_loaded(window, "opportunities"))
    browser = window.browser("opportunities")
    assert browser is not None and isinstance(browser.filter_bar, FilterBar)
    owner = browser.filter_bar.control("assignee_ids")
    assert isinstance(owner, ChoiceButton)
    users = window.lookups.choices(LookupKind.USERS)
    assert users and [label for _, label in owner.choices()][-len(users) :] == [
        name for _, name in users
    ]
    user_id = users[0][0]
    owner.action(user_id).trigger()

    def owner_sent() -> bool:
        return user_id in (searches(control, "/opportunities/search")[-1].get("assignee_ids") or [])

    qtbot.waitUntil(lambda: owner_sent() and not browser.model.loading)
    assert all(
        (browser.model.record(r) or {}).get("assignee_id") == user_id
        for r in range(min(browser.model.rowCount(), 200))
    )


def test_related_record_names_are_resolved_in_one_search(
    qtbot: QtBot, make_window: Make, control: SandboxControl
) -> None:
    window = make_window()
    window.show_page("tasks")
    qtbot.waitUntil(lambda: browser_loaded(window, "tasks"))
    browser = window.browser("tasks")
    assert browser is not None
    browser.set_column_visible("related_resource", True)
    column = browser.column_keys().index("related_resource")
    model = browser.model
    row = next(
        r
        for r in range(model.rowCount())
        if ((model.record(r) or {}).get("related_resource") or {}).get("type") == "company"
    )
    qtbot.waitUntil(lambda: not str(model.index(row, column).data()).startswith("#"))
    company_id = (model.record(row) or {})["related_resource"]["id"]
    assert model.index(row, column).data() == (
        f"{window.lookups.name(LookupKind.COMPANIES, company_id)} (Company)"
    )
    lookups = [b for b in searches(control, "/companies/search") if "ids" in b]
    assert len(lookups) == 1 and company_id in lookups[0]["ids"]


def test_features_install_through_menus_pages_and_row_actions(
    qtbot: QtBot, make_window: Make
) -> None:
    """The hooks features use (convert, transfer, board): menus in the standard order, a page
    made when first shown, row actions on every browser made."""
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QLabel

    window = make_window()
    help_menu = window.menu("help")
    window.menu("edit")
    window.menu("tools")
    assert window.menu("help") is help_menu
    titles = ["&File", "&Edit", "&View", "&Tools", "&Help"]
    assert [a.text() for a in window.menuBar().actions()] == titles

    made: list[str] = []
    window.browser_created.connect(
        lambda key, browser: (
            made.append(key),
            browser.selection.add_row_action(QAction("Feature", browser)),
        )
    )
    window.add_page("feature", "Feature", lambda: QLabel("the feature"))
    assert window.page("feature") is None
    window.show_page("feature")
    assert isinstance(window.page("feature"), QLabel)
    window.show_page("companies")
    assert made == ["companies"]
    browser = window.browser("companies")
    assert browser is not None
    assert "Feature" in [a.text() for a in browser.selection.menu.actions()]
