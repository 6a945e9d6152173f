"""The job store: where jobs are created, found again after a restart, listed and undone.

One store per data directory (``AppPaths.data_dir / "jobs"``) and per client. It keeps one
:class:`Job` object per job id in this process, so two windows asking for the same job get the
same object (and the journal's ``flock`` keeps other processes out).
"""

from __future__ import annotations

import csv
import logging
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TextIO

from copper_desktop.domain.bulk import Preview
from copper_desktop.domain.convert import ConversionPlanRow, job_rows

from .conversion import LeadConversion
from .engine import Job, JobError, state_from_disk
from .journal import SUFFIX, JobJournal, JournalData, off_loop, read_journal
from .kinds import KINDS, JobClient, RecordUpdate
from .model import REASON_TEXT, JobEvent, JobState, Row, RowStatus

__all__ = ["JobAdded", "JobStore", "JobSummary", "export_ledger", "write_ledger_csv"]

Json = dict[str, Any]
log = logging.getLogger("copper_desktop.jobs")


@dataclass(frozen=True, slots=True)
class JobSummary:
    """One line of the Jobs window."""

    id: str
    kind: str
    entity: str
    title: str
    created_at: float
    updated_at: float | None
    state: JobState
    total: int
    written: int
    failed: int
    skipped: int
    pending: int
    undo_of: str | None
    undone_by: str | None

    @property
    def unfinished(self) -> bool:
        return not self.state.final


@dataclass(frozen=True, slots=True)
class JobAdded:
    """A new job was created in the store (the job's own events follow)."""

    job: Job


StoreEvent = JobEvent | JobAdded
StoreObserver = Callable[[StoreEvent], None]


def _summary(data: JournalData, job: Job | None = None) -> JobSummary:
    header = data.header
    if job is not None:
        counts = job.counts()
        state, undone = job.state, job.undone_by
    else:
        counts = dict.fromkeys(RowStatus, 0)
        for i in range(len(data.rows)):
            outcome = data.outcomes.get(i)
            status = outcome.get("status") if outcome else None
            counts[RowStatus(status) if status in set(RowStatus) else RowStatus.PENDING] += 1
        state, undone = state_from_disk(data), data.links.get("undo")
    return JobSummary(
        id=str(header.get("id")),
        kind=str(header.get("kind")),
        entity=str(header.get("entity") or ""),
        title=str(header.get("title") or ""),
        created_at=float(header.get("created_at") or 0.0),
        updated_at=data.updated_at,
        state=state,
        total=len(data.rows),
        written=counts[RowStatus.WRITTEN],
        failed=counts[RowStatus.FAILED],
        skipped=counts[RowStatus.SKIPPED],
        pending=counts[RowStatus.PENDING],
        undo_of=header.get("undo_of"),
        undone_by=undone,
    )


class JobStore:
    """Jobs under ``directory``, run with ``client`` (the app's one CopperClient)."""

    def __init__(self, directory: Path, client: JobClient) -> None:
        self.directory = Path(directory)
        self.client = client
        self._jobs: dict[str, Job] = {}
        self._observers: list[StoreObserver] = []

    # ------------------------------------------------------------------ observing
    def subscribe(self, observer: StoreObserver) -> Callable[[], None]:
        """Every event of every job opened through this store, plus JobAdded."""
        self._observers.append(observer)

        def unsubscribe() -> None:
            if observer in self._observers:
                self._observers.remove(observer)

        return unsubscribe

    def _forward(self, event: StoreEvent) -> None:
        for observer in list(self._observers):
            try:
                observer(event)
            except Exception:  # pragma: no cover - an observer's bug must not stop jobs
                log.exception("store observer failed")

    # ------------------------------------------------------------------ listing
    def path(self, job_id: str) -> Path:
        if not job_id or "/" in job_id or "\\" in job_id or job_id.startswith("."):
            raise ValueError(f"not a job id: {job_id!r}")
        return self.directory / f"{job_id}{SUFFIX}"

    def _summaries(self) -> list[JobSummary]:
        out = []
        for path in self.directory.glob(f"*{SUFFIX}"):
            data = read_journal(path)
            if data is None or not data.planned:
                continue  # never planned completely: nothing was ever sent
            job_id = str(data.header.get("id"))
            out.append(_summary(data, self._jobs.get(job_id)))
        return sorted(out, key=lambda s: s.created_at, reverse=True)

    async def summaries(self) -> list[JobSummary]:
        """Past and present jobs, newest first (date, entity, counts, state)."""
        return await off_loop(self._summaries)

    async def unfinished(self) -> list[JobSummary]:
        """Jobs to offer for resuming at start-up (interrupted, paused or never started)."""
        return [s for s in await self.summaries() if s.unfinished]

    # ------------------------------------------------------------------ opening
    async def open(self, job_id: str) -> Job:
        """The job with this id (the same object on every call)."""
        if job_id in self._jobs:
            return self._jobs[job_id]
        journal = JobJournal(self.path(job_id))
        data = await off_loop(journal.read)
        if data is None or not data.planned:
            raise JobError(f"No complete job {job_id!r} in {self.directory}.")
        return self._adopt(journal, data)

    def _adopt(self, journal: JobJournal, data: JournalData) -> Job:
        kind_name = str(data.header.get("kind"))
        factory = KINDS.get(kind_name)
        if factory is None:
            raise JobError(f"Unknown job kind {kind_name!r}.")
        job = Job(journal, data, factory(self.client, data.header))
        job.subscribe(self._forward)
        self._jobs[job.id] = job
        return job

    # ------------------------------------------------------------------ creating
    async def create(
        self,
        kind: str,
        entity: str,
        rows: Sequence[Mapping[str, Any]],
        *,
        title: str = "",
        meta: Mapping[str, Any] | None = None,
        undo_of: str | None = None,
    ) -> Job:
        """Journal a new job (header, every row, ``planned``; durable) and return it, not
        started. ``rows`` are ``{"key", "label", "data"}`` mappings for the kind."""
        if kind not in KINDS:
            raise JobError(f"Unknown job kind {kind!r}.")
        job_id = time.strftime("%Y%m%d-%H%M%S") + "-" + uuid.uuid4().hex[:8]
        header: Json = {
            "id": job_id,
            "kind": kind,
            "entity": entity,
            "title": title,
            "created_at": time.time(),
            "meta": dict(meta or {}),
        }
        if undo_of:
            header["undo_of"] = undo_of
        journal = JobJournal(self.path(job_id))
        lines = [{"key": r.get("key"), "label": r.get("label", ""), "data": r.get("data") or {}}
                 for r in rows]  # fmt: skip
        await off_loop(journal.write_plan, header, lines)
        data = await off_loop(journal.read)
        assert data is not None and data.planned
        job = self._adopt(journal, data)
        self._forward(JobAdded(job))
        return job

    async def create_bulk_edit(self, preview: Preview, *, title: str = "") -> Job:
        """The job that writes a preview's changes, guarded by each record's
        ``date_modified`` at preview time."""
        rows = [
            {
                "key": r["id"],
                "label": r["name"],
                "data": {k: v for k, v in r.items() if k != "name"},
            }
            for r in preview.job_rows()
        ]
        meta = {"guard": "date_modified", **preview.plan()}
        return await self.create(
            RecordUpdate.kind, preview.entity_key, rows, title=title or preview.summary(), meta=meta
        )

    async def create_conversion(self, rows: Sequence[ConversionPlanRow], *, title: str = "") -> Job:
        """The job converting the plan's runnable rows (rows with problems are left out);
        each lead's full JSON is in the journal before the first request."""
        lines = job_rows(rows)
        if not lines:
            raise JobError("No lead in the plan can be converted.")
        many = f"Convert {len(lines):,} leads"
        name = title or (many if len(lines) != 1 else f"Convert {lines[0]['label']}")
        return await self.create(LeadConversion.kind, "leads", lines, title=name)

    async def create_undo(self, job: Job, *, title: str = "") -> Job:
        """A job writing the before-values back to every row ``job`` wrote, where the fields
        still hold what it wrote (others end skipped as conflicts); for a kind with an
        ``undo_kind`` (a conversion), a job of that kind over the kind's ``undo_rows``."""
        if not job.state.final:
            raise JobError("Only a finished or cancelled job can be undone.")
        if job.undone_by is not None:
            raise JobError("This job was undone already.")
        if not job.kind.undoable:
            raise JobError("This kind of job cannot be undone.")
        written = job.written_rows()
        if not written:
            raise JobError("The job wrote nothing; there is nothing to undo.")
        meta, rows = job.kind.undo_rows(written)
        # A kind may name the kind that reverses it (a conversion's revert); default itself.
        undo_kind = str(getattr(job.kind, "undo_kind", None) or job.kind_name)
        undo = await self.create(
            undo_kind,
            job.entity,
            rows,
            title=title or f"Undo: {job.title}",
            meta={**job.meta, **meta},
            undo_of=job.id,
        )
        await off_loop(job.journal.append, {"e": "link", "undo": undo.id, "at": time.time()})
        job.undone_by = undo.id
        return undo

    async def close(self) -> None:
        """Pause running jobs (resumable) and release their journals."""
        for job in list(self._jobs.values()):
            await job.close()
        self._jobs.clear()


# --- the ledger ----------------------------------------------------------------------------------

LEDGER_COLUMNS = ("row", "key", "name", "status", "reason", "message")


def write_ledger_csv(job: Job, stream: TextIO, rows: Sequence[Row] | None = None) -> int:
    """The ledger as RFC 4180 CSV: one line per row with its outcome, Copper's message and the
    kind's own columns (before and after for record updates). Returns the number of rows."""
    chosen = job.rows if rows is None else rows
    extra: list[str] = []
    described = [job.kind.describe(r) for r in chosen]
    for d in described:
        extra.extend(k for k in d if k not in extra)
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow([*LEDGER_COLUMNS, *extra])
    for row, d in zip(chosen, described, strict=True):
        reason = REASON_TEXT[row.reason] if row.reason else ""
        writer.writerow(
            [row.index + 1, row.key, row.label, row.status.value, reason, row.message,
             *(d.get(k, "") for k in extra)]
        )  # fmt: skip
    return len(chosen)


async def export_ledger(job: Job, path: Path) -> int:
    """Write the ledger CSV to ``path`` (UTF-8) off the UI thread."""

    snapshot = [replace(r) for r in job.rows]  # rows keep changing while a job runs

    def write() -> int:
        with Path(path).open("w", encoding="utf-8", newline="") as fh:
            return write_ledger_csv(job, fh, snapshot)

    return await off_loop(write)
