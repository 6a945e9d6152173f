"""TaskKeeper: tasks survive garbage collection, and can all be cancelled; work off the loop
thread is awaited, and a cancelled wait still lets the work end first."""

from __future__ import annotations

import asyncio
import gc
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from copper_desktop.models.async_support import TaskKeeper, import_off_loop, off_loop


async def wait_for(event: asyncio.Event) -> str:
    await event.wait()
    return "done"


def test_spawned_tasks_are_kept_until_they_finish(qtbot: QtBot) -> None:
    keeper = TaskKeeper()
    event = asyncio.Event()
    task = keeper.spawn(wait_for(event), name="kept")
    task_id = id(task)
    del task
    gc.collect()
    assert [id(t) for t in keeper.pending] == [task_id]
    assert len(keeper) == 1

    event.set()
    qtbot.waitUntil(lambda: len(keeper) == 0)


def test_cancel_all_ends_every_task(qtbot: QtBot) -> None:
    keeper = TaskKeeper()
    event = asyncio.Event()
    tasks = [keeper.spawn(wait_for(event)) for _ in range(3)]
    keeper.cancel_all()
    qtbot.waitUntil(lambda: all(t.done() for t in tasks))
    assert all(t.cancelled() for t in tasks)
    assert len(keeper) == 0


def test_aclose_waits_until_the_tasks_have_ended(qtbot: QtBot) -> None:
    keeper = TaskKeeper()
    tasks = [keeper.spawn(wait_for(asyncio.Event())) for _ in range(2)]
    closing = asyncio.get_running_loop().create_task(keeper.aclose())
    qtbot.waitUntil(closing.done)
    assert closing.exception() is None
    assert all(t.cancelled() for t in tasks)


def test_explicit_loop_is_used(qtbot: QtBot, running_loop: asyncio.AbstractEventLoop) -> None:
    keeper = TaskKeeper(running_loop)
    assert keeper.loop is running_loop
    task = keeper.spawn(wait_for(asyncio.Event()))
    assert task.get_loop() is running_loop
    keeper.cancel_all()
    qtbot.waitUntil(task.done)


@pytest.fixture
def reported(running_loop: asyncio.AbstractEventLoop) -> Iterator[list[dict[str, Any]]]:
    """What reaches the loop's exception handler during the test."""
    contexts: list[dict[str, Any]] = []
    previous = running_loop.get_exception_handler()
    running_loop.set_exception_handler(lambda _loop, context: contexts.append(context))
    yield contexts
    running_loop.set_exception_handler(previous)


def test_an_unhandled_exception_is_reported_not_lost(
    qtbot: QtBot, reported: list[dict[str, Any]]
) -> None:
    async def broken() -> None:
        raise ValueError("bug")

    keeper = TaskKeeper()
    keeper.spawn(broken(), name="broken")
    qtbot.waitUntil(lambda: bool(reported))
    assert isinstance(reported[0]["exception"], ValueError)
    assert reported[0]["task"].get_name() == "broken"


def test_cancelled_and_successful_tasks_are_not_reported(
    qtbot: QtBot, reported: list[dict[str, Any]]
) -> None:
    keeper = TaskKeeper()
    event = asyncio.Event()
    done = keeper.spawn(wait_for(event))
    cancelled = keeper.spawn(wait_for(asyncio.Event()))
    cancelled.cancel()
    event.set()
    qtbot.waitUntil(lambda: done.done() and cancelled.done())
    assert done.result() == "done"
    assert reported == []


def test_import_off_loop_imports_in_another_thread(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "preloaded_probe.py").write_text(
        "import threading\nIMPORTED_ON = threading.get_ident()\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    keeper = TaskKeeper()
    task = keeper.spawn(import_off_loop("preloaded_probe"))
    qtbot.waitUntil(task.done)
    module = task.result()
    assert threading.get_ident() != module.IMPORTED_ON
    sys.modules.pop("preloaded_probe", None)


def test_import_off_loop_hands_the_error_to_the_caller(qtbot: QtBot) -> None:
    keeper = TaskKeeper()

    async def attempt() -> str:
        try:
            await import_off_loop("no_such_module_anywhere")
        except ImportError:
            return "refused"
        return "imported"

    task = keeper.spawn(attempt())
    qtbot.waitUntil(task.done)
    assert task.result() == "refused"


def test_off_loop_runs_in_the_executor_and_a_cancelled_wait_lets_the_call_end(
    qtbot: QtBot,
) -> None:
    """Cancelling the task that awaits a call (closing a dialog) does not let go of what the
    call uses while it runs: the task ends only after the call has."""
    keeper = TaskKeeper()
    started, release = threading.Event(), threading.Event()
    ended: list[int] = []

    def work() -> int:
        started.set()
        release.wait(5)
        ended.append(threading.get_ident())
        return 1

    with ThreadPoolExecutor(1) as executor:
        task = keeper.spawn(off_loop(executor, work))
        qtbot.waitUntil(started.is_set)
        task.cancel()
        for _ in range(3):  # give the loop turns: the cancelled task must still be waiting
            qtbot.wait(1)
        assert not task.done() and ended == []
        release.set()
        qtbot.waitUntil(task.done)
        assert task.cancelled() and ended and ended[0] != threading.get_ident()
