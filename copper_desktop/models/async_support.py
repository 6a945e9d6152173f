"""Keeping asyncio tasks alive and cancellable from Qt objects.

asyncio holds only weak references to tasks, so a task started from a Qt slot and not stored
anywhere can be garbage-collected mid-flight. Models own a `TaskKeeper` instead: it keeps a
strong reference until the task ends and cancels whatever is left on shutdown.

Work too long for the loop thread (a preview of thousands of records, planning an import,
writing an export) goes to the app's executor through :func:`off_loop`.
"""

from __future__ import annotations

import asyncio
import importlib
import threading
from collections.abc import Callable, Coroutine
from concurrent.futures import Executor
from types import ModuleType
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


async def import_off_loop(name: str) -> ModuleType:
    """Import a module in a short-lived thread and await it.

    A feature's first import can cost a tenth of a second of module code; on the loop thread
    that is a frozen window, while in a thread the interpreter switches back to the loop every
    few milliseconds. A plain thread, not an executor: nothing outlives the import.
    """
    loop = asyncio.get_running_loop()
    future: asyncio.Future[ModuleType] = loop.create_future()

    def settle(module: ModuleType | None, error: BaseException | None) -> None:
        if future.done():
            return  # the awaiting task was cancelled meanwhile
        if error is not None:
            future.set_exception(error)
        else:
            assert module is not None
            future.set_result(module)

    def work() -> None:
        try:
            module = importlib.import_module(name)
        except BaseException as error:  # handed to the awaiting task, not lost in the thread
            loop.call_soon_threadsafe(settle, None, error)
        else:
            loop.call_soon_threadsafe(settle, module, None)

    threading.Thread(target=work, name=f"import {name}", daemon=True).start()
    return await future


async def off_loop(executor: Executor | None, func: Callable[..., T], *args: Any) -> T:
    """``func(*args)`` in ``executor`` (inline without one), so the window keeps painting.
    If the awaiting task is cancelled, this still waits for the call to end: nothing the call
    uses (a file being written, a model's state) is let go while it runs."""
    if executor is None:
        return func(*args)
    future = asyncio.get_running_loop().run_in_executor(executor, func, *args)
    try:
        return await asyncio.shield(future)
    except asyncio.CancelledError:
        await asyncio.wait([future])
        raise
