"""The import's ``record_create`` rows against the live sandbox: a resumed row whose request
may have created its record is recognised (never created twice), one that did not is sent
once; two look-alikes fail the row rather than guess; undo deletes the created records that
nobody changed since, each journaled in the delete journal first."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from copper_desktop.api import CopperClient
from copper_desktop.jobs import JobJournal, JobState, JobStore, RecordCreate, RowStatus
from copper_desktop.journal import DeletionJournal
from tests.helpers.jobs import run_to_end
from tests.helpers.sandbox import SandboxControl

pytestmark = pytest.mark.anyio
Json = dict[str, Any]


def rows(names: list[str]) -> list[Json]:
    return [
        {
            "key": i + 2,
            "label": n,
            "data": {"body": {"name": n}, "line": i + 2, "cells": [n]},
        }
        for i, n in enumerate(names)
    ]


async def named(client: CopperClient, name: str) -> list[Json]:
    return [p for p in await client.search_all("people", {"name": name}) if p["name"] == name]


def created_names(control: SandboxControl) -> list[str]:
    return [i["name"] for e in control.requests(1000)
            if e["path"] == "/people/bulk_create" and e["status"] == 200
            for i in e["body"]["people"]]  # fmt: skip


async def test_a_resumed_create_whose_record_exists_is_not_sent_again(
    client: CopperClient, jobs_dir: Path, control: SandboxControl
) -> None:
    """The dead process sent rows 0 and 1; row 0's record was made, row 1's request never
    arrived; row 2 was never sent. Resuming finds row 0's record, sends rows 1 and 2 once."""
    tag = uuid.uuid4().hex[:8]
    names = [f"Lost create {tag} {i}" for i in range(3)]
    first = JobStore(jobs_dir, client)
    job = await first.create(RecordCreate.kind, "people", rows(names), title="Import")
    await first.close()
    dead = JobJournal(job.journal.path)
    dead.append({"e": "state", "state": "running"}, {"e": "start", "rows": [0, 1]})
    made = await client.create("people", {"name": names[0]})  # its answer died with the app
    dead.close()
    control.reset()

    second = JobStore(jobs_dir, client)
    try:
        resumed = await second.open(job.id)
        assert resumed.state is JobState.INTERRUPTED
        assert [r.attempts for r in resumed.rows] == [1, 1, 0]
        assert await run_to_end(resumed) is JobState.FINISHED
        outcomes = [r.outcome for r in resumed.rows]
        assert [o.recovered for o in outcomes if o] == [True, False, False]
        assert outcomes[0] is not None and outcomes[0].result == {
            "id": made["id"], "date_modified": made["date_modified"]}  # fmt: skip
    finally:
        await second.close()
    assert created_names(control) == names[1:]
    for name in names:
        assert len(await named(client, name)) == 1


async def test_two_look_alikes_fail_the_row_instead_of_guessing(
    client: CopperClient, jobs_dir: Path, control: SandboxControl
) -> None:
    tag = uuid.uuid4().hex[:8]
    name = f"Twin {tag}"
    store = JobStore(jobs_dir, client)
    job = await store.create(RecordCreate.kind, "people", rows([name]), title="Import")
    await store.close()
    dead = JobJournal(job.journal.path)
    dead.append({"e": "start", "rows": [0]})
    dead.close()
    await client.bulk_create("people", [{"name": name}, {"name": name}])
    control.reset()
    store = JobStore(jobs_dir, client)
    try:
        resumed = await store.open(job.id)
        assert await run_to_end(resumed) is JobState.FINISHED
        [row] = resumed.rows
        assert row.status is RowStatus.FAILED
        assert row.message.startswith("The answer was lost and 2 records look like this one")
    finally:
        await store.close()
    assert created_names(control) == []


async def test_undo_deletes_what_the_import_created_unless_changed_since(
    client: CopperClient, jobs_dir: Path, tmp_path: Path, control: SandboxControl
) -> None:
    tag = uuid.uuid4().hex[:8]
    names = [f"Undo create {tag} {i}" for i in range(3)]
    journal_dir = tmp_path / "journal"
    store = JobStore(jobs_dir, client)
    try:
        job = await store.create(RecordCreate.kind, "people", rows(names), title="Import",
                                 meta={"journal_dir": str(journal_dir)})  # fmt: skip
        assert await run_to_end(job) is JobState.FINISHED
        ids = [r.outcome.result["id"] for r in job.rows if r.outcome and r.outcome.result]
        assert len(ids) == 3 and job.can_undo
        await client.update("people", ids[2], {"title": "Changed by someone"})
        undo = await store.create_undo(job)
        assert undo.kind_name == "record_delete" and not undo.kind.undoable
        assert await run_to_end(undo) is JobState.FINISHED
        assert [r.status for r in undo.rows] == [RowStatus.WRITTEN, RowStatus.WRITTEN,
                                                 RowStatus.SKIPPED]  # fmt: skip
    finally:
        await store.close()
    assert [len(await named(client, n)) for n in names] == [0, 0, 1]
    entries = DeletionJournal(journal_dir).entries()
    assert sorted((e.record_id, e.state) for e in entries) == [(ids[0], "deleted"),
                                                               (ids[1], "deleted")]  # fmt: skip
    assert {e.record["name"] for e in entries} == set(names[:2])  # whole records, to bring back
