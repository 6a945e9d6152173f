"""The runner: one :class:`Job` drives its rows through its kind, journaling as it goes.

Order of work, per chunk of pending rows (the kind's ``chunk_size``, 200 for record updates):
``prepare`` checks them against Copper in one request, rows it settles (conflict, nothing to
do, gone, already applied) are journaled at once, and the rest go out in batches of
``batch_size`` with at most ``concurrency`` batches in flight. Before a batch is sent a
``start`` line is on disk; its outcomes are appended when it answers. Pacing is the client's
business (its one limiter is shared by the whole app); the engine only bounds concurrency so
that pause and cancel take effect after the few requests already out.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable, Sequence
from typing import Any

from .journal import JobJournal, JournalData, off_loop
from .kinds import JobHalted, RowKind
from .model import (
    JobEvent,
    JobObserver,
    JobState,
    Outcome,
    Progress,
    ProgressChanged,
    Reason,
    RecordsWritten,
    Row,
    RowsChanged,
    RowStatus,
    StateChanged,
)

__all__ = ["Job", "JobError"]

log = logging.getLogger("copper_desktop.jobs")
Json = dict[str, Any]


class JobError(RuntimeError):
    """A request the job's state does not allow (e.g. undoing a running job)."""


def state_from_disk(data: JournalData) -> JobState:
    if data.state in ("finished", "cancelled"):
        return JobState(data.state)
    if data.state == "paused":
        return JobState.PAUSED
    if data.state is None and not data.attempts and not data.outcomes:
        return JobState.NEW
    return JobState.INTERRUPTED  # it was running when the process died


class Job:
    """A journaled run of many writes. Observe it with :meth:`subscribe`; drive it with
    :meth:`start`, :meth:`pause`, :meth:`cancel`, :meth:`retry_failed`.

    All methods run on the event loop's thread (the UI thread under qasync); observers are
    called there synchronously, so a Qt model may update itself directly.
    """

    def __init__(
        self,
        journal: JobJournal,
        data: JournalData,
        kind: RowKind,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        header = data.header
        self.journal = journal
        self.kind = kind
        self.id: str = str(header.get("id") or journal.job_id)
        self.kind_name: str = str(header.get("kind"))
        self.entity: str = str(header.get("entity") or "")
        self.title: str = str(header.get("title") or "")
        self.created_at: float = float(header.get("created_at") or 0.0)
        self.meta: Json = dict(header.get("meta") or {})
        self.undo_of: str | None = header.get("undo_of") or data.links.get("undo_of")
        self.undone_by: str | None = data.links.get("undo")
        self.rows: list[Row] = []
        for line in data.rows:
            row = Row(line["i"], line.get("key"), str(line.get("label") or ""),
                      dict(line.get("data") or {}))  # fmt: skip
            row.attempts = data.attempts.get(row.index, 0)
            outcome = data.outcomes.get(row.index)
            if outcome is not None:
                row.outcome = Outcome.from_json(outcome)
                if row.outcome is not None:
                    row.status = row.outcome.status
            self.rows.append(row)
        loaded = getattr(kind, "loaded", None)
        if callable(loaded):
            loaded(self.rows)
        self.state = state_from_disk(data)
        self.message = data.state_message
        self._clock = clock
        self._observers: list[JobObserver] = []
        self._task: asyncio.Task[JobState] | None = None
        self._stop: str | None = None
        self._halt: str | None = None
        self._in_flight = 0
        self._in_run = False
        self._settled_in_session = 0
        self._active_s = 0.0
        self._run_started: float | None = None

    def __repr__(self) -> str:
        return f"Job({self.id!r}, {self.kind_name}, {self.entity}, {self.state.value})"

    # ------------------------------------------------------------------ observing
    def subscribe(self, observer: JobObserver) -> Callable[[], None]:
        """Call ``observer`` with every event of this job; returns an unsubscriber."""
        self._observers.append(observer)

        def unsubscribe() -> None:
            with contextlib.suppress(ValueError):
                self._observers.remove(observer)

        return unsubscribe

    def _emit(self, event: JobEvent) -> None:
        for observer in list(self._observers):
            try:
                observer(event)
            except Exception:  # an observer's bug must not stop the job
                log.exception("job observer failed on %s", type(event).__name__)

    def _set_state(self, state: JobState, message: str = "") -> None:
        self.state, self.message = state, message
        self._emit(StateChanged(self, state, message))

    # ------------------------------------------------------------------ queries
    def counts(self) -> dict[RowStatus, int]:
        counts = dict.fromkeys(RowStatus, 0)
        for row in self.rows:
            counts[row.status] += 1
        return counts

    def progress(self) -> Progress:
        counts = self.counts()
        active = self._active_s
        if self._run_started is not None:
            active += self._clock() - self._run_started
        rate = None
        if active > 0 and self._settled_in_session:
            rate = self._settled_in_session / active * 60.0
        remaining = counts[RowStatus.PENDING]
        eta = remaining / rate * 60.0 if rate else None
        return Progress(
            total=len(self.rows),
            written=counts[RowStatus.WRITTEN],
            failed=counts[RowStatus.FAILED],
            skipped=counts[RowStatus.SKIPPED],
            in_flight=self._in_flight,
            rate_per_minute=rate,
            eta_s=eta,
        )

    def rows_with(self, status: RowStatus | None = None, reason: Reason | None = None) -> list[Row]:
        return [
            r
            for r in self.rows
            if (status is None or r.status is status) and (reason is None or r.reason is reason)
        ]

    def written_rows(self) -> list[Row]:
        """What the job has written so far (after a cancel: everything it changed)."""
        return self.rows_with(RowStatus.WRITTEN)

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    @property
    def can_undo(self) -> bool:
        return (
            self.state.final
            and self.kind.undoable
            and self.undone_by is None
            and bool(self.written_rows())
        )

    # ------------------------------------------------------------------ control
    def start(self) -> asyncio.Task[JobState]:
        """Run (or resume) the job in a task; the same task while it runs. Keep a reference."""
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self.run(), name=f"job-{self.id}")
        return self._task

    async def wait(self) -> JobState:
        """The state once the current run stops (waiting does not stop it). A run whose task
        was cancelled (the app going away) leaves the job INTERRUPTED."""
        task = self._task
        if task is None:
            return self.state
        try:
            return await asyncio.shield(task)
        except asyncio.CancelledError:
            me = asyncio.current_task()
            if task.cancelled() and (me is None or not me.cancelling()):
                return self.state
            raise

    def pause(self) -> None:
        """Send nothing new; in-flight requests finish, then the state is PAUSED."""
        if self.running and self._stop is None:
            self._stop = "pause"
            self._set_state(JobState.PAUSING)

    def cancel(self) -> None:
        """Send nothing new; in-flight requests finish; unsent rows end skipped (cancelled)."""
        if self.running:
            if self._stop != "cancel":
                self._stop = "cancel"
                self._set_state(JobState.CANCELLING)
        elif not self.state.final and self.state is not JobState.CANCELLING:
            self._stop = "cancel"
            self._task = asyncio.get_running_loop().create_task(self.run(), name=f"job-{self.id}")

    async def retry_failed(self) -> int:
        """Put failed rows back to pending (journaled); returns how many. Then :meth:`start`.
        Rows whose request was sent are checked against Copper first, like after a crash."""
        if self.running:
            raise JobError("Wait for the job to stop before retrying failed rows.")
        failed = self.rows_with(RowStatus.FAILED)
        if not failed:
            return 0
        indices = [r.index for r in failed]
        await off_loop(self.journal.append, {"e": "retry", "rows": indices, "at": time.time()})
        for row in failed:
            row.status, row.outcome = RowStatus.PENDING, None
        self._emit(RowsChanged(self, tuple(indices)))
        self._emit(ProgressChanged(self, self.progress()))
        return len(indices)

    async def close(self) -> None:
        """Pause if running, wait, and release the journal (the job stays resumable)."""
        self.pause()
        with contextlib.suppress(Exception):
            await self.wait()
        await off_loop(self.journal.close)

    # ------------------------------------------------------------------ running
    async def run(self) -> JobState:
        """Work until every row is settled, or until paused, cancelled or halted."""
        pending = deque(r.index for r in self.rows if r.status is RowStatus.PENDING)
        stop = self._stop
        if not pending:
            if not self.state.final:
                await self._finish(JobState.FINISHED)
            return self.state
        if self._in_run:
            raise JobError("The job is running already.")
        self._in_run = True
        try:
            return await self._run(pending, stop)
        finally:
            self._in_run = False

    async def _run(self, pending: deque[int], stop: str | None) -> JobState:
        await off_loop(self.journal.claim)
        self._stop, self._halt = stop, None
        if stop != "cancel":
            await off_loop(
                self.journal.append, {"e": "state", "state": "running", "at": time.time()}
            )
            self._set_state(JobState.RUNNING)
        self._run_started = self._clock()
        writers: set[asyncio.Task[None]] = set()
        try:
            await self._dispatch(pending, writers)
            if writers:
                await asyncio.gather(*writers, return_exceptions=True)
        except asyncio.CancelledError:
            # The app is going away without pausing: behave like a crash (resumable; the
            # rows that were out are checked on resume).
            for task in list(writers):
                task.cancel()
            await asyncio.gather(*writers, return_exceptions=True)
            for row in self.rows:
                row.in_flight = False
            self._in_flight = 0
            self._stopped_clock()
            self._stop = None
            self._set_state(JobState.INTERRUPTED, "Stopped before the end; resume to go on.")
            raise
        self._stopped_clock()
        if self._stop == "cancel":
            unknown = await self._settle_uncertain()
            rest = [r for r in self.rows
                    if r.status is RowStatus.PENDING and r.index not in unknown]  # fmt: skip
            if rest:
                note = Outcome.skipped(Reason.CANCELLED, "Not sent: the job was cancelled.")
                await self._record({r.index: note for r in rest})
            await self._finish(JobState.CANCELLED)
        elif self._halt is not None:
            await self._finish(JobState.PAUSED, self._halt)
        elif self._stop == "pause":
            await self._finish(JobState.PAUSED)
        elif any(r.status is RowStatus.PENDING for r in self.rows):
            await self._finish(JobState.PAUSED, "Some rows were not settled; resume to retry.")
        else:
            await self._finish(JobState.FINISHED)
        self._stop = None
        return self.state

    async def _dispatch(self, pending: deque[int], writers: set[asyncio.Task[None]]) -> None:
        """Check chunks of pending rows and send the rest in batches, until none is left or
        the job is stopped; ``writers`` holds the batches still out."""
        slots = asyncio.Semaphore(max(1, self.kind.concurrency))
        while pending and self._stop is None and self._halt is None:
            chunk = [self.rows[pending.popleft()]
                     for _ in range(min(self.kind.chunk_size, len(pending)))]  # fmt: skip
            try:
                decisions = await self.kind.prepare(chunk)
            except JobHalted as halt:
                self._halt = str(halt)
                return
            except Exception as err:
                log.exception("job %s: checking rows failed", self.id)
                self._halt = f"Checking records failed: {err}"
                return
            settled = {i: o for i, o in decisions.items() if o is not None}
            if settled:
                await self._record(settled)
            go = [r for r in chunk if decisions.get(r.index) is None]
            for start in range(0, len(go), max(1, self.kind.batch_size)):
                await slots.acquire()
                if self._stop is not None or self._halt is not None:
                    slots.release()
                    return
                batch = go[start : start + self.kind.batch_size]
                await self._started(batch)
                task = asyncio.get_running_loop().create_task(self._write(batch, slots))
                writers.add(task)
                task.add_done_callback(writers.discard)

    async def _settle_uncertain(self) -> set[int]:
        """Before calling rows "not sent" on cancel: rows whose request went out earlier (a
        crash, a halt) may have been applied; ask Copper, so the list of what was written is
        true. Returns the rows that could not be checked (they stay pending)."""
        uncertain = [r for r in self.rows if r.status is RowStatus.PENDING and r.attempts]
        unknown: set[int] = set()
        size = max(1, self.kind.chunk_size)
        for start in range(0, len(uncertain), size):
            part = uncertain[start : start + size]
            try:
                decisions = await self.kind.prepare(part)
            except Exception as err:  # keep them pending: cancel must not claim "not sent"
                log.warning("job %s: could not check rows on cancel: %s", self.id, err)
                unknown.update(r.index for r in part)
                continue
            settled = {i: o for i, o in decisions.items() if o is not None}
            if settled:
                await self._record(settled)
        return unknown

    def _stopped_clock(self) -> None:
        if self._run_started is not None:
            self._active_s += self._clock() - self._run_started
            self._run_started = None

    async def _finish(self, state: JobState, message: str = "") -> None:
        event: Json = {"e": "state", "state": state.value, "at": time.time()}
        if message:
            event["message"] = message
        await off_loop(self.journal.append, event)
        self._set_state(state, message)
        self._emit(ProgressChanged(self, self.progress()))

    async def _started(self, batch: Sequence[Row]) -> None:
        """Journal the batch as sent (durable) before its request leaves."""
        indices = [r.index for r in batch]
        await off_loop(self.journal.append, {"e": "start", "rows": indices, "at": time.time()})
        for row in batch:
            row.attempts += 1
            row.in_flight = True
        self._in_flight += len(batch)
        self._emit(RowsChanged(self, tuple(indices)))

    async def _write(self, batch: Sequence[Row], slots: asyncio.Semaphore) -> None:
        """Send one batch and journal its outcomes; the slot is freed only then, so a pause
        or cancel seen by an observer of these outcomes stops the very next batch."""
        outcomes: dict[int, Outcome] = {}
        try:
            try:
                outcomes = await self.kind.write(batch)
            except JobHalted as halt:
                self._halt = self._halt or str(halt)
            except Exception as err:
                log.exception("job %s: writing rows failed", self.id)
                self._halt = self._halt or f"Writing records failed: {err}"
            for row in batch:
                row.in_flight = False
            self._in_flight -= len(batch)
            if outcomes:
                try:
                    await self._record(outcomes)
                except OSError as err:  # the journal cannot be written: stop sending
                    log.exception("job %s: journal write failed", self.id)
                    self._halt = self._halt or f"The job's journal could not be written: {err}"
            missing = [r.index for r in batch if r.index not in outcomes]
            if missing:
                self._emit(RowsChanged(self, tuple(missing)))
        finally:
            slots.release()

    async def _record(self, outcomes: dict[int, Outcome]) -> None:
        """Journal outcomes (durable), then apply them and tell the observers."""
        items = [{"i": i, **o.to_json()} for i, o in sorted(outcomes.items())]
        await off_loop(self.journal.append, {"e": "done", "items": items, "at": time.time()})
        records = []
        for i, outcome in outcomes.items():
            row = self.rows[i]
            row.status, row.outcome = outcome.status, outcome
            if outcome.record is not None:
                records.append(outcome.record)
        self._settled_in_session += len(outcomes)
        self._emit(RowsChanged(self, tuple(sorted(outcomes))))
        if records:
            self._emit(RecordsWritten(self, self.entity, tuple(records)))
        self._emit(ProgressChanged(self, self.progress()))
