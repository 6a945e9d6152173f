"""The guard (tests/helpers/loop.py) that fails tests leaving asyncio tasks running."""

from __future__ import annotations

import asyncio

from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from tests.helpers.loop import pending_tasks, settle_leftover_tasks


async def forever() -> None:
    await asyncio.Event().wait()


def test_a_running_task_is_reported_and_cancelled(
    qapp: QApplication, running_loop: asyncio.AbstractEventLoop
) -> None:
    before = asyncio.all_tasks(running_loop)
    task = running_loop.create_task(forever(), name="leaked")
    assert settle_leftover_tasks(running_loop, qapp, ignore=before) == {task}
    assert task.cancelled()
    assert not pending_tasks(running_loop, before)


def test_a_task_being_cancelled_is_not_a_leak(
    qapp: QApplication, running_loop: asyncio.AbstractEventLoop
) -> None:
    before = asyncio.all_tasks(running_loop)
    task = running_loop.create_task(forever(), name="closing")
    task.cancel()
    assert settle_leftover_tasks(running_loop, qapp, ignore=before) == set()
    assert task.cancelled()


def test_finished_and_older_tasks_are_ignored(
    qtbot: QtBot, qapp: QApplication, running_loop: asyncio.AbstractEventLoop
) -> None:
    done = running_loop.create_task(asyncio.sleep(0))
    qtbot.waitUntil(done.done)
    older = running_loop.create_task(forever())
    try:
        assert settle_leftover_tasks(running_loop, qapp, ignore={older}) == set()
        assert not older.done()
    finally:
        older.cancel()
        qtbot.waitUntil(older.done)
