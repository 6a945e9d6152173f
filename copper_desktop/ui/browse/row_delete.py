"""Deleting the selected rows of a browser (the Delete key, the row menu, the toolbar).

The same confirmation as the record editor's, and the same path for each record: the record is
written to the local journal (File ▸ Deleted records) *before* its DELETE is sent
(`journal.delete_record`). Several rows are deleted one after the other, up to `MAX_ROWS`
loaded rows: larger deletes would deserve a resumable job, which this is not.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from PySide6.QtWidgets import QMessageBox, QWidget

from copper_desktop.api.errors import CopperError
from copper_desktop.journal import DeletionJournal, delete_record
from copper_desktop.ui.common.prompts import choose, message_box

if TYPE_CHECKING:
    from copper_desktop.ui.browse.browser import EntityBrowser

MAX_ROWS: Final = 100
"""The most rows one Delete removes (each is its own journaled request)."""


@dataclass
class DeleteOutcome:
    """What a delete of selected rows did: ids gone, and one line per record that failed."""

    deleted: list[int] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    asked: bool = False
    """The user was asked (False: nothing to delete, or too many rows)."""


def selected_records(browser: EntityBrowser) -> list[Mapping[str, Any]] | None:
    """The selected rows' records, or None when some are not loaded (or "all matching")."""
    selection = browser.selection
    if selection.all_matching:
        return None
    records: list[Mapping[str, Any]] = []
    for top, bottom in selection.ranges():
        for row in range(top, bottom + 1):
            record = browser.model.record(row)
            if record is None:
                return None
            records.append(record)
    if not records:
        row = browser.selected_row()
        record = browser.model.record(row) if row >= 0 else None
        records = [record] if record is not None else []
    return records


def _name(record: Mapping[str, Any]) -> str:
    for key in ("name", "title", "details"):
        value = record.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip().splitlines()[0][:80]
    return f"#{record.get('id')}"


async def delete_selected(
    browser: EntityBrowser,
    journal: DeletionJournal,
    parent: QWidget,
    progress: Callable[[str], None] | None = None,
) -> DeleteOutcome:
    """Ask, then delete the selected records one by one (journal first, then DELETE)."""
    outcome = DeleteOutcome()
    spec = browser.spec
    records = selected_records(browser)
    if records is None or len(records) > MAX_ROWS:
        box = message_box(
            parent,
            "deleteTooMany",
            f"Delete {spec.plural_label.lower()}",
            f"Up to {MAX_ROWS} loaded rows can be deleted at once; select fewer rows.",
            [("deleteTooManyOk", "OK", QMessageBox.ButtonRole.AcceptRole)],
            icon=QMessageBox.Icon.Information,
        )
        await choose(box)
        return outcome
    if not records:
        return outcome
    if len(records) == 1:
        text = f"Delete the {spec.label.lower()} “{_name(records[0])}”?"
    else:
        text = f"Delete {len(records):,} {spec.plural_label.lower()}?"
    box = message_box(
        parent,
        "confirmDelete",
        f"Delete {spec.label.lower() if len(records) == 1 else spec.plural_label.lower()}",
        text,
        [
            ("confirmDeleteCancel", "Cancel", QMessageBox.ButtonRole.RejectRole),
            ("confirmDeleteOk", "Delete", QMessageBox.ButtonRole.DestructiveRole),
        ],
        icon=QMessageBox.Icon.Warning,
        informative="A copy is kept in File ▸ Deleted records, from where it can be "
        "re-created (with a new id; its activities and links are not restored).",
    )
    outcome.asked = True
    if await choose(box) != "confirmDeleteOk":
        return outcome
    client = browser.session.client
    for number, record in enumerate(records, 1):
        if progress is not None and len(records) > 1:
            progress(f"Deleting {number:,} of {len(records):,} {spec.plural_label.lower()}…")
        try:
            await delete_record(journal, client, spec, record)
        except CopperError as exc:
            outcome.failed.append(f"{_name(record)}: {exc}")
            continue
        outcome.deleted.append(int(record["id"]))
    return outcome
