"""Staged grid edits: values kept per cell beside the original, one undo step per edit,
invalid cells with their reason, what a save settled, and what the table shows through the
paged model's overlay (which costs nothing while nothing is staged)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from copper_desktop.models.paged import PagedSearchModel, StagedRole
from copper_desktop.models.staged_edits import (
    CHANGED,
    FAILED,
    INVALID,
    Entry,
    StagedEdits,
    StagedOverlay,
    summary_text,
)
from tests.helpers.fakes import FakeSearch, columns
from tests.helpers.qt import display, wait_idle

ANN = {"id": 1, "name": "Ann", "value": 5, "date_modified": 100}
BOB = {"id": 2, "name": "Bob", "value": 7, "date_modified": 200}


def name(record: dict[str, object], value: object, **kw: object) -> Entry:
    return Entry(record, "name", "text", value, **kw)  # type: ignore[arg-type]


def test_counts_undo_redo_and_staging_back_the_original_value() -> None:
    staged = StagedEdits()
    assert staged.stage([name(ANN, "Anna"), name(BOB, "Robert")], "Paste") == 2
    staged.stage([Entry(ANN, "value", "number", 6)])
    assert staged.summary() == "3 changes in 2 records"
    assert staged.value(ANN, "name") == "Anna" and staged.value(BOB, "value") == 7
    cell = staged.cell(1, "name")
    assert cell is not None and (cell.original, cell.edited_at, cell.state) == ("Ann", 100, CHANGED)

    assert staged.undo() and staged.summary() == "2 changes in 2 records"
    assert staged.undo() and len(staged) == 0 and not staged.can_undo
    assert staged.redo_text() == "Paste"
    assert staged.redo() and staged.redo() and staged.summary() == "3 changes in 2 records"
    assert not staged.can_redo

    staged.stage([name({**ANN, "name": "Anna"}, "Ann")])  # back to the original: unstaged
    assert staged.cell(1, "name") is None and staged.summary() == "2 changes in 2 records"
    assert staged.discard() == 2 and len(staged) == 0
    assert staged.undo() and len(staged) == 2  # a discard is undone like any edit


def test_an_invalid_cell_keeps_its_text_and_reason_and_is_left_out_of_the_save() -> None:
    staged = StagedEdits()
    staged.stage([Entry(ANN, "value", "number", None, "“lots” is not a number.", "lots"),
                  name(BOB, "Bobby")])  # fmt: skip
    assert staged.invalid() == {(1, "value"): "“lots” is not a number."}
    assert staged.values_by_record() == {2: {"name": "Bobby"}}
    assert staged.edited_at() == {1: 100, 2: 200}
    invalid = staged.cell(1, "value")
    assert invalid is not None and invalid.state == INVALID and invalid.text == "lots"


def test_a_save_unstages_what_was_written_and_keeps_what_was_not_with_the_reason() -> None:
    staged = StagedEdits()
    staged.stage([name(ANN, "Anna"), name(BOB, "Robert"), Entry(BOB, "value", "number", 9)])
    staged.settle(written={1: {"name": "Anna"}}, failed={2: "Changed in Copper since."})
    assert staged.cell(1, "name") is None
    bob = staged.cell(2, "name")
    assert bob is not None and bob.note == "Changed in Copper since." and bob.state == FAILED
    assert not staged.can_undo  # the saved job is undone from the Jobs window instead

    theirs = {**BOB, "name": "Rob", "value": 9, "date_modified": 250}
    staged.settle(rebased=[theirs], types={"value": "number"})
    rebased = staged.cell(2, "name")
    assert rebased is not None and (rebased.original, rebased.edited_at) == ("Rob", 250)
    assert staged.cell(2, "value") is None  # Copper holds it already
    assert summary_text(1, 1) == "1 change in 1 record"


@pytest.fixture
def model(qtbot: QtBot) -> Iterator[PagedSearchModel]:
    made = PagedSearchModel(FakeSearch(3), columns(), page_size=10)
    made.set_query({}, "name")
    wait_idle(qtbot, made)
    yield made
    made.close()


def test_the_model_shows_staged_cells_through_its_overlay(model: PagedSearchModel) -> None:
    staged = StagedEdits()
    record = model.record(0)
    assert record is not None
    original = display(model, 0, 1)
    model.editable_columns = frozenset({1})
    assert model.flags(model.index(0, 1)) & Qt.ItemFlag.ItemIsEditable
    assert not model.flags(model.index(0, 2)) & Qt.ItemFlag.ItemIsEditable
    assert model.row_of(record["id"]) == 0 and model.row_of(999) == -1

    staged.stage([name(record, "Staged name")])
    assert display(model, 0, 1) == original  # no overlay set: the record's own text
    model.overlay = StagedOverlay(staged)
    index = model.index(0, 1)
    assert display(model, 0, 1) == "Staged name"
    assert model.data(index, Qt.ItemDataRole.EditRole) == "Staged name"
    assert model.data(index, StagedRole) == CHANGED
    assert model.data(index, Qt.ItemDataRole.ToolTipRole) == f"Not saved yet. Was: {original}"
    assert model.data(model.index(1, 1), StagedRole) is None
    staged.undo()
    assert display(model, 0, 1) == original
