"""The run helper (models/actions.py) on a fake at the API seam: success, typed failure,
unexpected failure, cancellation with its owner, tasks kept alive, replaced actions."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from copper_desktop.api.errors import NotFoundError, ServerError
from copper_desktop.models.actions import ActionRunner, Failure, finished


@dataclass
class FakeApi:
    """Stands in for the client: each call waits for `gate` (when set) and then returns
    `answer` or raises `error`; it records calls, and cancellations it saw."""

    answer: Any = "answer"
    error: BaseException | None = None
    gate: asyncio.Event | None = None
    calls: int = 0
    cancelled: int = 0
    results: list[Any] = field(default_factory=list)

    async def fetch(self) -> Any:
        self.calls += 1
        try:
            if self.gate is not None:
                await self.gate.wait()
        except asyncio.CancelledError:
            self.cancelled += 1
            raise
        if self.error is not None:
            raise self.error
        return self.answer


@dataclass
class Seen:
    """What the callbacks saw."""

    successes: list[Any] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    signalled: list[Failure] = field(default_factory=list)
    done: int = 0

    def kwargs(self) -> dict[str, Any]:
        return {
            "success": self.successes.append,
            "failure": self.failures.append,
            "done": self.finish,
        }

    def finish(self) -> None:
        self.done += 1


@pytest.fixture
def reported(running_loop: asyncio.AbstractEventLoop) -> Iterator[list[dict[str, Any]]]:
    """What reaches the loop's exception handler (the app's ErrorNotifier in production)."""
    contexts: list[dict[str, Any]] = []
    previous = running_loop.get_exception_handler()
    running_loop.set_exception_handler(lambda _loop, context: contexts.append(context))
    yield contexts
    running_loop.set_exception_handler(previous)


@pytest.fixture
def owner() -> Iterator[QObject]:
    obj = QObject()
    obj.setObjectName("owner")
    yield obj
    if shiboken6.isValid(obj):
        shiboken6.delete(obj)


def runner_for(owner: QObject, seen: Seen) -> ActionRunner:
    runner = ActionRunner(owner)
    runner.failed.connect(seen.signalled.append)
    return runner


def test_success_calls_success_then_done(
    qtbot: QtBot, owner: QObject, reported: list[dict[str, Any]]
) -> None:
    api, seen = FakeApi(answer={"id": 7}), Seen()
    task = runner_for(owner, seen).run(api.fetch(), what="Could not load", **seen.kwargs())
    qtbot.waitUntil(task.done)
    assert seen.successes == [{"id": 7}] and seen.done == 1
    assert seen.failures == [] and seen.signalled == [] and reported == []


def test_a_typed_failure_becomes_a_user_message(
    qtbot: QtBot, owner: QObject, reported: list[dict[str, Any]]
) -> None:
    api, seen = FakeApi(error=ServerError("Copper server error (503).", status=503)), Seen()
    task = runner_for(owner, seen).run(api.fetch(), what="Could not load", **seen.kwargs())
    qtbot.waitUntil(task.done)
    assert seen.successes == []
    [failure] = seen.failures
    assert failure.message == "Could not load: Copper server error (503)."
    assert failure.reason == "Copper server error (503)."
    assert failure.retryable and isinstance(failure.error, ServerError)
    assert seen.signalled == [failure]  # observers (a banner, the status bar) hear it too
    assert seen.done == 1
    assert reported == []  # an expected failure is no crash
    assert task.exception() is None


def test_a_not_retryable_failure_says_so(qtbot: QtBot, owner: QObject) -> None:
    api, seen = FakeApi(error=NotFoundError()), Seen()
    task = runner_for(owner, seen).run(api.fetch(), **seen.kwargs())
    qtbot.waitUntil(task.done)
    [failure] = seen.failures
    assert not failure.retryable
    assert failure.message == NotFoundError.default_message  # no prefix without `what`


def test_an_unexpected_exception_goes_to_the_crash_path(
    qtbot: QtBot, owner: QObject, reported: list[dict[str, Any]]
) -> None:
    api, seen = FakeApi(error=KeyError("bug")), Seen()
    task = runner_for(owner, seen).run(api.fetch(), name="buggy", **seen.kwargs())
    qtbot.waitUntil(lambda: bool(reported))
    [context] = reported
    assert isinstance(context["exception"], KeyError)
    assert context["task"] is task and task.get_name() == "buggy"
    assert seen.failures == [] and seen.signalled == []  # not shown as a user error
    assert seen.successes == []
    assert seen.done == 1  # the busy state is still left


def test_expected_can_name_more_types(qtbot: QtBot, owner: QObject) -> None:
    api, seen = FakeApi(error=OSError("disk full")), Seen()
    task = runner_for(owner, seen).run(
        api.fetch(), expected=(OSError,), what="Not saved", **seen.kwargs()
    )
    qtbot.waitUntil(task.done)
    assert [f.message for f in seen.failures] == ["Not saved: disk full"]


def test_the_task_is_kept_alive(qtbot: QtBot, owner: QObject) -> None:
    api, seen = FakeApi(gate=asyncio.Event()), Seen()
    runner = runner_for(owner, seen)
    task_id = id(runner.run(api.fetch(), **seen.kwargs()))
    gc.collect()
    assert [id(t) for t in runner.pending] == [task_id]
    qtbot.waitUntil(lambda: api.calls == 1)
    gc.collect()
    assert len(runner.pending) == 1
    assert api.gate is not None
    api.gate.set()
    qtbot.waitUntil(lambda: not runner.pending)
    assert seen.successes == ["answer"]


def test_destroying_the_owner_cancels_and_no_callback_runs(
    qtbot: QtBot, reported: list[dict[str, Any]]
) -> None:
    owner = QWidget()
    api, seen = FakeApi(gate=asyncio.Event()), Seen()
    runner = runner_for(owner, seen)
    task = runner.run(api.fetch(), **seen.kwargs())
    qtbot.waitUntil(lambda: api.calls == 1)
    shiboken6.delete(owner)  # what deleteLater does on the next turn
    assert not runner.alive
    qtbot.waitUntil(task.done)
    assert task.cancelled() and api.cancelled == 1
    assert seen.successes == [] and seen.failures == [] and seen.done == 0
    assert seen.signalled == [] and reported == []


def test_an_answer_arriving_as_the_owner_dies_is_dropped(qtbot: QtBot) -> None:
    owner = QWidget()
    gate = asyncio.Event()
    api, seen = FakeApi(gate=gate), Seen()
    task = runner_for(owner, seen).run(api.fetch(), **seen.kwargs())
    qtbot.waitUntil(lambda: api.calls == 1)
    gate.set()  # the answer is in: the task would resume on the next turn...
    owner.deleteLater()  # ...but the widget goes first
    qtbot.waitUntil(task.done)
    assert seen.successes == [] and seen.done == 0


def test_running_for_a_dead_owner_starts_nothing(qtbot: QtBot) -> None:
    owner = QObject()
    api, seen = FakeApi(), Seen()
    runner = ActionRunner(owner)
    shiboken6.delete(owner)
    task = runner_for_dead(runner, api, seen)
    qtbot.waitUntil(task.done)
    assert task.cancelled() and api.calls == 0 and seen == Seen()


def runner_for_dead(runner: ActionRunner, api: FakeApi, seen: Seen) -> asyncio.Task[None]:
    # `runner` is a deleted C++ object now; its Python side still answers run().
    return runner.run(api.fetch(), **seen.kwargs())


def test_a_keyed_action_replaces_the_running_one(qtbot: QtBot, owner: QObject) -> None:
    first, second = FakeApi(answer=1, gate=asyncio.Event()), FakeApi(answer=2)
    seen = Seen()
    runner = runner_for(owner, seen)
    old = runner.run(first.fetch(), key="load", **seen.kwargs())
    qtbot.waitUntil(lambda: first.calls == 1)
    assert runner.running("load")
    new = runner.run(second.fetch(), key="load", **seen.kwargs())
    qtbot.waitUntil(lambda: old.done() and new.done())
    assert old.cancelled() and first.cancelled == 1
    assert seen.successes == [2]
    assert seen.done == 2  # the replaced one left its busy state too
    assert not runner.running("load")


def test_an_action_cancelled_before_it_started_leaves_no_warning(
    qtbot: QtBot, owner: QObject
) -> None:
    api, seen = FakeApi(), Seen()
    runner = runner_for(owner, seen)
    task = runner.run(api.fetch(), key="load", **seen.kwargs())
    runner.cancel("load")  # same turn: the call never started (and is closed, not leaked)
    qtbot.waitUntil(task.done)
    gc.collect()
    assert task.cancelled() and api.calls == 0 and seen == Seen()


def test_finished_waits_without_raising(
    qtbot: QtBot, owner: QObject, reported: list[dict[str, Any]], running_loop: Any
) -> None:
    seen = Seen()
    runner = runner_for(owner, seen)
    tasks = [
        runner.run(FakeApi(error=ServerError()).fetch(), **seen.kwargs()),
        runner.run(FakeApi(error=KeyError("bug")).fetch(), **seen.kwargs()),
        runner.run(FakeApi().fetch(), **seen.kwargs()),
    ]
    waiter = running_loop.create_task(finished(*tasks))
    qtbot.waitUntil(waiter.done)
    assert waiter.exception() is None
    assert seen.done == 3 and len(seen.failures) == 1 and seen.successes == ["answer"]
    assert len(reported) == 1


def test_aclose_cancels_every_action(qtbot: QtBot, owner: QObject, running_loop: Any) -> None:
    api = FakeApi(gate=asyncio.Event())
    runner = ActionRunner(owner)
    tasks = [runner.run(api.fetch()) for _ in range(3)]
    closing = running_loop.create_task(runner.aclose())
    qtbot.waitUntil(closing.done)
    assert all(t.cancelled() for t in tasks) and not runner.pending
