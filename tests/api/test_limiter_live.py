"""The limiter's counting rule against the live sandbox with Copper's limits and 50 ms latency:
bulk calls are counted from before their answers (so they go faster than one window after
each answer allows) and the sandbox's own limiter never answers 429."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from copper_desktop.api import RateLimits, RetryPolicy
from copper_desktop.api.limiter import Permit, SlidingWindowLimiter
from copper_desktop.api.secret import Credentials
from copper_desktop.api.transport import Timeouts, Transport
from copper_desktop.sandbox.server import SandboxServer
from tests.helpers.sandbox import SandboxControl

pytestmark = pytest.mark.anyio
CALLS = 15
LATENCY_S = 0.05


class RecordingLimiter(SlidingWindowLimiter):
    """The real limiter, keeping every permit it grants so the test can read their times."""

    def __init__(self, limit: int, window_s: float) -> None:
        super().__init__(limit, window_s)
        self.granted: list[Permit] = []

    async def acquire(self) -> Permit:
        permit = await super().acquire()
        self.granted.append(permit)
        return permit


async def test_bulk_calls_counted_before_their_answers_meet_no_429(
    sandbox: SandboxServer, control: SandboxControl, admin: dict[str, Any]
) -> None:
    control.settings(rate_limit=180, rate_window_s=60.0, bulk_rate_limit=3)
    control.add_fault("latency", ms=int(LATENCY_S * 1000))
    limits = RateLimits()  # the app's: 170 a minute, 3 bulk calls a second
    transport = Transport(
        sandbox.base_url,
        Credentials.of(admin["email"], admin["token"]),
        limits=limits,
        retry=RetryPolicy(),
        timeouts=Timeouts(),
        max_connections=10,
    )
    bulk = RecordingLimiter(limits.bulk_per_window, limits.bulk_window_s)
    transport.bulk_limiter = bulk
    try:
        page = await transport.call(
            "POST", "people/search", body={"page_size": CALLS * 10}, expect=list
        )
        ids = [r["id"] for r in page.data]
        assert len(ids) == CALLS * 10
        slots = asyncio.Semaphore(4)  # as a bulk-edit job sends them

        async def one(k: int) -> None:
            items = [{"id": i, "title": f"Paced {k}"} for i in ids[k * 10 : (k + 1) * 10]]
            async with slots:
                await transport.call("POST", "people/bulk_update", body={"people": items},
                                     bulk=True, expect=list)  # fmt: skip

        await asyncio.gather(*(one(k) for k in range(CALLS)))
    finally:
        await transport.aclose()

    stats = control.stats()
    assert stats["statuses"].get("429", 0) == 0
    assert stats["routes"]["POST /people/bulk_update"] == CALLS
    # Every round trip took the 50 ms latency at least, so once the limiter trusted its round
    # trips (MIN_SAMPLES answers) each call was counted at least 25 ms before its answer (the
    # next call could leave that much sooner), never before it was sent.
    fastest = bulk.fastest_round_trip
    assert fastest is not None and fastest >= LATENCY_S
    permits = bulk.granted
    assert len(permits) == CALLS
    answered = sorted(permits, key=lambda p: p.finished_at or 0.0)
    for k, p in enumerate(answered):
        assert p.finished_at is not None and p.sent
        if k + 1 < bulk.MIN_SAMPLES:
            assert p.stamp == p.finished_at
        else:
            assert p.sent_at <= p.stamp <= p.finished_at - LATENCY_S / 2
    # And the window held: when each call left, fewer than 3 earlier ones still counted.
    for k, q in enumerate(permits):
        counting = [p for p in permits[:k] if p.stamp > q.sent_at - limits.bulk_window_s]
        assert len(counting) < limits.bulk_per_window
