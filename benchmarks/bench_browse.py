"""How the people browser copes with 100,000 records behind a 50 ms network.

Seeds a sandbox with 100,000 people in a file database under a temporary folder (about 25 s;
``--db PATH`` keeps and reuses one), answers every API request after 50 ms, rate limits off.
Then the real main window (offscreen) browses people through a real CopperClient and measures:

* time to first rows: from the window's ``start()`` (which asks for the first page alongside
  the account, the user and the lookups) to the first rows painted (``rows_shown``);
* time and search requests to show the last rows after jumping to the end;
* every gap between beats of a 5 ms QTimer while loading and while scrolling through 5,000 rows
  one screen at a time: the longest (how long the UI ever froze) and the 99th percentile;
* RSS after scrolling through 50,000 rows against RSS after the first page.

The sandbox serves from its own process (``copper-sandbox``), so its JSON work does not compete
with the app for the GIL and every stall measured is the app's (``--in-process`` to compare).

Last line: ``jump_requests=<n> max_stall_ms=<x> p99_stall_ms=<p> first_rows_ms=<f>
rss_growth_mb=<y>`` (aims: ≤ 2, ≤ 50, ≤ 17, ≤ 400, ≤ 150).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")

import httpx
import psutil  # type: ignore[import-untyped]
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from sandbox_process import Target, run_on_qt_loop
from sandbox_process import sandbox_process as serve_in_process

import copper_desktop.app  # noqa: F401  (its import-time set-up, as in the app)
from copper_desktop.api import CopperClient, RateLimits
from copper_desktop.config import AppPaths
from copper_desktop.models.paged import RecordRole
from copper_desktop.models.quiet_collector import QuietCollector, freeze_startup_heap
from copper_desktop.sandbox.server import SandboxServer
from copper_desktop.sandbox.settings import (
    SandboxConfig,
)
from copper_desktop.session import Session
from copper_desktop.ui.browse.browser import EntityBrowser
from copper_desktop.ui.main_window import MainWindow

PEOPLE = 100_000
LATENCY_MS = 50
STALL_ROWS = 5_000
RSS_ROWS = 50_000
UNLIMITED = RateLimits(per_window=1_000_000, window_s=60.0, bulk_per_window=1000, bulk_window_s=1)
SEARCH_ROUTE = "POST /people/search"


class Heartbeat:
    """A 5 ms timer that records every gap between its beats: the longest gap is the longest
    the UI froze, and the 99th percentile says how often it came close.

    Each gap's CPU time of the UI thread is kept too: on a busy machine a long gap with little
    CPU time was the scheduler's doing (another process had the core), not the app's work."""

    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setInterval(5)
        self.timer.timeout.connect(self._beat)
        self.last = self.last_cpu = 0.0
        self.first = 0
        self.gaps_ms: list[float] = []
        """Every gap of every run (start() to stop()), in milliseconds."""
        self.busy_ms: list[float] = []
        """The UI thread's CPU time during each gap, in milliseconds."""

    def _beat(self) -> None:
        now, cpu = time.perf_counter(), time.thread_time()
        self.gaps_ms.append((now - self.last) * 1000)
        self.busy_ms.append((cpu - self.last_cpu) * 1000)
        self.last, self.last_cpu = now, cpu

    def start(self) -> None:
        self.last, self.last_cpu = time.perf_counter(), time.thread_time()
        self.first = len(self.gaps_ms)
        self.timer.start()

    def stop(self) -> float:
        """Ends a run; returns its longest gap (ms)."""
        self.timer.stop()
        self._beat()
        return max(self.gaps_ms[self.first :])

    def percentile(self, share: float, *, busy: bool = False) -> float:
        """The gap (ms) that `share` of all recorded gaps do not exceed (nearest rank); with
        `busy`, the same of the UI thread's CPU time per gap."""
        ordered = sorted(self.busy_ms if busy else self.gaps_ms)
        return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def rss_mb() -> float:
    return float(psutil.Process().memory_info().rss) / 2**20


async def until(check: Callable[[], bool], limit_s: float = 120.0) -> None:
    deadline = time.monotonic() + limit_s
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError("the browser did not show the rows in time")
        await asyncio.sleep(0.002)


def shown_rows_loaded(browser: EntityBrowser) -> bool:
    first, last = browser.visible_rows()
    if first < 0:
        return False
    model = browser.model
    return all(model.index(r, 0).data(RecordRole) is not None for r in (first, last))


@contextlib.contextmanager
def sandbox_process(db: str, people: int) -> Iterator[Target]:
    """Seeds (if empty) and serves in a child process, rate limits off, 50 ms latency."""
    flags = ("--seed", str(people), "--rate-limit", "0", "--bulk-rate-limit", "0")
    with serve_in_process(db, *flags, "--latency-ms", str(LATENCY_MS)) as target:
        yield target


@contextlib.contextmanager
def sandbox_thread(db: str, people: int) -> Iterator[Target]:
    config = SandboxConfig(
        port=0, db=db, seed=people, rate_limit=0, bulk_rate_limit=0, latency_ms=LATENCY_MS
    )
    server = SandboxServer(config).start()
    try:
        user = server.users[0]
        yield Target(server.base_url, server.control_url, user["email"], user["token"])
    finally:
        server.stop()


class Bench:
    def __init__(self, server: Target) -> None:
        self.server = server
        self.control = httpx.Client(base_url=server.control_url, timeout=60)

    def searches(self) -> int:
        stats = self.control.get("/stats").json()
        return int(stats["routes"].get(SEARCH_ROUTE, 0))

    async def scroll_through(self, browser: EntityBrowser, rows: int, step: int) -> None:
        bar = browser.table.verticalScrollBar()
        bar.setValue(0)
        target = bar.value() + rows
        while bar.value() < min(target, bar.maximum()):
            bar.setValue(min(bar.value() + step, bar.maximum()))
            await until(lambda: shown_rows_loaded(browser))

    async def run(self, home: Path) -> str:
        client = CopperClient(
            self.server.email, self.server.token, base_url=self.server.base_url, limits=UNLIMITED
        )
        session = Session(AppPaths.resolve(home), client, {}, sandbox_url=self.server.base_url)
        window = MainWindow(session)
        window.resize(1100, 700)
        window.show()
        collector = QuietCollector()  # as the app runs it
        collector.watch(client)
        beat = Heartbeat()
        shown = asyncio.Event()
        window.rows_shown.connect(shown.set)
        try:
            beat.start()
            t0 = time.perf_counter()
            start = asyncio.ensure_future(window.start())
            await asyncio.wait_for(shown.wait(), 120)
            first_rows_s = time.perf_counter() - t0
            await start  # account, user, lookups: names fill in
            started_s = time.perf_counter() - t0
            freeze_startup_heap()  # as the app does once its window has started
            collector.start()
            browser = window.browser("people")
            assert browser is not None and shown_rows_loaded(browser)
            load_stall = beat.stop()
            rss_first = rss_mb()
            total = browser.model.rowCount()
            print(f"rows: {total:,}")
            print(
                f"time to first rows painted: {first_rows_s * 1000:.0f} ms "
                f"(start done, names in: {started_s * 1000:.0f} ms)"
            )
            print(f"longest UI stall while loading: {load_stall:.1f} ms")

            before = self.searches()
            t0 = time.perf_counter()
            browser.table.scrollToBottom()
            await until(
                lambda: shown_rows_loaded(browser) and browser.visible_rows()[1] == total - 1
            )
            jump_s = time.perf_counter() - t0
            await asyncio.sleep(0.3)  # let any stray fetch show up in the count
            jump_requests = self.searches() - before
            print(f"jump to the end: {jump_s * 1000:.0f} ms, {jump_requests} search request(s)")

            page = browser.table.verticalScrollBar().pageStep()
            beat.start()
            await self.scroll_through(browser, STALL_ROWS, page)
            scroll_stall = beat.stop()
            print(
                f"longest UI stall scrolling {STALL_ROWS:,} rows a screen at a time: "
                f"{scroll_stall:.1f} ms"
            )

            t0 = time.perf_counter()
            await self.scroll_through(browser, RSS_ROWS, 200)
            rss_last = rss_mb()
            print(f"scrolled {RSS_ROWS:,} rows in {time.perf_counter() - t0:.1f} s")
            print(
                f"RSS after the first page {rss_first:.0f} MB, after {RSS_ROWS:,} rows "
                f"{rss_last:.0f} MB"
            )
            stall = max(load_stall, scroll_stall)
            p99 = beat.percentile(0.99)
            gaps = beat.gaps_ms
            print(
                f"UI stalls over {len(gaps):,} beats: p50 {beat.percentile(0.5):.1f} ms, "
                f"p90 {beat.percentile(0.9):.1f} ms, p99 {p99:.1f} ms, max {stall:.1f} ms; "
                f"{sum(g > 17 for g in gaps)} over 17 ms, {sum(g > 50 for g in gaps)} over 50 ms"
            )
            print(
                f"UI thread's own CPU time per gap: p99 {beat.percentile(0.99, busy=True):.1f} ms, "
                f"max {max(beat.busy_ms):.1f} ms (gaps beyond it: other processes had the CPU); "
                f"{sum(b > 17 for b in beat.busy_ms)} gaps with over 17 ms of it"
            )
            return (
                f"jump_requests={jump_requests} max_stall_ms={stall:.1f} p99_stall_ms={p99:.1f} "
                f"first_rows_ms={first_rows_s * 1000:.0f} rss_growth_mb={rss_last - rss_first:.1f}"
            )
        finally:
            print(f"full garbage collections (in quiet moments): {collector.collections}")
            collector.close()
            await window.aclose()
            window.close()
            await client.aclose()
            self.control.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--db", help="sandbox database to keep and reuse (seeded if empty)")
    parser.add_argument("--people", type=int, default=PEOPLE)
    parser.add_argument(
        "--in-process", action="store_true", help="serve from a thread of this process"
    )
    args = parser.parse_args(argv)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(False)  # closing the window must not stop the loop
    with tempfile.TemporaryDirectory(prefix="bench-browse-") as tmp:
        db = args.db or str(Path(tmp) / "sandbox.sqlite3")
        t0 = time.perf_counter()
        serve = sandbox_thread if args.in_process else sandbox_process
        result: list[str] = []
        with serve(db, args.people) as target:
            print(f"sandbox ready in {time.perf_counter() - t0:.1f} s ({LATENCY_MS} ms latency)")
            result.append(run_on_qt_loop(app, lambda: Bench(target).run(Path(tmp) / "home")))
    print(result[0])
    return 0


if __name__ == "__main__":
    sys.exit(main())
