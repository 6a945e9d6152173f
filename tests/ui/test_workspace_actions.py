"""The window's conventions against the live sandbox: the Delete key (confirmation, journal
before the DELETE), Esc and Ctrl+W closing an editor, the toolbar, Help ▸ Keyboard shortcuts
generated from the actions, and Help ▸ About."""

from __future__ import annotations

import platform
from typing import Any

import PySide6
import pytest
from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from copper_desktop.api import NotFoundError
from copper_desktop.journal import DeletionJournal
from copper_desktop.ui.browse.browser import EntityBrowser
from copper_desktop.ui.main_window import MainWindow
from tests.helpers.editor import make_record, unique
from tests.helpers.loop import Run
from tests.helpers.qt import MakeWindow
from tests.helpers.sandbox import SandboxControl


def shown_box(qtbot: QtBot, parent: QWidget, name: str) -> QMessageBox:
    found: list[QMessageBox] = []

    def shown() -> bool:
        found[:] = [b for b in parent.findChildren(QMessageBox, name) if b.isVisible()][-1:]
        return bool(found)

    qtbot.waitUntil(shown)
    return found[0]


def click(box: QMessageBox, name: str) -> None:
    button = box.findChild(QAbstractButton, name)
    assert button is not None, name
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)


def browser_with(window: MainWindow, qtbot: QtBot, key: str, name: str) -> EntityBrowser:
    """The browser of `key` narrowed to the record called `name` (its only row)."""
    browser = window.show_page(key)
    assert isinstance(browser, EntityBrowser)
    browser.set_filters({"name": name})
    qtbot.waitUntil(lambda: not browser.model.loading and browser.model.rowCount() == 1)
    return browser


def logged(control: SandboxControl, method: str, path: str) -> list[dict[str, Any]]:
    return [r for r in control.requests(limit=500) if r["method"] == method and r["path"] == path]


def test_the_delete_key_asks_then_journals_before_the_delete(
    qtbot: QtBot, make_window: MakeWindow, control: SandboxControl, run: Run
) -> None:
    window = make_window()
    record = make_record(window, run, "companies", name=unique("Delete key"))
    browser = browser_with(window, qtbot, "companies", record["name"])
    browser.table.selectRow(0)
    browser.table.setFocus()
    path = f"/companies/{record['id']}"
    control.add_fault("latency", ms=1500, method="DELETE", path=f"^{path}$")

    QTest.keyClick(browser.table, Qt.Key.Key_Delete)
    box = shown_box(qtbot, window, "confirmDelete")
    assert record["name"] in box.text()
    assert not logged(control, "DELETE", path)  # nothing is sent before the answer
    click(box, "confirmDeleteOk")

    # While the DELETE is held at the server, the journal file already holds the record.
    qtbot.waitUntil(lambda: bool(logged(control, "DELETE", path)))
    assert logged(control, "DELETE", path)[-1]["status"] is None, "answered before the check"
    (entry,) = DeletionJournal(window.journal.directory).entries()
    assert entry.state == "pending" and entry.record["id"] == record["id"]

    qtbot.waitUntil(lambda: window.journal.entries()[0].state == "deleted", timeout=10_000)
    with pytest.raises(NotFoundError):
        run(window.session.client.get("companies", record["id"]))
    qtbot.waitUntil(lambda: not browser.model.loading and browser.model.rowCount() == 0)


def test_cancelling_the_delete_sends_nothing(
    qtbot: QtBot, make_window: MakeWindow, control: SandboxControl, run: Run
) -> None:
    window = make_window()
    record = make_record(window, run, "people", name=unique("Kept"))
    browser = browser_with(window, qtbot, "people", record["name"])
    browser.table.selectRow(0)
    pos = browser.table.visualRect(browser.model.index(0, 1)).center()
    menu = browser.selection.show_menu(pos)
    delete = next(a for a in menu.actions() if a.objectName() == "actionDeleteRecords")
    menu.close()
    delete.trigger()  # from the row menu
    click(shown_box(qtbot, window, "confirmDelete"), "confirmDeleteCancel")
    qtbot.waitUntil(lambda: not window.workspace.runner.running("delete"))
    assert run(window.session.client.get("people", record["id"]))["id"] == record["id"]
    assert not logged(control, "DELETE", f"/people/{record['id']}")
    assert window.journal.entries() == []


def test_several_selected_rows_are_deleted_after_one_question(
    qtbot: QtBot, make_window: MakeWindow, run: Run
) -> None:
    window = make_window()
    tag = unique("Pair")
    made = [make_record(window, run, "people", name=f"{tag} {n}") for n in (1, 2)]
    browser = window.show_page("people")
    assert isinstance(browser, EntityBrowser)
    browser.set_filters({"name": tag})
    qtbot.waitUntil(lambda: not browser.model.loading and browser.model.rowCount() == 2)
    browser.table.selectAll()
    window.workspace.delete_action.trigger()
    box = shown_box(qtbot, window, "confirmDelete")
    assert "2 people" in box.text()
    click(box, "confirmDeleteOk")
    qtbot.waitUntil(lambda: len([e for e in window.journal.entries() if e.state == "deleted"]) == 2)
    for record in made:
        with pytest.raises(NotFoundError):
            run(window.session.client.get("people", record["id"]))


@pytest.mark.parametrize("keys", ["Esc", "Ctrl+W"])
def test_escape_and_ctrl_w_close_an_editor(
    qtbot: QtBot, make_window: MakeWindow, run: Run, keys: str
) -> None:
    window = make_window()
    record = make_record(window, run, "companies")
    editor = window.open_record("companies", record)
    qtbot.waitExposed(editor)
    editor.activateWindow()
    qtbot.waitUntil(editor.isActiveWindow)
    key = Qt.Key.Key_Escape if keys == "Esc" else Qt.Key.Key_W
    control = Qt.KeyboardModifier.ControlModifier
    QTest.keyClick(
        editor.focusWidget() or editor,
        key,
        Qt.KeyboardModifier.NoModifier if keys == "Esc" else control,
    )
    qtbot.waitUntil(lambda: editor not in window.editors)


def test_the_toolbar_holds_the_common_actions_with_icons(make_window: MakeWindow) -> None:
    window = make_window()
    names = [a.objectName() for a in window.toolbar.actions() if not a.isSeparator()]
    assert names[:4] == [
        "actionNewRecord", "actionOpenRecord", "actionDeleteRecords", "actionBulkEditSelection"
    ]  # fmt: skip
    assert names[-1] == "actionRefresh"
    for feature in ("actionConvertLead", "actionImport", "actionExport"):
        if feature in names:  # added by their features, put before Refresh
            assert names.index(feature) < names.index("actionRefresh")
    for action in window.toolbar.actions():
        if not action.isSeparator():
            assert not action.icon().isNull(), action.objectName()
            button = window.toolbar.widgetForAction(action)
            assert button is not None and button.objectName() and button.accessibleName()
    for key in window.page_keys():
        assert not window.nav.page_item(key).icon(0).isNull(), key


def test_a_late_toolbar_action_gets_its_place_and_icon(
    qtbot: QtBot, make_window: MakeWindow
) -> None:
    window = make_window()
    late = QAction("&Export…", window)
    late.setObjectName("actionExport")
    window.toolbar.addAction(late)
    qtbot.waitUntil(lambda: not late.icon().isNull())
    names = [a.objectName() for a in window.toolbar.actions() if not a.isSeparator()]
    assert names.index("actionExport") < names.index("actionRefresh")


def test_keyboard_shortcuts_are_listed_from_the_actions(
    qtbot: QtBot, make_window: MakeWindow
) -> None:
    window = make_window()
    window.find_action.setShortcut("Ctrl+Alt+F")  # the list follows the actions themselves
    dialog = window.workspace.show_shortcuts()
    qtbot.waitExposed(dialog)
    listed = dialog.listed()
    assert listed["Find"] == "Ctrl+Alt+F"
    assert listed["New record"] == "Ctrl+N"
    assert listed["Open record"] == "Ctrl+O"
    assert "F5" in listed["Refresh"]
    assert listed["Delete"] == "Del"
    assert listed["Bulk edit"] == "Ctrl+Shift+E"
    assert (listed.get("Copy rows") or listed["Copy"]).startswith("Ctrl+C")
    assert listed["Keyboard shortcuts"] == "F1"
    assert "Ctrl+W" in listed["Close editor"] and "Esc" in listed["Close editor"]
    assert listed["Save"] == "Ctrl+S"
    shown = {a.text().replace("&", "").rstrip("…") for a in window.actions() if a.shortcuts()}
    assert shown <= set(listed)  # every window action with a shortcut is in the list


def test_about_shows_the_versions(qtbot: QtBot, make_window: MakeWindow) -> None:
    window = make_window()
    window.workspace.about_action.trigger()
    dialog = window.workspace.about_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    text = dialog.versions_label.text()
    for part in (qVersion(), PySide6.__version__, platform.python_version()):
        assert part in text
    assert dialog.info["Copper Desktop"]
    assert "href=" in dialog.license_label.text()
    QTest.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    assert f"Qt: {qVersion()}" in QGuiApplication.clipboard().text()


def test_a_busy_bar_shows_while_a_page_loads(
    qtbot: QtBot, make_window: MakeWindow, control: SandboxControl
) -> None:
    window = make_window()
    browser = window.browser("people")
    assert browser is not None
    qtbot.waitUntil(lambda: not browser.model.loading and browser.model.is_loaded(0))
    assert not browser.busy.isVisible()
    control.add_fault("latency", ms=1000, method="POST", path="^/people/search$", count=1)
    browser.set_filters({"name": "a"})
    qtbot.waitUntil(browser.busy.isVisible)
    qtbot.waitUntil(lambda: not browser.model.loading)
    assert not browser.busy.isVisible()
