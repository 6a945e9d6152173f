"""API clients of the admin user on the session sandbox, with retries scaled down for tests.

Fixtures: ``anyio_backend`` (asyncio, for ``pytest.mark.anyio`` tests), ``make_client``, and
``client``: a client for sync Qt tests on the shared qasync loop (the job tests, which run on
anyio, override it in tests/jobs/conftest.py with an async one).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from copper_desktop.api import Backoff, CopperClient, RateLimits, RetryPolicy
from copper_desktop.sandbox.server import SandboxServer

FAST_RETRY = RetryPolicy(
    rate_limited=Backoff(base_s=0.05, cap_s=0.5, max_retries=8),
    transient=Backoff(base_s=0.02, cap_s=0.2, max_retries=4),
    settle_s=0.0,
    outcome_wait_s=2.0,
)
"""Real backoff shapes, scaled down so fault tests take milliseconds."""
UNLIMITED = RateLimits(per_window=100_000, window_s=60.0, bulk_per_window=1000, bulk_window_s=1.0)

MakeClient = Callable[..., CopperClient]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def make_client(sandbox: SandboxServer, admin: dict[str, Any]) -> MakeClient:
    """``make_client(**overrides)``: a client of the admin user against the session sandbox."""

    def make(**kw: Any) -> CopperClient:
        kw.setdefault("retry", FAST_RETRY)
        kw.setdefault("limits", UNLIMITED)
        kw.setdefault("base_url", sandbox.base_url)
        return CopperClient(admin["email"], admin["token"], **kw)

    return make


@pytest.fixture
def client(
    make_client: MakeClient, running_loop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> Iterator[CopperClient]:
    """A client for sync tests on the qasync loop; closed on that loop after the test."""
    made = make_client()
    yield made
    task = running_loop.create_task(made.aclose())
    qtbot.waitUntil(task.done)
