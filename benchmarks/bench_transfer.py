"""CSV export of 100,000 people, the unchanged file imported back, and 1,000 changes imported
at Copper's limits.

A sandbox in its own process (``copper-sandbox``, seeded with 100,000 people in a file
database under a temporary folder; ``--db PATH`` keeps and reuses one) answers every request
after 50 ms. Everything goes through what the export dialog and the import wizard run
(``models/transfer_export.export_csv``, ``models/import_run.plan_import`` and ``create_jobs``,
the job engine), with the app's one-thread executor for formatting and file writes:

1. **Export** every person (File ▸ Export CSV…, "All people", the default columns plus the
   ID, names not ids), rate limits off (the issue sets Copper's limits for the import only):
   rows per second, and RSS growth (the highest RSS sampled after each page, against RSS
   before) to show memory stays flat while 100,000 rows stream to disk.
2. **Unchanged re-import**: the exported file planned as updates (matched on the ID against
   freshly loaded records): how many writes it plans (must be 0).
3. **1,000 changes at Copper's limits** (180 requests a rolling minute, 3 bulk calls a second,
   the client's default limiter): the first 1,000 rows of the export with a new title each,
   planned and run as the wizard's job; then every person is read back and checked. Records
   per minute from the job's start to its end, against the 1,800 a minute bound (3 bulk
   calls of 10 a second): ``share_of_limit``.

Last line: ``export_rows=<n> export_rss_growth_mb=<x> unchanged_reimport_writes=<w>
import_applied=<n>/1000 share_of_limit=<y>`` (aims: 100000, <= 100, 0, 1000/1000, >= 0.95).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import psutil  # type: ignore[import-untyped]
from sandbox_process import Target
from sandbox_process import sandbox_process as serve_in_process

from copper_desktop.api import CopperClient, RateLimits
from copper_desktop.domain.catalog import PEOPLE
from copper_desktop.domain.cell_input import Names
from copper_desktop.domain.csv_files import encode_rows
from copper_desktop.domain.import_plan import (
    Action,
    ImportSetup,
    Mode,
    auto_mapping,
    importable_fields,
    mapping_notes,
)
from copper_desktop.jobs import JobState, JobStore, fetch_records
from copper_desktop.models.bulk import bulk_context
from copper_desktop.models.import_run import create_jobs, plan_import, read_table
from copper_desktop.models.lookups import PICKABLE, Lookups
from copper_desktop.models.record_columns import column_fields
from copper_desktop.models.transfer_export import ExportRequest, Scope, export_csv, export_fields

PEOPLE_COUNT = 100_000
CHANGES = 1_000
LATENCY_MS = 50
RATE_LIMIT = 180
BULK_RATE_LIMIT = 3
BOUND_PER_MIN = BULK_RATE_LIMIT * 10 * 60
UNLIMITED = RateLimits(per_window=1_000_000, window_s=60.0, bulk_per_window=1000, bulk_window_s=1)
Json = dict[str, Any]


def say(text: str) -> None:
    print(text, flush=True)


@contextlib.contextmanager
def sandbox(db: str, people: int) -> Iterator[Target]:
    flags = ("--seed", str(people), "--rate-limit", "0", "--bulk-rate-limit", "0")
    with serve_in_process(db, *flags, "--latency-ms", str(LATENCY_MS)) as target:
        yield target


class Control:
    """The sandbox's control API, called off the loop."""

    def __init__(self, url: str) -> None:
        self.http = httpx.Client(base_url=url, timeout=30, trust_env=False)

    async def call(self, method: str, path: str, body: Any = None) -> Any:
        def go() -> Any:
            response = self.http.request(method, path, json=body)
            response.raise_for_status()
            return response.json() if response.content else None

        return await asyncio.to_thread(go)

    async def copper_limits(self) -> None:
        """Copper's limits from now on, fresh windows, the 50 ms latency kept."""
        await self.call("PATCH", "/settings",
                        {"rate_limit": RATE_LIMIT, "bulk_rate_limit": BULK_RATE_LIMIT})  # fmt: skip
        await self.call("POST", "/reset", {"data": False})
        await self.call("POST", "/faults", {"kind": "latency", "ms": LATENCY_MS})

    async def statuses(self) -> dict[str, int]:
        return dict((await self.call("GET", "/stats"))["statuses"])


def rss_mb() -> float:
    return float(psutil.Process().memory_info().rss) / 2**20


async def run(target: Target, home: Path, people: int, changes: int) -> str:
    control = Control(target.control_url)
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bench-app")
    lookups = Lookups()
    spec = PEOPLE
    try:
        async with CopperClient(target.email, target.token, base_url=target.base_url,
                                limits=UNLIMITED) as client:  # fmt: skip
            await lookups.load(client)
            by_key = {f.key: f for f in column_fields(spec, lookups)}
            fields = export_fields(spec, [by_key[k] for k in spec.default_columns])
            path = home / "people.csv"

            # 1. Export everything.
            before = peak = rss_mb()

            def sample(_done: int, _total: int | None) -> None:
                nonlocal peak
                peak = max(peak, rss_mb())

            t0 = time.perf_counter()
            rows = await export_csv(client, ExportRequest(spec.key, fields, Scope.ALL), path,
                                    lookups=lookups, executor=executor,
                                    progress=sample)  # fmt: skip
            export_s = time.perf_counter() - t0
            growth = peak - before
            say(f"export: {rows:,} rows in {export_s:.1f} s = {rows / export_s:,.0f} rows/s; "
                f"{path.stat().st_size / 2**20:.1f} MB written; RSS {before:.0f} MB before, "
                f"{peak:.0f} MB at most (+{growth:.1f} MB)")  # fmt: skip

            # 2. The unchanged file, imported back as updates.
            table = await asyncio.get_running_loop().run_in_executor(executor, read_table, path)
            ctx = bulk_context(spec, lookups)
            mapping = auto_mapping(table.headers, importable_fields(ctx.fields, Mode.UPDATE))
            setup = ImportSetup(ctx, table.headers, tuple(mapping), Mode.UPDATE,
                                Names.of(lookups, PICKABLE), lookups.name)  # fmt: skip
            notes = mapping_notes(table.headers, mapping, ctx.fields)
            t0 = time.perf_counter()
            plan = await plan_import(client, setup, table, notes=notes, executor=executor)
            plan_s = time.perf_counter() - t0
            unchanged_writes = plan.writes
            say(f"unchanged re-import: {plan.summary()} in {plan_s:.1f} s "
                f"({len(table.rows) / plan_s:,.0f} rows/s); notes: {'; '.join(notes)}")  # fmt: skip
            first = [list(r) for r in table.rows[:changes]]
            del table, plan

        # 3. 1,000 changes at Copper's limits.
        await control.copper_limits()
        tag = time.strftime("%H%M%S")
        title_at = list(setup.headers).index("Title")
        id_at = list(setup.headers).index("ID")
        wanted: dict[int, str] = {}
        for i, row in enumerate(first):
            row[title_at] = f"Bench {tag} {i:04d}"
            wanted[int(row[id_at])] = row[title_at]
        changed = home / "changes.csv"
        changed.write_bytes(encode_rows(setup.headers, first))
        async with CopperClient(target.email, target.token, base_url=target.base_url) as client:
            lookups.set_client(client)
            table = read_table(changed)
            plan = await plan_import(client, setup, table, executor=executor)
            assert plan.count(Action.UPDATE) == len(first), plan.summary()
            store = JobStore(home / "jobs", client)
            try:
                [job] = await create_jobs(store, plan, title="Import of changes.csv")
                t0 = time.perf_counter()
                state = await job.start()
                job_s = time.perf_counter() - t0
            finally:
                await store.close()
            written = len(job.written_rows())
            now = await fetch_records(client, spec.path, list(wanted))
        applied = sum(1 for rid, title in wanted.items() if now.get(rid, {}).get("title") == title)
        rate = written / job_s * 60
        share = rate / BOUND_PER_MIN
        statuses = await control.statuses()
        say(f"import: {plan.summary()}; job {state.value}, {written:,} written in {job_s:.1f} s "
            f"= {rate:,.0f} records/min ({share:.3f} of {BOUND_PER_MIN:,}/min); "
            f"{applied:,} checked on the sandbox; 429s: {statuses.get('429', 0)}")  # fmt: skip
        assert state is JobState.FINISHED, job.message
        return (f"export_rows={rows} export_rss_growth_mb={growth:.1f} "
                f"unchanged_reimport_writes={unchanged_writes} "
                f"import_applied={applied}/{len(first)} share_of_limit={share:.3f}")  # fmt: skip
    finally:
        executor.shutdown()
        control.http.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--db", help="sandbox database to keep and reuse (seeded if new)")
    parser.add_argument("--people", type=int, default=PEOPLE_COUNT)
    parser.add_argument("--changes", type=int, default=CHANGES)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-transfer-") as tmp:
        home = Path(tmp)
        db = args.db or str(home / "sandbox.sqlite3")
        say(f"seeding and starting the sandbox ({args.people:,} people, {LATENCY_MS} ms)…")
        with sandbox(db, args.people) as target:
            line = asyncio.run(run(target, home, args.people, args.changes))
    say(line)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.exit(main())
