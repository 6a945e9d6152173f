"""Crash, resume, faults and undo, end to end against the live sandbox: every record is
written exactly once, whatever happened to the requests or to the process."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from copper_desktop.api import Backoff, CopperClient, RetryPolicy
from copper_desktop.domain.bulk import EditTags, SetField, TagMode, Typed, write_body
from copper_desktop.jobs import (
    JobJournal,
    JobState,
    JobStore,
    Reason,
    RowStatus,
    read_journal,
)
from tests.helpers.jobs import (
    answered_writes,
    cf,
    cf_id,
    fresh,
    make_people,
    make_preview,
    run_to_end,
)
from tests.helpers.sandbox import SandboxControl

pytestmark = pytest.mark.anyio
Json = dict[str, Any]
MakeClient = Callable[..., CopperClient]
ONE_RETRY = RetryPolicy(
    rate_limited=Backoff(base_s=0.05, cap_s=0.5, max_retries=8),
    transient=Backoff(base_s=0.02, cap_s=0.1, max_retries=1),
    settle_s=0.0,
)
"""One retry after a 5xx or a lost answer: the client gives up often, the job pauses."""


async def edit_job(client: CopperClient, store: JobStore, ids: list[int], value: str) -> Any:
    account = await cf_id(client, "Account Number")
    ops = [SetField(f"cf_{account}", Typed(value)), EditTags(TagMode.ADD, ("bulk",))]
    return account, await store.create_bulk_edit(await make_preview(client, "people", ids, ops))


async def test_resume_after_a_crash_writes_each_record_exactly_once(
    client: CopperClient, jobs_dir: Path, control: SandboxControl
) -> None:
    """A journal left by a process that died mid-job: rows 0-4 written and journaled, 5-9
    sent and applied but their answer never journaled, 10-14 sent but never applied, 15-19
    never sent. Resuming writes 10-19 once and does not send 0-9 again."""
    people = await make_people(client, 20)
    ids = [p["id"] for p in people]
    first = JobStore(jobs_dir, client)
    account, job = await edit_job(client, first, ids, "RESUME")
    await first.close()

    dead = JobJournal(job.journal.path)  # what the dead process had written
    dead.append({"e": "state", "state": "running"})
    dead.append(
        {"e": "start", "rows": list(range(10))}, {"e": "start", "rows": list(range(10, 15))}
    )
    applied = await client.bulk_update(
        "people", [{"id": r.data["id"], **write_body(r.data["after"])} for r in job.rows[:10]]
    )
    assert not applied.failed
    stamps = [r["date_modified"] for r in applied.records]
    dead.append({"e": "done", "items": [
        {"i": i, "status": "written", "result": {"date_modified": stamps[i]}} for i in range(5)
    ]})  # fmt: skip
    dead.close()
    control.reset()

    second = JobStore(jobs_dir, client)
    try:
        resumed = await second.open(job.id)
        assert resumed.state is JobState.INTERRUPTED
        assert [r.attempts for r in resumed.rows] == [1] * 15 + [0] * 5
        assert resumed.progress().written == 5
        assert await run_to_end(resumed) is JobState.FINISHED
        assert len(resumed.written_rows()) == 20
        assert [r.outcome.recovered for r in resumed.rows[5:10] if r.outcome] == [True] * 5
        assert not any(r.outcome and r.outcome.recovered for r in resumed.rows[10:])
    finally:
        await second.close()
    assert await answered_writes(control) == {i: 1 for i in ids[10:]}
    for person in await fresh(client, "people", ids):
        assert cf(person, account) == "RESUME" and person["tags"] == ["bulk"]
    assert (await second.summaries())[0].state is JobState.FINISHED


async def test_faults_still_apply_each_record_exactly_once(
    make_client: MakeClient, jobs_dir: Path, control: SandboxControl, webhook: int
) -> None:
    """Connections dropped after committing until the client's retries run out: the job
    pauses with the rows that were out unknown, and resuming finds them applied instead of
    sending them again. Then random 5xx and drops to the end. Each record changes once (the
    sandbox notifies one "update" per effective change)."""
    async with make_client(retry=ONE_RETRY) as client:
        store = JobStore(jobs_dir, client)
        try:
            await _faults(client, store, control)
        finally:
            await store.close()


async def _faults(client: CopperClient, store: JobStore, control: SandboxControl) -> None:
    people = await make_people(client, 60)
    ids = [p["id"] for p in people]
    account, job = await edit_job(client, store, ids, "FAULTS")
    control.reset()
    # The first 4 batches (all that may be out at once) and their one retry each: dropped
    # after the sandbox committed them.
    control.add_fault("drop", when="after", method="POST", path="^/people/bulk_update$", count=8)
    assert await run_to_end(job) is JobState.PAUSED
    assert job.message
    unknown = [r for r in job.rows if r.status is RowStatus.PENDING and r.attempts]
    assert len(unknown) == 40 and not job.written_rows()
    applied = {p["id"] for p in await fresh(client, "people", ids) if cf(p, account) == "FAULTS"}
    assert applied == {r.key for r in unknown}

    control.add_fault("error", status=500, method="POST", path="^/people/bulk_update$", rate=0.3)
    control.add_fault("drop", when="after", method="POST", path="^/people/bulk_update$", rate=0.3)
    control.add_fault("error", status=503, method="POST", path="^/people/search$", rate=0.2)
    state = await run_to_end(job)
    for _ in range(30):
        if state is JobState.FINISHED:
            break
        assert state is JobState.PAUSED and job.message  # halted again: retries ran out
        state = await run_to_end(job)
    assert state is JobState.FINISHED
    assert len(job.written_rows()) == 60
    assert all(r.outcome and r.outcome.recovered for r in unknown)
    control.clear_faults()
    for person in await fresh(client, "people", ids):
        assert cf(person, account) == "FAULTS" and person["tags"] == ["bulk"]

    # A last change after the job: once its notification is logged, all earlier ones are.
    sentinel = (await make_people(client, 1))[0]
    await client.update("people", sentinel["id"], {"title": "sentinel"})
    for _ in range(2000):
        deliveries = await asyncio.to_thread(control.deliveries)
        if any(sentinel["id"] in d["body"]["ids"] for d in deliveries):
            break
        await asyncio.sleep(0.01)
    else:
        raise AssertionError("the sentinel's notification never came")
    changes: dict[int, int] = {}
    for d in deliveries:
        for rid in d["body"]["ids"]:
            changes[rid] = changes.get(rid, 0) + 1
    assert {i: changes.get(i, 0) for i in ids} == {i: 1 for i in ids}


async def test_undo_restores_and_leaves_records_changed_since_alone(
    client: CopperClient, jobs_dir: Path, control: SandboxControl
) -> None:
    people = await make_people(client, 8, tags=["x"])
    ids = [p["id"] for p in people]
    store = JobStore(jobs_dir, client)
    try:
        account, job = await edit_job(client, store, ids, "UNDO")
        assert not job.can_undo
        assert await run_to_end(job) is JobState.FINISHED
        assert job.can_undo
        # Since the job: someone changes a field it wrote, someone another field, and a
        # record is deleted.
        await client.update("people", ids[2], {"custom_fields": [
            {"custom_field_definition_id": account, "value": "THEIRS"}]})  # fmt: skip
        await client.update("people", ids[5], {"title": "moved"})
        await client.delete("people", ids[6])

        undo = await store.create_undo(job)
        assert undo.undo_of == job.id and job.undone_by == undo.id and not job.can_undo
        assert await run_to_end(undo) is JobState.FINISHED
    finally:
        await store.close()

    conflicts = undo.rows_with(RowStatus.SKIPPED, Reason.CONFLICT)
    assert [r.key for r in conflicts] == [ids[2]]
    assert conflicts[0].message == "Changed in Copper since the job wrote it."
    assert [r.key for r in undo.rows_with(RowStatus.FAILED, Reason.NOT_FOUND)] == [ids[6]]
    assert len(undo.written_rows()) == 6
    now = {p["id"]: p for p in await fresh(client, "people", ids)}
    assert cf(now[ids[2]], account) == "THEIRS" and now[ids[2]]["tags"] == ["x", "bulk"]
    for i in (0, 1, 3, 4, 5, 7):
        assert cf(now[ids[i]], account) is None and now[ids[i]]["tags"] == ["x"]
    assert now[ids[5]]["title"] == "moved"

    # Undo is a journaled job like any other: found again, linked both ways, with counts.
    again = JobStore(jobs_dir, client)
    try:
        summaries = {s.id: s for s in await again.summaries()}
        assert summaries[job.id].undone_by == undo.id
        assert summaries[undo.id].undo_of == job.id
        assert (summaries[undo.id].written, summaries[undo.id].skipped,
                summaries[undo.id].failed) == (6, 1, 1)  # fmt: skip
        assert summaries[undo.id].entity == "people" and summaries[undo.id].created_at > 0
        data = read_journal(undo.journal.path)
        assert data is not None and data.header["meta"]["guard"] == "values"
        reopened = await again.open(job.id)
        assert reopened.undone_by == undo.id and not reopened.can_undo
    finally:
        await again.close()


async def test_an_interrupted_undo_resumes_like_any_job(
    client: CopperClient, jobs_dir: Path, control: SandboxControl
) -> None:
    people = await make_people(client, 12)
    ids = [p["id"] for p in people]
    store = JobStore(jobs_dir, client)
    account, job = await edit_job(client, store, ids, "UNDO2")
    await run_to_end(job)
    undo = await store.create_undo(job)
    await store.close()
    # The undo died with its first batch sent and applied, the answer not journaled.
    dead = JobJournal(undo.journal.path)
    dead.append({"e": "state", "state": "running"}, {"e": "start", "rows": list(range(10))})
    dead.close()
    applied = await client.bulk_update(
        "people", [{"id": r.data["id"], **write_body(r.data["after"])} for r in undo.rows[:10]]
    )
    assert not applied.failed
    control.reset()
    again = JobStore(jobs_dir, client)
    try:
        resumed = await again.open(undo.id)
        assert resumed.state is JobState.INTERRUPTED
        assert {s.id for s in await again.unfinished()} == {undo.id}
        assert await run_to_end(resumed) is JobState.FINISHED
        assert len(resumed.written_rows()) == 12
    finally:
        await again.close()
    assert await answered_writes(control) == {ids[10]: 1, ids[11]: 1}
    for person in await fresh(client, "people", ids):
        assert cf(person, account) is None and person["tags"] == []
