"""Converting 300 leads against Copper's rate limits, killed with SIGKILL half way and resumed.

A sandbox in its own process (``copper-sandbox``, 600 demo people) answers after 50 ms, with
Copper's limits on (180 requests a rolling minute). The bench makes 300 leads:

* 150 share 30 new company names, five leads each, spelt differently ("Group7 x Inc",
  "GROUP7 x", "group7 x, inc." ...: one company each, by normalized name);
* 60 name an existing company exactly;
* 50 carry the email of an existing person (they join that person);
* 40 name a company of their own that does not exist.

It plans them as the planner does (``jobs.conversion_plan.plan_conversions``: candidate
companies, people by email, ``domain.convert`` rows and checks), with an opportunity for each,
and journals the job (``JobStore.create_conversion``). The job runs in a child process
(``bench_bulk.py --child``, the same engine) and is killed with SIGKILL once about half the rows
are settled, while a conversion is at the sandbox; it is then resumed here, on a qasync loop
with a 5 ms QTimer beating (``bench_bulk.Heartbeat``). Then, on the sandbox: leads converted,
companies the run created against those the plan expected (30 plus the leads with no match), and
duplicate companies (two companies created by the run with the same normalized name).

``share_of_limit``: requests the sandbox answered (429s aside) from the child's start to the
end of the resumed job, against the most its rolling window lets through in that time: 180 in
each started minute (a run of 70 s may send 360: a window's worth at once, another a minute
later). ``max_stall_ms``: the longest gap between heartbeats while planning (the matching runs
in the app's executor) and while the resumed job ran, with the app's frozen start-up heap and
quiet-moment garbage collections.

Last line: ``converted=<n>/300 companies_created=<k> expected_companies=<k>
duplicate_companies=<d> share_of_limit=<x> max_stall_ms=<y> resumed=<0|1>`` (aims: 300/300, k
equal to expected, 0, >= 0.9, <= 50, 1).
"""

from __future__ import annotations

import asyncio
import math
import os
import random
import signal
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")

from bench_bulk import LATENCY_MS, RATE_LIMIT, Control, Heartbeat, kill_half_way, quiet_qt, say
from PySide6.QtCore import qInstallMessageHandler
from PySide6.QtWidgets import QApplication
from sandbox_process import Target, run_on_qt_loop, sandbox_process

from copper_desktop.api import CopperClient
from copper_desktop.domain.convert import (
    ConversionPlanRow,
    OpportunityTemplate,
    normalize_company_name,
    validate_rows,
)
from copper_desktop.jobs import JobState, JobStore, fetch_records, plan_conversions
from copper_desktop.models.quiet_collector import QuietCollector, freeze_startup_heap

Json = dict[str, Any]
LEADS = 300
GROUPS, PER_GROUP = 30, 5
EXISTING = 60
DUPLICATE_PEOPLE = 50
SOLO = LEADS - GROUPS * PER_GROUP - EXISTING - DUPLICATE_PEOPLE
SEED_PEOPLE = 600
WINDOW_S = 60.0
SPELLINGS = ("{} Inc", "{}", "{}, inc.", "{} LLC", "{} Corp.")


def is_convert(entry: Json) -> bool:
    path = str(entry["path"])
    return entry["method"] == "POST" and path.startswith("/leads/") and path.endswith("/convert")


def lead_bodies(companies: Sequence[Json], people: Sequence[Json], tag: str) -> list[Json]:
    """The 300 leads (shuffled; the same every run but for ``tag``)."""
    rng = random.Random(300)

    def email(address: str) -> Json:
        return {"email": address, "category": "work"}

    bodies: list[Json] = []
    for g in range(GROUPS):
        for v in range(PER_GROUP):
            group = SPELLINGS[v].format(f"Group{g} {tag}")
            group = group.upper() if v == 1 else group.lower() if v == 2 else group
            bodies.append({"name": f"Shared {g}.{v} {tag}", "company_name": group,
                           "email": email(f"lead{v}@group{g}-{tag}.test")})  # fmt: skip
    for i, company in enumerate(rng.sample(list(companies), EXISTING)):
        bodies.append({"name": f"Known {i} {tag}", "company_name": company["name"],
                       "email": email(f"lead@known{i}-{tag}.test")})  # fmt: skip
    with_email = [p for p in people if p.get("emails")]
    for i, person in enumerate(rng.sample(with_email, DUPLICATE_PEOPLE)):
        bodies.append({"name": f"Again {i} {tag}", "email": email(person["emails"][0]["email"])})
    for i in range(SOLO):
        bodies.append({"name": f"Solo {i} {tag}", "company_name": f"Solo{i} {tag} Ltd",
                       "email": email(f"lead@solo{i}-{tag}.test")})  # fmt: skip
    rng.shuffle(bodies)
    return bodies


class Bench:
    def __init__(self, target: Target, home: Path) -> None:
        self.target = target
        self.control = Control(target.control_url)
        self.jobs_dir = home / "jobs"
        self.beat = Heartbeat()
        self.stalls: list[float] = []
        self.executor = ThreadPoolExecutor(max_workers=1)  # as the app hands its one executor
        self.collector = QuietCollector()
        """The app's full garbage collections, in quiet moments (as app.py runs them)."""

    def client(self) -> CopperClient:
        """A fresh client (its own limiter) with the app's defaults: limits and retries."""
        client = CopperClient(self.target.email, self.target.token, base_url=self.target.base_url)
        self.collector.watch(client)
        return client

    async def run(self) -> str:
        tag = time.strftime("%H%M%S")
        await self.control.reset()
        async with self.client() as client:
            companies = await client.search_all("companies")
            people = await client.search_all("people")
            made = await client.bulk_create("leads", lead_bodies(companies, people, tag))
            if made.failed:
                raise RuntimeError(f"leads not made: {made.failed[0].message}")
            leads = made.records
            say(f"made {len(leads)} leads; {len(companies)} companies, {len(people)} people exist")
            freeze_startup_heap()  # as the app does once its window has started
            self.collector.start()
            self.beat.start()
            t0 = time.perf_counter()
            rows = await self.plan(client, leads)
            self.stalls.append(self.beat.stop())
            keys = {r.company.key for r in rows if r.runnable and r.company.key}
            modes = Counter(r.company.mode for r in rows)
            duplicates = sum(1 for r in rows if r.duplicate_people)
            say(f"plan in {time.perf_counter() - t0:.1f} s: companies {dict(modes)}, "
                f"{len(keys)} new company names, {duplicates} leads with an existing person's "
                f"email, {sum(not r.runnable for r in rows)} with problems; longest UI stall "
                f"{self.stalls[-1]:.1f} ms")  # fmt: skip
            planner = JobStore(self.jobs_dir, client)
            job = await planner.create_conversion(rows, title=f"Bench conversion {tag}")
            await planner.close()
            before = {c["id"] for c in await client.search_all("companies")}

        await self.control.reset()  # the job starts with a fresh rate-limit window
        t0 = time.perf_counter()
        at_kill, code = await kill_half_way(
            self.target, self.control, self.jobs_dir, job, say, is_write=is_convert
        )
        killed = code == -signal.SIGKILL and 0 < at_kill < len(rows)
        say(f"child killed with SIGKILL at {at_kill}/{len(rows)} rows settled"
            if killed else f"the child was not killed half way ({code})")  # fmt: skip
        await asyncio.sleep(1.0)  # what the dead process sent is committed or not, for good
        async with self.client() as client:  # the app started again
            store = JobStore(self.jobs_dir, client)
            try:
                resumed = await store.open(job.id)
                self.beat.start()
                t1 = time.perf_counter()
                state = await resumed.start()
                for _ in range(40):
                    if state is not JobState.PAUSED:
                        break
                    say(f"  job paused by itself ({resumed.message}); resuming")
                    state = await resumed.start()
                self.stalls.append(self.beat.stop())
                elapsed = time.perf_counter() - t0
                counts = Counter(r.status.value for r in resumed.rows)
                recovered = sum(1 for r in resumed.rows if r.outcome and r.outcome.recovered)
                say(f"resumed here: {state.value} in {time.perf_counter() - t1:.1f} s, "
                    f"{dict(counts)}, {recovered} found converted instead of sent again; longest "
                    f"UI stall {self.stalls[-1]:.1f} ms")  # fmt: skip
            finally:
                await store.close()
            statuses = await self.control.statuses()
            answered = sum(n for status, n in statuses.items() if status != "429")
            windows = math.ceil(elapsed / WINDOW_S)
            share = answered / (RATE_LIMIT * windows)
            say(f"{answered} requests answered in {elapsed:.1f} s ({statuses.get('429', 0)} "
                f"429s): {share:.3f} of the {RATE_LIMIT * windows} the rolling window allows "
                f"in that time ({answered / elapsed * 60:.0f}/min)")  # fmt: skip
            resumed_ok = killed and state is JobState.FINISHED
            converted, created, dupes = await self.check(client, leads, before)
        return (
            f"converted={converted}/{len(leads)} companies_created={created} "
            f"expected_companies={len(keys)} duplicate_companies={dupes} "
            f"share_of_limit={share:.3f} max_stall_ms={max(self.stalls):.1f} "
            f"resumed={int(resumed_ok)}"
        )

    async def plan(self, client: CopperClient, leads: Sequence[Json]) -> list[ConversionPlanRow]:
        pipeline = next(p for p in await client.pipelines() if p.get("type") != "project")
        template = OpportunityTemplate(create=True, pipeline_id=pipeline["id"])
        rows = await plan_conversions(client, leads, template, executor=self.executor)
        users = [u["id"] for u in await client.all_users()]
        return validate_rows(rows, user_ids=users, pipelines=await client.pipelines())

    @staticmethod
    async def check(
        client: CopperClient, leads: Sequence[Json], before: set[int]
    ) -> tuple[int, int, int]:
        ids = [lead["id"] for lead in leads]
        every = await fetch_records(client, "leads", ids, {"include_converted_leads": True})
        open_ = await fetch_records(client, "leads", ids)
        converted = sum(1 for i in ids if i in every and i not in open_)
        created = [c for c in await client.search_all("companies") if c["id"] not in before]
        names = Counter(normalize_company_name(c["name"]) for c in created)
        return converted, len(created), sum(n - 1 for n in names.values() if n > 1)

    def close(self) -> None:
        self.collector.close()
        self.executor.shutdown(wait=False)
        self.control.close()


def main() -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(False)
    qInstallMessageHandler(quiet_qt)
    with tempfile.TemporaryDirectory(prefix="bench-convert-") as tmp:
        flags = ("--seed", str(SEED_PEOPLE), "--rate-limit", str(RATE_LIMIT),
                 "--latency-ms", str(LATENCY_MS))  # fmt: skip
        result: list[str] = []
        with sandbox_process(str(Path(tmp) / "sandbox.sqlite3"), *flags) as target:
            say(f"sandbox: {SEED_PEOPLE} people, {LATENCY_MS} ms latency, {RATE_LIMIT}/min")
            bench = Bench(target, Path(tmp) / "home")
            try:
                result.append(run_on_qt_loop(app, bench.run))
            finally:
                bench.close()
    print(result[0])
    return 0


if __name__ == "__main__":
    sys.exit(main())
