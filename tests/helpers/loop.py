"""The qasync loop the models and widgets run on, the guard against stray tasks, and ``run``.

One ``qasync.QEventLoop(qapp, already_running=True)`` serves the whole session (never stopped:
``loop.stop()`` would quit the QApplication for every later test). It is marked as the running
loop only while a test that requests ``running_loop`` runs (autouse in tests/models, tests/ui
and tests/e2e), so tests elsewhere that start their own loop with ``asyncio.run`` (anyio, for
instance) are not told a loop is already running.

Fixtures: ``qasync_loop``, ``running_loop``, ``run``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterator, Set
from typing import Any

import pytest
import qasync
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

SETTLE_ROUNDS = 100

Run = Callable[..., Any]
"""``run(coro, timeout=...)``: the ``run`` fixture's type."""


def pending_tasks(
    loop: asyncio.AbstractEventLoop, ignore: Set[asyncio.Task[Any]] = frozenset()
) -> set[asyncio.Task[Any]]:
    return {t for t in asyncio.all_tasks(loop) if not t.done() and t not in ignore}


def settle_leftover_tasks(
    loop: asyncio.AbstractEventLoop,
    app: QCoreApplication,
    ignore: Set[asyncio.Task[Any]] = frozenset(),
) -> set[asyncio.Task[Any]]:
    """Return the tasks still running that nobody was cancelling, after cancelling them too.

    Tasks already cancelled (by a model's close(), say) are given a few loop turns to end:
    that is a clean shutdown, not a leak.
    """
    for _ in range(SETTLE_ROUNDS):
        if not any(t.cancelling() for t in pending_tasks(loop, ignore)):
            break
        app.processEvents()
    leftovers = pending_tasks(loop, ignore)
    for task in leftovers:
        task.cancel()
    for _ in range(SETTLE_ROUNDS):
        if not pending_tasks(loop, ignore):
            break
        app.processEvents()
    return leftovers


def drain(qtbot: QtBot, loop: asyncio.AbstractEventLoop, turns: int = 2) -> None:
    """Let callbacks already scheduled on the loop run (they run in order), without waiting
    on the clock."""
    for _ in range(turns):
        done: list[bool] = []
        loop.call_soon(done.append, True)
        qtbot.waitUntil(lambda done=done: bool(done))  # type: ignore[misc]


@pytest.fixture(scope="session")
def qasync_loop(qapp: QApplication) -> asyncio.AbstractEventLoop:
    previous = asyncio.events._get_running_loop()
    loop: asyncio.AbstractEventLoop = qasync.QEventLoop(qapp, already_running=True)
    asyncio.events._set_running_loop(previous)
    return loop


@pytest.fixture
def running_loop(
    qasync_loop: asyncio.AbstractEventLoop, qapp: QApplication
) -> Iterator[asyncio.AbstractEventLoop]:
    """Make the qasync loop the running one for this test, and fail the test if it leaves
    asyncio tasks running (they are cancelled first, so the next test starts clean)."""
    previous = asyncio.events._get_running_loop()
    asyncio.events._set_running_loop(qasync_loop)
    before = asyncio.all_tasks(qasync_loop)
    try:
        yield qasync_loop
        leftovers = settle_leftover_tasks(qasync_loop, qapp, ignore=before)
    finally:
        asyncio.events._set_running_loop(previous)
    if leftovers:
        names = ", ".join(sorted(task.get_name() for task in leftovers))
        pytest.fail(f"test left {len(leftovers)} asyncio task(s) running: {names}")


@pytest.fixture
def run(qtbot: QtBot, running_loop: asyncio.AbstractEventLoop) -> Run:
    """``run(coro, timeout=15_000)``: await a coroutine on the qasync loop from a sync test
    (spinning Qt until it ends) and return its result."""

    def run_coro(coro: Coroutine[Any, Any, Any], timeout: int = 15_000) -> Any:
        task = running_loop.create_task(coro)
        qtbot.waitUntil(task.done, timeout=timeout)
        return task.result()

    return run_coro
