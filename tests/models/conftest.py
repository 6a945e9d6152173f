"""Model-test fixtures: the qasync loop the models run on, and a guard against stray tasks.

One `qasync.QEventLoop(qapp, already_running=True)` serves the whole session (never stopped:
`loop.stop()` would quit the QApplication for every later test). It is marked as the running
loop only while a test of this package runs, so tests elsewhere that start their own loop with
`asyncio.run` (anyio, for instance) are not told a loop is already running.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
import qasync
from PySide6.QtWidgets import QApplication

from tests.models.tasks import settle_leftover_tasks


@pytest.fixture(scope="session")
def qasync_loop(qapp: QApplication) -> asyncio.AbstractEventLoop:
    previous = asyncio.events._get_running_loop()
    loop: asyncio.AbstractEventLoop = qasync.QEventLoop(qapp, already_running=True)
    asyncio.events._set_running_loop(previous)
    return loop


@pytest.fixture(autouse=True)
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
