"""The deletion journal: records deleted from this computer, and re-creating one of them.

Re-creating makes a *new* record (new id) from the journaled JSON; its related items and
activities are not restored, which the dialog says.
"""

from __future__ import annotations

import asyncio
import json

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from copper_desktop.api.errors import CopperError
from copper_desktop.domain.catalog import ENTITIES
from copper_desktop.domain.formats import format_datetime
from copper_desktop.journal import (
    DeletionJournal,
    JournalClient,
    JournalEntry,
    recreate,
    settle_pending,
)
from copper_desktop.models.actions import ActionRunner, Failure, finished
from copper_desktop.ui.common.inline_error import error_label, show_error
from copper_desktop.ui.common.tables import record_table, selected_row

HEADERS = ("Type", "Name", "Deleted at", "State")
EntryRole = Qt.ItemDataRole.UserRole
"""Item data of a row's first cell: the entry id."""


def state_text(entry: JournalEntry) -> str:
    if entry.state == "recreated":
        return f"Re-created as #{entry.recreated_id}"
    return {
        "pending": "Pending (outcome unknown)",
        "deleted": "Deleted",
        "failed": "Delete failed",
    }.get(entry.state, entry.state)


def _entity_label(key: str) -> str:
    spec = ENTITIES.get(key)
    return spec.label if spec is not None else key


class JournalDialog(QDialog):
    """Lists the journal, newest first; Re-create and Copy JSON act on the selected entry.

    Signals:
        recreated(str, dict): an entry was re-created (entity key, the new record).
    """

    recreated = Signal(str, dict)

    def __init__(
        self, journal: DeletionJournal, client: JournalClient, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("journalDialog")
        self.setAccessibleName("Deleted records")
        self.setWindowTitle("Deleted records")
        self.journal = journal
        self._client = client
        self.runner = ActionRunner(self)
        self._recreate_task: asyncio.Task[None] | None = None
        self.entries: list[JournalEntry] = []

        intro = QLabel(
            "Records deleted from this computer. Re-creating one makes a new record with a new "
            "ID; its related records and activities are not restored.",
            self,
        )
        intro.setObjectName("journalIntro")
        intro.setAccessibleName("About the deletion journal")
        intro.setWordWrap(True)
        self.table = record_table("journal", "Deleted records", HEADERS, self, single=True)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.error_label = error_label("journalError", "Journal error", self)
        self.status = QLabel(self)
        self.status.setObjectName("journalStatus")
        self.status.setAccessibleName("Journal status")

        self.recreate_button = QPushButton("Re-create", self)
        self.recreate_button.setObjectName("journalRecreate")
        self.recreate_button.setAccessibleName("Re-create the selected record")
        self.copy_button = QPushButton("Copy JSON", self)
        self.copy_button.setObjectName("journalCopyJson")
        self.copy_button.setAccessibleName("Copy the selected record's JSON")
        self.close_button = QPushButton("Close", self)
        self.close_button.setObjectName("journalClose")
        self.close_button.setAccessibleName("Close the deletion journal")
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.copy_button)
        buttons.addWidget(self.recreate_button)
        buttons.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.error_label)
        layout.addLayout(buttons)
        self.resize(720, 420)

        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.recreate_button.clicked.connect(self.recreate_selected)
        self.copy_button.clicked.connect(self.copy_selected)
        self.close_button.clicked.connect(self.reject)
        self.refresh()
        if any(e.state == "pending" for e in self.entries):
            self.runner.run(
                settle_pending(self.journal, self._client),
                key="settle",
                success=self._settled,
                failure=self._show_failure,
                expected=(OSError,),
                what="Could not update the journal",
            )

    # ------------------------------------------------------------------ listing
    def refresh(self) -> None:
        """Re-read the journal, keeping the selection."""
        selected = self.selected_entry()
        self.entries = self.journal.entries()
        self.table.setRowCount(len(self.entries))
        for row, entry in enumerate(self.entries):
            cells = (
                _entity_label(entry.entity_key),
                entry.name,
                format_datetime(entry.deleted_at),
                state_text(entry),
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column == 0:
                    item.setData(EntryRole, entry.id)
                self.table.setItem(row, column, item)
            if selected is not None and entry.id == selected.id:
                self.table.selectRow(row)
        self.table.resizeColumnsToContents()
        count = len(self.entries)
        self.status.setText(f"{count} deleted record{'s' if count != 1 else ''}")
        self._update_buttons()

    def _settled(self, changed: int) -> None:
        """Entries a crash left pending were decided (is the record still there?)."""
        if changed:
            self.refresh()

    def row_of(self, entry_id: str) -> int:
        return next((i for i, e in enumerate(self.entries) if e.id == entry_id), -1)

    def selected_entry(self) -> JournalEntry | None:
        row = selected_row(self.table)
        return self.entries[row] if 0 <= row < len(self.entries) else None

    @property
    def busy(self) -> bool:
        return self.runner.running("recreate")

    def _update_buttons(self) -> None:
        entry = self.selected_entry()
        self.recreate_button.setEnabled(
            not self.busy and entry is not None and entry.state == "deleted"
        )
        self.copy_button.setEnabled(entry is not None)

    # ------------------------------------------------------------------ actions
    def copy_selected(self) -> None:
        entry = self.selected_entry()
        if entry is None:
            return
        text = json.dumps(entry.record, indent=2, ensure_ascii=False, sort_keys=True)
        QGuiApplication.clipboard().setText(text)
        self.status.setText(f"Copied the JSON of {entry.name}.")

    def recreate_selected(self) -> None:
        """Re-create the selected "deleted" entry on the qasync loop."""
        entry = self.selected_entry()
        if entry is None or entry.state != "deleted" or self.busy:
            return
        self.error_label.hide()
        self.status.setText(f"Re-creating {entry.name}…")
        self._recreate_task = self.runner.run(
            recreate(self.journal, self._client, entry),
            key="recreate",
            success=lambda record: self._recreated(entry, record),
            failure=self._recreate_failed,
            done=self._update_buttons,
            expected=(CopperError, ValueError, OSError),
            what=f"{entry.name} was not re-created",
        )
        self._update_buttons()

    def _recreated(self, entry: JournalEntry, record: dict[str, object]) -> None:
        self.refresh()
        self.status.setText(f"Re-created {entry.name} as #{record.get('id')}.")
        self.recreated.emit(entry.entity_key, record)

    def _recreate_failed(self, failure: Failure) -> None:
        self._show_failure(failure)
        self.status.setText("")

    def _show_failure(self, failure: Failure) -> None:
        show_error(self.error_label, failure.message)

    # ------------------------------------------------------------------ shutdown
    def done(self, result: int) -> None:
        """Closing stops the pending-entry check; a re-create is left to finish, so that its
        new id reaches the journal (cancelling it could leave a created record unrecorded)."""
        self._cancel_settle()
        super().done(result)

    def closeEvent(self, event: QCloseEvent) -> None:
        self._cancel_settle()
        super().closeEvent(event)

    def _cancel_settle(self) -> None:
        self.runner.cancel("settle")

    async def aclose(self) -> None:
        """Wait for a running re-create, then cancel anything else."""
        task = self._recreate_task
        if task is not None:
            await finished(task)
        await self.runner.aclose()
