"""The deletion journal: file format and state folding, then delete/re-create on the sandbox."""

from __future__ import annotations

import json
import os
import stat
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from copper_desktop.api import CopperClient, NotFoundError, ServerError
from copper_desktop.domain.catalog import entity
from copper_desktop.domain.custom_fields import custom_values
from copper_desktop.journal import (
    JOURNAL_FILE,
    DeletionJournal,
    JournalEntry,
    delete_record,
    recreate,
    settle_pending,
)
from tests.helpers.records import new_person
from tests.helpers.sandbox import SandboxControl

PERSON = {"id": 7, "name": "Ada Lovelace", "emails": [{"email": "ada@x.test", "category": "work"}]}


@pytest.fixture
def journal(tmp_path: Path) -> DeletionJournal:
    return DeletionJournal(tmp_path / "journal")


def lines(journal: DeletionJournal) -> list[dict[str, Any]]:
    return [json.loads(line) for line in journal.path.read_text("utf-8").splitlines() if line]


# --------------------------------------------------------------------------- the file


def test_begin_writes_the_whole_record_pending(journal: DeletionJournal) -> None:
    entry = journal.begin("people", PERSON)
    assert entry.state == "pending" and entry.recreated_id is None
    assert len(entry.id) == 32 and int(entry.id, 16) >= 0  # uuid4 hex
    assert entry.record == PERSON and entry.record is not PERSON
    (event,) = lines(journal)
    assert event["event"] == "begin" and event["record"] == PERSON
    assert journal.entries() == [entry]


def test_file_and_directory_are_private(journal: DeletionJournal) -> None:
    journal.begin("people", PERSON)
    assert journal.path.name == JOURNAL_FILE
    assert stat.S_IMODE(journal.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(journal.directory.stat().st_mode) & 0o077 == 0


def test_an_existing_wider_file_is_made_private(journal: DeletionJournal) -> None:
    journal.directory.mkdir(parents=True)
    journal.path.write_text("")
    os.chmod(journal.path, 0o644)
    journal.begin("people", PERSON)
    assert stat.S_IMODE(journal.path.stat().st_mode) == 0o600


def test_state_is_folded_from_the_events(journal: DeletionJournal) -> None:
    deleted = journal.begin("people", PERSON)
    failed = journal.begin("companies", {"id": 8, "name": "Acme"})
    pending = journal.begin("tasks", {"id": 9, "name": "Call"})
    again = journal.begin("leads", {"id": 10, "title": "CTO"})
    journal.finish(deleted.id, ok=True)
    journal.finish(failed.id, ok=False)
    journal.finish(again.id, ok=True)
    journal.mark_recreated(again.id, 1234)
    journal.finish(again.id, ok=False)  # a late event cannot undo a settled state
    states = {e.id: (e.state, e.recreated_id) for e in journal.entries()}
    assert states == {
        deleted.id: ("deleted", None),
        failed.id: ("failed", None),
        pending.id: ("pending", None),
        again.id: ("recreated", 1234),
    }
    assert [e.id for e in journal.entries()] == [again.id, pending.id, failed.id, deleted.id]
    assert journal.entry(again.id) is not None and journal.entry("nope") is None


def test_names(journal: DeletionJournal) -> None:
    assert JournalEntry("a", "people", {"name": " Ada "}, 0).name == "Ada"
    assert JournalEntry("a", "leads", {"name": "", "title": "CTO"}, 0).name == "CTO"
    assert JournalEntry("a", "activities", {"id": 5000000144}, 0).name == "#5000000144"


def test_a_corrupt_line_is_skipped_and_the_next_event_stays_whole(
    journal: DeletionJournal,
) -> None:
    first = journal.begin("people", PERSON)
    with journal.path.open("ab") as fh:  # a crash in the middle of writing an event
        fh.write(b'{"v":1,"event":"begin","id":"torn","entity_key":"peo')
    second = journal.begin("companies", {"id": 8, "name": "Acme"})
    journal.finish(first.id, ok=True)
    with journal.path.open("ab") as fh:
        fh.write(b"[1, 2]\nnot json at all\n" + b'{"id": 5}\n')
    entries = {e.id: e for e in journal.entries()}
    assert set(entries) == {first.id, second.id}
    assert entries[first.id].state == "deleted"
    assert entries[second.id].record == {"id": 8, "name": "Acme"}


def test_a_missing_journal_is_empty(journal: DeletionJournal) -> None:
    assert journal.entries() == []
    assert not journal.path.exists()


# --------------------------------------------------------------------------- with the sandbox


@pytest.mark.anyio
async def test_delete_then_recreate_on_the_sandbox(
    journal: DeletionJournal, make_client: Callable[[], CopperClient]
) -> None:
    spec = entity("people")
    async with make_client() as client:
        person = await new_person(client)
        entry = await delete_record(journal, client, spec, person)
        assert entry.state == "deleted"
        assert journal.entries()[0].state == "deleted"
        with pytest.raises(NotFoundError):
            await client.get("people", person["id"])

        created = await recreate(journal, client, entry)
        assert created["id"] != person["id"]
        again = await client.get("people", created["id"])
        assert again["name"] == person["name"]
        assert again["emails"] == person["emails"]
        wanted = {k: v for k, v in custom_values(person).items() if v is not None}
        assert wanted and {k: custom_values(again)[k] for k in wanted} == wanted
        settled = journal.entries()[0]
        assert (settled.state, settled.recreated_id) == ("recreated", created["id"])

        with pytest.raises(ValueError, match="already re-created"):
            await recreate(journal, client, entry)  # the stale entry object says "deleted"
        await client.delete("people", created["id"])


class WatchedJournal(DeletionJournal):
    """Notes the thread each file access runs on."""

    threads: list[str]

    def _append(self, event: dict[str, Any]) -> None:
        self.threads.append(threading.current_thread().name)
        super()._append(event)

    def entries(self) -> list[JournalEntry]:
        self.threads.append(threading.current_thread().name)
        return super().entries()


@pytest.mark.anyio
async def test_journal_file_work_runs_in_the_executor_it_is_given(
    tmp_path: Path, make_client: Callable[[], CopperClient]
) -> None:
    """No executor of its own (one that was never shut down): the app's, passed in."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="given") as executor:
        journal = WatchedJournal(tmp_path / "journal", executor)
        journal.threads = []
        async with make_client() as client:
            person = await new_person(client)
            entry = await delete_record(journal, client, entity("people"), person)
            created = await recreate(journal, client, entry)
            await settle_pending(journal, client)
            await client.delete("people", created["id"])
    assert len(journal.threads) >= 5  # begin, finish, entry, recreated, entries
    assert all(name.startswith("given") for name in journal.threads), journal.threads


@pytest.mark.anyio
async def test_a_delete_already_done_elsewhere_counts_as_deleted(
    journal: DeletionJournal, make_client: Callable[[], CopperClient]
) -> None:
    async with make_client() as client:
        person = await new_person(client)
        await client.delete("people", person["id"])
        entry = await delete_record(journal, client, entity("people"), person)
        assert entry.state == journal.entries()[0].state == "deleted"


@pytest.mark.anyio
async def test_a_failed_delete_is_journaled_failed(
    journal: DeletionJournal,
    make_client: Callable[[], CopperClient],
    control: SandboxControl,
) -> None:
    async with make_client() as client:
        person = await new_person(client)
        control.add_fault("error", status=500, method="DELETE", path=f"^/people/{person['id']}$")
        with pytest.raises(ServerError):
            await delete_record(journal, client, entity("people"), person)
        control.clear_faults()
        (entry,) = journal.entries()
        assert entry.state == "failed"
        assert (await client.get("people", person["id"]))["name"] == person["name"]
        with pytest.raises(ValueError, match="not deleted"):
            await recreate(journal, client, entry)
        await client.delete("people", person["id"])


@pytest.mark.anyio
async def test_pending_entries_are_settled_by_asking_copper(
    journal: DeletionJournal, make_client: Callable[[], CopperClient]
) -> None:
    async with make_client() as client:
        gone = await new_person(client)
        kept = await new_person(client)
        # As if the app crashed after journaling, before hearing back.
        gone_entry = journal.begin("people", gone)
        kept_entry = journal.begin("people", kept)
        await client.delete("people", gone["id"])
        assert await settle_pending(journal, client) == 2
        states = {e.id: e.state for e in journal.entries()}
        assert states == {gone_entry.id: "deleted", kept_entry.id: "failed"}
        await client.delete("people", kept["id"])
