"""Lead conversion as a job (issue #10), and its best-effort revert.

``lead_conversion`` rows come from :func:`copper_desktop.domain.convert.job_rows`: the lead's
full JSON (journaled with the plan, so before any request), the person, the company decision
and the opportunity. A lead is never converted twice: just before writing, each chunk's leads
are looked up with and without ``include_converted_leads``; a lead hidden from the plain search
is converted already, and what it became is found (``CopperClient.find_conversion``) and
recorded (written and ``recovered`` when this job had sent it, else skipped). Leads naming the
same *new* company share a ``company_key``: the first conversion creates it (by exact name),
the others wait for it and attach by id.

``conversion_revert`` (Copper has no undo) deletes the opportunity and the person a conversion
created when unchanged since (``date_modified`` as journaled), the company it created when no
person or opportunity refers to it any more, and re-creates the lead from its snapshot (it gets
a new id). Each step's outcome is in the ledger message.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Protocol, cast

from copper_desktop.api import ConversionResult, CopperError, NotFoundError
from copper_desktop.domain.convert import (
    CompanyDecision,
    lead_create_body,
    lead_email,
    normalize_company_name,
)

from .conversion_plan import name_query
from .kinds import JobClient, JobHalted, failure_outcome, fetch_records, register
from .model import Outcome, Reason, Row, RowStatus

__all__ = ["CONVERSION", "REVERT", "ConversionClient", "ConversionRevert", "LeadConversion"]

Json = dict[str, Any]
CONVERSION = "lead_conversion"
REVERT = "conversion_revert"
SAME_MOMENT_S = 2
"""Seconds between a record's ``date_created`` and the conversion's timestamp within which the
conversion is taken to have created it."""


class ConversionClient(JobClient, Protocol):
    """The part of :class:`CopperClient` the conversion kinds use."""

    async def convert_lead(self, lead_id: int, *, person: Json | None = None,
                           company: Json | None = None,
                           opportunity: Json | None = None) -> ConversionResult: ...  # fmt: skip
    async def find_conversion(self, lead_id: int, details: Json | None = None,
                              since: float = 0.0) -> ConversionResult | None: ...  # fmt: skip
    async def get(self, entity: str, record_id: int, *, computed: bool = False) -> Json: ...
    async def delete(self, entity: str, record_id: int) -> Json: ...
    async def create(self, entity: str, body: Json, *, computed: bool = False) -> Json: ...


def _id(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _halting(err: CopperError) -> JobHalted:
    """A Copper error during a check: key or availability problems pause the job."""
    failure_outcome(err)  # raises JobHalted for those
    return JobHalted(str(err))


def _stamp(person: Json | None, lead_id: int) -> float | None:
    """When the person's ``leads_converted_from`` says ``lead_id`` was converted."""
    for entry in (person or {}).get("leads_converted_from") or ():
        if isinstance(entry, Mapping) and entry.get("lead_id") == lead_id:
            stamp = entry.get("converted_timestamp")
            return float(stamp) if isinstance(stamp, int | float) else None
    return None


def _made_at(record: Json | None, stamp: float | None) -> bool:
    """Whether ``record`` was created by the conversion done at ``stamp`` (unknown: yes)."""
    created = (record or {}).get("date_created")
    if stamp is None or not isinstance(created, int | float):
        return True
    return created >= stamp - SAME_MOMENT_S


class LeadConversion:
    """One row per lead (see the module docstring). Result journaled per converted lead:
    person/company/opportunity ids and ``date_modified``, ``company_created`` and
    ``person_created`` (false when Copper joined the lead to the person who has its email)."""

    kind: ClassVar[str] = CONVERSION
    undo_kind: ClassVar[str] = REVERT
    undoable = True

    def __init__(self, client: JobClient, header: Json) -> None:
        self.client = cast(ConversionClient, client)
        self.chunk_size = 100
        self.batch_size = 1
        self.concurrency = 4
        self.companies: dict[str, int] = {}
        """company_key → id of the company a row of this job created or attached to."""
        self._locks: dict[str, asyncio.Lock] = {}
        self._rows: Sequence[Row] = ()

    def loaded(self, rows: Sequence[Row]) -> None:
        """Companies created by rows already journaled (a resumed job attaches to them)."""
        self._rows = rows
        for row in rows:
            self._remember(row, row.outcome)

    def _remember(self, row: Row, outcome: Outcome | None) -> None:
        key = row.data.get("company_key")
        company_id = _id(((outcome.result or {}) if outcome else {}).get("company_id"))
        if key and company_id is not None and outcome and outcome.status is RowStatus.WRITTEN:
            self.companies.setdefault(key, company_id)

    # ------------------------------------------------------------------ checking
    async def prepare(self, rows: Sequence[Row]) -> dict[int, Outcome | None]:
        ids = [int(r.key) for r in rows]
        try:
            every = await fetch_records(
                self.client, "leads", ids, {"include_converted_leads": True}
            )
            visible = await fetch_records(self.client, "leads", ids)
        except CopperError as err:
            raise _halting(err) from err
        out: dict[int, Outcome | None] = {}
        for row in rows:
            lead_id = int(row.key)
            if lead_id not in every:
                out[row.index] = Outcome.failed(
                    Reason.NOT_FOUND, "The lead was deleted, or is not visible to this user."
                )
            elif lead_id in visible and not row.attempts:
                out[row.index] = None
            else:
                out[row.index] = await self._settle_converted(row)
        return out

    async def _settle_converted(self, row: Row) -> Outcome | None:
        """A lead hidden as converted, or one this job may have converted (a lost answer):
        what it became, never a second conversion."""
        try:
            found = await self.client.find_conversion(int(row.key), self._details(row))
        except CopperError as err:
            raise _halting(err) from err
        if found is None:
            return None  # not converted: go ahead
        result = self._result(row, found, company_sent_name=False)
        if row.attempts:
            outcome = Outcome.written(result, recovered=True)
        else:
            outcome = Outcome(RowStatus.SKIPPED, Reason.NO_CHANGE, "Already converted.", result)
        self._remember(row, Outcome.written(result))
        return outcome

    @staticmethod
    def _details(row: Row) -> Json:
        details: Json = {"person": dict(row.data.get("person") or {})}
        if row.data.get("opportunity") is not None:
            details["opportunity"] = dict(row.data["opportunity"])
        return details

    def _result(self, row: Row, found: ConversionResult, *, company_sent_name: bool) -> Json:
        person, company, opp = found.person, found.company, found.opportunity
        lead_id = int(row.key)
        stamp = _stamp(person, lead_id)
        duplicates = {_id(p.get("id")) for p in row.data.get("duplicate_people") or ()}
        person_id = _id((person or {}).get("id"))
        decision = CompanyDecision.from_json(row.data.get("company") or {"mode": "none"})
        company_created = (
            company is not None
            and decision.mode == "new"
            and (company_sent_name or found.recovered)
            and normalize_company_name(str(company.get("name") or "")) == decision.key
            and _made_at(company, stamp)
        )
        return {
            "person_id": person_id,
            "company_id": _id((company or {}).get("id")),
            "opportunity_id": _id((opp or {}).get("id")),
            "company_created": bool(company_created),
            "person_created": person is not None
            and person_id not in duplicates
            and _made_at(person, stamp),
            "person_date_modified": (person or {}).get("date_modified"),
            "company_date_modified": (company or {}).get("date_modified"),
            "opportunity_date_modified": (opp or {}).get("date_modified"),
        }

    # ------------------------------------------------------------------ writing
    async def write(self, rows: Sequence[Row]) -> dict[int, Outcome]:
        return {row.index: await self._convert(row) for row in rows}

    async def _convert(self, row: Row) -> Outcome:
        decision = CompanyDecision.from_json(row.data.get("company") or {"mode": "none"})
        key = row.data.get("company_key") if decision.mode == "new" else None
        if not key:
            return await self._send(row, self._company_body(decision, None))
        if key in self.companies:
            return await self._send(row, {"id": self.companies[key]})
        # The first row of a new company creates it; its siblings wait here for its id.
        async with self._locks.setdefault(key, asyncio.Lock()):
            known = self.companies.get(key)
            if known is None and self._tried_before(row, key):
                known = await self._made_company(key, decision.name)
            outcome = await self._send(row, self._company_body(decision, known))
            self._remember(row, outcome)
            return outcome

    def _tried_before(self, row: Row, key: str) -> bool:
        """Whether an earlier row of this company was sent and did not settle as written: a
        request may have created the company anyway (its answer lost, its outcome unknown)."""
        return any(
            r.attempts and r.index < row.index and r.data.get("company_key") == key
            for r in self._rows
        )

    async def _made_company(self, key: str, name: str) -> int | None:
        """The company of this normalized name that an earlier row may have created."""
        query = name_query(name)
        if query is None:
            return None
        try:
            page = await self.client.search("companies", {"name": query}, page_size=200)
        except CopperError as err:
            raise _halting(err) from err
        same = [c for c in page.records if normalize_company_name(str(c.get("name") or "")) == key]
        return min((c["id"] for c in same if _id(c.get("id")) is not None), default=None)

    @staticmethod
    def _company_body(decision: CompanyDecision, known: int | None) -> Json:
        if known is not None:
            return {"id": known}
        if decision.mode == "existing":
            return {"id": decision.id}
        if decision.mode == "new":
            return {"name": decision.name, "exact_match": True}
        return {"name": ""}

    async def _send(self, row: Row, company: Json) -> Outcome:
        person = {k: v for k, v in (row.data.get("person") or {}).items() if v is not None}
        opp = row.data.get("opportunity")
        if opp is not None:
            opp = {k: v for k, v in opp.items() if not (k == "pipeline_stage_id" and v is None)}
        try:
            found = await self.client.convert_lead(
                int(row.key), person=person, company=company, opportunity=opp
            )
        except CopperError as err:
            return failure_outcome(err)
        result = self._result(
            row, found, company_sent_name="name" in company and bool(company["name"])
        )
        return Outcome.written(result, recovered=found.recovered)

    # ------------------------------------------------------------------ undo and ledger
    def undo_rows(self, rows: Sequence[Row]) -> tuple[Json, list[Json]]:
        """Revert rows: conversions that created no company first, so that a company's
        creator comes after every lead that attached to it (the revert runs one at a time)."""
        chosen = [r for r in rows if r.outcome is not None and r.outcome.result]
        ordered = sorted(
            chosen,
            key=lambda r: (
                bool((r.outcome.result or {}).get("company_created")) if r.outcome else False
            ),
        )
        undo = [
            {
                "key": r.key,
                "label": r.label,
                "data": {
                    "lead": r.data.get("lead") or {},
                    "result": r.outcome.result if r.outcome else {},
                },
            }
            for r in ordered
        ]
        return {}, undo

    def describe(self, row: Row) -> dict[str, str]:
        result = (row.outcome.result or {}) if row.outcome else {}

        def show(key: str) -> str:
            value = result.get(f"{key}_id")
            return "" if value is None else str(value)

        company = show("company")
        if company and result.get("company_created"):
            company += " (new)"
        return {"person": show("person"), "company": company, "opportunity": show("opportunity")}


class ConversionRevert:
    """Best-effort revert of converted leads (see the module docstring); one row at a time,
    in the order :meth:`LeadConversion.undo_rows` gives."""

    kind: ClassVar[str] = REVERT
    undoable = False

    def __init__(self, client: JobClient, header: Json) -> None:
        self.client = cast(ConversionClient, client)
        self.created_at = float(header.get("created_at") or 0.0)
        self.chunk_size = 20
        self.batch_size = 1
        self.concurrency = 1

    async def prepare(self, rows: Sequence[Row]) -> dict[int, Outcome | None]:
        out: dict[int, Outcome | None] = {}
        for row in rows:
            remade = await self._remade_lead(row) if row.attempts else None
            if remade is not None:
                out[row.index] = Outcome.written({"lead_id": remade}, recovered=True)
            else:
                out[row.index] = None
        return out

    async def _remade_lead(self, row: Row) -> int | None:
        """A lead this job re-created before its answer was lost (same name and email,
        created since the job was made)."""
        lead = row.data.get("lead") or {}
        name = str(lead.get("name") or "").strip()
        if not name:
            return None
        filters: Json = {"name": name, "minimum_created_date": max(0, int(self.created_at) - 60)}
        try:
            found = await self.client.search("leads", filters)
        except CopperError as err:
            raise _halting(err) from err
        email = lead_email(lead)
        for record in found.records:
            if record.get("id") != lead.get("id") and lead_email(record) == email:
                return _id(record.get("id"))
        return None

    async def write(self, rows: Sequence[Row]) -> dict[int, Outcome]:
        return {row.index: await self._revert(row) for row in rows}

    async def _revert(self, row: Row) -> Outcome:
        result = row.data.get("result") or {}
        steps: list[str] = []
        try:
            await self._remove("opportunity", "opportunities", result, steps, created=True)
            await self._remove("person", "people", result, steps,
                               created=bool(result.get("person_created", True)))  # fmt: skip
            await self._remove_company(result, steps)
        except CopperError as err:
            outcome = failure_outcome(err)
            return Outcome.failed(
                outcome.reason or Reason.ERROR, "; ".join([*steps, outcome.message])
            )
        body = lead_create_body(row.data.get("lead") or {})
        try:
            lead = await self.client.create("leads", body)
        except CopperError as err:
            outcome = failure_outcome(err)
            steps.append(f"lead not re-created: {outcome.message}")
            return Outcome.failed(outcome.reason or Reason.ERROR, "; ".join(steps))
        steps.append(f"lead re-created as {lead.get('id')}")
        return Outcome(
            RowStatus.WRITTEN,
            None,
            "; ".join(steps),
            {"lead_id": _id(lead.get("id")), "steps": steps},
        )

    async def _remove(
        self, kind: str, path: str, result: Json, steps: list[str], *, created: bool
    ) -> None:
        record_id = _id(result.get(f"{kind}_id"))
        if record_id is None:
            return
        if not created:
            steps.append(f"kept {kind} {record_id}: it existed before the conversion")
            return
        try:
            record = await self.client.get(path, record_id)
        except NotFoundError:
            steps.append(f"{kind} {record_id} already gone")
            return
        if record.get("date_modified") != result.get(f"{kind}_date_modified"):
            steps.append(f"kept {kind} {record_id}: changed since")
            return
        with contextlib.suppress(NotFoundError):
            await self.client.delete(path, record_id)
        steps.append(f"deleted {kind} {record_id}")

    async def _remove_company(self, result: Json, steps: list[str]) -> None:
        company_id = _id(result.get("company_id"))
        if company_id is None or not result.get("company_created"):
            return
        try:
            await self.client.get("companies", company_id)
        except NotFoundError:
            steps.append(f"company {company_id} already gone")
            return
        for path, label in (("people", "people"), ("opportunities", "opportunities")):
            page = await self.client.search(path, {"company_ids": [company_id]}, page_size=1)
            if page.records:
                steps.append(f"kept company {company_id}: {label} still refer to it")
                return
        with contextlib.suppress(NotFoundError):
            await self.client.delete("companies", company_id)
        steps.append(f"deleted company {company_id}")

    def undo_rows(self, rows: Sequence[Row]) -> tuple[Json, list[Json]]:
        raise NotImplementedError("a revert cannot be reverted")

    def describe(self, row: Row) -> dict[str, str]:
        result = (row.outcome.result or {}) if row.outcome else {}
        lead = result.get("lead_id")
        return {"new lead": "" if lead is None else str(lead)}


register(LeadConversion.kind, LeadConversion)
register(ConversionRevert.kind, ConversionRevert)
