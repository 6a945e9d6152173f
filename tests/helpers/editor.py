"""Helpers of the field editor, record form and record editor tests: lookups loaded from the
live sandbox, editors that are closed (their searches cancelled) after each test, typing as a
user would, and fresh records to edit in a main window."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLineEdit, QPlainTextEdit, QWidget
from pytestqt.qtbot import QtBot

from copper_desktop.domain.catalog import ENTITIES, FieldSpec, LookupKind
from copper_desktop.domain.custom_fields import CustomFieldDefinition, DataType, field_for
from copper_desktop.models.lookups import Lookups
from copper_desktop.session import Session
from copper_desktop.ui.editor.record_editor import RecordEditor
from copper_desktop.ui.fields.field_editors import FieldEditor, make_editor
from copper_desktop.ui.main_window import MainWindow
from tests.helpers.loop import Run
from tests.helpers.qt import OFFSCREEN_NOISE

MakeEditor = Callable[..., FieldEditor]

POPUPS = pytest.mark.qt_log_ignore(
    OFFSCREEN_NOISE, r"This plugin does not support (raise\(\)|grabbing the keyboard)"
)
"""For tests that open pop-ups (completions, calendars): the offscreen platform warns that it
cannot raise them or grab the keyboard. A test-level mark, so it wins over the ui conftest's."""


def load_lookups(session: Session, run: Run) -> Lookups:
    """The account's lookups, loaded from the live sandbox."""
    loaded = Lookups()
    run(loaded.load(session.client))
    return loaded


def editor_factory(
    qtbot: QtBot, lookups: Lookups, session: Session, run: Run
) -> Iterator[MakeEditor]:
    """For a fixture: yields ``make(field, show=True)``, an editor on the live sandbox;
    every editor made is closed (its requests cancelled) afterwards."""
    made: list[FieldEditor] = []

    def build(field: FieldSpec, *, show: bool = True) -> FieldEditor:
        editor = make_editor(field, lookups, session.client)
        made.append(editor)
        if show:
            editor.resize(500, editor.sizeHint().height())
            editor.show()
            qtbot.waitExposed(editor)
        return editor

    yield build
    for editor in made:
        run(editor.aclose())
        editor.close()
        editor.deleteLater()


def definition(lookups: Lookups, data_type: DataType, on: str) -> CustomFieldDefinition:
    """The first custom field definition of a type available on a Copper type."""
    return next(d for d in lookups.definitions if d.data_type is data_type and d.applies_to(on))


def custom_field(lookups: Lookups, data_type: DataType, on: str) -> FieldSpec:
    return field_for(definition(lookups, data_type, on))


class Edits:
    """Counts `value_edited` emissions of one editor."""

    def __init__(self, editor: FieldEditor) -> None:
        self.count = 0
        editor.value_edited.connect(self._seen)

    def _seen(self) -> None:
        self.count += 1


def retype(widget: QWidget, text: str, *, commit: bool = True) -> None:
    """Select all, type `text` as keystrokes, and press Enter (editingFinished) if asked."""
    if isinstance(widget, QLineEdit):
        QTest.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        if not text:
            QTest.keyClick(widget, Qt.Key.Key_Delete)
    QTest.keyClicks(widget, text)
    if commit:
        QTest.keyClick(widget, Qt.Key.Key_Return)


# --------------------------------------------------------------------------- record editors


def unique(prefix: str = "Editor") -> str:
    return f"{prefix} {uuid.uuid4().hex[:8]}"


def note_type(window: MainWindow) -> int:
    return next(
        i
        for i, name in window.lookups.choices(LookupKind.ACTIVITY_TYPES)
        if name == "Note" and window.lookups.activity_category(i) == "user"
    )


def make_record(window: MainWindow, run: Run, key: str, **extra: Any) -> dict[str, Any]:
    """A fresh record of `key` made through the API, so tests never edit shared seed data."""
    client = window.session.client
    if key == "activities":
        person = run(client.create("people", {"name": unique("Regarding")}))
        body: dict[str, Any] = {
            "parent": {"type": "person", "id": person["id"]},
            "type": {"category": "user", "id": note_type(window)},
            "details": unique("Note"),
        }
    else:
        body = {"name": unique()}
    result: dict[str, Any] = run(client.create(ENTITIES[key].path, {**body, **extra}))
    return result


def text_input(editor: RecordEditor, key: str) -> QLineEdit | QPlainTextEdit:
    widget = editor.form.editor(key).focus_widget()
    assert isinstance(widget, QLineEdit | QPlainTextEdit), widget
    return widget


def retype_field(qtbot: QtBot, editor: RecordEditor, key: str, text: str) -> None:
    """Replace a text field's content of a record editor by typing, as a user would."""
    widget = text_input(editor, key)
    widget.setFocus()
    widget.selectAll()
    QTest.keyClick(widget, Qt.Key.Key_Delete)
    qtbot.keyClicks(widget, text)  # type: ignore[no-untyped-call]


def saved(editor: RecordEditor) -> bool:
    return not editor.busy and not editor.is_dirty
