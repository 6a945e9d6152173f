"""Qt models of the job engine: the jobs of a :class:`JobStore`, and one job's ledger rows.

The engine (``copper_desktop.jobs``) knows no Qt and calls its observers on the loop's thread
(the UI thread under qasync), so these models update themselves straight from its events:
a row's outcome or a job's progress becomes ``dataChanged`` with the roles it touched, a new
job an inserted row; nothing is reset while a job runs, so selections and scroll positions
hold. Widgets drive jobs through :class:`JobsModel`'s coroutines, run by an ``ActionRunner``:
they never await the engine themselves. QtCore only.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Coroutine, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)

from copper_desktop.domain.catalog import ENTITIES
from copper_desktop.jobs import (
    KINDS,
    REASON_TEXT,
    Job,
    JobAdded,
    JobError,
    JobState,
    JobStore,
    JobSummary,
    Progress,
    ProgressChanged,
    RecordsWritten,
    Row,
    RowsChanged,
    RowStatus,
    StateChanged,
    export_ledger,
)
from copper_desktop.jobs.job_store import StoreEvent
from copper_desktop.models.columns_table import ColumnsTable

__all__ = [
    "JOB_ERRORS",
    "RESUMABLE",
    "JobRowsModel",
    "JobsModel",
    "LedgerFilter",
    "entity_label",
    "format_duration",
    "format_rate",
    "progress_text",
    "state_text",
]

Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()
DISPLAY = Qt.ItemDataRole.DisplayRole
TOOLTIP = Qt.ItemDataRole.ToolTipRole
ALIGN = Qt.ItemDataRole.TextAlignmentRole
USER = int(Qt.ItemDataRole.UserRole)
NUMBER_ALIGN = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

JOB_ERRORS: tuple[type[BaseException], ...] = (JobError, RuntimeError, OSError)
"""What a job action reports to the user besides Copper's errors: a job another window or
process runs (JobBusyError), a state that does not allow the action, a file not written."""

RESUMABLE = (JobState.NEW, JobState.PAUSED, JobState.INTERRUPTED)


# --- texts ------------------------------------------------------------------------------------


def format_duration(seconds: float | None) -> str:
    """``0:45``, ``12:05``, ``1:02:09``; an em dash when unknown."""
    if seconds is None:
        return "—"
    total = max(0, round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def format_rate(per_minute: float | None) -> str:
    return "—" if per_minute is None else f"{per_minute:,.0f} records/min"


def progress_text(progress: Progress) -> str:
    """One line for the status bar: ``37/100 done · 2 failed · 1 skipped · 61 left ·
    120 records/min · ETA 0:30`` ("done" counts the rows skipped too: they are named, so a
    reader knows not all of those were written)."""
    parts = [f"{progress.done:,}/{progress.total:,} done"]
    if progress.failed:
        parts.append(f"{progress.failed:,} failed")
    if progress.skipped:
        parts.append(f"{progress.skipped:,} skipped")
    parts.append(f"{progress.remaining:,} left")
    if progress.rate_per_minute is not None:
        parts.append(format_rate(progress.rate_per_minute))
    if progress.remaining and progress.eta_s is not None:
        parts.append(f"ETA {format_duration(progress.eta_s)}")
    return " · ".join(parts)


STATE_TEXT = {
    JobState.NEW: "Not started",
    JobState.RUNNING: "Running",
    JobState.PAUSING: "Pausing…",
    JobState.PAUSED: "Paused",
    JobState.CANCELLING: "Cancelling…",
    JobState.CANCELLED: "Cancelled",
    JobState.FINISHED: "Finished",
    JobState.INTERRUPTED: "Interrupted",
}


def state_text(state: JobState, *, undone: bool = False) -> str:
    text = STATE_TEXT[state]
    return f"{text} (undone)" if undone else text


def entity_label(key: str) -> str:
    spec = ENTITIES.get(key)
    return spec.plural_label if spec is not None else key


def summary_of(job: Job, previous: JobSummary | None = None) -> JobSummary:
    """The list line of a job this process holds (its counts as they are now)."""
    counts = job.counts()
    return JobSummary(
        id=job.id,
        kind=job.kind_name,
        entity=job.entity,
        title=job.title,
        created_at=job.created_at,
        updated_at=time.time() if previous is None else previous.updated_at,
        state=job.state,
        total=len(job.rows),
        written=counts[RowStatus.WRITTEN],
        failed=counts[RowStatus.FAILED],
        skipped=counts[RowStatus.SKIPPED],
        pending=counts[RowStatus.PENDING],
        undo_of=job.undo_of,
        undone_by=job.undone_by,
    )


# --- the jobs ---------------------------------------------------------------------------------


class JobsModel(ColumnsTable):
    """Every job of a store, newest first: the Jobs window's table, and the source of the jobs
    panel (the *current* job: the one added or started last).

    Jobs this process holds (created, opened or resumed here) show their live counts; the rest
    show what their journals say. Jobs created elsewhere with the same store (the bulk edit
    dialog) appear by themselves.

    Signals:
        current_changed(object): the job the panel shows changed (a Job, or None).
        job_changed(str): a job's state or progress changed (its id).
        records_written(str, object): a job wrote these records (entity key, tuple of dicts as
            Copper returned them), so open lists can show them.
    """

    current_changed = Signal(object)
    job_changed = Signal(str)
    records_written = Signal(str, object)

    COLUMNS = ("Date", "Entity", "Title", "Written", "Failed", "Skipped", "Remaining", "State")
    (DATE, ENTITY, TITLE, WRITTEN, FAILED, SKIPPED, REMAINING, STATE) = range(8)
    IdRole = USER + 1
    StateRole = USER + 2
    """The job's JobState value (a str)."""
    CanUndoRole = USER + 3
    CanRetryRole = USER + 4
    CanResumeRole = USER + 5
    CHANGED_ROLES = (int(DISPLAY), int(TOOLTIP), StateRole, CanUndoRole, CanRetryRole,
                     CanResumeRole)  # fmt: skip

    def __init__(self, store: JobStore, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._lines: list[JobSummary] = []
        self._jobs: dict[str, Job] = {}
        self._tasks: dict[str, asyncio.Task[JobState]] = {}
        self._current: Job | None = None
        self._closed = False
        self._unsubscribe = store.subscribe(self._on_event)

    @property
    def store(self) -> JobStore:
        return self._store

    @property
    def current(self) -> Job | None:
        return self._current

    def close(self) -> None:
        """Stop following the store (jobs go on; the store's owner closes it)."""
        self._closed = True
        self._unsubscribe()

    # ------------------------------------------------------------------ Qt model
    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._lines)

    def data(self, index: Index, role: int = DISPLAY) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._lines):
            return None
        line = self._lines[index.row()]
        column = index.column()
        if role == DISPLAY:
            return self._display(line, column)
        if role == TOOLTIP:
            if column == self.STATE:
                return self.message(line.id) or None
            if column == self.TITLE:
                return line.title
            return None
        if role == ALIGN and self.WRITTEN <= column <= self.REMAINING:
            return NUMBER_ALIGN
        if role == self.IdRole:
            return line.id
        if role == self.StateRole:
            return line.state.value
        if role == self.CanUndoRole:
            return self.can_undo(line.id)
        if role == self.CanRetryRole:
            return self.can_retry(line.id)
        if role == self.CanResumeRole:
            return self.can_resume(line.id)
        return None

    def _display(self, line: JobSummary, column: int) -> str | None:
        if column == self.DATE:
            return time.strftime("%Y-%m-%d %H:%M", time.localtime(line.created_at))
        if column == self.ENTITY:
            return entity_label(line.entity)
        if column == self.TITLE:
            return line.title
        counts = {self.WRITTEN: line.written, self.FAILED: line.failed,
                  self.SKIPPED: line.skipped, self.REMAINING: line.pending}  # fmt: skip
        if column in counts:
            return f"{counts[column]:,}"
        if column == self.STATE:
            return state_text(line.state, undone=line.undone_by is not None)
        return None

    # ------------------------------------------------------------------ lookups
    def row_of(self, job_id: str) -> int:
        """The row of a job, -1 if not listed."""
        return next((i for i, line in enumerate(self._lines) if line.id == job_id), -1)

    def summary(self, job_id: str) -> JobSummary | None:
        row = self.row_of(job_id)
        return self._lines[row] if row >= 0 else None

    def summaries(self) -> list[JobSummary]:
        return list(self._lines)

    def job_id(self, row: int) -> str | None:
        return self._lines[row].id if 0 <= row < len(self._lines) else None

    def live(self, job_id: str) -> Job | None:
        """The job object, if this process has opened it."""
        return self._jobs.get(job_id)

    def message(self, job_id: str) -> str:
        """Why the job stopped by itself (a paused job: Copper refused the key, ...)."""
        job = self._jobs.get(job_id)
        return job.message if job is not None else ""

    def running(self, job_id: str) -> bool:
        """Whether the job is running, pausing or cancelling. Judged by its state, which
        changes (an event) as the run ends, not by its task, which ends just after."""
        job = self._jobs.get(job_id)
        return job is not None and job.state.active

    def can_undo(self, job_id: str) -> bool:
        job = self._jobs.get(job_id)
        if job is not None:
            return job.can_undo
        line = self.summary(job_id)
        undoable = bool(getattr(KINDS.get(line.kind), "undoable", True)) if line else False
        return (
            line is not None and undoable and line.state.final
            and line.undone_by is None and line.written > 0
        )  # fmt: skip

    def can_retry(self, job_id: str) -> bool:
        line = self.summary(job_id)
        return line is not None and line.failed > 0 and not self.running(job_id)

    def can_resume(self, job_id: str) -> bool:
        line = self.summary(job_id)
        return line is not None and line.state in RESUMABLE and not self.running(job_id)

    # ------------------------------------------------------------------ engine events
    def _on_event(self, event: StoreEvent) -> None:
        if isinstance(event, JobAdded):
            self._adopt(event.job)
            self._set_current(event.job)
        elif isinstance(event, StateChanged):
            self._adopt(event.job)
            if event.state.active:
                self._set_current(event.job)
            self._refresh(event.job)
        elif isinstance(event, ProgressChanged):
            self._refresh(event.job)
        elif isinstance(event, RecordsWritten):
            self.records_written.emit(event.entity, event.records)
        # RowsChanged: a job's rows are JobRowsModel's business

    def _adopt(self, job: Job) -> None:
        """Hold the job, and list it if it is not listed yet (in created order)."""
        self._jobs.setdefault(job.id, job)
        if self.row_of(job.id) < 0:
            line = summary_of(job)
            row = next(
                (i for i, other in enumerate(self._lines) if other.created_at < line.created_at),
                len(self._lines),
            )
            self.beginInsertRows(_ROOT, row, row)
            self._lines.insert(row, line)
            self.endInsertRows()

    def _refresh(self, job: Job) -> None:
        row = self.row_of(job.id)
        if row >= 0:
            self._lines[row] = summary_of(job, self._lines[row])
            self.dataChanged.emit(
                self.index(row, 0), self.index(row, len(self.COLUMNS) - 1), list(self.CHANGED_ROLES)
            )
        self.job_changed.emit(job.id)

    def _set_current(self, job: Job | None) -> None:
        if job is not self._current:
            self._current = job
            self.current_changed.emit(job)

    def show(self, job: Job | None) -> None:
        """Make ``job`` the one the panel shows."""
        if job is not None:
            self._adopt(job)
        self._set_current(job)

    # ------------------------------------------------------------------ loading
    async def reload(self) -> int:
        """Read every job's journal again (off the UI thread) and merge: changed lines are
        updated in place, new ones inserted, vanished ones removed. Returns the job count."""
        self._merge(await self._store.summaries())
        return len(self._lines)

    def _merge(self, lines: Sequence[JobSummary]) -> None:
        fresh = {line.id: line for line in lines}
        for row in range(len(self._lines) - 1, -1, -1):
            if self._lines[row].id not in fresh and self._lines[row].id not in self._jobs:
                self.beginRemoveRows(_ROOT, row, row)
                del self._lines[row]
                self.endRemoveRows()
        for line in lines:
            job = self._jobs.get(line.id)
            shown = summary_of(job, line) if job is not None else line
            row = self.row_of(line.id)
            if row >= 0:
                if self._lines[row] != shown:
                    self._lines[row] = shown
                    self.dataChanged.emit(
                        self.index(row, 0),
                        self.index(row, len(self.COLUMNS) - 1),
                        list(self.CHANGED_ROLES),
                    )
                continue
            row = next(
                (i for i, other in enumerate(self._lines) if other.created_at < shown.created_at),
                len(self._lines),
            )
            self.beginInsertRows(_ROOT, row, row)
            self._lines.insert(row, shown)
            self.endInsertRows()

    async def unfinished(self) -> list[JobSummary]:
        """Jobs to offer for resuming at start-up (reloads the list first)."""
        await self.reload()
        return [line for line in self._lines if line.unfinished and not self.running(line.id)]

    async def open(self, job: Job | str) -> Job:
        """The job object for an id (reading its journal if this process has not yet)."""
        if isinstance(job, Job):
            self._adopt(job)
            return job
        held = self._jobs.get(job)
        if held is not None:
            return held
        opened = await self._store.open(job)
        self._adopt(opened)
        self._refresh(opened)
        return opened

    # ------------------------------------------------------------------ actions
    async def run(self, job: Job | str) -> JobState:
        """Start (or resume) a job, show it in the panel, and wait until it stops. Cancelling
        the waiter does not stop the job; the model keeps its task."""
        opened = await self.open(job)
        self.show(opened)
        self._keep(opened, opened.start())
        return await opened.wait()

    def pause(self, job: Job | str) -> None:
        """Send nothing new; in-flight requests finish, then the job is paused."""
        held = self._held(job)
        if held is not None:
            held.pause()

    def cancel(self, job: Job | str) -> Coroutine[Any, Any, JobState]:
        """Send nothing new, let in-flight requests finish, mark the rest not sent. A running
        job is told at once; the coroutine returned waits until the job is cancelled (it
        cancels a paused or interrupted job too)."""
        held = self._held(job)
        if held is not None and held.running:
            held.cancel()
        return self._cancel(job)

    async def _cancel(self, job: Job | str) -> JobState:
        opened = await self.open(job)
        opened.cancel()
        if opened.running:
            task = opened.start()  # the run the cancel is finishing (never a new one)
            self._keep(opened, task)
        return await opened.wait()

    async def retry_failed(self, job: Job | str) -> JobState:
        """Put the failed rows back and run them again (rows whose request went out are
        checked against Copper first)."""
        opened = await self.open(job)
        await opened.retry_failed()
        self._refresh(opened)
        return await self.run(opened)

    async def undo(self, job: Job | str) -> Job:
        """Create the job that writes the before-values back where nobody changed the record
        since, and run it to its end; returns the undo job."""
        opened = await self.open(job)
        undo = await self._store.create_undo(opened)
        self._refresh(opened)
        await self.run(undo)
        return undo

    async def export_ledger(self, job: Job | str, path: Path) -> int:
        """Write the job's ledger CSV to ``path``; the number of rows."""
        return await export_ledger(await self.open(job), path)

    def _held(self, job: Job | str) -> Job | None:
        return job if isinstance(job, Job) else self._jobs.get(job)

    def _keep(self, job: Job, task: asyncio.Task[JobState]) -> None:
        self._tasks[job.id] = task

        def forget(done: asyncio.Task[JobState]) -> None:
            if self._tasks.get(job.id) is done:
                del self._tasks[job.id]
            if not done.cancelled():
                done.exception()  # reported to whoever waited; never "never retrieved"
            if not self._closed:
                self._refresh(job)  # e.g. a run that failed to start changed no state

        task.add_done_callback(forget)


# --- one job's ledger -------------------------------------------------------------------------


class JobRowsModel(ColumnsTable):
    """The rows of one job with their outcome: the ledger (record, outcome, reason, Copper's
    message). Follows the job as it runs: each settled row is a ``dataChanged``."""

    COLUMNS = ("#", "Record", "ID", "Outcome", "Reason", "Copper's message")
    (NUMBER, RECORD, KEY, OUTCOME, REASON, MESSAGE) = range(6)
    StatusRole = USER + 1
    """The row's RowStatus value (a str)."""
    ReasonRole = USER + 2
    """The Reason value (a str), or None."""
    KeyRole = USER + 3
    InFlightRole = USER + 4
    CHANGED_ROLES = (int(DISPLAY), int(TOOLTIP), StatusRole, ReasonRole, InFlightRole)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._job: Job | None = None
        self._unsubscribe: Any = None

    @property
    def job(self) -> Job | None:
        return self._job

    def set_job(self, job: Job | None) -> None:
        """Show another job's rows (a reset: the rows are another job's)."""
        if job is self._job:
            return
        self.beginResetModel()
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self._job = job
        if job is not None:
            self._unsubscribe = job.subscribe(self._on_event)
        self.endResetModel()

    def close(self) -> None:
        self.set_job(None)

    def row(self, index: int) -> Row | None:
        rows = self._job.rows if self._job is not None else []
        return rows[index] if 0 <= index < len(rows) else None

    def _on_event(self, event: Any) -> None:
        if isinstance(event, RowsChanged) and event.indices:
            last_column = len(self.COLUMNS) - 1
            for first, last in _runs(event.indices):
                self.dataChanged.emit(
                    self.index(first, 0), self.index(last, last_column), list(self.CHANGED_ROLES)
                )

    # ------------------------------------------------------------------ Qt model
    def rowCount(self, parent: Index = _ROOT) -> int:
        if parent.isValid() or self._job is None:
            return 0
        return len(self._job.rows)

    def data(self, index: Index, role: int = DISPLAY) -> Any:
        row = self.row(index.row()) if index.isValid() else None
        if row is None:
            return None
        column = index.column()
        if role == DISPLAY:
            return self._display(row, column)
        if role == TOOLTIP and column in (self.MESSAGE, self.OUTCOME, self.REASON):
            return row.message or None
        if role == ALIGN and column in (self.NUMBER, self.KEY):
            return NUMBER_ALIGN
        if role == self.StatusRole:
            return row.status.value
        if role == self.ReasonRole:
            return row.reason.value if row.reason is not None else None
        if role == self.KeyRole:
            return row.key
        if role == self.InFlightRole:
            return row.in_flight
        return None

    def _display(self, row: Row, column: int) -> str:
        if column == self.NUMBER:
            return str(row.index + 1)
        if column == self.RECORD:
            return row.label
        if column == self.KEY:
            return "" if row.key is None else str(row.key)
        if column == self.OUTCOME:
            if row.in_flight:
                return "Sending…"
            return row.status.value.capitalize()
        if column == self.REASON:
            return REASON_TEXT[row.reason] if row.reason is not None else ""
        if column == self.MESSAGE:
            return row.message
        return ""


def _runs(indices: Sequence[int]) -> list[tuple[int, int]]:
    """Consecutive runs of sorted indices: (1, 2, 3, 7) → [(1, 3), (7, 7)]."""
    runs: list[tuple[int, int]] = []
    for i in sorted(indices):
        if runs and i == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    return runs


class LedgerFilter(QSortFilterProxyModel):
    """The ledger narrowed to one outcome (the written rows after a cancel, the failed ones,
    ...). Rows move in and out as their outcome changes."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._status: RowStatus | None = None
        self.setFilterRole(JobRowsModel.StatusRole)

    @property
    def status(self) -> RowStatus | None:
        return self._status

    def set_status(self, status: RowStatus | None) -> None:
        if status is self._status:
            return
        if hasattr(self, "beginFilterChange"):  # Qt 6.9+: invalidateRowsFilter is deprecated
            self.beginFilterChange()
            self._status = status
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:  # pragma: no cover - Qt 6.8
            self._status = status
            self.invalidateRowsFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        if self._status is None:
            return True
        source = self.sourceModel()
        value = source.data(source.index(source_row, 0, source_parent), JobRowsModel.StatusRole)
        return bool(value == self._status.value)
