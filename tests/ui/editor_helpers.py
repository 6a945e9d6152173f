"""Shared by the field editor and record form tests: lookups loaded from the live sandbox,
editors that are closed (their searches cancelled) after each test, and typing helpers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from copper_desktop.domain.catalog import FieldSpec
from copper_desktop.domain.custom_fields import CustomFieldDefinition, DataType, field_for
from copper_desktop.models.lookups import Lookups
from copper_desktop.session import Session
from copper_desktop.ui.fields.field_editors import FieldEditor, make_editor
from tests.ui.conftest import OFFSCREEN_NOISE

Run = Callable[..., Any]
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
