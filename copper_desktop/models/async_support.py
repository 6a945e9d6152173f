"""Keeping asyncio tasks alive and cancellable from Qt objects.

asyncio holds only weak references to tasks, so a task started from a Qt slot and not stored
anywhere can be garbage-collected mid-flight. Models own a `TaskKeeper` instead: it keeps a
strong reference until the task ends and cancels whatever is left on shutdown.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


class TaskKeeper:
    """Owns the tasks an object starts, so none is lost and all can be cancelled at once."""

    def __init__(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        self._loop = loop
        self._tasks: set[asyncio.Task[Any]] = set()

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """The loop given at construction, else the running one (the qasync loop in the app)."""
        return self._loop if self._loop is not None else asyncio.get_running_loop()

    def spawn(self, coro: Coroutine[Any, Any, T], *, name: str | None = None) -> asyncio.Task[T]:
        """Start `coro` as a task and hold it until it finishes."""
        task = self.loop.create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._finished)
        return task

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:
            # Coroutines handed to spawn() handle their own errors; anything reaching here is a
            # bug and must not vanish silently.
            task.get_loop().call_exception_handler(
                {"message": "unhandled exception in a kept task", "exception": exc, "task": task}
            )

    @property
    def pending(self) -> frozenset[asyncio.Task[Any]]:
        """Tasks started here that have not finished yet."""
        return frozenset(self._tasks)

    def __len__(self) -> int:
        return len(self._tasks)

    def cancel_all(self) -> None:
        """Request cancellation of every pending task; they end on a later loop turn."""
        for task in list(self._tasks):
            task.cancel()

    async def aclose(self) -> None:
        """Cancel every pending task and wait until all of them have ended."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
