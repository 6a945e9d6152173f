"""A record editor asked to save again while its save is still at the server (held there by
the sandbox's latency fault): one PUT only, and nothing the user typed is lost."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from copper_desktop.ui.editor.record_editor import RecordEditor
from tests.helpers.editor import make_record, retype_field, saved, text_input, unique
from tests.helpers.qt import MakeWindow
from tests.helpers.sandbox import SandboxControl

Run = Callable[..., Any]


def puts(control: SandboxControl, path: str) -> list[dict[str, Any]]:
    return [r for r in control.requests(500) if r["method"] == "PUT" and r["path"] == path]


def save_shortcut(editor: RecordEditor) -> QAction:
    action = editor.findChild(QAction, "actionEditorSave")
    assert action is not None
    return action


def test_ctrl_s_while_the_put_is_in_flight_sends_no_second_put(
    qtbot: QtBot, make_window: MakeWindow, control: SandboxControl, run: Run
) -> None:
    window = make_window()
    record = make_record(window, run, "companies")
    path = f"/companies/{record['id']}"
    editor = window.open_record("companies", record)
    qtbot.waitExposed(editor)
    edited = unique("Once")
    retype_field(qtbot, editor, "name", edited)
    control.reset()
    control.add_fault("latency", ms=1500, method="PUT", path=f"^{path}$")

    save_shortcut(editor).trigger()
    qtbot.waitUntil(lambda: bool(puts(control, path)), timeout=10_000)
    assert editor.busy
    assert puts(control, path)[0]["status"] is None, "the PUT was answered already"
    save_shortcut(editor).trigger()  # Ctrl+S again, and the Save button's slot too
    editor.save()
    qtbot.waitUntil(lambda: saved(editor) and not editor.runner.pending, timeout=15_000)

    assert [r["body"] for r in puts(control, path)] == [{"name": edited}]
    assert text_input(editor, "name").text() == edited  # type: ignore[attr-defined]
    assert run(window.session.client.get("companies", record["id"]))["name"] == edited


def test_a_double_click_on_save_sends_one_put(
    qtbot: QtBot, make_window: MakeWindow, control: SandboxControl, run: Run
) -> None:
    """Both clicks arrive before the first save's task has started (a quick double click
    whose events Qt delivers in one batch): the second must not start another save."""
    window = make_window()
    record = make_record(window, run, "companies")
    path = f"/companies/{record['id']}"
    editor = window.open_record("companies", record)
    qtbot.waitExposed(editor)
    edited = unique("Twice")
    retype_field(qtbot, editor, "name", edited)
    control.reset()

    for _ in range(2):
        QTest.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: saved(editor) and not editor.runner.pending, timeout=15_000)

    assert [r["body"] for r in puts(control, path)] == [{"name": edited}]
