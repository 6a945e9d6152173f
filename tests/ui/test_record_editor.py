"""Record editors in the real main window against the live sandbox: edit and save each entity
(only the changed keys are sent), create, delete and re-create, validation, 422s, conflicts,
the unsaved-changes question and a failed save that keeps the edit."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QLineEdit, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from copper_desktop.api import NotFoundError
from copper_desktop.domain.catalog import ENTITIES
from tests.helpers.editor import make_record, retype_field, saved, text_input, unique
from tests.helpers.qt import MakeWindow
from tests.helpers.sandbox import SandboxControl

Run = Callable[..., Any]
TEXT_KEY = {"activities": "details"}
"""The text field each entity's test edits (name everywhere else)."""
RECORD_PATH = re.compile(r"^/[a-z_]+(/\d+)?$")


def writes(control: SandboxControl) -> list[dict[str, Any]]:
    """Creates, updates and deletes of records (not searches, listings or related reads)."""
    return [
        r
        for r in control.requests(limit=500)
        if r["method"] in ("POST", "PUT", "DELETE") and RECORD_PATH.match(r["path"])
    ]


def record_requests(control: SandboxControl, path: str) -> list[dict[str, Any]]:
    """Every request (any method) to one record's own path."""
    return [r for r in control.requests(limit=500) if r["path"] == path]


def press(widget: QWidget) -> None:
    assert isinstance(widget, QAbstractButton)
    assert widget.isEnabled(), widget.objectName()
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton)


def message_box(qtbot: QtBot, parent: QWidget, name: str) -> QMessageBox:
    box: list[QMessageBox] = []

    def shown() -> bool:
        shown = [b for b in parent.findChildren(QMessageBox, name) if b.isVisible()]
        box[:] = shown[-1:]
        return bool(shown)

    qtbot.waitUntil(shown)
    return box[0]


def click_box_button(box: QMessageBox, name: str) -> None:
    button = box.findChild(QAbstractButton, name)
    assert button is not None, name
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)


@pytest.mark.parametrize(
    "key", ["people", "companies", "leads", "opportunities", "tasks", "projects", "activities"]
)
def test_edit_and_save_sends_only_the_changed_field(
    qtbot: QtBot, make_window: MakeWindow, control: SandboxControl, run: Run, key: str
) -> None:
    window = make_window()
    record = make_record(window, run, key)
    editor = window.open_record(key, record)
    qtbot.waitExposed(editor)
    field = TEXT_KEY.get(key, "name")
    new_text = unique("Renamed")
    control.reset()
    retype_field(qtbot, editor, field, new_text)
    assert editor.is_dirty and editor.windowTitle().startswith("* ")
    assert editor.form.editor(field).is_changed()
    editor.activateWindow()
    qtbot.waitUntil(editor.isActiveWindow)
    QTest.keyClick(text_input(editor, field), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: saved(editor))
    puts = [r for r in writes(control) if r["method"] == "PUT"]
    assert len(puts) == 1
    assert puts[0]["path"] == f"/{ENTITIES[key].path}/{record['id']}"
    assert puts[0]["body"] == {field: new_text}
    server = run(window.session.client.get(ENTITIES[key].path, record["id"]))
    assert server[field] == new_text
    assert not editor.form.editor(field).is_changed()
    assert not editor.windowTitle().startswith("* ")


def test_saving_updates_the_row_in_the_list(
    qtbot: QtBot, make_window: MakeWindow, control: SandboxControl, run: Run
) -> None:
    window = make_window()
    browser = window.browser("people")
    assert browser is not None
    qtbot.waitUntil(lambda: browser.model.rowCount() > 0 and browser.model.is_loaded(0))
    browser.table.selectRow(0)
    browser.table.setFocus()
    QTest.keyClick(browser.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(window.editors) == 1)
    editor = window.editors[0]
    record = browser.model.record(0) or {}
    assert editor.record_id == record["id"]
    title = unique("Title")
    retype_field(qtbot, editor, "title", title)
    press(editor.save_button)
    qtbot.waitUntil(lambda: saved(editor))
    column = browser.column_keys().index("title")
    qtbot.waitUntil(lambda: browser.model.index(0, column).data() == title)
    # opening the same record again raises the editor instead of a second one
    QTest.keyClick(browser.table, Qt.Key.Key_Return)
    assert len(window.editors) == 1
    run(window.session.client.update("people", record["id"], {"title": record.get("title")}))


def test_create_with_ctrl_n(
    qtbot: QtBot, make_window: MakeWindow, control: SandboxControl, run: Run
) -> None:
    window = make_window()
    window.show_page("opportunities")
    QTest.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: len(window.editors) == 1)
    editor = window.editors[0]
    assert editor.model.is_new and editor.windowTitle() == "New opportunity"
    assert editor.model.value("assignee_id") == window.user_id
    pipeline = editor.model.value("pipeline_id")
    assert pipeline is not None
    assert editor.model.value("pipeline_stage_id") == window.lookups.stages(pipeline)[0][0]
    assert editor.model.value("status") == "Open"
    assert not editor.delete_button.isVisible()
    name = unique("Deal")
    control.reset()
    retype_field(qtbot, editor, "name", name)
    press(editor.save_button)
    qtbot.waitUntil(lambda: not editor.model.is_new and not editor.busy)
    posts = [r for r in writes(control) if r["method"] == "POST"]
    assert [p["path"] for p in posts] == ["/opportunities"]
    assert posts[0]["body"]["name"] == name
    assert posts[0]["body"]["assignee_id"] == window.user_id
    assert editor.windowTitle() == f"{name} — Opportunity"
    created = run(window.session.client.get("opportunities", editor.record_id))
    assert created["name"] == name and created["pipeline_id"] == pipeline
    assert editor.delete_button.isVisible()
    assert editor.related is not None  # an existing record gets its related panel


def test_delete_then_recreate_from_the_journal(
    qtbot: QtBot, make_window: MakeWindow, control: SandboxControl, run: Run
) -> None:
    window = make_window()
    record = make_record(window, run, "companies", details="Keep me", tags=["journal"])
    editor = window.open_record("companies", record)
    press(editor.delete_button)
    box = message_box(qtbot, editor, "confirmDelete")
    assert record["name"] in box.text()
    click_box_button(box, "confirmDeleteOk")
    qtbot.waitUntil(lambda: editor not in window.editors)
    with pytest.raises(NotFoundError):
        run(window.session.client.get("companies", record["id"]))
    entry = window.journal.entries()[0]
    assert entry.record["id"] == record["id"] and entry.state == "deleted"

    dialog = window.show_journal()
    qtbot.waitExposed(dialog)
    table = dialog.findChild(QWidget, "journalTable")
    assert table is not None
    dialog.table.selectRow(0)
    recreate = dialog.findChild(QAbstractButton, "journalRecreate")
    assert recreate is not None
    press(recreate)
    qtbot.waitUntil(lambda: window.journal.entries()[0].state == "recreated")
    new_id = window.journal.entries()[0].recreated_id
    again = run(window.session.client.get("companies", new_id))
    assert again["name"] == record["name"]
    assert again["details"] == "Keep me" and again["tags"] == ["journal"]
    dialog.close()


def test_a_required_field_left_blank_is_refused_inline(
    qtbot: QtBot, make_window: MakeWindow, control: SandboxControl, run: Run
) -> None:
    window = make_window()
    record = make_record(window, run, "companies")
    editor = window.open_record("companies", record)
    control.reset()
    retype_field(qtbot, editor, "name", "")
    press(editor.save_button)
    name_editor = editor.form.editor("name")
    qtbot.waitUntil(lambda: bool(name_editor.error_label.text()))
    assert "required" in name_editor.error_label.text()
    assert name_editor.error_label.isVisible()
    assert record_requests(control, f"/companies/{record['id']}") == []  # nothing was sent
    assert editor.is_dirty


def test_a_422_is_shown_at_its_field_and_the_edit_is_kept(
    qtbot: QtBot, make_window: MakeWindow, control: SandboxControl, run: Run
) -> None:
    window = make_window()
    taken = f"{uuid.uuid4().hex[:10]}@taken.example"
    make_record(window, run, "people", emails=[{"email": taken, "category": "work"}])
    record = make_record(window, run, "people")
    editor = window.open_record("people", record)
    emails = editor.form.editor("emails")
    press(emails.focus_widget())  # the person has no e-mail yet: "Add e-mail"
    email_input = emails.focus_widget()
    assert isinstance(email_input, QLineEdit)
    email_input.setFocus()
    qtbot.keyClicks(email_input, taken)
    assert editor.model.value("emails")[0]["email"] == taken
    press(editor.save_button)
    qtbot.waitUntil(lambda: bool(emails.error_label.text()))
    assert emails.error_label.isVisible()
    assert "already been taken" in emails.error_label.text()
    assert editor.is_dirty and email_input.text() == taken
    assert not editor.banner.isVisible()


@pytest.mark.parametrize("choice", ["mine", "theirs"])
def test_a_concurrent_change_asks_and_is_resolved(
    qtbot: QtBot, make_window: MakeWindow, control: SandboxControl, run: Run, choice: str
) -> None:
    window = make_window()
    record = make_record(window, run, "companies")
    editor = window.open_record("companies", record)
    mine = unique("Mine")
    retype_field(qtbot, editor, "name", mine)
    theirs = unique("Theirs")
    run(window.session.client.update("companies", record["id"], {"name": theirs, "details": "T"}))
    control.reset()
    press(editor.save_button)
    qtbot.waitUntil(
        lambda: editor.conflict_dialog is not None and editor.conflict_dialog.isVisible()
    )
    dialog = editor.conflict_dialog
    assert dialog is not None
    assert "name" in dialog.row_keys() and "details" in dialog.row_keys()
    button = dialog.take_mine if choice == "mine" else dialog.keep_theirs
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: saved(editor))
    puts = [r for r in writes(control) if r["method"] == "PUT"]
    server = run(window.session.client.get("companies", record["id"]))
    assert server["details"] == "T"  # their other change survives either way
    if choice == "mine":
        assert [p["body"] for p in puts] == [{"name": mine}]
        assert server["name"] == mine
    else:
        assert puts == []
        assert server["name"] == theirs
        assert text_input(editor, "name").text() == theirs  # type: ignore[attr-defined]


def test_cancelling_the_conflict_keeps_the_edit(
    qtbot: QtBot, make_window: MakeWindow, control: SandboxControl, run: Run
) -> None:
    window = make_window()
    record = make_record(window, run, "companies")
    editor = window.open_record("companies", record)
    mine = unique("Mine")
    retype_field(qtbot, editor, "name", mine)
    run(window.session.client.update("companies", record["id"], {"details": "changed"}))
    press(editor.save_button)
    qtbot.waitUntil(
        lambda: editor.conflict_dialog is not None and editor.conflict_dialog.isVisible()
    )
    dialog = editor.conflict_dialog
    assert dialog is not None
    QTest.mouseClick(dialog.cancel, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not editor.busy)
    assert editor.is_dirty and editor.model.value("name") == mine
    assert "changed in Copper" in editor.status.text()
    server = run(window.session.client.get("companies", record["id"]))
    assert server["name"] == record["name"]


def test_closing_with_unsaved_changes_asks(
    qtbot: QtBot, make_window: MakeWindow, control: SandboxControl, run: Run
) -> None:
    window = make_window()
    record = make_record(window, run, "companies")
    editor = window.open_record("companies", record)
    edited = unique("Unsaved")
    retype_field(qtbot, editor, "name", edited)

    editor.close()
    click_box_button(message_box(qtbot, editor, "unsavedChanges"), "unsavedCancel")
    qtbot.waitUntil(lambda: not editor.busy and not editor.runner.pending)
    assert editor.isVisible() and editor.model.value("name") == edited

    editor.close()
    control.reset()
    click_box_button(message_box(qtbot, editor, "unsavedChanges"), "unsavedSave")
    qtbot.waitUntil(lambda: editor not in window.editors)
    assert run(window.session.client.get("companies", record["id"]))["name"] == edited

    other = window.open_record("companies", make_record(window, run, "companies"))
    retype_field(qtbot, other, "name", unique("Dropped"))
    other.close()
    control.reset()
    click_box_button(message_box(qtbot, other, "unsavedChanges"), "unsavedDiscard")
    qtbot.waitUntil(lambda: other not in window.editors)
    assert writes(control) == []


def test_a_failed_save_keeps_the_edit_and_retry_saves(
    qtbot: QtBot, make_window: MakeWindow, control: SandboxControl, run: Run
) -> None:
    window = make_window()
    record = make_record(window, run, "companies")
    editor = window.open_record("companies", record)
    edited = unique("Kept")
    retype_field(qtbot, editor, "name", edited)
    control.add_fault("error", status=500, method="PUT", path=f"^/companies/{record['id']}$")
    press(editor.save_button)
    qtbot.waitUntil(lambda: editor.banner.isVisible())
    assert "Your edits are kept" in editor.banner.message
    assert editor.is_dirty and text_input(editor, "name").text() == edited  # type: ignore[attr-defined]
    assert editor.form.editor("name").is_changed()
    control.clear_faults()
    retry = editor.banner.findChild(QAbstractButton, "bannerRetry")
    assert retry is not None
    QTest.mouseClick(retry, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: saved(editor))
    assert run(window.session.client.get("companies", record["id"]))["name"] == edited


def test_quitting_with_an_unsaved_editor_asks_first(
    qtbot: QtBot, make_window: MakeWindow, run: Run
) -> None:
    window = make_window()
    editor = window.open_record("companies", make_record(window, run, "companies"))
    retype_field(qtbot, editor, "name", unique("Pending"))
    quits: list[bool] = []
    window.quit_requested.connect(lambda: quits.append(True))
    window.quit_action.trigger()
    assert window.isVisible() and quits == []
    click_box_button(message_box(qtbot, editor, "unsavedChanges"), "unsavedDiscard")
    qtbot.waitUntil(lambda: editor not in window.editors)
    window.quit_action.trigger()
    assert quits == [True] and not window.isVisible()


def test_a_related_item_opens_in_its_own_editor(
    qtbot: QtBot, make_window: MakeWindow, run: Run
) -> None:
    window = make_window()
    company = make_record(window, run, "companies")
    person = make_record(window, run, "people")
    run(window.session.client.add_related("companies", company["id"], "person", person["id"]))
    editor = window.open_record("companies", company)
    panel = editor.related
    assert panel is not None
    qtbot.waitUntil(lambda: panel.related_item("people", person["id"]) is not None)
    panel.open_requested.emit("people", person["id"])
    qtbot.waitUntil(lambda: window.editor("people", person["id"]) is not None)
    assert len(window.editors) == 2
