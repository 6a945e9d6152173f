"""JobsModel, JobRowsModel and LedgerFilter over a real JobStore with a fake row kind at the
seam (no HTTP): engine events become inserted rows and dataChanged with roles (never resets),
actions run through the model, and Qt's model tester is happy mid-run and after. The panel's
end-to-end tests (tests/ui/test_jobs_panel.py) run the real kind against the sandbox."""

from __future__ import annotations

import asyncio
import csv
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt
from pytestqt.qtbot import QtBot

from copper_desktop.jobs import Job, JobState, JobStore, Reason, RowStatus
from copper_desktop.models.jobs import (
    JobRowsModel,
    JobsModel,
    LedgerFilter,
    format_duration,
    progress_text,
)
from tests.helpers.jobs import KIND, Kind

Json = dict[str, Any]
DISPLAY = Qt.ItemDataRole.DisplayRole


@pytest.fixture(autouse=True)
def fresh_kind() -> None:
    KIND.__init__()  # type: ignore[misc]


@pytest.fixture
def run(qtbot: QtBot, running_loop: asyncio.AbstractEventLoop) -> Callable[..., Any]:
    """Await a coroutine (or a task) on the qasync loop from a sync test; its result."""

    def run_coro(coro: Awaitable[Any], timeout: int = 10_000) -> Any:
        task = asyncio.ensure_future(coro, loop=running_loop)
        qtbot.waitUntil(task.done, timeout=timeout)
        return task.result()

    return run_coro


@pytest.fixture
def store(tmp_path: Path, run: Callable[..., Any]) -> Iterator[JobStore]:
    s = JobStore(tmp_path / "jobs", client=None)  # type: ignore[arg-type]
    yield s
    run(s.close())


@pytest.fixture
def model(store: JobStore) -> Iterator[JobsModel]:
    m = JobsModel(store)
    yield m
    m.close()


def plan(*dos: str) -> list[Json]:
    return [
        {"key": i + 100, "label": f"Person {i}", "data": {"do": do}} for i, do in enumerate(dos)
    ]


def make(run: Callable[..., Any], store: JobStore, *dos: str, title: str = "Edit") -> Job:
    job: Job = run(store.create(Kind.kind, "people", plan(*dos), title=title))
    return job


class Signals:
    """What a model emitted: dataChanged (first row, last row, roles), inserts, resets."""

    def __init__(self, model: Any) -> None:
        self.changed: list[tuple[int, int, list[int]]] = []
        self.inserted: list[tuple[int, int]] = []
        self.resets = 0
        model.dataChanged.connect(
            lambda a, b, roles: self.changed.append((a.row(), b.row(), list(roles)))
        )
        model.rowsInserted.connect(lambda _p, a, b: self.inserted.append((a, b)))
        model.modelReset.connect(self._reset)

    def _reset(self) -> None:
        self.resets += 1


def cell(model: Any, row: int, column: int, role: int = DISPLAY) -> Any:
    return model.data(model.index(row, column), role)


# --------------------------------------------------------------------------- the jobs list


def test_a_new_job_is_inserted_at_the_top_and_becomes_current(
    run: Callable[..., Any], store: JobStore, model: JobsModel
) -> None:
    older = make(run, store, "write", title="Older")
    seen = Signals(model)
    currents: list[Job | None] = []
    model.current_changed.connect(currents.append)

    newer = make(run, store, "write", "fail", title="Newer")

    assert seen.inserted == [(0, 0)] and seen.resets == 0
    assert [model.job_id(r) for r in range(model.rowCount())] == [newer.id, older.id]
    assert model.current is newer and currents[-1] is newer
    assert cell(model, 0, JobsModel.TITLE) == "Newer"
    assert cell(model, 0, JobsModel.ENTITY) == "People"
    assert cell(model, 0, JobsModel.REMAINING) == "2"
    assert cell(model, 0, JobsModel.STATE) == "Not started"
    assert cell(model, 0, 0, JobsModel.IdRole) == newer.id


def test_progress_and_state_are_data_changed_with_roles_never_a_reset(
    run: Callable[..., Any], store: JobStore, model: JobsModel
) -> None:
    job = make(run, store, "write", "fail", "skip", "write", "write")
    seen = Signals(model)
    ids: list[str] = []
    model.job_changed.connect(ids.append)

    assert run(model.run(job)) is JobState.FINISHED

    assert seen.resets == 0 and not seen.inserted
    assert seen.changed and all(first == last == 0 for first, last, _ in seen.changed)
    assert all(JobsModel.StateRole in roles and int(DISPLAY) in roles for *_, roles in seen.changed)
    assert set(ids) == {job.id}
    assert [cell(model, 0, c) for c in range(JobsModel.WRITTEN, JobsModel.STATE + 1)] == [
        "3", "1", "1", "0", "Finished",
    ]  # fmt: skip
    assert cell(model, 0, JobsModel.STATE, JobsModel.StateRole) == "finished"
    assert cell(model, 0, 0, JobsModel.CanUndoRole) is True
    assert cell(model, 0, 0, JobsModel.CanRetryRole) is True
    assert cell(model, 0, 0, JobsModel.CanResumeRole) is False


def test_counts_follow_progress_while_the_job_runs(
    qtbot: QtBot, run: Callable[..., Any], store: JobStore, model: JobsModel
) -> None:
    job = make(run, store, "write", "write", "block", "write", "block", "write", "write", "write")
    task = run(_spawn(model.run(job)))
    qtbot.waitUntil(lambda: job.rows[2].in_flight and job.rows[4].in_flight)
    assert cell(model, 0, JobsModel.STATE) == "Running"
    assert cell(model, 0, JobsModel.WRITTEN) == "2" and cell(model, 0, JobsModel.REMAINING) == "6"
    assert not model.can_resume(job.id) and not model.can_undo(job.id)
    KIND.gate.set()
    assert run(task) is JobState.FINISHED
    assert cell(model, 0, JobsModel.WRITTEN) == "8"


def test_reload_merges_jobs_from_disk_without_a_reset(
    run: Callable[..., Any], store: JobStore, model: JobsModel, tmp_path: Path
) -> None:
    mine = make(run, store, "write", title="Mine")
    other_store = JobStore(tmp_path / "jobs", client=None)  # type: ignore[arg-type]
    try:
        theirs = make(run, other_store, "write", "write", title="Theirs")
        seen = Signals(model)
        assert run(model.reload()) == 2
        assert seen.inserted == [(0, 0)] and seen.resets == 0
        assert model.job_id(0) == theirs.id and model.job_id(1) == mine.id
        assert model.live(theirs.id) is None  # listed from its journal, not opened
        assert cell(model, 0, JobsModel.REMAINING) == "2"
        run(asyncio.wait_for(theirs.start(), 10))  # runs in the other store
    finally:
        run(other_store.close())
    seen = Signals(model)
    run(model.reload())
    assert seen.changed == [(0, 0, list(JobsModel.CHANGED_ROLES))] and not seen.inserted
    assert cell(model, 0, JobsModel.WRITTEN) == "2" and cell(model, 0, JobsModel.STATE) == (
        "Finished"
    )
    # never opened here: what it allows comes from its journal's summary
    assert model.can_undo(theirs.id) and not model.can_retry(theirs.id)
    assert not model.can_resume(theirs.id)


def test_qtmodeltester_on_the_jobs_model(
    run: Callable[..., Any], store: JobStore, model: JobsModel, qtmodeltester: Any
) -> None:
    qtmodeltester.check(model, force_py=True)
    first = make(run, store, "write", "fail", "skip")
    make(run, store, "write", "block")
    run(model.run(first))
    run(model.reload())
    qtmodeltester.check(model)
    qtmodeltester.check(model, force_py=True)


# --------------------------------------------------------------------------- a job's rows


def test_rows_follow_the_job_as_data_changed_runs_with_roles(
    qtbot: QtBot, run: Callable[..., Any], store: JobStore, model: JobsModel, qtmodeltester: Any
) -> None:
    job = make(run, store, "write", "write", "fail", "skip", "write", "block")
    rows = JobRowsModel()
    rows.set_job(job)
    seen = Signals(rows)
    qtmodeltester.check(rows, force_py=True)
    task = run(_spawn(model.run(job)))
    qtbot.waitUntil(lambda: job.rows[5].in_flight)
    qtmodeltester.check(rows, force_py=True)  # mid-run: a row in flight, others settled
    assert cell(rows, 5, JobRowsModel.OUTCOME) == "Sending…"
    assert cell(rows, 5, 0, JobRowsModel.InFlightRole) is True
    KIND.gate.set()
    assert run(task) is JobState.FINISHED

    assert seen.resets == 0
    assert seen.changed
    for first, last, roles in seen.changed:
        assert 0 <= first <= last < 6
        assert JobRowsModel.StatusRole in roles and int(DISPLAY) in roles
    touched = {i for first, last, _ in seen.changed for i in range(first, last + 1)}
    assert touched == set(range(6))
    assert [cell(rows, r, JobRowsModel.OUTCOME) for r in range(6)] == [
        "Written", "Written", "Failed", "Skipped", "Written", "Written",
    ]  # fmt: skip
    assert cell(rows, 2, JobRowsModel.REASON) == "refused by Copper"
    assert cell(rows, 2, JobRowsModel.MESSAGE) == "Name: can't be blank"
    assert cell(rows, 3, JobRowsModel.REASON) == "changed since preview"
    assert cell(rows, 0, JobRowsModel.RECORD) == "Person 0"
    assert cell(rows, 0, JobRowsModel.KEY) == "100"
    assert cell(rows, 2, 0, JobRowsModel.StatusRole) == "failed"
    assert cell(rows, 2, 0, JobRowsModel.ReasonRole) == "invalid"
    qtmodeltester.check(rows)


def test_the_ledger_filter_lets_rows_in_as_their_outcome_arrives(
    qtbot: QtBot, run: Callable[..., Any], store: JobStore, model: JobsModel, qtmodeltester: Any
) -> None:
    job = make(run, store, "write", "fail", "write", "skip", "block")
    rows = JobRowsModel()
    rows.set_job(job)
    written = LedgerFilter()
    written.setSourceModel(rows)
    written.set_status(RowStatus.WRITTEN)
    assert written.rowCount() == 0
    task = run(_spawn(model.run(job)))
    qtbot.waitUntil(lambda: job.rows[4].in_flight and job.rows[2].status is RowStatus.WRITTEN)
    assert [written.data(written.index(r, JobRowsModel.RECORD)) for r in range(2)] == [
        "Person 0", "Person 2",
    ]  # fmt: skip
    assert written.rowCount() == 2
    KIND.gate.set()
    run(task)
    assert written.rowCount() == 3
    qtmodeltester.check(written, force_py=True)
    written.set_status(RowStatus.FAILED)
    assert written.rowCount() == 1
    written.set_status(None)
    assert written.rowCount() == 5


async def _spawn(coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
    """A coroutine as a task, returned at once (so the test can look mid-run)."""
    return asyncio.get_running_loop().create_task(coro)


# --------------------------------------------------------------------------- actions


PAUSABLE = ("block", "write", "block", "write", "write", "write", "write", "write", "write",
            "write")  # fmt: skip
"""Two batches of two, each held by its first row: both write slots are taken while they
wait, so nothing else is sent until the gate opens."""


def pause_while_held(qtbot: QtBot, run: Callable[..., Any], model: JobsModel, job: Job) -> None:
    task = run(_spawn(model.run(job)))
    qtbot.waitUntil(lambda: job.rows[0].in_flight and job.rows[2].in_flight)
    model.pause(job)
    assert job.state is JobState.PAUSING
    assert cell(model, model.row_of(job.id), JobsModel.STATE) == "Pausing…"
    KIND.gate.set()
    assert run(task) is JobState.PAUSED
    assert [r.status for r in job.rows[:4]] == [RowStatus.WRITTEN] * 4
    assert [r.status for r in job.rows[4:]] == [RowStatus.PENDING] * 6  # nothing new sent
    assert model.can_resume(job.id) and not model.running(job.id)


def test_pause_then_resume_then_cancel_through_the_model(
    qtbot: QtBot, run: Callable[..., Any], store: JobStore, model: JobsModel
) -> None:
    job = make(run, store, *PAUSABLE)
    pause_while_held(qtbot, run, model, job)

    KIND.gate.clear()
    job.rows[4].data["do"] = job.rows[6].data["do"] = "block"  # the resumed run holds again
    task = run(_spawn(model.run(job)))
    qtbot.waitUntil(lambda: job.rows[4].in_flight and job.rows[6].in_flight)
    cancel = run(_spawn(model.cancel(job)))
    qtbot.waitUntil(lambda: job.state is JobState.CANCELLING)
    KIND.gate.set()
    assert run(cancel) is JobState.CANCELLED
    assert run(task) is JobState.CANCELLED
    # the requests out at the cancel finished; the rest were never sent
    assert [r.status for r in job.rows[4:8]] == [RowStatus.WRITTEN] * 4
    assert [r.reason for r in job.rows[8:]] == [Reason.CANCELLED] * 2
    assert cell(model, 0, JobsModel.STATE) == "Cancelled"
    assert not model.can_resume(job.id)


def test_cancelling_a_paused_job_marks_the_rest_not_sent(
    qtbot: QtBot, run: Callable[..., Any], store: JobStore, model: JobsModel
) -> None:
    job = make(run, store, *PAUSABLE)
    pause_while_held(qtbot, run, model, job)
    assert run(model.cancel(job.id)) is JobState.CANCELLED
    assert [r.reason for r in job.rows[4:]] == [Reason.CANCELLED] * 6
    assert cell(model, 0, JobsModel.SKIPPED) == "6"
    assert cell(model, 0, JobsModel.WRITTEN) == "4"


def test_retry_failed_reruns_only_the_failed_rows(
    run: Callable[..., Any], store: JobStore, model: JobsModel
) -> None:
    job = make(run, store, "write", "fail_once", "write", "fail_once")
    assert run(model.run(job)) is JobState.FINISHED
    assert model.can_retry(job.id) and cell(model, 0, JobsModel.FAILED) == "2"
    KIND.written.clear()
    assert run(model.retry_failed(job.id)) is JobState.FINISHED
    assert sorted(KIND.written) == [101, 103]
    assert cell(model, 0, JobsModel.FAILED) == "0" and cell(model, 0, JobsModel.WRITTEN) == "4"
    assert not model.can_retry(job.id)


def test_undo_runs_a_job_of_its_own_and_the_original_says_undone(
    run: Callable[..., Any], store: JobStore, model: JobsModel
) -> None:
    job = make(run, store, "write", "fail", "write", title="Rename")
    run(model.run(job))
    assert model.can_undo(job.id)
    undo = run(model.undo(job.id))
    assert undo.state is JobState.FINISHED and undo.undo_of == job.id
    assert [r.key for r in undo.rows] == [100, 102]  # only what the job wrote
    assert model.job_id(0) == undo.id and model.current is undo
    assert cell(model, 0, JobsModel.TITLE) == "Undo: Rename"
    row = model.row_of(job.id)
    assert cell(model, row, JobsModel.STATE) == "Finished (undone)"
    assert not model.can_undo(job.id)


def test_the_ledger_exports_to_csv(
    run: Callable[..., Any], store: JobStore, model: JobsModel, tmp_path: Path
) -> None:
    job = make(run, store, "write", "fail")
    run(model.run(job))
    path = tmp_path / "ledger.csv"
    assert run(model.export_ledger(job.id, path)) == 2
    with path.open(newline="", encoding="utf-8") as fh:
        lines = list(csv.reader(fh))
    assert lines[0][:6] == ["row", "key", "name", "status", "reason", "message"]
    assert lines[2][:6] == ["2", "101", "Person 1", "failed", "refused by Copper",
                            "Name: can't be blank"]  # fmt: skip


def test_written_records_are_announced_for_open_lists(
    run: Callable[..., Any], store: JobStore, model: JobsModel
) -> None:
    job = make(run, store, "write", "fail", "write")
    got: list[tuple[str, Any]] = []
    model.records_written.connect(lambda entity, records: got.append((entity, records)))
    run(model.run(job))
    assert [e for e, _ in got] == ["people"] * len(got)
    assert sorted(r["id"] for _, records in got for r in records) == [100, 102]


def test_an_interrupted_job_is_offered_as_unfinished_by_the_next_model(
    qtbot: QtBot, run: Callable[..., Any], store: JobStore, model: JobsModel, tmp_path: Path
) -> None:
    job = make(run, store, "write", "block", "write")
    task = job.start()
    qtbot.waitUntil(lambda: job.rows[1].in_flight)
    task.cancel()  # the app going away without pausing: like a crash
    run(job.wait())
    assert job.state is JobState.INTERRUPTED
    run(store.close())  # lets go of the journal, as a dead process does
    later = JobStore(tmp_path / "jobs", client=None)  # type: ignore[arg-type]
    again = JobsModel(later)
    try:
        unfinished = run(again.unfinished())
        assert [s.id for s in unfinished] == [job.id]
        assert again.can_resume(job.id)
        assert cell(again, 0, JobsModel.STATE) == "Interrupted"
        KIND.gate.set()
        assert run(again.run(job.id)) is JobState.FINISHED
        assert again.live(job.id) is not job  # a new object, read from the journal
        assert run(again.unfinished()) == []
    finally:
        again.close()
        run(later.close())


# --------------------------------------------------------------------------- texts


def test_texts() -> None:
    from copper_desktop.jobs import Progress

    assert format_duration(None) == "—"
    assert format_duration(45.4) == "0:45"
    assert format_duration(3 * 3600 + 62) == "3:01:02"
    p = Progress(total=100, written=30, failed=2, skipped=7, in_flight=10,
                 rate_per_minute=1234.4, eta_s=90)  # fmt: skip
    assert progress_text(p) == (
        "37/100 done · 2 failed · 7 skipped · 61 left · 1,234 records/min · ETA 1:30"
    )
    done = Progress(total=5, written=5, failed=0, skipped=0, in_flight=0,
                    rate_per_minute=None, eta_s=None)  # fmt: skip
    assert progress_text(done) == "5/5 done · 0 left"


def test_rows_model_without_a_job_is_empty(qtmodeltester: Any) -> None:
    rows = JobRowsModel()
    assert rows.rowCount() == 0 and rows.data(QModelIndex()) is None
    qtmodeltester.check(rows, force_py=True)


def test_rows_model_lets_go_of_its_job(run: Callable[..., Any], store: JobStore) -> None:
    job = make(run, store, "write", "write")
    rows = JobRowsModel()
    rows.set_job(job)
    assert rows.rowCount() == 2
    seen = Signals(rows)
    rows.close()
    assert rows.rowCount() == 0 and rows.job is None and seen.resets == 1
    run(job.start())
    assert not seen.changed  # unsubscribed
