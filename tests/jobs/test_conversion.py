"""Lead conversion as a job, end to end against the live sandbox: each answer shape, a new
company shared by several leads created once, a crash after a conversion landed, a 422 row, an
already converted or deleted lead, the journal written before the convert request, and the
best-effort revert."""

from __future__ import annotations

import asyncio
import io
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from copper_desktop.api import CopperClient
from copper_desktop.domain.convert import (
    CompanyDecision,
    ConversionPlanRow,
    OpportunityTemplate,
    validate_rows,
)
from copper_desktop.jobs import (
    Job,
    JobJournal,
    JobState,
    JobStore,
    Reason,
    RowStatus,
    plan_conversions,
    read_journal,
    write_ledger_csv,
)
from tests.helpers.jobs import log, run_to_end, settle_server
from tests.helpers.sandbox import SandboxControl

pytestmark = pytest.mark.anyio
Json = dict[str, Any]


def tag() -> str:
    return uuid.uuid4().hex[:8]


async def make_lead(client: CopperClient, name: str, **fields: Any) -> Json:
    body: Json = {"name": name, "email": {"email": f"{tag()}@{tag()}.test", "category": "work"}}
    body.update(fields)
    lead: Json = await client.create("leads", body)
    return lead


async def plan(
    client: CopperClient, leads: Sequence[Json], template: OpportunityTemplate | None = None
) -> list[ConversionPlanRow]:
    rows = await plan_conversions(client, leads, template or OpportunityTemplate())
    users = [u["id"] for u in await client.all_users()]
    return validate_rows(rows, user_ids=users, pipelines=await client.pipelines())


async def sales(client: CopperClient) -> OpportunityTemplate:
    pipeline = (await client.pipelines())[0]
    return OpportunityTemplate(create=True, pipeline_id=pipeline["id"])


def converts(entries: Sequence[Json]) -> dict[int, int]:
    """Lead id → convert requests the sandbox received for it."""
    out: dict[int, int] = {}
    for e in entries:
        if e["method"] == "POST" and e["path"].endswith("/convert"):
            lead_id = int(e["path"].split("/")[2])
            out[lead_id] = out.get(lead_id, 0) + 1
    return out


async def converted(client: CopperClient, lead_id: int) -> bool:
    every = await client.search("leads", {"ids": [lead_id], "include_converted_leads": True})
    plain = await client.search("leads", {"ids": [lead_id]})
    return bool(every.records) and not plain.records


def result(job: Job, index: int) -> Json:
    outcome = job.rows[index].outcome
    assert outcome is not None and outcome.result is not None, job.rows[index]
    return outcome.result


async def journaled(client: CopperClient, jobs_dir: Path, leads: Sequence[Json]) -> Job:
    """A conversion job of ``leads``, planned and journaled by a store closed since."""
    first = JobStore(jobs_dir, client)
    try:
        return await first.create_conversion(await plan(client, leads))
    finally:
        await first.close()


async def resumed(client: CopperClient, jobs_dir: Path, job: Job) -> Job:
    """The job as a restarted app finds it (interrupted), run to its end."""
    second = JobStore(jobs_dir, client)
    try:
        again = await second.open(job.id)
        assert again.state is JobState.INTERRUPTED
        assert await run_to_end(again) is JobState.FINISHED
        return again
    finally:
        await second.close()


@pytest.mark.parametrize("shape", ["both", "objects", "ids"])
async def test_a_job_converts_leads_in_every_answer_shape(
    client: CopperClient, store: JobStore, control: SandboxControl, shape: str
) -> None:
    control.settings(convert_answer=shape)
    t = tag()
    existing = await client.create("companies", {"name": f"Known {t}"})
    leads = [
        await make_lead(client, f"Lead A {t}", company_name=f"Known {t}", monetary_value=700),
        await make_lead(client, f"Lead B {t}", company_name=f"Brand new {t}"),
        await make_lead(client, f"Lead C {t}"),
    ]
    rows = await plan(client, leads, await sales(client))
    assert [r.company.mode for r in rows] == ["existing", "new", "none"]
    job = await store.create_conversion(rows)
    assert job.kind_name == "lead_conversion" and job.title == "Convert 3 leads"
    assert await run_to_end(job) is JobState.FINISHED
    assert [r.status for r in job.rows] == [RowStatus.WRITTEN] * 3
    a, b, c = (result(job, i) for i in range(3))
    assert a["company_id"] == existing["id"] and not a["company_created"]
    assert b["company_created"] and isinstance(b["company_id"], int)
    assert c["company_id"] is None and not c["company_created"]
    for lead, res in zip(leads, (a, b, c), strict=True):
        assert await converted(client, lead["id"])
        person = await client.get("people", res["person_id"])
        assert person["emails"][0]["email"] == lead["email"]["email"]
        assert res["person_created"] and res["person_date_modified"] == person["date_modified"]
        opp = await client.get("opportunities", res["opportunity_id"])
        assert opp["primary_contact_id"] == person["id"] and opp["name"] == lead["name"]
        assert opp["company_id"] == res["company_id"]
    assert (await client.get("opportunities", a["opportunity_id"]))["monetary_value"] == 700
    assert (await client.get("companies", b["company_id"]))["name"] == f"Brand new {t}"
    ledger = io.StringIO()
    write_ledger_csv(job, ledger)
    lines = ledger.getvalue().splitlines()
    assert lines[0].endswith("person,company,opportunity")
    assert lines[2].endswith(f"{b['person_id']},{b['company_id']} (new),{b['opportunity_id']}")


async def test_leads_naming_one_new_company_create_it_once(
    client: CopperClient, store: JobStore, control: SandboxControl
) -> None:
    t = tag()
    names = [f"Hooli {t} Inc", f"HOOLI {t}", f"hooli {t}, inc.", f"Hooli {t} LLC", f"Hooli {t}"]
    leads = [
        await make_lead(client, f"Shared {i} {t}", company_name=n) for i, n in enumerate(names)
    ]
    rows = await plan(client, leads)
    assert {r.company.mode for r in rows} == {"new"}
    # Hold each conversion at the server so the job's four writers overlap.
    control.add_fault("latency", ms=150, method="POST", path=r"^/leads/\d+/convert$")
    job = await store.create_conversion(rows)
    assert await run_to_end(job) is JobState.FINISHED
    results = [result(job, i) for i in range(len(leads))]
    company_ids = {r["company_id"] for r in results}
    assert len(company_ids) == 1
    assert [r["company_created"] for r in results] == [True] + [False] * 4
    made = await client.search("companies", {"name": f"ooli {t}"})
    assert [c["id"] for c in made.records] == list(company_ids)
    assert made.records[0]["name"] == names[0]  # the first lead's spelling


async def test_a_crash_after_a_conversion_landed_recovers_it_and_converts_no_lead_twice(
    client: CopperClient, jobs_dir: Path, control: SandboxControl
) -> None:
    """A journal left by a process that died with rows 0 and 1 sent: row 0's conversion
    landed (it created the company rows 0 and 2 share), row 1's never did. Resuming records
    row 0 as written (recovered) without converting it again, converts row 1, and row 2
    attaches to the company row 0 created. Row 1's lead has the email of an existing person:
    that person does not make it look converted."""
    t = tag()
    email = f"{tag()}@known.test"
    known = await client.create("people", {"name": f"Known {t}", "emails": [{"email": email}]})
    leads = [
        await make_lead(client, f"Crash A {t}", company_name=f"Crashco {t}"),
        await make_lead(client, f"Crash B {t}", company_name=f"Other {t}", email={"email": email}),
        await make_lead(client, f"Crash C {t}", company_name=f"CRASHCO {t} Inc."),
        await make_lead(client, f"Crash D {t}"),
    ]
    job = await journaled(client, jobs_dir, leads)
    dead = JobJournal(job.journal.path)
    dead.append({"e": "state", "state": "running"})
    dead.append({"e": "start", "rows": [0]}, {"e": "start", "rows": [1]})
    landed = await client.convert_lead(
        leads[0]["id"], person=job.rows[0].data["person"], company={"name": f"Crashco {t}"}
    )
    assert landed.company is not None
    dead.close()
    control.reset()

    again = await resumed(client, jobs_dir, job)
    assert [r.status for r in again.rows] == [RowStatus.WRITTEN] * 4
    row0 = again.rows[0].outcome
    assert row0 is not None and row0.recovered
    assert result(again, 0)["person_id"] == landed.person["id"]  # type: ignore[index]
    assert result(again, 0)["company_created"]
    assert result(again, 2)["company_id"] == landed.company["id"]
    assert not result(again, 2)["company_created"]
    assert not again.rows[1].outcome.recovered  # type: ignore[union-attr]
    assert result(again, 1)["person_id"] == known["id"]
    assert not result(again, 1)["person_created"]
    sent = converts(await log(control))
    assert leads[0]["id"] not in sent
    assert sent == {leads[i]["id"]: 1 for i in (1, 2, 3)}
    crashcos = await client.search("companies", {"name": f"rashco {t}"})
    assert len(crashcos.records) == 1


async def test_a_resumed_job_attaches_to_the_company_a_journaled_row_created(
    client: CopperClient, jobs_dir: Path, control: SandboxControl
) -> None:
    """The journal says row 0 converted its lead and created the company row 1 also names
    (spelt otherwise): resuming sends row 1 that company's id, not the name again."""
    t = tag()
    leads = [
        await make_lead(client, f"Load A {t}", company_name=f"Loadco {t}"),
        await make_lead(client, f"Load B {t}", company_name=f"LOADCO {t} Inc."),
    ]
    job = await journaled(client, jobs_dir, leads)
    done = await client.convert_lead(leads[0]["id"], company={"name": f"Loadco {t}"})
    assert done.company is not None and done.person is not None
    dead = JobJournal(job.journal.path)
    dead.append({"e": "state", "state": "running"}, {"e": "start", "rows": [0]})
    dead.append({"e": "done", "items": [{"i": 0, "status": "written", "result": {
        "person_id": done.person["id"], "company_id": done.company["id"],
        "company_created": True}}]})  # fmt: skip
    dead.close()
    control.reset()
    assert result(await resumed(client, jobs_dir, job), 1)["company_id"] == done.company["id"]
    assert converts(await log(control)) == {leads[1]["id"]: 1}
    assert len((await client.search("companies", {"name": f"oadco {t}"})).records) == 1


async def test_after_a_row_whose_outcome_is_unknown_its_company_is_looked_for_first(
    client: CopperClient, jobs_dir: Path, control: SandboxControl
) -> None:
    """Row 0's request went out and ended failed with an unknown outcome, yet it had created
    the company: row 1, naming it otherwise, finds it and attaches instead of making another."""
    t = tag()
    leads = [
        await make_lead(client, f"Unknown A {t}", company_name=f"Unknownco {t}"),
        await make_lead(client, f"Unknown B {t}", company_name=f"unknownco {t} GmbH"),
    ]
    job = await journaled(client, jobs_dir, leads)
    landed = await client.convert_lead(leads[0]["id"], company={"name": f"Unknownco {t}"})
    assert landed.company is not None
    dead = JobJournal(job.journal.path)
    dead.append({"e": "state", "state": "running"}, {"e": "start", "rows": [0]})
    dead.append({"e": "done", "items": [{"i": 0, "status": "failed", "reason": "error",
                                         "message": "Outcome unknown"}]})  # fmt: skip
    dead.close()
    assert result(await resumed(client, jobs_dir, job), 1)["company_id"] == landed.company["id"]
    assert len((await client.search("companies", {"name": f"nknownco {t}"})).records) == 1


async def test_a_refused_row_fails_with_coppers_message_and_the_job_goes_on(
    client: CopperClient, store: JobStore
) -> None:
    t = tag()
    gone = await client.create("companies", {"name": f"Soon gone {t}"})
    leads = [await make_lead(client, f"Refused {i} {t}") for i in range(3)]
    rows = await plan(client, leads)
    rows[1].company = CompanyDecision.existing(gone["id"], gone["name"])
    await client.delete("companies", gone["id"])
    job = await store.create_conversion(rows)
    assert await run_to_end(job) is JobState.FINISHED
    assert [r.status for r in job.rows] == [RowStatus.WRITTEN, RowStatus.FAILED, RowStatus.WRITTEN]
    assert job.rows[1].reason is Reason.INVALID
    assert f"Company {gone['id']} does not exist" in job.rows[1].message
    assert not await converted(client, leads[1]["id"])


async def test_converted_and_deleted_leads_are_not_converted(
    client: CopperClient, store: JobStore, control: SandboxControl
) -> None:
    t = tag()
    leads = [await make_lead(client, f"Before {i} {t}") for i in range(3)]
    job = await store.create_conversion(await plan(client, leads))
    elsewhere = await client.convert_lead(leads[0]["id"])
    await client.delete("leads", leads[1]["id"])
    control.reset()
    assert await run_to_end(job) is JobState.FINISHED
    skipped, deleted, done = job.rows
    assert skipped.status is RowStatus.SKIPPED and skipped.reason is Reason.NO_CHANGE
    assert skipped.message == "Already converted."
    assert result(job, 0)["person_id"] == elsewhere.person["id"]  # type: ignore[index]
    assert deleted.status is RowStatus.FAILED and deleted.reason is Reason.NOT_FOUND
    assert done.status is RowStatus.WRITTEN
    assert converts(await log(control)) == {leads[2]["id"]: 1}


async def test_each_leads_json_is_journaled_before_its_convert_request(
    client: CopperClient, store: JobStore, control: SandboxControl
) -> None:
    t = tag()
    leads = [await make_lead(client, f"Journal {i} {t}", details=f"note {i}") for i in range(2)]
    job = await store.create_conversion(await plan(client, leads))
    control.add_fault("latency", ms=400, method="POST", path=r"^/leads/\d+/convert$")
    task = job.start()
    held: Json | None = None
    for _ in range(1000):
        held = next((e for e in await log(control, 200)
                     if e["path"].endswith("/convert") and e["status"] is None), None)  # fmt: skip
        if held is not None:
            break
        await asyncio.sleep(0.01)
    assert held is not None, "no conversion reached the sandbox"
    data = read_journal(job.journal.path)  # while Copper works on the request
    assert data is not None
    lead_id = int(held["path"].split("/")[2])
    index = next(i for i, r in enumerate(data.rows) if r["key"] == lead_id)
    snapshot = next(x for x in leads if x["id"] == lead_id)
    assert data.rows[index]["data"]["lead"] == snapshot
    assert data.attempts.get(index) == 1 and index not in data.outcomes
    assert await asyncio.wait_for(task, 30) is JobState.FINISHED
    await settle_server(control)


async def test_revert_deletes_what_is_unchanged_keeps_the_rest_and_recreates_the_leads(
    client: CopperClient, store: JobStore
) -> None:
    t = tag()
    known_email = f"{tag()}@known.test"
    known = await client.create(
        "people", {"name": f"Known person {t}", "emails": [{"email": known_email}]}
    )
    leads = [
        await make_lead(client, f"Rev A {t}", company_name=f"Revco {t}"),
        await make_lead(client, f"Rev B {t}", company_name=f"Revco {t}"),
        await make_lead(client, f"Rev C {t}", company_name=f"Keptco {t}"),
        await make_lead(client, f"Rev D {t}"),
        await make_lead(client, f"Rev E {t}", email={"email": known_email, "category": "work"}),
    ]
    rows = await plan(client, leads, await sales(client))
    assert rows[4].duplicate_people == [{"id": known["id"], "name": known["name"]}]
    job = await store.create_conversion(rows)
    assert await run_to_end(job) is JobState.FINISHED
    a, b, c, d, e = (result(job, i) for i in range(5))
    assert a["company_created"] and b["company_id"] == a["company_id"]
    assert e["person_id"] == known["id"] and not e["person_created"]
    # Since the conversion: D's person edited, someone else joins C's company.
    await client.update("people", d["person_id"], {"title": "Edited since"})
    other = await client.create("people", {"name": f"Other {t}", "company_id": c["company_id"]})

    undo = await store.create_undo(job)
    assert undo.kind_name == "conversion_revert" and undo.undo_of == job.id
    assert await run_to_end(undo) is JobState.FINISHED
    assert [r.status for r in undo.rows] == [RowStatus.WRITTEN] * 5
    by_lead = {r.key: r for r in undo.rows}

    async def exists(path: str, record_id: int) -> bool:
        page = await client.search(path, {"ids": [record_id]})
        return bool(page.records)

    for res in (a, b, c):
        assert not await exists("people", res["person_id"])
        assert not await exists("opportunities", res["opportunity_id"])
    assert not await exists("companies", a["company_id"])  # nothing refers to it any more
    assert await exists("companies", c["company_id"])  # `other` still does
    assert (
        f"kept company {c['company_id']}: people still refer to it"
        in by_lead[leads[2]["id"]].message
    )
    assert await exists("people", d["person_id"])
    assert not await exists("opportunities", d["opportunity_id"])
    assert f"kept person {d['person_id']}: changed since" in by_lead[leads[3]["id"]].message
    assert await exists("people", known["id"])
    assert "existed before the conversion" in by_lead[leads[4]["id"]].message
    assert await exists("people", other["id"])
    for lead in leads:
        row = by_lead[lead["id"]]
        new_id = (row.outcome.result or {}).get("lead_id") if row.outcome else None
        assert isinstance(new_id, int) and new_id != lead["id"]
        again = await client.get("leads", new_id)
        assert again["name"] == lead["name"] and again["email"] == lead["email"]
        assert again["company_name"] == lead.get("company_name")
    assert undo.kind.describe(by_lead[leads[0]["id"]]) == {"new lead": str(
        (by_lead[leads[0]["id"]].outcome.result or {})["lead_id"])}  # type: ignore[union-attr]  # fmt: skip
    assert job.undone_by == undo.id and not job.can_undo
