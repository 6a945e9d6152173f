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
        run(
            window.session.client.create(
                "opportunities",
                {
                    "name": f"{prefix} {i:02d}",
                    "pipeline_id": pipeline,
                    "pipeline_stage_id": first_stage,
                    "assignee_id": owner,
                    "monetary_value": 100 + i,
                },
            )
        )
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
    assert "is not an amount" in str(
        index(grid, 1, "monetary_value").data(Qt.ItemDataRole.ToolTipRole)
    )
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
    assert grid.model.overlay is None  # browsing without staged edits costs nothing


def put_clipboard(value: str) -> None:
    QGuiApplication.clipboard().setText(value)


def test_a_pasted_block_is_read_by_name_saved_through_the_preview_and_undone(
    qtbot: QtBot, make_window: Callable[..., MainWindow], control: Any, run: Run
) -> None:
    window = make_window()
    lookups = window.lookups
    session = window.session
    prefix, made = make_opportunities(window, run, 3)
    grid = grid_of(qtbot, window, "opportunities", made)
    region_key, options = region(window)
    show_columns(grid, ["name", "assignee_id", "pipeline_stage_id", region_key])
    ids = [(grid.model.record(row) or {})["id"] for row in range(3)]
    assert ids == [r["id"] for r in made]  # sorted by name
    owner_id, owner = lookups.choices(LookupKind.USERS)[1]
    stage_id, stage = lookups.stages(made[0]["pipeline_id"])[1]
    before = fetched(session, run, ids)

    put_clipboard(  # as Excel puts it: CRLF lines, names in any case
        f"{owner.upper()}\t{stage.lower()}\temea\r\n"
        f"{owner}\t{stage}\tAPAC\r\n"
        f"Nobody Such\t{stage}\tLATAM\r\n"
    )
    select(grid, (0, "assignee_id"), (0, "assignee_id"))
    grid.table.setFocus()
    QTest.keyClick(grid.table, Qt.Key.Key_V, CTRL)
    assert grid.staged.summary() == "9 changes in 3 records"
    assert [text(grid, 0, k) for k in ("assignee_id", "pipeline_stage_id", region_key)] == [
        owner, stage, "EMEA"]  # fmt: skip
    bad = index(grid, 2, "assignee_id")
    assert bad.data(StagedRole) == INVALID and bad.data() == "Nobody Such"
    assert "“Nobody Such” is not a user." in str(bad.data(Qt.ItemDataRole.ToolTipRole))
    assert not grid.bar.save_button.isEnabled() and grid.save() is None  # blocked, nothing sent
    assert grid.bar.message.text() == "Fix or discard the marked cells first."

    QTest.keyClick(grid.table, Qt.Key.Key_Z, CTRL)  # undo the paste, then redo it
    assert len(grid.staged) == 0 and text(grid, 0, "assignee_id") != owner
    QTest.keyClick(grid.table, Qt.Key.Key_Z, CTRL | SHIFT)
    assert grid.staged.summary() == "9 changes in 3 records"

    editor = open_editor(qtbot, grid, 2, "assignee_id")  # fixed in the owner's pick list
    editor.select(owner_id)  # type: ignore[attr-defined]
    QTest.keyClick(editor.focus_widget(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: index(grid, 2, "assignee_id").data(StagedRole) == CHANGED)
    assert grid.bar.save_button.isEnabled()

    theirs = f"{prefix} renamed in Copper"  # somebody changes the second record meanwhile
    run(session.client.update("opportunities", ids[1], {"name": theirs}))
    control.reset()
    QTest.keyClick(grid.table, Qt.Key.Key_S, CTRL)
    dialog = grid.dialog
    assert isinstance(dialog, GridSaveDialog)
    qtbot.waitUntil(lambda: dialog.model.checked, timeout=20_000)
    assert dialog.counts.text() == (
        "2 will change, 0 already match, 1 cannot be changed "
        "(Changed in Copper since you edited it)"
    )
    assert dialog.save_button.text() == "Save 2 records"
    conflict = index(grid, 1, "assignee_id")
    assert conflict.data(StagedRole) == FAILED
    assert "Changed in Copper since you edited it" in str(
        conflict.data(Qt.ItemDataRole.ToolTipRole)
    )
    assert text(grid, 1, "name") == theirs  # the row shows what Copper holds now

    dialog.save_button.click()
    jobs = window.jobs
    assert jobs is not None
    qtbot.waitUntil(lambda: jobs.panel.job is not None and jobs.panel.job.state.final,
                    timeout=30_000)  # fmt: skip
    job = jobs.panel.job
    assert job is not None and job.state is JobState.FINISHED
    assert job.counts()[RowStatus.WRITTEN] == 2

    now = fetched(session, run, ids)
    for rid in (ids[0], ids[2]):
        assert (now[rid]["assignee_id"], now[rid]["pipeline_stage_id"]) == (owner_id, stage_id)
    regions = {rid: next(c["value"] for c in now[rid]["custom_fields"]
                         if c["custom_field_definition_id"] == int(region_key[3:]))
               for rid in ids}  # fmt: skip
    assert regions[ids[0]] == options["EMEA"] and regions[ids[2]] == options["LATAM"]
    assert now[ids[1]]["assignee_id"] == before[ids[1]]["assignee_id"]  # not overwritten
    puts = [e for e in control.requests(limit=500) if e["method"] == "PUT"]
    assert sorted(int(e["path"].rsplit("/", 1)[1]) for e in puts) == sorted([ids[0], ids[2]])
    for entry in puts:  # only the changed keys, the custom field by its definition
        body = entry["body"]
        assert set(body) == {"assignee_id", "pipeline_stage_id", "custom_fields"}
        assert [c["custom_field_definition_id"] for c in body["custom_fields"]] == [
            int(region_key[3:])]  # fmt: skip

    # Written rows are unstaged and show Copper's values; the conflict stays staged.
    qtbot.waitUntil(lambda: grid.staged.summary() == "3 changes in 1 record")
    assert grid.staged.records() == [ids[1]]
    assert index(grid, 0, "assignee_id").data(StagedRole) is None
    assert text(grid, 0, "assignee_id") == owner and text(grid, 2, region_key) == "LATAM"

    undo = run(jobs.store.create_undo(job))  # the saved job is undone like a bulk edit
    assert run(undo.run(), timeout=30_000) is JobState.FINISHED
    restored = fetched(session, run, ids)
    for rid in (ids[0], ids[2]):
        assert restored[rid]["assignee_id"] == before[rid]["assignee_id"]
        assert restored[rid]["pipeline_stage_id"] == before[rid]["pipeline_stage_id"]
    grid.discard()


def test_fill_down_and_copy_with_and_without_headers(
    qtbot: QtBot, make_window: Callable[..., MainWindow], control: Any, run: Run
) -> None:
    window = make_window()
    _prefix, made = make_opportunities(window, run, 3)
    grid = grid_of(qtbot, window, "opportunities", made)
    show_columns(grid, ["name", "monetary_value", "status"])
    table = grid.table

    select(grid, (0, "monetary_value"), (0, "monetary_value"))
    assert grid.paste('"' + "x" * 140_000) == 0  # more than the reader takes: nothing staged
    assert grid.bar.message.text() == "Nothing pasted. A cell is longer than 131,072 characters."
    assert grid.paste("250\tWon") == 2
    assert grid.staged.summary() == "2 changes in 1 record"
    select(grid, (0, "monetary_value"), (2, "status"))
    table.setFocus()
    QTest.keyClick(table, Qt.Key.Key_D, CTRL)
    assert grid.staged.summary() == "6 changes in 3 records"
    assert [text(grid, row, "status") for row in range(3)] == ["Won"] * 3
    assert len({text(grid, row, "monetary_value") for row in range(3)}) == 1

    names = [text(grid, row, "name") for row in range(2)]
    money = text(grid, 0, "monetary_value")
    select(grid, (0, "name"), (1, "monetary_value"))
    QTest.keyClick(table, Qt.Key.Key_C, CTRL)
    assert QGuiApplication.clipboard().text() == f"{names[0]}\t{money}\n{names[1]}\t{money}\n"
    QTest.keyClick(table, Qt.Key.Key_C, CTRL | SHIFT)
    assert QGuiApplication.clipboard().text() == (
        f"Name\tValue\n{names[0]}\t{money}\n{names[1]}\t{money}\n"
    )
    assert grid.bar.message.text() == "Copied 2 × 2 cells."
    QTest.keyClick(table, Qt.Key.Key_Z, CTRL)  # the fill is one step
    assert grid.staged.summary() == "2 changes in 1 record"

    select(grid, (0, "status"), (2, "status"))  # one value pasted fills the selection
    put_clipboard("lost\r\n")
    QTest.keyClick(table, Qt.Key.Key_V, CTRL)
    assert [text(grid, row, "status") for row in range(3)] == ["Lost"] * 3
    assert grid.staged.summary() == "4 changes in 3 records"
    grid.discard()
