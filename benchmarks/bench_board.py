"""How the pipeline board opens a pipeline of about 50,000 opportunities.

Seeds (or reuses, ``--db``) a sandbox of 334,000 people, which makes about 83,500
opportunities of which about 49,800 are in the Sales pipeline (seeding takes about two
minutes and a 1.2 GB file), serves it from its own process with ``--latency-ms`` on every
request and rate limits off, and opens the real main window's board page (offscreen) through
a real CopperClient. Measures:

* time to first cards (the first column's first page in its view) and to every column's
  first page, with the search requests made by then;
* the next page of a column when its view is scrolled to the end;
* how long the background walk takes to make every column's total exact, and its requests
  (``walk_pause`` 0 here; the app waits 0.5 s between walk pages to leave most of Copper's
  180 requests a minute to the user, so there it takes pages × 0.5 s at least);
* RSS before and after the walk (the walk keeps ids and amounts, not records).

Last line: ``first_cards_ms=<n> first_pages_ms=<n> first_requests=<n> walk_s=<x>
walk_requests=<n> rss_growth_mb=<y>``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")

import httpx
import psutil  # type: ignore[import-untyped]
from PySide6.QtWidgets import QApplication
from sandbox_process import Target, run_on_qt_loop, sandbox_process

import copper_desktop.app  # noqa: F401  (its import-time set-up, as in the app)
from copper_desktop.api import CopperClient, RateLimits
from copper_desktop.config import AppPaths
from copper_desktop.session import Session
from copper_desktop.ui.board.board_page import BoardPage
from copper_desktop.ui.main_window import MainWindow

PEOPLE = 334_000
SEARCH_ROUTE = "POST /opportunities/search"
UNLIMITED = RateLimits(per_window=1_000_000, window_s=60.0, bulk_per_window=1000, bulk_window_s=1.0)


async def until(done: Callable[[], bool], limit_s: float = 600) -> None:
    deadline = time.perf_counter() + limit_s
    while not done():
        if time.perf_counter() > deadline:
            raise TimeoutError
        await asyncio.sleep(0.002)


def rss_mb() -> float:
    return float(psutil.Process().memory_info().rss) / 2**20


async def bench(target: Target, home: Path) -> str:
    control = httpx.Client(base_url=target.control_url, timeout=60)

    def searches() -> int:
        return int(control.get("/stats").json()["routes"].get(SEARCH_ROUTE, 0))

    client = CopperClient(target.email, target.token, base_url=target.base_url, limits=UNLIMITED)
    window = MainWindow(Session(AppPaths.resolve(home), client, {}, sandbox_url=target.base_url))
    window.resize(1100, 700)
    window.show()
    try:
        await window.start()  # the first browser, account, lookups
        await asyncio.sleep(0.5)
        before = searches()
        t0 = time.perf_counter()
        page = window.show_page("board")
        assert isinstance(page, BoardPage)
        model = page.model
        model.walk_pause = 0.0
        await until(lambda: bool(model.columns) and model.columns[0].rowCount() > 0)
        first_cards_s = time.perf_counter() - t0
        await until(lambda: all(c.count is not None for c in model.columns) and not model.busy)
        first_pages_s = time.perf_counter() - t0
        first_requests = searches() - before
        counts = [c.count for c in model.columns]
        print(f"pipeline {page.pipeline_combo.currentText()}: {sum(c or 0 for c in counts):,} "
              f"opportunities, columns {counts}")  # fmt: skip
        print(f"first cards: {first_cards_s * 1000:.0f} ms; every column's first page: "
              f"{first_pages_s * 1000:.0f} ms, {first_requests} search requests")  # fmt: skip
        rss_first = rss_mb()

        view = page.views[0].cards
        t1 = time.perf_counter()
        view.verticalScrollBar().setValue(view.verticalScrollBar().maximum())
        await until(lambda: model.columns[0].rowCount() > model.page_size and not model.busy)
        print(f"next page of a scrolled column: {(time.perf_counter() - t1) * 1000:.0f} ms")

        t2 = time.perf_counter()
        walk_before = searches()
        await until(lambda: model.complete, limit_s=3600)
        walk_s = time.perf_counter() - t2
        walk_requests = searches() - walk_before
        rss_walk = rss_mb()
        totals = ", ".join(f"{c.name} {c.total_text()}" for c in model.columns)
        print(f"walk: {walk_s:.1f} s, {walk_requests} search requests; totals: {totals}")
        print(f"RSS after the first pages {rss_first:.0f} MB, after the walk {rss_walk:.0f} MB")
        return (
            f"first_cards_ms={first_cards_s * 1000:.0f} first_pages_ms={first_pages_s * 1000:.0f} "
            f"first_requests={first_requests} walk_s={walk_s:.1f} walk_requests={walk_requests} "
            f"rss_growth_mb={rss_walk - rss_first:.1f}"
        )
    finally:
        await window.aclose()
        window.close()
        await client.aclose()
        await asyncio.to_thread(control.close)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--db", help="sandbox database to keep and reuse (seeded if empty)")
    parser.add_argument("--people", type=int, default=PEOPLE)
    parser.add_argument("--latency-ms", type=int, default=50)
    args = parser.parse_args(argv)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(False)
    result: list[str] = []
    with tempfile.TemporaryDirectory(prefix="bench-board-") as tmp:
        db = args.db or str(Path(tmp) / "sandbox.sqlite3")
        flags = ["--seed", str(args.people), "--rate-limit", "0", "--latency-ms",
                 str(args.latency_ms)]  # fmt: skip
        t0 = time.perf_counter()
        with sandbox_process(db, *flags) as target:
            print(f"sandbox ready in {time.perf_counter() - t0:.1f} s ({args.latency_ms} ms)")
            result.append(run_on_qt_loop(app, lambda: bench(target, Path(tmp) / "home")))
    print(result[0])
    return 0


if __name__ == "__main__":
    sys.exit(main())
