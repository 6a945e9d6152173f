"""The job engine's value types: rows and their outcomes, job states, progress, events.

Everything here is plain data, so a Qt model can copy it into roles without knowing asyncio.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .engine import Job

__all__ = [
    "JobEvent",
    "JobObserver",
    "JobState",
    "Outcome",
    "Progress",
    "ProgressChanged",
    "Reason",
    "RecordsWritten",
    "Row",
    "RowStatus",
    "RowsChanged",
    "StateChanged",
]

Json = dict[str, Any]


class RowStatus(StrEnum):
    """Where a row ends: written, failed (Copper's message) or skipped; pending until then."""

    PENDING = "pending"
    WRITTEN = "written"
    FAILED = "failed"
    SKIPPED = "skipped"


class Reason(StrEnum):
    """Why a row failed or was skipped (the ledger's second column)."""

    CONFLICT = "conflict"
    """Skipped: the record changed in Copper since the preview (or since the job wrote it)."""
    NO_CHANGE = "no_change"
    """Skipped: the record already holds the values; nothing to write."""
    INVALID = "invalid"
    """Failed: Copper refused the data (422), with its message."""
    NOT_FOUND = "not_found"
    """Failed: the record was deleted, or is not visible to this user (404)."""
    FORBIDDEN = "forbidden"
    """Failed: this user may not change the record (403)."""
    ERROR = "error"
    """Failed: anything else (Copper's message or the client's)."""
    CANCELLED = "cancelled"
    """Skipped: the job was cancelled before this row was sent."""


REASON_TEXT = {
    Reason.CONFLICT: "changed since preview",
    Reason.NO_CHANGE: "no change",
    Reason.INVALID: "refused by Copper",
    Reason.NOT_FOUND: "deleted or not visible",
    Reason.FORBIDDEN: "not allowed",
    Reason.ERROR: "error",
    Reason.CANCELLED: "cancelled",
}


@dataclass(frozen=True, slots=True)
class Outcome:
    """How one row ended. ``result`` is journaled (e.g. the new ``date_modified``, created
    ids); ``record`` is the fresh record for open lists and is not."""

    status: RowStatus
    reason: Reason | None = None
    message: str = ""
    result: Json | None = None
    recovered: bool = False
    """Written by a request whose answer was lost (found applied when checked)."""
    record: Json | None = field(default=None, compare=False)

    @staticmethod
    def written(result: Json | None = None, *, recovered: bool = False,
                record: Json | None = None) -> Outcome:  # fmt: skip
        return Outcome(RowStatus.WRITTEN, None, "", result, recovered, record)

    @staticmethod
    def failed(reason: Reason, message: str) -> Outcome:
        return Outcome(RowStatus.FAILED, reason, message)

    @staticmethod
    def skipped(reason: Reason, message: str) -> Outcome:
        return Outcome(RowStatus.SKIPPED, reason, message)

    def to_json(self) -> Json:
        data: Json = {"status": self.status.value}
        if self.reason is not None:
            data["reason"] = self.reason.value
        if self.message:
            data["message"] = self.message
        if self.result is not None:
            data["result"] = self.result
        if self.recovered:
            data["recovered"] = True
        return data

    @staticmethod
    def from_json(data: Json) -> Outcome | None:
        try:
            status = RowStatus(data["status"])
            reason = Reason(data["reason"]) if data.get("reason") else None
        except (KeyError, ValueError):
            return None
        result = data.get("result")
        return Outcome(status, reason, str(data.get("message") or ""),
                       result if isinstance(result, dict) else None,
                       bool(data.get("recovered")))  # fmt: skip


@dataclass(slots=True)
class Row:
    """One unit of work: usually one record. ``data`` belongs to the job's kind (for a bulk
    edit: id, date_modified, before, after)."""

    index: int
    key: Any
    """What the row is about, for people: the record id (or an input line number)."""
    label: str
    data: Json
    status: RowStatus = RowStatus.PENDING
    outcome: Outcome | None = None
    attempts: int = 0
    """How many times a request for this row was started; > 0 means it may have been applied."""
    in_flight: bool = False
    """A request for it is out right now (never journaled: after a crash it shows as attempts
    > 0 with no outcome)."""

    @property
    def reason(self) -> Reason | None:
        return self.outcome.reason if self.outcome else None

    @property
    def message(self) -> str:
        return self.outcome.message if self.outcome else ""


class JobState(StrEnum):
    NEW = "new"
    """Planned and journaled; nothing sent yet."""
    RUNNING = "running"
    PAUSING = "pausing"
    """Pause asked: in-flight requests are finishing."""
    PAUSED = "paused"
    CANCELLING = "cancelling"
    """Cancel asked: in-flight requests are finishing; nothing new is sent."""
    CANCELLED = "cancelled"
    FINISHED = "finished"
    INTERRUPTED = "interrupted"
    """Found unfinished on disk (the app was killed while it ran): resume it."""

    @property
    def final(self) -> bool:
        return self in (JobState.CANCELLED, JobState.FINISHED)

    @property
    def active(self) -> bool:
        return self in (JobState.RUNNING, JobState.PAUSING, JobState.CANCELLING)


@dataclass(frozen=True, slots=True)
class Progress:
    """A snapshot for the jobs panel and the status bar."""

    total: int
    written: int
    failed: int
    skipped: int
    in_flight: int
    rate_per_minute: float | None
    """Rows settled per minute of running time in this session (None before any)."""
    eta_s: float | None

    @property
    def done(self) -> int:
        """Rows that need nothing more: written or skipped."""
        return self.written + self.skipped

    @property
    def remaining(self) -> int:
        return self.total - self.written - self.failed - self.skipped

    @property
    def fraction(self) -> float:
        return 1.0 if not self.total else (self.total - self.remaining) / self.total


# --- events ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StateChanged:
    job: Job
    state: JobState
    message: str = ""
    """Why, when the job stopped by itself (e.g. paused because Copper refused the key)."""


@dataclass(frozen=True, slots=True)
class RowsChanged:
    """These rows' status, outcome or in-flight flag changed (row indices, ascending)."""

    job: Job
    indices: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class ProgressChanged:
    job: Job
    progress: Progress


@dataclass(frozen=True, slots=True)
class RecordsWritten:
    """Fresh records as Copper returned them after writing, so open lists can refresh them."""

    job: Job
    entity: str
    records: tuple[Json, ...]


JobEvent = StateChanged | RowsChanged | ProgressChanged | RecordsWritten
JobObserver = Callable[[JobEvent], None]
