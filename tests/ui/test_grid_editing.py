"""Editing a browser like a spreadsheet, end to end against the live sandbox and driving the
real grid of the main window: a cell edited with the record editor's widget (F2, typing,
Enter) and staged, not sent; a TSV block pasted with an owner, a stage and a dropdown option
by name; an unreadable pasted cell blocking Save with its reason; undo and redo; fill down;
copy with and without headers; Save through the preview into a job whose PUT bodies hold only
the changed keys; a record changed on the sandbox meanwhile refused as a conflict and kept
staged; the saved job undone."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from copper_desktop.domain.catalog import LookupKind
from copper_desktop.jobs import JobState, RowStatus
from copper_desktop.models.paged import StagedRole
from copper_desktop.models.staged_edits import CHANGED, FAILED, INVALID
from copper_desktop.session import Session
from copper_desktop.ui.browse.browser import EntityBrowser
from copper_desktop.ui.browse.grid_editing import GridEditing
from copper_desktop.ui.fields.editor_base import FieldEditor, LineEditor
from copper_desktop.ui.main_window import MainWindow
from copper_desktop.ui.transfer.grid_save_dialog import GridSaveDialog

Json = dict[str, Any]
Run = Callable[..., Any]
CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def make_opportunities(window: MainWindow, run: Run, count: int) -> tuple[str, list[Json]]:
    """``count`` opportunities named ``<unique prefix> NN`` in the first stage of the Sales
    pipeline, owned by the first user."""
    lookups = window.lookups
    pipeline = next(pid for pid, name in lookups.choices(LookupKind.PIPELINES) if name == "Sales")
    first_stage = lookups.stages(pipeline)[0][0]
    owner = lookups.choices(LookupKind.USERS)[0][0]
    prefix = f"Grid {uuid.uuid4().hex[:8]}"
    made = [
        run(window.session.client.create("opportunities", {
            "name": f"{prefix} {i:02d}", "pipeline_id": pipeline,
            "pipeline_stage_id": first_stage, "assignee_id": owner, "monetary_value": 100 + i,
        }))  # fmt: skip
        for i in range(count)
    ]
    return prefix, made


def grid_of(qtbot: QtBot, window: MainWindow, key: str, made: list[Json]) -> GridEditing:
    """The window's grid of ``key`` showing just these records (by name), all loaded."""
    page = window.show_page(key)
    assert isinstance(page, EntityBrowser)
    count = len(made)
    page.set_filters({"ids": [r["id"] for r in made]})
    qtbot.waitUntil(lambda: page.model.rowCount() == count and page.model.is_loaded(count - 1))
    grid = window.grid_editing.grid(key)
    assert grid is not None
    return grid


def show_columns(grid: GridEditing, keys: list[str]) -> None:
    """Exactly these columns, in this order, sorted by name."""
    browser = grid.browser
    header = browser.header
    for key in browser.column_keys():
        browser.set_column_visible(key, key in keys)
    for visual, key in enumerate(keys):
        header.moveSection(header.visualIndex(browser.column_keys().index(key)), visual)
    assert browser.visible_column_keys() == keys


def index(grid: GridEditing, row: int, key: str) -> QModelIndex:
    return grid.model.index(row, grid.browser.column_keys().index(key))


def text(grid: GridEditing, row: int, key: str) -> str:
    return str(index(grid, row, key).data() or "")


def select(grid: GridEditing, first: tuple[int, str], last: tuple[int, str]) -> None:
    """Click the first cell, Shift+click the last (a rectangle of cells)."""
    table = grid.table
    for (row, key), modifier in ((first, Qt.KeyboardModifier.NoModifier), (last, SHIFT)):
        center = table.visualRect(index(grid, row, key)).center()
        QTest.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, modifier, center)


def open_editor(qtbot: QtBot, grid: GridEditing, row: int, key: str) -> FieldEditor:
    select(grid, (row, key), (row, key))
    grid.table.setFocus()
    QTest.keyClick(grid.table, Qt.Key.Key_F2)
    editor = grid.table.viewport().findChild(FieldEditor, f"gridEditor_{key}")
    assert editor is not None and editor.isVisible()
    return editor


def fetched(session: Session, run: Run, ids: list[int]) -> dict[int, Json]:
    page = run(session.client.search("opportunities", {"ids": ids}))
    return {r["id"]: r for r in page.records}


def region(window: MainWindow) -> tuple[str, dict[str, int]]:
    definition = next(d for d in window.lookups.definitions if d.name == "Region")
    return definition.key, {o.name: o.id for o in definition.options}


def test_a_cell_is_edited_in_place_and_staged_not_sent(
    qtbot: QtBot, make_window: Callable[..., MainWindow], control: Any, run: Run
) -> None:
    window = make_window()
    prefix, made = make_opportunities(window, run, 2)
    grid = grid_of(qtbot, window, "opportunities", made)
    show_columns(grid, ["name", "monetary_value", "assignee_id"])
    control.reset()

    editor = open_editor(qtbot, grid, 0, "name")
    assert isinstance(editor, LineEditor) and editor.edit.hasFocus()
    QTest.keyClicks(editor.edit, f"{prefix} renamed")
    QTest.keyClick(editor.edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(grid.staged) == 1)
    assert text(grid, 0, "name") == f"{prefix} renamed"
    assert index(grid, 0, "name").data(StagedRole) == CHANGED
    assert grid.bar.summary.text() == "1 change in 1 record" and grid.bar.isVisible()

    editor = open_editor(qtbot, grid, 1, "monetary_value")  # typed text that is no amount
    assert isinstance(editor, LineEditor)
    editor.edit.selectAll()
    QTest.keyClicks(editor.edit, "lots")
    QTest.keyClick(editor.edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(grid.staged) == 2)
    assert index(grid, 1, "monetary_value").data(StagedRole) == INVALID
    assert text(grid, 1, "monetary_value") == "lots"
    assert "is not an amount" in str(index(grid, 1, "monetary_value").data(Qt.ItemDataRole.ToolTipRole))
    assert not grid.bar.save_button.isEnabled()
    assert grid.bar.problem.text() == "1 cell cannot be saved: fix or discard them."

    # Double-click on an editable cell edits it (no record editor opens); on others it opens.
    table = grid.table
    center = table.visualRect(index(grid, 0, "assignee_id")).center()
    QTest.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=center)
    QTest.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=center)
    owner = table.viewport().findChild(FieldEditor, "gridEditor_assignee_id")
    assert owner is not None and owner.isVisible()
    assert window.editors == []
    QTest.keyClick(owner.focus_widget(), Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not owner.isVisible())
    assert len(grid.staged) == 2  # Escape staged nothing

    writes = [e for e in control.requests(limit=500) if e["method"] in ("PUT", "POST")
              and "/search" not in e["path"]]  # fmt: skip
    assert writes == []  # nothing was sent
    assert fetched(window.session, run, [made[0]["id"]])[made[0]["id"]]["name"] == f"{prefix} 00"
    grid.discard()
    assert len(grid.staged) == 0 and text(grid, 0, "name") == f"{prefix} 00"
