"""Bulk edit jobs end to end against the live sandbox: journal first, bulk_update or PUTs,
conflicts, 422/403/404 rows, retry failed, pause, cancel, ledger."""

from __future__ import annotations

import asyncio
import csv
import io
import stat
from pathlib import Path
from typing import Any

import pytest

from copper_desktop.api import CopperClient
from copper_desktop.domain.bulk import EditTags, SetField, TagMode, Typed
from copper_desktop.jobs import (
    JobEvent,
    JobState,
    JobStore,
    Reason,
    RecordsWritten,
    RowsChanged,
    RowStatus,
    StateChanged,
    read_journal,
    write_ledger_csv,
)
from tests.helpers.jobs import (
    answered_writes,
    cf,
    cf_id,
    fresh,
    log,
    make_people,
    make_preview,
    run_to_end,
)
from tests.helpers.sandbox import SandboxControl

pytestmark = pytest.mark.anyio
Json = dict[str, Any]


async def account_edit(
    client: CopperClient, people: list[Json], value: str, tag: str = "bulk"
) -> tuple[int, list[Any]]:
    account = await cf_id(client, "Account Number")
    return account, [SetField(f"cf_{account}", Typed(value)), EditTags(TagMode.ADD, (tag,))]


async def test_bulk_edit_writes_every_record_with_bulk_update(
    client: CopperClient, store: JobStore, control: SandboxControl
) -> None:
    people = await make_people(client, 25, tags=["keep"])
    ids = [p["id"] for p in people]
    account, ops = await account_edit(client, people, "ACC-1")
    preview = await make_preview(client, "people", ids, ops)
    assert preview.summary() == "25 will change, 0 already match, 0 cannot be changed"
    job = await store.create_bulk_edit(preview)
    events: list[JobEvent] = []
    job.subscribe(events.append)
    control.reset()

    assert await run_to_end(job) is JobState.FINISHED

    for person in await fresh(client, "people", ids):
        assert cf(person, account) == "ACC-1"
        assert person["tags"] == ["keep", "bulk"]
    assert job.counts()[RowStatus.WRITTEN] == 25
    progress = job.progress()
    assert (progress.done, progress.failed, progress.remaining) == (25, 0, 0)
    assert progress.rate_per_minute is not None and progress.rate_per_minute > 0
    entries = await log(control)
    writes = [e for e in entries if e["path"] == "/people/bulk_update"]
    assert sorted(len(e["body"]["people"]) for e in writes) == [5, 10, 10]
    assert not [e for e in entries if e["method"] == "PUT"]
    # One ids search checked all 25 before writing (the other one is the test's own, after).
    last_write = max(entries.index(w) for w in writes)
    searches = [e for e in entries[:last_write] if e["path"] == "/people/search"]
    assert len(searches) == 1 and sorted(searches[0]["body"]["ids"]) == sorted(ids)
    assert entries.index(searches[0]) < min(entries.index(w) for w in writes)
    assert any(isinstance(e, RecordsWritten) for e in events)
    written = {r["id"] for e in events if isinstance(e, RecordsWritten) for r in e.records}
    assert written == set(ids)
    assert [e.state for e in events if isinstance(e, StateChanged)] == [
        JobState.RUNNING,
        JobState.FINISHED,
    ]


async def test_entities_without_bulk_update_get_one_put_each(
    client: CopperClient, store: JobStore, control: SandboxControl
) -> None:
    tasks = []
    for i in range(12):
        tasks.append(await client.create("tasks", {"name": f"Job task {i}", "priority": "None"}))
    ids = [t["id"] for t in tasks]
    preview = await make_preview(
        client, "tasks", ids, [SetField("priority", Typed("High")), EditTags(TagMode.ADD, ("t",))]
    )
    job = await store.create_bulk_edit(preview)
    control.reset()
    assert await run_to_end(job) is JobState.FINISHED
    assert [(t["priority"], t["tags"]) for t in await fresh(client, "tasks", ids)] == [
        ("High", ["t"])
    ] * 12
    entries = await log(control)
    puts = sorted(int(e["path"].rsplit("/", 1)[1]) for e in entries if e["method"] == "PUT")
    assert puts == sorted(ids)
    assert not [e for e in entries if "bulk" in e["path"]]


async def test_the_journal_is_on_disk_before_the_first_write_reaches_copper(
    client: CopperClient, store: JobStore, control: SandboxControl
) -> None:
    """While the first bulk_update is at the server (held by a latency fault), the journal
    file already holds the plan, every record's before-values and date_modified, and the
    batch's start line."""
    people = await make_people(client, 12, tags=["a"])
    ids = [p["id"] for p in people]
    account, ops = await account_edit(client, people, "ACC-2")
    preview = await make_preview(client, "people", ids, ops)
    job = await store.create_bulk_edit(preview)
    control.reset()
    control.add_fault("latency", ms=1500, method="POST", path="^/people/bulk_update$", count=1)
    task = job.start()
    try:
        for _ in range(2000):
            writes = [e for e in await log(control) if e["path"] == "/people/bulk_update"]
            if writes:
                break
            await asyncio.sleep(0.005)
        else:
            raise AssertionError("no bulk_update reached the sandbox")
        assert writes[0]["status"] is None, "answered before the test looked"
        on_disk = read_journal(job.journal.path)
        assert on_disk is not None and on_disk.planned
        assert on_disk.header["meta"]["operations"][0]["key"] == f"cf_{account}"
        by_id = {row["data"]["id"]: row["data"] for row in on_disk.rows}
        for person in people:
            data = by_id[person["id"]]
            assert data["date_modified"] == person["date_modified"]
            assert data["before"] == {f"cf_{account}": None, "tags": ["a"]}
            assert data["after"] == {f"cf_{account}": "ACC-2", "tags": ["a", "bulk"]}
        sent = {i["id"] for i in writes[0]["body"]["people"]}
        started = {on_disk.rows[i]["data"]["id"] for i in on_disk.attempts}
        assert sent <= started
    finally:
        assert await asyncio.wait_for(task, 30) is JobState.FINISHED
    path = job.journal.path
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


async def test_a_record_changed_since_the_preview_is_skipped_not_written(
    client: CopperClient, store: JobStore, control: SandboxControl
) -> None:
    people = await make_people(client, 6)
    ids = [p["id"] for p in people]
    account, ops = await account_edit(client, people, "ACC-3")
    preview = await make_preview(client, "people", ids, ops)
    job = await store.create_bulk_edit(preview)
    # Someone edits another field of one record, and the edited field of another.
    await client.update("people", ids[1], {"title": "Changed elsewhere"})
    await client.update("people", ids[4], {"custom_fields": [
        {"custom_field_definition_id": account, "value": "THEIRS"}]})  # fmt: skip
    control.reset()
    assert await run_to_end(job) is JobState.FINISHED

    skipped = job.rows_with(RowStatus.SKIPPED, Reason.CONFLICT)
    assert sorted(r.key for r in skipped) == [ids[1], ids[4]]
    assert all(r.message == "Changed in Copper since the preview." for r in skipped)
    now = {p["id"]: p for p in await fresh(client, "people", ids)}
    assert cf(now[ids[4]], account) == "THEIRS"
    assert cf(now[ids[1]], account) is None and now[ids[1]]["tags"] == []
    for i in (0, 2, 3, 5):
        assert cf(now[ids[i]], account) == "ACC-3"
    assert set(await answered_writes(control)) == {ids[i] for i in (0, 2, 3, 5)}


async def test_a_422_fails_its_row_with_coppers_message_and_the_job_goes_on(
    client: CopperClient, store: JobStore, control: SandboxControl
) -> None:
    industry = await cf_id(client, "Industry")
    definitions = {d["id"]: d for d in await client.custom_field_definitions()}
    good = definitions[industry]["options"][0]["id"]
    people = await make_people(client, 4)
    rows = [
        {"key": p["id"], "label": p["name"], "data": {
            "id": p["id"], "date_modified": p["date_modified"],
            "before": {f"cf_{industry}": None},
            "after": {f"cf_{industry}": 999_999 if i == 1 else good}}}
        for i, p in enumerate(people)
    ]  # fmt: skip
    meta = {"guard": "date_modified", "types": {f"cf_{industry}": "enum"}}
    job = await store.create("record_update", "people", rows, title="422", meta=meta)
    assert await run_to_end(job) is JobState.FINISHED
    failed = job.rows_with(RowStatus.FAILED)
    assert [r.key for r in failed] == [people[1]["id"]]
    assert failed[0].reason is Reason.INVALID
    assert failed[0].message  # Copper's own words, e.g. "Industry: ..."
    assert len(job.written_rows()) == 3

    # The same through a PUT (an entity without bulk_update).
    task = await client.create("tasks", {"name": "Job 422 task"})
    rows = [{"key": task["id"], "label": "t", "data": {
        "id": task["id"], "date_modified": task["date_modified"],
        "before": {"priority": "None"}, "after": {"priority": "Urgent"}}}]  # fmt: skip
    job2 = await store.create("record_update", "tasks", rows, meta={"types": {}})
    assert await run_to_end(job2) is JobState.FINISHED
    (row,) = job2.rows
    assert (row.status, row.reason) == (RowStatus.FAILED, Reason.INVALID)
    assert "priority" in row.message.lower()


async def test_403_and_404_are_failures_of_their_own_and_retry_failed_reruns_only_those(
    client: CopperClient, store: JobStore, control: SandboxControl, webhook: int
) -> None:
    people = await make_people(client, 30)
    ids = [p["id"] for p in people]
    account, ops = await account_edit(client, people, "ACC-4")
    preview = await make_preview(client, "people", ids, ops)
    job = await store.create_bulk_edit(preview)
    await client.delete("people", ids[7])
    control.reset()
    control.add_fault("error", status=403, method="POST", path="^/people/bulk_update$", count=1)
    assert await run_to_end(job) is JobState.FINISHED

    forbidden = job.rows_with(RowStatus.FAILED, Reason.FORBIDDEN)
    assert len(forbidden) in (9, 10)  # one request's rows (the deleted record is not sent)
    gone = job.rows_with(RowStatus.FAILED, Reason.NOT_FOUND)
    assert [r.key for r in gone] == [ids[7]]
    assert len(job.written_rows()) == 29 - len(forbidden)
    before_retry = await answered_writes(control)

    assert await job.retry_failed() == len(forbidden) + 1
    assert await run_to_end(job) is JobState.FINISHED
    assert len(job.written_rows()) == 29
    assert [r.key for r in job.rows_with(RowStatus.FAILED)] == [ids[7]]
    after_retry = await answered_writes(control)
    resent = {rid for rid, n in after_retry.items() if n != before_retry.get(rid, 0)}
    assert resent == {r.key for r in forbidden}  # only the failed rows went out again
    assert all(n == 1 for n in after_retry.values())
    for person in await fresh(client, "people", ids):
        assert cf(person, account) == "ACC-4"


async def test_pause_then_resume_and_cancel_keeps_in_flight_rows(
    client: CopperClient, store: JobStore, control: SandboxControl
) -> None:
    people = await make_people(client, 100)
    ids = [p["id"] for p in people]
    account, ops = await account_edit(client, people, "ACC-5")
    job = await store.create_bulk_edit(await make_preview(client, "people", ids, ops))
    control.add_fault("latency", ms=40, method="POST", path="^/people/bulk_update$")

    def pause_at_first_outcome(event: JobEvent) -> None:
        if isinstance(event, RowsChanged) and job.written_rows():
            job.pause()

    unsubscribe = job.subscribe(pause_at_first_outcome)
    assert await run_to_end(job) is JobState.PAUSED
    unsubscribe()
    paused_at = len(job.written_rows())
    assert 10 <= paused_at <= 40  # the batches in flight (4 of 10) finished, no more
    assert job.progress().in_flight == 0
    assert not job.rows_with(RowStatus.FAILED)

    out_at_cancel: list[int] = []

    def cancel_at_next_outcome(event: JobEvent) -> None:
        if isinstance(event, RowsChanged) and len(job.written_rows()) > paused_at:
            if not out_at_cancel:
                out_at_cancel.extend(r.index for r in job.rows if r.in_flight)
            job.cancel()

    job.subscribe(cancel_at_next_outcome)
    assert await run_to_end(job) is JobState.CANCELLED
    written = job.written_rows()
    cancelled = job.rows_with(RowStatus.SKIPPED, Reason.CANCELLED)
    assert len(written) + len(cancelled) == 100
    assert paused_at < len(written) <= paused_at + 40 and cancelled
    # The requests out at the cancel were let finish: answered, not aborted and found later.
    assert out_at_cancel
    for i in out_at_cancel:
        outcome = job.rows[i].outcome
        assert outcome is not None and job.rows[i].status is RowStatus.WRITTEN
        assert not outcome.recovered
    now = {p["id"]: p for p in await fresh(client, "people", ids)}
    assert {r.key for r in written} == {i for i in ids if cf(now[i], account) == "ACC-5"}
    assert job.can_undo
    assert job.start().done() or await job.wait() is JobState.CANCELLED


async def test_the_ledger_exports_to_csv(
    client: CopperClient, store: JobStore, control: SandboxControl, tmp_path: Path
) -> None:
    people = await make_people(client, 3)
    people[1] = await client.update("people", people[1]["id"], {"name": 'Odd, "quoted"\nname'})
    ids = [p["id"] for p in people]
    _, ops = await account_edit(client, people, "ACC-6")
    job = await store.create_bulk_edit(await make_preview(client, "people", ids, ops))
    await client.update("people", ids[2], {"title": "moved"})
    await run_to_end(job)
    out = io.StringIO(newline="")
    assert write_ledger_csv(job, out) == 3
    text = out.getvalue()
    assert text.startswith("row,key,name,status,reason,message,before,after\r\n")
    lines = list(csv.reader(io.StringIO(text, newline="")))
    assert lines[2][:4] == ["2", str(ids[1]), 'Odd, "quoted"\nname', "written"]
    assert lines[3][3:6] == ["skipped", "changed since preview",
                             "Changed in Copper since the preview."]  # fmt: skip
    assert '"ACC-6"' in lines[1][7]
    from copper_desktop.jobs import export_ledger

    path = tmp_path / "ledger.csv"
    assert await export_ledger(job, path) == 3
    assert path.read_bytes().decode("utf-8") == text
