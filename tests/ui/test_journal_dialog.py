"""The deletion journal dialog against the live sandbox: list, re-create, copy, errors."""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QAbstractItemView
from pytestqt.qtbot import QtBot

from copper_desktop.api import NotFoundError
from copper_desktop.domain.catalog import entity
from copper_desktop.domain.formats import format_datetime
from copper_desktop.journal import DeletionJournal, JournalEntry, delete_record
from copper_desktop.session import Session
from copper_desktop.ui.dialogs.journal_dialog import HEADERS, JournalDialog
from tests.helpers.sandbox import SandboxControl

Make = Callable[[], JournalDialog]


@pytest.fixture
def journal(session: Session) -> DeletionJournal:
    return DeletionJournal(session.paths.journal_dir)


@pytest.fixture
def make_dialog(
    qtbot: QtBot, journal: DeletionJournal, session: Session, run: Callable[..., Any]
) -> Iterator[Make]:
    made: list[JournalDialog] = []

    def make() -> JournalDialog:
        dialog = JournalDialog(journal, session.client)
        dialog.show()
        qtbot.waitExposed(dialog)
        made.append(dialog)
        return dialog

    yield make
    for dialog in made:
        run(dialog.aclose())
        dialog.close()
        dialog.deleteLater()


def deleted_person(
    session: Session, journal: DeletionJournal, run: Callable[..., Any]
) -> tuple[dict[str, Any], JournalEntry]:
    tag = uuid.uuid4().hex[:8]
    person = run(
        session.client.create(
            "people",
            {
                "name": f"Journal UI {tag}",
                "emails": [{"email": f"journal-ui-{tag}@example.test", "category": "work"}],
            },
        )
    )
    entry = run(delete_record(journal, session.client, entity("people"), person))
    return person, entry


def cell(dialog: JournalDialog, row: int, header: str) -> str:
    item = dialog.table.item(row, HEADERS.index(header))
    return item.text() if item is not None else ""


def select(dialog: JournalDialog, entry_id: str) -> int:
    row = dialog.row_of(entry_id)
    assert row >= 0
    dialog.table.selectRow(row)
    return row


def test_lists_entries_newest_first(
    make_dialog: Make, session: Session, journal: DeletionJournal, run: Callable[..., Any]
) -> None:
    older, _ = deleted_person(session, journal, run)
    newer, _ = deleted_person(session, journal, run)
    dialog = make_dialog()
    assert dialog.table.rowCount() == 2
    assert [cell(dialog, r, "Name") for r in (0, 1)] == [newer["name"], older["name"]]
    assert cell(dialog, 0, "Type") == "Person"
    assert cell(dialog, 0, "State") == "Deleted"
    assert cell(dialog, 0, "Deleted at")[:2] == "20"
    assert dialog.status.text() == "2 deleted records"


@pytest.mark.parametrize("deleted_at", [math.nan, math.inf, 1e20])
def test_a_deletion_time_no_date_can_show_is_listed_as_a_number(
    make_dialog: Make, journal: DeletionJournal, deleted_at: float
) -> None:
    """A journal line written by hand (or damaged) with an odd time: listed, not a crash."""
    entry_id = uuid.uuid4().hex
    events = [
        {
            "v": 1,
            "event": "begin",
            "id": entry_id,
            "entity_key": "people",
            "record": {"id": 5, "name": "Odd Time"},
            "deleted_at": deleted_at,  # json writes NaN and Infinity, and reads them
        },
        {"v": 1, "event": "finish", "id": entry_id, "ok": True},
    ]
    journal.path.parent.mkdir(parents=True, exist_ok=True)
    journal.path.write_text("".join(json.dumps(e) + "\n" for e in events))
    dialog = make_dialog()
    assert [cell(dialog, 0, "Name"), cell(dialog, 0, "Deleted at")] == [
        "Odd Time",
        format_datetime(deleted_at),
    ]
    assert cell(dialog, 0, "Deleted at") != ""


def test_recreate_the_selected_entry(
    qtbot: QtBot,
    make_dialog: Make,
    session: Session,
    journal: DeletionJournal,
    run: Callable[..., Any],
) -> None:
    person, entry = deleted_person(session, journal, run)
    dialog = make_dialog()
    assert not dialog.recreate_button.isEnabled()  # nothing selected
    row = select(dialog, entry.id)
    assert dialog.recreate_button.isEnabled()
    with qtbot.waitSignal(dialog.recreated) as done:
        QTest.mouseClick(dialog.recreate_button, Qt.MouseButton.LeftButton)
    key, record = done.args
    assert key == "people" and record["id"] != person["id"]
    on_server = run(session.client.get("people", record["id"]))
    assert on_server["name"] == person["name"] and on_server["emails"] == person["emails"]
    row = dialog.row_of(entry.id)
    assert cell(dialog, row, "State") == f"Re-created as #{record['id']}"
    assert dialog.table.currentRow() == row
    assert not dialog.recreate_button.isEnabled()  # never twice
    assert not dialog.error_label.isVisible()
    run(session.client.delete("people", record["id"]))


def test_a_failed_recreate_is_shown_inline(
    qtbot: QtBot,
    make_dialog: Make,
    session: Session,
    journal: DeletionJournal,
    run: Callable[..., Any],
    control: SandboxControl,
) -> None:
    _, entry = deleted_person(session, journal, run)
    dialog = make_dialog()
    select(dialog, entry.id)
    control.add_fault("error", status=422, method="POST", path="^/people$")
    QTest.mouseClick(dialog.recreate_button, Qt.MouseButton.LeftButton)
    assert not dialog.recreate_button.isEnabled()  # disabled while it runs
    qtbot.waitUntil(lambda: dialog.error_label.isVisible())
    assert "was not re-created" in dialog.error_label.text()
    assert "Traceback" not in dialog.error_label.text()
    assert journal.entries()[0].state == "deleted"
    qtbot.waitUntil(lambda: not dialog.busy)
    assert dialog.recreate_button.isEnabled()  # can be tried again


def test_failed_and_pending_entries_cannot_be_recreated(
    qtbot: QtBot,
    make_dialog: Make,
    session: Session,
    journal: DeletionJournal,
    run: Callable[..., Any],
) -> None:
    person = run(session.client.create("people", {"name": f"Journal Kept {uuid.uuid4().hex[:8]}"}))
    failed = journal.begin("people", person)
    journal.finish(failed.id, ok=False)
    pending = journal.begin("people", person)  # as if the app crashed mid-delete
    dialog = make_dialog()
    select(dialog, failed.id)
    assert cell(dialog, dialog.row_of(failed.id), "State") == "Delete failed"
    assert not dialog.recreate_button.isEnabled() and dialog.copy_button.isEnabled()
    # The pending entry is settled by asking Copper: the person still exists.
    qtbot.waitUntil(lambda: cell(dialog, dialog.row_of(pending.id), "State") == "Delete failed")
    assert journal.entry(pending.id) is not None
    assert (journal.entry(pending.id) or failed).state == "failed"
    run(session.client.delete("people", person["id"]))
    with pytest.raises(NotFoundError):
        run(session.client.get("people", person["id"]))


def test_copy_json(
    make_dialog: Make, session: Session, journal: DeletionJournal, run: Callable[..., Any]
) -> None:
    person, entry = deleted_person(session, journal, run)
    dialog = make_dialog()
    assert not dialog.copy_button.isEnabled()
    select(dialog, entry.id)
    QTest.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    assert json.loads(QGuiApplication.clipboard().text()) == person


def test_every_interactive_widget_is_named(
    make_dialog: Make, session: Session, journal: DeletionJournal, run: Callable[..., Any]
) -> None:
    deleted_person(session, journal, run)
    dialog = make_dialog()
    widgets = dialog.findChildren(QAbstractButton) + dialog.findChildren(QAbstractItemView)
    assert len(widgets) >= 4
    for widget in widgets:
        assert widget.objectName(), widget
        assert widget.accessibleName(), widget.objectName()
