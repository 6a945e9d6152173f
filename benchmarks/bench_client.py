"""How fast the client updates 300 records: naive sequential PUTs vs concurrent PUTs vs bulk.

Starts its own in-process sandbox (free port, ``:memory:``, 50 ms latency per request) and
updates the same 300 people three ways. Prints records per second for each and, last,
``concurrent_vs_naive=<x> bulk_vs_naive=<y>``.

``--copper-limits`` runs at Copper's real limits (180 requests per rolling minute, 3 bulk
requests per second) with the client's default limiter, and prints, last,
``share_of_limit=<fraction>``: the most concurrent PUTs answered within any 60 s, over 180.
It takes about two and a half minutes, mostly waiting for the rolling window as Copper would.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from copper_desktop.api import CopperClient, RateLimits
from copper_desktop.sandbox.server import SandboxServer
from copper_desktop.sandbox.settings import SandboxConfig

RECORDS = 300
LATENCY_MS = 50
COPPER_LIMIT, COPPER_WINDOW_S = 180, 60.0


def busiest_window(stamps: list[float], window_s: float) -> int:
    """Most events within any ``window_s`` seconds."""
    stamps = sorted(stamps)
    best = lo = 0
    for hi, t in enumerate(stamps):
        while t - stamps[lo] >= window_s:
            lo += 1
        best = max(best, hi - lo + 1)
    return best


class Bench:
    def __init__(self, copper_limits: bool) -> None:
        self.copper_limits = copper_limits
        self.server = SandboxServer(
            SandboxConfig(
                port=0,
                db=":memory:",
                seed=RECORDS,
                rate_limit=COPPER_LIMIT if copper_limits else 0,
                rate_window_s=COPPER_WINDOW_S,
                bulk_rate_limit=3 if copper_limits else 0,
            )
        )

    def control(self, method: str, path: str, body: Any = None) -> Any:
        r = httpx.request(method, self.server.control_url + path, json=body, timeout=30)
        r.raise_for_status()
        return r.json()

    def fresh_window(self) -> None:
        """Each way starts with an empty rate window, as if run on its own."""
        self.control("POST", "/reset", {"data": False})
        self.control("POST", "/faults", {"kind": "latency", "ms": LATENCY_MS})

    def client(self) -> CopperClient:
        user = self.server.users[0]
        limits = (
            RateLimits()
            if self.copper_limits
            else RateLimits(per_window=10**6, window_s=60.0, bulk_per_window=10**4)
        )
        return CopperClient(
            user["email"], user["token"], base_url=self.server.base_url, limits=limits
        )

    async def timed(
        self, name: str, run: Callable[[CopperClient, list[int]], Awaitable[list[float]]]
    ) -> tuple[float, list[float]]:
        self.fresh_window()
        async with self.client() as c:
            ids = [p["id"] for p in await c.search_all("people")][:RECORDS]
            self.fresh_window()
            start = time.monotonic()
            stamps = await run(c, ids)
            elapsed = time.monotonic() - start
        stats = self.control("GET", "/stats")
        limited = stats["statuses"].get("429", 0)
        rate = RECORDS / elapsed
        print(f"{name:<18} {rate:8.1f} records/s  ({elapsed:6.2f} s, 429 answers: {limited})")
        return rate, stamps

    async def run(self) -> str:
        async def naive(c: CopperClient, ids: list[int]) -> list[float]:
            stamps = []
            for i, rid in enumerate(ids):
                await c.update("people", rid, {"title": f"naive {i}"})
                stamps.append(time.monotonic())
            return stamps

        async def concurrent(c: CopperClient, ids: list[int]) -> list[float]:
            stamps: list[float] = []

            async def one(i: int, rid: int) -> None:
                await c.update("people", rid, {"title": f"concurrent {i}"})
                stamps.append(time.monotonic())

            await asyncio.gather(*(one(i, rid) for i, rid in enumerate(ids)))
            return stamps

        async def bulk(c: CopperClient, ids: list[int]) -> list[float]:
            items = [{"id": rid, "title": f"bulk {i}"} for i, rid in enumerate(ids)]
            result = await c.bulk_update("people", items)
            if result.failed:
                raise SystemExit(f"bulk_update failed for {len(result.failed)} records")
            return [time.monotonic()]

        naive_rate, _ = await self.timed("naive PUT loop", naive)
        conc_rate, stamps = await self.timed("concurrent PUTs", concurrent)
        bulk_rate, _ = await self.timed("bulk_update", bulk)
        if self.copper_limits:
            share = busiest_window(stamps, COPPER_WINDOW_S) / COPPER_LIMIT
            return f"share_of_limit={share:.3f}"
        return (
            f"concurrent_vs_naive={conc_rate / naive_rate:.1f} "
            f"bulk_vs_naive={bulk_rate / naive_rate:.1f}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copper-limits", action="store_true", help="run at Copper's limits")
    args = parser.parse_args(argv)
    bench = Bench(args.copper_limits)
    bench.server.start()
    try:
        mode = "Copper's limits (180/min, 3/s bulk)" if args.copper_limits else "no rate limit"
        print(f"{RECORDS} people, {LATENCY_MS} ms latency per request, {mode}")
        last = asyncio.run(bench.run())
    finally:
        bench.server.stop()
    print(last)
    return 0


if __name__ == "__main__":
    sys.exit(main())
