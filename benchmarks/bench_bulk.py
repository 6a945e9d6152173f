"""Bulk edit of 1,000 people against Copper's rate limits, then faults, a SIGKILL and an undo.

A sandbox in its own process (``copper-sandbox``) seeded with 1,200 people answers after 50 ms,
with Copper's limits on: 180 requests a rolling minute and 3 bulk calls a second. The edit
sets a custom field (Account Number) and adds a tag, through what the UI uses: the bulk edit
dialog's model (``models/bulk.py``: ``ids`` searches of 200, preview, ``create_bulk_edit``),
the jobs model and the jobs panel (``models/jobs.py``, ``ui/jobs/panel.py``, offscreen)
running the job engine on a qasync loop, with a 5 ms QTimer beating throughout. As in the
app, the start-up heap is frozen and full garbage collections wait for quiet moments
(``QuietCollector``).

1. **Naive loop** (sample): 30 one-at-a-time PUTs with the same change. Their round trips,
   replayed through the client's own limiter on a virtual clock, give how long 1,000 such
   PUTs take (the limiter's 170 a minute soon dominates).
2. **Bulk edit** of 1,000 people, measured: records per minute from the job's start to its
   end, against the 1,800 a minute bound (3 bulk calls of 10 a second); the longest gap
   between heartbeats (how long the UI ever froze).
3. **Faults**: a second edit of the same people while 10% of their requests get a 5xx, 5%
   have the connection dropped after the sandbox committed, and every 8 s a one-second burst
   of 429s. The job runs in a child process (this file with ``--child``), which is killed
   with SIGKILL once about half the rows are settled; the job is then resumed here through
   the jobs model, as the app offers at start-up. Every record must change exactly once:
   a webhook subscription of the sandbox posts one notification per effective update to a
   receiver (its own process), which counts them per record. Then the job is undone (faults
   still on) and each record must hold its values from before the second edit.

Each phase starts with the sandbox's rate-limit windows reset and a fresh client, so phases do
not eat each other's budget. ``--records N`` runs smaller (for development).

Last line: ``applied=<n>/N exact_once=<0|1> share_of_limit=<x> vs_naive=<y> max_stall_ms=<z>
resumed=<0|1> undo_restored=<n>/N`` (aims: N/N, 1, >= 0.95, >= 9.5, <= 50, 1, N/N).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")

import httpx
from PySide6.QtCore import (
    QMessageLogContext,
    Qt,
    QTimer,
    QtMsgType,
    SignalInstance,
    qInstallMessageHandler,
)
from PySide6.QtWidgets import QApplication, QMainWindow
from sandbox_process import Target, run_on_qt_loop
from sandbox_process import sandbox_process as serve_in_process

from copper_desktop.api import CopperClient, RateLimits
from copper_desktop.api.limiter import Permit, SlidingWindowLimiter
from copper_desktop.domain.bulk import BulkOperation, EditTags, SetField, TagMode, Typed
from copper_desktop.domain.bulk import same_field_value as same_value
from copper_desktop.domain.custom_fields import get_field_value
from copper_desktop.jobs import Job, JobState, JobStore, read_journal
from copper_desktop.models.actions import ActionRunner
from copper_desktop.models.bulk import BulkEditModel
from copper_desktop.models.jobs import JobsModel
from copper_desktop.models.lookups import Lookups
from copper_desktop.models.quiet_collector import QuietCollector, freeze_startup_heap
from copper_desktop.ui.jobs.panel import JobsPanel

Json = dict[str, Any]
RECORDS = 1000
EXTRA_PEOPLE = 200
LATENCY_MS = 50
RATE_LIMIT = 180
BULK_RATE_LIMIT = 3
BATCH = 10
BOUND_PER_MIN = BULK_RATE_LIMIT * BATCH * 60
NAIVE_SAMPLE = 30
FIELD = "Account Number"
PEOPLE = "^/people/"
BURST_EVERY_S = 8.0
BURST_S = 1.0
ENV_EMAIL, ENV_TOKEN = "BENCH_BULK_EMAIL", "BENCH_BULK_TOKEN"


def say(text: str) -> None:
    print(text, flush=True)


def quiet_qt(mode: QtMsgType, _context: QMessageLogContext, message: str) -> None:
    """Qt's messages, but the offscreen platform's note on every dock widget shown."""
    if "propagateSizeHints" not in message:
        print(f"Qt: {message}", file=sys.stderr)


class Heartbeat:
    """A 5 ms timer; the longest gap between its beats is the longest the UI froze."""

    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(5)
        self.timer.timeout.connect(self._beat)
        self.last = 0.0
        self.max_gap = 0.0

    def _beat(self) -> None:
        now = time.perf_counter()
        self.max_gap = max(self.max_gap, now - self.last)
        self.last = now

    def start(self) -> None:
        self.last, self.max_gap = time.perf_counter(), 0.0
        self.timer.start()

    def stop(self) -> float:
        self.timer.stop()
        self._beat()
        return self.max_gap * 1000


# --------------------------------------------------------------------------- the sandbox
@contextlib.contextmanager
def sandbox_process(db: str, people: int) -> Iterator[Target]:
    """Copper's limits and 50 ms latency, serving from a child process (its JSON work does
    not compete with the app for the GIL)."""
    with serve_in_process(
        db, "--seed", str(people), "--rate-limit", str(RATE_LIMIT),
        "--bulk-rate-limit", str(BULK_RATE_LIMIT), "--latency-ms", str(LATENCY_MS),
    ) as target:  # fmt: skip
        yield target


class Control:
    """The sandbox's control API (``/_sandbox/``), called off the UI thread."""

    def __init__(self, url: str) -> None:
        self.http = httpx.Client(base_url=url, timeout=30, trust_env=False)

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        response = self.http.request(method, path, json=body)
        response.raise_for_status()
        return response.json() if response.content else None

    async def call(self, method: str, path: str, body: Any = None) -> Any:
        return await asyncio.to_thread(self._call, method, path, body)

    async def reset(self) -> None:
        """Fresh rate-limit windows, counters and log; no faults but the 50 ms latency (a
        reset drops the rule the command line installed)."""
        await self.call("POST", "/reset", {"data": False})
        await self.fault(kind="latency", ms=LATENCY_MS)

    async def fault(self, **rule: Any) -> None:
        await self.call("POST", "/faults", rule)

    async def statuses(self) -> dict[str, int]:
        return dict((await self.call("GET", "/stats"))["statuses"])

    def close(self) -> None:
        self.http.close()


class Receiver:
    """Where the sandbox posts its webhook notifications (``webhook_counter.py``, a child
    process): person updates per id. The sandbox notifies only effective changes, so a write
    repeated with the same values does not count."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).with_name("webhook_counter.py"))],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert self.proc.stdout is not None
        port = int(self.proc.stdout.readline())
        self.root = f"http://127.0.0.1:{port}"
        self.http = httpx.Client(base_url=self.root, timeout=30, trust_env=False)

    @property
    def url(self) -> str:
        return self.root + "/hook"

    async def counts(self) -> Counter[int]:
        response = await asyncio.to_thread(self.http.get, "/counts")
        return Counter({int(k): int(v) for k, v in response.json().items()})

    async def clear(self) -> None:
        await asyncio.to_thread(self.http.post, "/clear")

    def close(self) -> None:
        self.http.close()
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


# --------------------------------------------------------------------------- helpers
async def signalled(signal_: SignalInstance, failures: Sequence[SignalInstance],
                    start: Callable[[], object]) -> Any:  # fmt: skip
    """Call ``start`` and wait for ``signal_``'s argument; a failure signal raises."""
    future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()

    def done(value: Any) -> None:
        if not future.done():
            future.set_result(value)

    def failed(value: Any) -> None:
        if not future.done():
            future.set_exception(RuntimeError(str(value)))

    signal_.connect(done)
    for failure in failures:
        failure.connect(failed)
    try:
        start()
        return await asyncio.wait_for(future, 600)
    finally:
        signal_.disconnect(done)
        for failure in failures:
            failure.disconnect(failed)


async def fetch(client: CopperClient, ids: Sequence[int]) -> dict[int, Json]:
    found: dict[int, Json] = {}
    for start in range(0, len(ids), 200):
        page = await client.search("people", {"ids": list(ids[start : start + 200])},
                                   page_size=200)  # fmt: skip
        found.update({r["id"]: r for r in page.records})
    return found


def holds(record: Json | None, values: Json, types: Json) -> bool:
    return record is not None and all(
        same_value(types.get(k), get_field_value(record, k), v) for k, v in values.items()
    )


@dataclass
class Ui:
    """The jobs UI of one app session: store, model and panel in a main window."""

    store: JobStore
    model: JobsModel
    panel: JobsPanel
    window: QMainWindow

    @classmethod
    def open(cls, jobs_dir: Path, client: CopperClient) -> Ui:
        store = JobStore(jobs_dir, client)
        model = JobsModel(store)
        window = QMainWindow()
        window.setObjectName("benchWindow")
        panel = JobsPanel(model, ActionRunner(window), window)
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, panel)
        window.resize(900, 600)
        window.show()
        return cls(store, model, panel, window)

    async def run(self, job: Job, tries: int = 40) -> JobState:
        """Run the job through the panel until it ends; a job paused by itself (Copper kept
        failing past the client's retries) is resumed, as a user would."""
        for _ in range(tries):
            await self.panel.run_job(job)
            if job.state is not JobState.PAUSED:
                break
            say(f"  job paused by itself ({job.message}); resuming")
        return job.state

    async def close(self) -> None:
        self.model.close()
        await self.store.close()
        self.window.close()
        self.window.deleteLater()


async def preview_and_create(
    store: JobStore, lookups: Lookups, ids: Sequence[int], ops: Sequence[BulkOperation]
) -> tuple[Job, float]:
    """The dialog's model: preview (ids searches of 200), then the journaled job."""
    executor = ThreadPoolExecutor(max_workers=1)  # as the app hands its one executor
    edit = BulkEditModel(store, "people", lookups, list(ids), start_job=False, executor=executor)
    try:
        t0 = time.perf_counter()
        await signalled(edit.preview_ready, [edit.preview_failed, edit.refused],
                        lambda: edit.request_preview(ops))  # fmt: skip
        preview_s = time.perf_counter() - t0
        assert edit.preview is not None
        if edit.preview.will_change != len(ids):
            raise RuntimeError(f"preview: {edit.counts_line()}")
        job = await signalled(edit.job_created, [edit.apply_failed], edit.apply)
        assert isinstance(job, Job)
        return job, preview_s
    finally:
        await edit.aclose()
        edit.deleteLater()
        executor.shutdown(wait=False)


async def naive_seconds(round_trips: Sequence[float], records: int, limits: RateLimits) -> float:
    """How long ``records`` one-at-a-time PUTs take: the sampled round trips, cycled, replayed
    through the client's own limiter (the real class) on a virtual clock."""
    now = [0.0]
    lim = SlidingWindowLimiter(limits.per_window, limits.window_s, clock=lambda: now[0])
    held: list[Permit] = []
    for i in range(records):
        while lim.headroom() == 0:  # on to the next moment a place frees up
            now[0] = min(t for p in held if (t := p.stamp + lim.window_s) > now[0])
        permit = await lim.acquire()
        permit.sending()
        now[0] += round_trips[i % len(round_trips)]
        permit.finish(answered=True)
        held = [*held[-lim.limit :], permit]
    return now[0]


@contextlib.asynccontextmanager
async def faults(control: Control) -> AsyncIterator[None]:
    """While the block runs: 10% 5xx and 5% connections dropped after the sandbox committed, on
    every people request; and every few seconds a burst of 429s (everything for one second,
    as when the window is full)."""
    rules: list[Json] = [
        {"kind": "latency", "ms": LATENCY_MS},
        {"kind": "error", "status": 503, "path": PEOPLE, "rate": 0.10},
        {"kind": "drop", "when": "after", "path": PEOPLE, "rate": 0.05},
    ]
    burst: Json = {"kind": "rate_limit", "path": PEOPLE}

    async def bursts() -> None:
        while True:
            await asyncio.sleep(BURST_EVERY_S)
            await control.call("PUT", "/faults", {"rules": [burst, *rules]})
            await asyncio.sleep(BURST_S)
            await control.call("PUT", "/faults", {"rules": rules})

    await control.call("PUT", "/faults", {"rules": rules})
    task = asyncio.create_task(bursts())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await control.call("PUT", "/faults", {"rules": rules[:1]})


def is_bulk_update(entry: Json) -> bool:
    return bool(entry["path"] == "/people/bulk_update")


async def kill_half_way(
    target: Target, control: Control, jobs_dir: Path, job: Job, log: Callable[[str], None],
    is_write: Callable[[Json], bool] = is_bulk_update,
) -> tuple[int, int]:  # fmt: skip
    """Run the job in a child process and SIGKILL it once half its rows are settled, at a
    moment its latest write (``is_write``: a logged request; bulk_update by default) has no
    answer yet (at the sandbox, or its connection dropped after the commit). Returns (rows
    settled at the kill, exit code). The child runs any job kind (``child_main``)."""
    env = {**os.environ, ENV_EMAIL: target.email, ENV_TOKEN: target.token}
    child = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--child", str(jobs_dir), job.id, target.base_url,
        env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    total, settled = len(job.rows), 0
    try:
        while child.returncode is None and settled < total // 2:
            await asyncio.sleep(0.02)
            data = await asyncio.to_thread(read_journal, job.journal.path)
            settled = len(data.outcomes) if data is not None else 0
        while child.returncode is None:
            entries = await control.call("GET", "/requests?limit=20")
            writes = [e for e in entries if is_write(e)]
            if writes and writes[-1]["status"] is None:
                child.send_signal(signal.SIGKILL)
                break
            await asyncio.sleep(0.005)
    finally:
        if child.returncode is None:
            child.kill()
        out_b, err_b = await asyncio.wait_for(child.communicate(), 60)
    if target.token in (out_b + err_b).decode(errors="replace"):
        raise RuntimeError("the child printed the API token")
    if child.returncode != -signal.SIGKILL:
        log(f"  child ended by itself ({child.returncode}): {err_b.decode()[-500:]}")
    data = read_journal(job.journal.path)
    return (len(data.outcomes) if data is not None else settled), child.returncode or 0


# --------------------------------------------------------------------------- the run
class Bench:
    def __init__(self, target: Target, home: Path, records: int) -> None:
        self.target = target
        self.home = home
        self.records = records
        self.control = Control(target.control_url)
        self.jobs_dir = home / "jobs"
        self.beat = Heartbeat()
        self.stalls: list[float] = []
        self.collector = QuietCollector()
        """The app's full garbage collections, in quiet moments (as app.py runs them)."""

    def client(self) -> CopperClient:
        """A fresh client (its own limiter) with the app's defaults: limits and retries."""
        client = CopperClient(self.target.email, self.target.token, base_url=self.target.base_url)
        self.collector.watch(client)
        return client

    async def measured(self, work: Awaitable[Any]) -> Any:
        self.beat.start()
        try:
            return await work
        finally:
            self.stalls.append(self.beat.stop())

    async def run(self) -> str:
        n = self.records
        lookups = Lookups()
        async with self.client() as client:
            await lookups.load(client)
            people = await client.search_all("people", {"sort_by": "name"})
            account = next(d.id for d in lookups.definitions if d.name == FIELD)
            sentinel = people[-1]["id"]
        ids = [p["id"] for p in people[:n]]
        freeze_startup_heap()  # as the app does once its window has started
        self.collector.start()
        naive_people = people[n : n + NAIVE_SAMPLE]
        if len(ids) < n or len(naive_people) < NAIVE_SAMPLE:
            raise RuntimeError(f"the sandbox has only {len(people)} people")
        key = f"cf_{account}"
        run_tag = time.strftime("%H%M%S")

        # 1. The naive loop, sampled.
        await self.control.reset()
        round_trips: list[float] = []
        async with self.client() as client:
            for p in naive_people:
                body = {"custom_fields": [{"custom_field_definition_id": account,
                                           "value": f"NAIVE-{run_tag}"}],
                        "tags": [*(p.get("tags") or []), "bench"]}  # fmt: skip
                t0 = time.perf_counter()
                await client.update("people", p["id"], body)
                round_trips.append(time.perf_counter() - t0)
        naive_s = await naive_seconds(round_trips, n, RateLimits())
        naive_rate = n / naive_s * 60
        median_ms = statistics.median(round_trips) * 1000
        say(f"naive: {NAIVE_SAMPLE} PUTs one at a time, median {median_ms:.0f} ms; {n:,} would "
            f"take {naive_s:.0f} s through the limiter: {naive_rate:,.0f} records/min")  # fmt: skip

        # 2. The bulk edit, measured.
        await self.control.reset()
        ops1: list[BulkOperation] = [SetField(key, Typed(f"BENCH-1-{run_tag}")),
                                     EditTags(TagMode.ADD, ("bench",))]  # fmt: skip
        async with self.client() as client:
            lookups.set_client(client)
            ui = Ui.open(self.jobs_dir, client)
            try:
                job, preview_s, job_s = await self.measured(self._edit(ui, lookups, ids, ops1))
            finally:
                await ui.close()
        statuses = await self.control.statuses()
        written = len(job.written_rows())
        rate = written / job_s * 60
        share = rate / BOUND_PER_MIN
        calls = -(-n // BATCH)
        ideal_s = -(-calls // BULK_RATE_LIMIT) - 1
        say(f"bulk edit: preview of {n:,} in {preview_s:.1f} s; job {job.state.value}, "
            f"{written:,} written in {job_s:.1f} s = {rate:,.0f} records/min "
            f"({share:.3f} of {BOUND_PER_MIN:,}/min; the limit allows it in {ideal_s} s + a "
            f"round trip); 429s from the sandbox: {statuses.get('429', 0)}; "
            f"longest UI stall {self.stalls[-1]:.1f} ms")  # fmt: skip
        vs_naive = rate / naive_rate
        steady = min(60 / statistics.mean(round_trips), RateLimits().per_window)
        say(f"vs naive: {vs_naive:.2f}x for these {n:,} records ({rate / steady:.2f}x "
            f"against the naive loop's steady {steady:,.0f}/min)")  # fmt: skip

        # 3. Faults, a SIGKILL half way, resume, undo.
        receiver = Receiver()
        try:
            result = await self._faults(lookups, ids, key, run_tag, receiver, sentinel)
        finally:
            receiver.close()
        applied, exact_once, resumed, restored = result
        return (
            f"applied={applied}/{n} exact_once={int(exact_once)} share_of_limit={share:.3f} "
            f"vs_naive={vs_naive:.2f} max_stall_ms={max(self.stalls):.1f} "
            f"resumed={int(resumed)} undo_restored={restored}/{n}"
        )

    async def _edit(
        self, ui: Ui, lookups: Lookups, ids: Sequence[int], ops: Sequence[BulkOperation]
    ) -> tuple[Job, float, float]:
        job, preview_s = await preview_and_create(ui.store, lookups, ids, ops)
        t0 = time.perf_counter()
        state = await ui.run(job, tries=1)
        job_s = time.perf_counter() - t0
        if state is not JobState.FINISHED:
            raise RuntimeError(f"the bulk edit ended {state.value}: {job.message}")
        return job, preview_s, job_s

    async def _faults(
        self, lookups: Lookups, ids: Sequence[int], key: str, run_tag: str,
        receiver: Receiver, sentinel: int,
    ) -> tuple[int, bool, bool, int]:  # fmt: skip
        n = self.records
        async with self.client() as client:
            await client.create_webhook(
                {"target": receiver.url, "type": "person", "event": "update"}
            )
        await self.control.reset()
        await receiver.clear()
        ops2: list[BulkOperation] = [SetField(key, Typed(f"BENCH-2-{run_tag}")),
                                     EditTags(TagMode.ADD, ("bench-faults",))]  # fmt: skip
        async with self.client() as client:
            lookups.set_client(client)
            planner = JobStore(self.jobs_dir, client)
            job, _ = await preview_and_create(planner, lookups, ids, ops2)
            await planner.close()
        types: Json = job.meta.get("types") or {}
        before = {r.data["id"]: r.data["before"] for r in job.rows}
        after = {r.data["id"]: r.data["after"] for r in job.rows}

        async with faults(self.control):
            at_kill, code = await kill_half_way(self.target, self.control, self.jobs_dir, job, say)
            killed = code == -signal.SIGKILL and 0 < at_kill < n
            say(f"faults: child killed with SIGKILL at {at_kill:,}/{n:,} rows settled"
                if killed else f"faults: the child was not killed half way ({code})")  # fmt: skip
            await asyncio.sleep(1.0)  # what the dead process sent is committed or not, for good
            async with self.client() as client:  # the app started again
                lookups.set_client(client)
                ui = Ui.open(self.jobs_dir, client)
                try:
                    offered = {s.id for s in await ui.model.unfinished()}
                    resumed_job = await ui.model.open(job.id)
                    t0 = time.perf_counter()
                    state = await self.measured(ui.run(resumed_job))
                    recovered = sum(
                        1 for r in resumed_job.rows if r.outcome and r.outcome.recovered
                    )
                    resumed = (killed and job.id in offered and state is JobState.FINISHED
                               and len(resumed_job.written_rows()) == n)  # fmt: skip
                    say(f"  resumed here: {state.value} in {time.perf_counter() - t0:.1f} s, "
                        f"{len(resumed_job.written_rows()):,} written, {recovered} found "
                        f"applied instead of sent again; longest UI stall "
                        f"{self.stalls[-1]:.1f} ms")  # fmt: skip
                    exact_once, applied = await self._check_once(
                        client, ids, after, types, receiver, sentinel
                    )
                    t0 = time.perf_counter()
                    undo = await self.measured(ui.model.undo(resumed_job))  # Jobs window
                    if undo.state is not JobState.FINISHED:  # paused by itself: resume
                        await self.measured(ui.run(undo))
                    say(f"  undo: {undo.state.value} in {time.perf_counter() - t0:.1f} s, "
                        f"{len(undo.written_rows()):,} written back; longest UI stall "
                        f"{max(self.stalls[2:]):.1f} ms")  # fmt: skip
                finally:
                    await ui.close()
        async with self.client() as client:
            now = await fetch(client, ids)
        restored = sum(1 for i in ids if holds(now.get(i), before[i], types))
        return applied, exact_once, resumed, restored

    async def _check_once(
        self, client: CopperClient, ids: Sequence[int], after: dict[int, Json], types: Json,
        receiver: Receiver, sentinel: int,
    ) -> tuple[bool, int]:  # fmt: skip
        """Every record holds the new values and was notified as changed exactly once. A last
        change (to a record outside the edit) is awaited first: its notification comes after
        every earlier one."""
        await client.update("people", sentinel, {"title": f"sentinel {time.time()}"})
        for _ in range(3000):
            if (await receiver.counts()).get(sentinel):
                break
            await asyncio.sleep(0.01)
        counts = await receiver.counts()
        changes = Counter(counts.get(i, 0) for i in ids)
        deliveries = await self.control.call("GET", "/webhook_deliveries")
        lost = [d for d in deliveries if d.get("error")]
        if lost:  # the receiver missed some: the count says nothing then
            say(f"  {len(lost)} notification(s) not delivered, e.g. {lost[0]['error']}")
        now = await fetch(client, ids)
        applied = sum(1 for i in ids if holds(now.get(i), after[i], types))
        say(f"  applied: {applied:,}/{len(ids):,}; update notifications per record: "
            + ", ".join(f"{k}x: {v:,}" for k, v in sorted(changes.items())))  # fmt: skip
        return changes == Counter({1: len(ids)}), applied

    def close(self) -> None:
        self.collector.close()
        self.control.close()


# --------------------------------------------------------------------------- the child
async def child_main(jobs_dir: str, job_id: str, base_url: str) -> int:
    """Run one job to its end (resuming it when it pauses by itself); the parent kills us."""
    email, token = os.environ[ENV_EMAIL], os.environ[ENV_TOKEN]
    async with CopperClient(email, token, base_url=base_url) as client:
        store = JobStore(Path(jobs_dir), client)
        job = await store.open(job_id)
        state = await job.start()
        for _ in range(40):
            if state is not JobState.PAUSED:
                break
            state = await job.start()
        print(state.value, flush=True)
        await store.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--records", type=int, default=RECORDS)
    parser.add_argument("--child", nargs=3, metavar=("JOBS_DIR", "JOB_ID", "BASE_URL"),
                        help=argparse.SUPPRESS)  # fmt: skip
    args = parser.parse_args(argv)
    if args.child:
        return asyncio.run(child_main(*args.child))
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(False)
    qInstallMessageHandler(quiet_qt)
    with tempfile.TemporaryDirectory(prefix="bench-bulk-") as tmp:
        t0 = time.perf_counter()
        people = max(args.records + EXTRA_PEOPLE, 1200)
        result: list[str] = []
        with sandbox_process(str(Path(tmp) / "sandbox.sqlite3"), people) as target:
            ready_s = time.perf_counter() - t0
            say(f"sandbox ready in {ready_s:.1f} s: {people:,} people, {LATENCY_MS} ms latency, "
                f"{RATE_LIMIT}/min and {BULK_RATE_LIMIT} bulk/s")  # fmt: skip
            bench = Bench(target, Path(tmp) / "home", args.records)
            try:
                result.append(run_on_qt_loop(app, bench.run))
            finally:
                bench.close()
    print(result[0])
    return 0


if __name__ == "__main__":
    sys.exit(main())
