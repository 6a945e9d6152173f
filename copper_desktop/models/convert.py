"""Lead conversion for the UI (issue #10): what the convert dialog and the planner load, and
how they hand a plan to the job runner.

Loading, through each model's `ActionRunner`: the company candidates and the people who share a
lead's email come from ``jobs.conversion_plan`` (the one look-up path, shared with the planner
and the benchmark); for one lead the person is asked with ``fetch_by_email`` (one request, a
404 is none); pipelines (opportunity pipelines only), users and contact types come from
`Lookups`. The planner's table is `models/convert_plan.py`.

Running: one lead is a one-row conversion job, many are one job, both made by
``JobStore.create_conversion`` (journaled, resumable, revertible) and handed on through
``job_created`` to the window's jobs UI, which starts it. QtCore only.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Final, Protocol

from PySide6.QtCore import QObject, Signal

from copper_desktop.api.errors import CopperError
from copper_desktop.api.search import SearchClient
from copper_desktop.domain.catalog import LookupKind
from copper_desktop.domain.convert import (
    CompanyCandidate,
    CompanyDecision,
    ConversionPlanRow,
    OpportunityTemplate,
    lead_email,
    plan_row,
    validate_rows,
)
from copper_desktop.jobs import Job, JobError, JobState, JobStore, StateChanged, fetch_records
from copper_desktop.jobs.conversion_plan import company_candidates
from copper_desktop.models.actions import ActionRunner
from copper_desktop.models.lookups import Lookups

__all__ = [
    "Busy",
    "ConversionOutcome",
    "ConvertClient",
    "ConvertLeadModel",
    "company_text",
    "decision_text",
    "default_contact_type",
    "opportunity_pipelines",
    "reason_text",
    "user_ids",
    "when_stopped",
]

Json = dict[str, Any]
REASONS: Final = {
    "exact": "exact name",
    "case": "same name but for case",
    "near": "similar name",
    "domain": "email domain",
}


class ConvertClient(SearchClient, Protocol):
    """The part of `CopperClient` conversion loading uses."""

    async def fetch_by_email(self, email: str) -> Json | None: ...


# ----------------------------------------------------------------------------- loading


def opportunity_pipelines(lookups: Lookups) -> list[Json]:
    """Opportunity pipelines with their stages, rebuilt from the lookups (``GET /pipelines``
    as ``domain.convert.validate_rows`` takes it; project pipelines left out)."""
    return [
        {
            "id": pid,
            "name": name,
            "type": "opportunity",
            "stages": [{"id": sid, "name": stage} for sid, stage in lookups.stages(pid)],
        }
        for pid, name in lookups.choices(LookupKind.PIPELINES)
    ]


def user_ids(lookups: Lookups) -> list[int]:
    return [uid for uid, _name in lookups.choices(LookupKind.USERS)]


def default_contact_type(lookups: Lookups) -> int | None:
    """ "Potential Customer" when the account has it (what Copper's web app picks), else none."""
    for cid, name in lookups.choices(LookupKind.CONTACT_TYPES):
        if name.casefold() == "potential customer":
            return cid
    return None


def reason_text(candidate: CompanyCandidate) -> str:
    return REASONS.get(candidate.reason, candidate.reason)


def decision_text(decision: CompanyDecision) -> str:
    if decision.mode == "existing":
        return f"{decision.name or f'#{decision.id}'} (existing)"
    if decision.mode == "new":
        return f"New company “{decision.name}”"
    return "No company"


def company_text(decision: CompanyDecision, sharing: int = 1) -> str:
    """The planner's company cell: shared new companies say so ("created once for 3 leads")."""
    text = decision_text(decision)
    if decision.mode == "new" and sharing > 1:
        text += f", created once for {sharing} leads"
    return text


# ----------------------------------------------------------------------------- outcomes


@dataclass(frozen=True, slots=True)
class ConversionOutcome:
    """How one lead's conversion ended: the ids it made or joined, or why it did not."""

    converted: bool
    person_id: int | None = None
    company_id: int | None = None
    opportunity_id: int | None = None
    company_created: bool = False
    message: str = ""

    @staticmethod
    def of(job: Job) -> ConversionOutcome:
        row = job.rows[0] if job.rows else None
        outcome = row.outcome if row is not None else None
        if outcome is None:
            return ConversionOutcome(False, message=job.message or f"The job is {job.state.value}.")
        result = outcome.result or {}

        def rid(key: str) -> int | None:
            value = result.get(key)
            return value if isinstance(value, int) and not isinstance(value, bool) else None

        return ConversionOutcome(
            converted=rid("person_id") is not None,
            person_id=rid("person_id"),
            company_id=rid("company_id"),
            opportunity_id=rid("opportunity_id"),
            company_created=bool(result.get("company_created")),
            message=outcome.message,
        )


def when_stopped(job: Job, ended: Callable[[Job], None]) -> None:
    """Call ``ended(job)`` once, when the job next stops (finished, cancelled or paused)."""
    stops = (JobState.FINISHED, JobState.CANCELLED, JobState.PAUSED, JobState.INTERRUPTED)

    def observe(event: object) -> None:
        if isinstance(event, StateChanged) and event.state in stops:
            unsubscribe()
            ended(job)

    unsubscribe = job.subscribe(observe)


class Busy:
    """What both models share: the loading and job-making flags (their classes declare the
    ``loading_changed(bool)`` and ``creating_changed(bool)`` signals) and journaling a job."""

    loading_changed: Any
    creating_changed: Any
    store: JobStore
    runner: ActionRunner
    _loading = False
    _creating = False

    @property
    def loading(self) -> bool:
        return self._loading

    @property
    def creating(self) -> bool:
        return self._creating

    def _set_loading(self, value: bool) -> None:
        if value != self._loading:
            self._loading = value
            self.loading_changed.emit(value)

    def _set_creating(self, value: bool) -> None:
        if value != self._creating:
            self._creating = value
            self.creating_changed.emit(value)

    def _journal(self, rows: Sequence[ConversionPlanRow], failed: Callable[[str], object]) -> None:
        """Journal a conversion job of ``rows`` (titled by the store): ``_created(job)`` gets
        it, ``failed`` the message when it could not be made (nothing was sent)."""
        self._set_creating(True)
        self.runner.run(
            self.store.create_conversion(rows),
            success=self._created,
            failure=lambda failure: failed(failure.message),
            done=lambda: self._set_creating(False),
            what="Could not create the conversion job",
            expected=(CopperError, JobError, OSError),
            key="journal",
        )

    def _created(self, job: Job) -> None:
        raise NotImplementedError


# ----------------------------------------------------------------------------- one lead


class ConvertLeadModel(QObject, Busy):
    """One lead's conversion: load it fresh with its candidates and duplicates, then convert
    it as a one-row job.

    Signals:
        loading_changed(bool), creating_changed(bool): loading; the job being journaled.
        loaded(): ``lead``, ``candidates`` and ``duplicates`` are set.
        load_failed(str): user-fit text (the lead is gone or converted, Copper failed).
        job_created(object): the journaled `Job` (the window's jobs UI starts it).
        finished(object): the job stopped: a `ConversionOutcome`.
        convert_failed(str): the job could not be made; nothing was sent.
    """

    loading_changed = Signal(bool)
    creating_changed = Signal(bool)
    loaded = Signal()
    load_failed = Signal(str)
    job_created = Signal(object)
    finished = Signal(object)
    convert_failed = Signal(str)

    def __init__(
        self,
        store: JobStore,
        lookups: Lookups,
        lead: Mapping[str, Any],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("convertLeadModel")
        self.store = store
        self.client: ConvertClient = store.client  # type: ignore[assignment]
        self.lookups = lookups
        self.lead: Json = dict(lead)
        self.candidates: list[CompanyCandidate] = []
        self.duplicates: list[Json] = []
        self.job: Job | None = None
        self.outcome: ConversionOutcome | None = None
        self.runner = ActionRunner(self)

    @property
    def lead_id(self) -> int:
        return int(self.lead["id"])

    def load(self) -> None:
        """Read the lead fresh, its company candidates and the people with its email."""
        self._set_loading(True)
        self.runner.run(
            self._load(),
            success=lambda _none: self.loaded.emit(),
            failure=lambda failure: self.load_failed.emit(failure.message),
            done=lambda: self._set_loading(False),
            what="Could not load the lead",
            key="load",
        )

    async def _load(self) -> None:
        found = await fetch_records(self.store.client, "leads", [self.lead_id])
        if self.lead_id not in found:
            raise _Gone()
        self.lead = found[self.lead_id]
        email = lead_email(self.lead)
        candidates, person = await asyncio.gather(
            company_candidates(self.client, self.lead),
            self.client.fetch_by_email(email) if email else _none(),
        )
        self.candidates = candidates
        self.duplicates = [person] if person else []

    def row(
        self,
        person: Json,
        company: CompanyDecision,
        opportunity: Json | None,
    ) -> ConversionPlanRow:
        """The plan row for what the dialog shows, with its problems worked out."""
        made = plan_row(self.lead, self.candidates, self.duplicates, OpportunityTemplate(),
                        decision=company)  # fmt: skip
        made = replace(made, person=dict(person), opportunity=opportunity)
        [checked] = validate_rows([made], user_ids=user_ids(self.lookups),
                                  pipelines=opportunity_pipelines(self.lookups))  # fmt: skip
        return checked

    def convert(self, row: ConversionPlanRow) -> bool:
        """Journal a one-row conversion job for ``row`` and hand it on (``job_created``).
        False, sending nothing, when the row has problems or a job is being made."""
        if row.problems or self._creating or (self.job is not None and not self._can_again()):
            return False
        self.outcome = None
        self._journal([row], self.convert_failed.emit)
        return True

    def _can_again(self) -> bool:
        """A failed conversion may be tried again (a new job); a converted lead may not."""
        return self.outcome is not None and not self.outcome.converted and not self.running

    @property
    def running(self) -> bool:
        return self.job is not None and not self.job.state.final and self.outcome is None

    def _created(self, job: Job) -> None:
        self.job = job
        when_stopped(job, self._ended)
        self.job_created.emit(job)

    def _ended(self, job: Job) -> None:
        self.outcome = ConversionOutcome.of(job)
        self.finished.emit(self.outcome)

    async def aclose(self) -> None:
        await self.runner.aclose()


class _Gone(CopperError):
    def __init__(self) -> None:
        super().__init__("It was converted or deleted meanwhile, or is not visible to you.")


async def _none() -> None:
    return None
