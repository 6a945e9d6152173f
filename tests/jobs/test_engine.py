"""The engine's own rules, with a fake row kind at the seam (no HTTP): journal folding,
claims, progress and ETA, halts, cancel, retry, observers, store listing."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, ClassVar

import pytest

from copper_desktop.jobs import (
    Job,
    JobAdded,
    JobBusyError,
    JobError,
    JobEvent,
    JobHalted,
    JobJournal,
    JobState,
    JobStore,
    Outcome,
    ProgressChanged,
    Reason,
    Row,
    RowStatus,
    StateChanged,
    read_journal,
    register,
)

pytestmark = pytest.mark.anyio
Json = dict[str, Any]


class Fake:
    """A row kind whose rows say what should happen to them: ``data["do"]`` is "write",
    "fail", "skip", "halt" (once) or "block" (waits for ``gate``)."""

    kind: ClassVar[str] = "fake"
    undoable = True
    chunk_size = 4
    batch_size = 2
    concurrency = 2

    def __init__(self) -> None:
        self.prepared: list[tuple[int, int]] = []  # (index, attempts) as seen by prepare
        self.written: list[int] = []
        self.gate = asyncio.Event()
        self.halted: set[int] = set()
        self.loaded_rows: list[Row] = []

    def loaded(self, rows: list[Row]) -> None:
        self.loaded_rows = rows

    async def prepare(self, rows: Sequence[Row]) -> dict[int, Outcome | None]:
        self.prepared.extend((r.index, r.attempts) for r in rows)
        out: dict[int, Outcome | None] = {}
        for r in rows:
            if r.data["do"] == "skip":
                out[r.index] = Outcome.skipped(Reason.CONFLICT, "changed")
            elif r.attempts and r.data["do"] == "halt":
                out[r.index] = Outcome.written({"n": 1}, recovered=True)
            else:
                out[r.index] = None
        return out

    async def write(self, rows: Sequence[Row]) -> dict[int, Outcome]:
        out: dict[int, Outcome] = {}
        for r in rows:
            do = r.data["do"]
            if do == "halt" and r.index not in self.halted:
                self.halted.add(r.index)
                raise JobHalted("Copper is unavailable.")
            if do == "block":
                await self.gate.wait()
            if do == "fail":
                out[r.index] = Outcome.failed(Reason.INVALID, "Name: can't be blank")
            else:
                self.written.append(r.index)
                out[r.index] = Outcome.written({"n": r.index})
        return out

    def undo_rows(self, rows: Sequence[Row]) -> tuple[Json, list[Json]]:
        return {"undo": True}, [{"key": r.key, "label": r.label, "data": r.data} for r in rows]

    def describe(self, row: Row) -> dict[str, str]:
        return {"do": row.data["do"]}


FAKE = Fake()
register("fake", lambda client, header: FAKE)


@pytest.fixture(autouse=True)
def fresh_fake() -> None:
    global FAKE
    FAKE.__init__()  # type: ignore[misc]


@pytest.fixture
async def store(tmp_path: Path) -> Any:
    s = JobStore(tmp_path / "jobs", client=None)  # type: ignore[arg-type]
    try:
        yield s
    finally:
        await s.close()


async def until(job: Job, check: Callable[[], bool]) -> None:
    """Wait (bounded) until ``check()`` holds, looking after each of the job's events."""
    ready = asyncio.Event()

    def look(_: JobEvent) -> None:
        if check():
            ready.set()

    stop = job.subscribe(look)
    try:
        if not check():
            await asyncio.wait_for(ready.wait(), 10)
    finally:
        stop()


def plan(*dos: str) -> list[Json]:
    return [{"key": i + 100, "label": f"row {i}", "data": {"do": do}} for i, do in enumerate(dos)]


async def test_outcomes_and_the_journal_they_leave(store: JobStore) -> None:
    job = await store.create("fake", "people", plan("write", "fail", "skip", "write", "write"))
    assert job.state is JobState.NEW
    assert await job.start() is JobState.FINISHED
    assert [r.status for r in job.rows] == [
        RowStatus.WRITTEN, RowStatus.FAILED, RowStatus.SKIPPED, RowStatus.WRITTEN,
        RowStatus.WRITTEN,
    ]  # fmt: skip
    assert job.rows[1].message == "Name: can't be blank" and job.rows[1].reason is Reason.INVALID
    data = read_journal(job.journal.path)
    assert data is not None and data.planned and data.state == "finished"
    assert data.attempts == {0: 1, 1: 1, 3: 1, 4: 1}  # the skipped row was never sent
    assert data.outcomes[0]["result"] == {"n": 0}
    events = [line for line in job.journal.path.read_text().splitlines()]
    kinds = [line.split('"e":"')[1].split('"')[0] for line in events]
    assert kinds[:7] == ["job", "row", "row", "row", "row", "row", "planned"]
    assert kinds.index("start") > kinds.index("planned")
    first_start = kinds.index("start")
    assert "done" not in kinds[:first_start] or kinds[first_start - 1] == "done"


async def test_a_torn_last_line_is_ignored_and_the_next_append_stays_whole(
    store: JobStore,
) -> None:
    job = await store.create("fake", "people", plan("write", "write"))
    with job.journal.path.open("ab") as fh:
        fh.write(b'{"v":1,"e":"done","items":[{"i":0,"sta')
    data = read_journal(job.journal.path)
    assert data is not None and data.outcomes == {}
    assert await job.start() is JobState.FINISHED
    again = read_journal(job.journal.path)
    assert again is not None and set(again.outcomes) == {0, 1}


async def test_a_journal_without_its_planned_line_is_no_job(
    store: JobStore, tmp_path: Path
) -> None:
    partial = JobJournal(tmp_path / "jobs" / "broken.jsonl")
    partial.append({"e": "job", "id": "broken", "kind": "fake", "entity": "people"})
    partial.append({"e": "row", "i": 0, "key": 1, "label": "x", "data": {"do": "write"}})
    partial.close()
    assert await store.summaries() == []
    with pytest.raises(JobError):
        await store.open("broken")


async def test_one_process_or_window_at_a_time(store: JobStore) -> None:
    job = await store.create("fake", "people", plan("write"))
    other = JobJournal(job.journal.path)
    other.claim()
    try:
        with pytest.raises(JobBusyError):
            await job.start()
    finally:
        other.close()
    assert await job.start() is JobState.FINISHED


async def test_progress_rate_and_eta_follow_running_time(tmp_path: Path) -> None:
    now = [1000.0]
    journal = JobJournal(tmp_path / "j.jsonl")
    journal.write_plan({"id": "j", "kind": "fake", "entity": "people"},
                       plan("write", "write", "block", "write"))  # fmt: skip
    data = read_journal(journal.path)
    assert data is not None
    job = Job(journal, data, FAKE, clock=lambda: now[0])
    seen: list[Any] = []

    def tick(event: JobEvent) -> None:
        if isinstance(event, ProgressChanged):
            seen.append(event.progress)
            now[0] += 30.0  # each settled batch "takes" half a minute

    job.subscribe(tick)
    task = job.start()
    await until(job, lambda: job.progress().written >= 2)
    progress = job.progress()
    assert progress.total == 4 and progress.remaining == 2 and progress.in_flight >= 1
    assert progress.rate_per_minute == pytest.approx(2 / ((now[0] - 1000.0) / 60.0))
    assert progress.eta_s == pytest.approx(2 / progress.rate_per_minute * 60.0)
    FAKE.gate.set()
    assert await task is JobState.FINISHED
    assert job.progress().eta_s == 0.0 and job.progress().fraction == 1.0
    assert seen[0].rate_per_minute is None  # no running time had passed yet
    assert seen[-1].rate_per_minute is not None


async def test_a_halt_pauses_with_the_reason_and_resume_checks_the_rows_that_were_out(
    store: JobStore,
) -> None:
    job = await store.create("fake", "people", plan("write", "write", "halt", "write"))
    states: list[JobState] = []
    job.subscribe(lambda e: states.append(e.state) if isinstance(e, StateChanged) else None)
    assert await job.start() is JobState.PAUSED
    assert job.message == "Copper is unavailable."
    halted = job.rows[2]
    assert halted.status is RowStatus.PENDING and halted.attempts == 1
    reloaded = read_journal(job.journal.path)
    assert reloaded is not None and reloaded.state == "paused"
    assert reloaded.state_message == "Copper is unavailable."

    assert await job.start() is JobState.FINISHED
    assert (2, 1) in FAKE.prepared  # seen with its earlier attempt: checked, not re-sent
    assert halted.outcome is not None and halted.outcome.recovered
    assert FAKE.written.count(2) == 0
    assert states[:2] == [JobState.RUNNING, JobState.PAUSED]


async def test_cancelling_a_paused_job_settles_what_was_out_and_skips_the_rest(
    store: JobStore,
) -> None:
    job = await store.create("fake", "people", plan("write", "write", "halt", "write", "write"))
    assert await job.start() is JobState.PAUSED
    job.cancel()
    assert await job.wait() is JobState.CANCELLED
    assert job.rows[2].status is RowStatus.WRITTEN  # it had been applied: found, not "cancelled"
    cancelled = job.rows_with(RowStatus.SKIPPED, Reason.CANCELLED)
    assert [r.index for r in cancelled] == [4] or [r.index for r in cancelled] == [3, 4]
    assert all(r.message == "Not sent: the job was cancelled." for r in cancelled)
    assert job.can_undo


async def test_retry_failed_is_journaled_and_reruns_only_failed_rows(store: JobStore) -> None:
    job = await store.create("fake", "people", plan("write", "fail", "skip"))
    assert await job.start() is JobState.FINISHED
    job.rows[1].data["do"] = "write"  # the cause went away (in memory only, for the fake)
    assert await job.retry_failed() == 1
    data = read_journal(job.journal.path)
    assert data is not None and 1 not in data.outcomes
    FAKE.written.clear()
    assert await job.start() is JobState.FINISHED
    assert FAKE.written == [1]
    assert [r.status for r in job.rows] == [RowStatus.WRITTEN] * 2 + [RowStatus.SKIPPED]
    assert await job.retry_failed() == 0


async def test_a_cancelled_run_task_leaves_the_job_resumable(
    store: JobStore, tmp_path: Path
) -> None:
    job = await store.create("fake", "people", plan("write", "write", "block", "write"))
    task = job.start()
    await until(job, lambda: bool(job.written_rows()))
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert job.state is JobState.INTERRUPTED
    await store.close()
    again = JobStore(tmp_path / "jobs", client=None)  # type: ignore[arg-type]
    try:
        (summary,) = await again.unfinished()
        assert summary.state is JobState.INTERRUPTED and summary.written >= 1
        resumed = await again.open(job.id)
        FAKE.gate.set()
        assert await resumed.start() is JobState.FINISHED
        assert len(resumed.written_rows()) == 4
    finally:
        await again.close()


async def test_an_observer_that_raises_does_not_stop_the_job(
    store: JobStore, caplog: pytest.LogCaptureFixture
) -> None:
    job = await store.create("fake", "people", plan("write", "write", "write"))

    def broken(event: JobEvent) -> None:
        raise RuntimeError("observer bug")

    job.subscribe(broken)
    with caplog.at_level("CRITICAL", logger="copper_desktop.jobs"):
        assert await job.start() is JobState.FINISHED
    assert len(job.written_rows()) == 3


async def test_the_store_lists_jobs_and_announces_new_ones(store: JobStore) -> None:
    added: list[Any] = []
    store.subscribe(lambda e: added.append(e.job.id) if isinstance(e, JobAdded) else None)
    first = await store.create("fake", "people", plan("write"), title="First")
    second = await store.create("fake", "tasks", plan("fail", "write"), title="Second")
    assert added == [first.id, second.id]
    await second.start()
    summaries = {s.id: s for s in await store.summaries()}
    assert summaries[second.id].entity == "tasks" and summaries[second.id].title == "Second"
    assert (summaries[second.id].written, summaries[second.id].failed) == (1, 1)
    assert summaries[first.id].state is JobState.NEW and summaries[first.id].pending == 1
    assert await store.open(first.id) is first
    # A kind sees the job's rows, outcomes folded in, and the same objects as they change.
    assert FAKE.loaded_rows is second.rows
    assert [r.status for r in FAKE.loaded_rows] == [RowStatus.FAILED, RowStatus.WRITTEN]


async def test_undo_is_refused_until_the_job_is_over(store: JobStore) -> None:
    job = await store.create("fake", "people", plan("write", "fail"))
    with pytest.raises(JobError, match="finished or cancelled"):
        await store.create_undo(job)
    await job.start()
    undo = await store.create_undo(job)
    assert undo.title.startswith("Undo: ") and undo.meta["undo"] is True
    assert [r.key for r in undo.rows] == [100]
    with pytest.raises(JobError, match="undone already"):
        await store.create_undo(job)
    nothing = await store.create("fake", "people", plan("fail"))
    await nothing.start()
    with pytest.raises(JobError, match="wrote nothing"):
        await store.create_undo(nothing)


async def test_unknown_kinds_and_bad_ids_are_refused(store: JobStore) -> None:
    with pytest.raises(JobError):
        await store.create("nope", "people", plan("write"))
    for bad in ("../x", "", ".hidden"):
        with pytest.raises(ValueError):
            store.path(bad)


async def test_a_job_runs_once_at_a_time(store: JobStore) -> None:
    job = await store.create("fake", "people", plan("block", "write"))
    task = job.start()
    assert job.start() is task
    await until(job, lambda: job.progress().in_flight > 0)
    with pytest.raises(JobError, match="running already"):
        await job.run()
    FAKE.gate.set()
    assert await task is JobState.FINISHED
