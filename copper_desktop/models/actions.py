"""The one way the app runs "call the backend, then update the UI or report the error".

Shaped like Anki's ``QueryOp`` (``aqt/operations``): an owner, a call, a success callback and
an optional failure callback; the helper does the rest, the same way for every action:

- the coroutine runs on the qasync loop as a task the runner keeps (`TaskKeeper`), so it is
  never garbage-collected mid-flight;
- on success, ``success(result)`` runs;
- a typed failure (a `CopperError`, or another type the action names in ``expected``) becomes
  a `Failure` with a user-fit message: the action's ``failure`` callback gets it, then the
  runner's ``failed`` signal (observers connect a banner or a status bar to it);
- any other exception is a bug: it leaves the task, and the task keeper hands it to the loop's
  exception handler, which the app points at its ErrorNotifier (log and crash dialog);
- ``done()`` runs last whatever the outcome of an action that started (success, failure, bug,
  or a cancellation such as a replaced load), to leave a busy state;
- when the owner is destroyed, every action is cancelled and no callback runs any more: a
  callback never touches a deleted widget.

QtCore only: the runner lives in ``models/`` and widgets talk to it (or to a model using it),
never to the client themselves.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

import shiboken6
from PySide6.QtCore import QObject, Signal

from copper_desktop.api.errors import CopperError
from copper_desktop.models.async_support import TaskKeeper

T = TypeVar("T")

EXPECTED: tuple[type[BaseException], ...] = (CopperError,)
"""What an action reports to the user by default; everything else is a bug."""


@dataclass(frozen=True, slots=True)
class Failure:
    """A failure the user can understand (and maybe retry); never a traceback.

    ``message`` is what to show: the action's ``what`` ("Could not load webhooks") and the
    error's own user-fit text. ``retryable`` says whether trying again may help.
    """

    message: str
    error: BaseException
    what: str = ""

    @property
    def reason(self) -> str:
        """The error's own text, without the action's prefix."""
        return str(self.error) or type(self.error).__name__

    @property
    def retryable(self) -> bool:
        return bool(getattr(self.error, "retryable", False))

    @classmethod
    def of(cls, error: BaseException, what: str = "") -> Failure:
        reason = str(error) or type(error).__name__
        return cls(f"{what}: {reason}" if what else reason, error, what)


class _Life:
    """Whether the owner still exists; plain Python, so it outlives the Qt objects it tracks
    and can be read from a task finishing after they are gone."""

    def __init__(self, keeper: TaskKeeper) -> None:
        self.alive = True
        self._keeper = keeper

    def end(self, *_: object) -> None:
        if self.alive:
            self.alive = False
            self._keeper.cancel_all()


class ActionRunner(QObject):
    """Runs an owner's actions; a child of the owner, so it goes away with it.

    Signals:
        failed(object): a typed `Failure` of any action (after the action's own callback).
    """

    failed = Signal(object)

    def __init__(self, owner: QObject, *, loop: asyncio.AbstractEventLoop | None = None) -> None:
        super().__init__(owner)
        self._name = f"{owner.objectName() or type(owner).__name__}.actions"
        self.setObjectName(self._name)
        self._keeper = TaskKeeper(loop)
        self._life = _Life(self._keeper)
        self._owner = weakref.ref(owner)
        self._keyed: dict[str, asyncio.Task[None]] = {}
        # A QWidget deletes its children before its own destroyed() is emitted: listen to
        # both, whichever comes first ends every action.
        owner.destroyed.connect(self._life.end)
        self.destroyed.connect(self._life.end)

    # ------------------------------------------------------------------ state

    @property
    def alive(self) -> bool:
        """False once the owner (or this runner) was destroyed: callbacks no longer run."""
        if not self._life.alive:
            return False
        owner = self._owner()
        if owner is None or not shiboken6.isValid(owner) or not shiboken6.isValid(self):
            self._life.end()
            return False
        return True

    @property
    def pending(self) -> frozenset[asyncio.Task[Any]]:
        """Actions started and not finished yet."""
        return self._keeper.pending

    def running(self, key: str) -> bool:
        """Whether the action started under `key` is still running."""
        task = self._keyed.get(key)
        return task is not None and not task.done()

    # ------------------------------------------------------------------ running

    def run(
        self,
        call: Awaitable[T],
        *,
        success: Callable[[T], object] | None = None,
        failure: Callable[[Failure], object] | None = None,
        done: Callable[[], object] | None = None,
        what: str = "",
        expected: tuple[type[BaseException], ...] = EXPECTED,
        key: str | None = None,
        name: str | None = None,
    ) -> asyncio.Task[None]:
        """Start `call` and return its task (await it with `finished`, which never raises).

        ``what`` prefixes the failure message ("Could not delete"). ``key`` names an action
        that replaces the one running under the same key (a reload cancels the previous
        load). ``expected`` widens what counts as a user-facing failure (e.g. ``OSError``
        for a file the user can fix); ``CopperError`` should stay in it.
        """
        if key is not None:
            self.cancel(key)
        task = self._keeper.spawn(
            self._drive(call, success, failure, done, what, expected, key),
            name=name or (f"{self._name}:{key}" if key else self._name),
        )
        if isinstance(call, Coroutine):
            # A task cancelled before its first step never runs _drive: close the call then,
            # or Python warns that it was never awaited.
            coroutine: Coroutine[Any, Any, Any] = call
            task.add_done_callback(lambda _task: coroutine.close())
        if key is not None:
            self._keyed[key] = task
            keyed: str = key
            task.add_done_callback(lambda done_task: self._forget(keyed, done_task))
        if not self.alive:
            task.cancel()
        return task

    async def _drive(
        self,
        call: Awaitable[T],
        success: Callable[[T], object] | None,
        failure: Callable[[Failure], object] | None,
        done: Callable[[], object] | None,
        what: str,
        expected: tuple[type[BaseException], ...],
        key: str | None,
    ) -> None:
        try:
            try:
                if not self.alive:  # the owner went away before the task started
                    raise asyncio.CancelledError
                result = await call
            except expected as error:
                if self.alive:
                    report = Failure.of(error, what)
                    if failure is not None:
                        failure(report)
                    if self.alive:
                        self.failed.emit(report)
            else:
                if success is not None and self.alive:
                    success(result)
        finally:
            if key is not None and self._keyed.get(key) is asyncio.current_task():
                del self._keyed[key]  # not "running" any more when done() looks
            if done is not None and self.alive:
                done()

    def _forget(self, key: str, task: asyncio.Task[None]) -> None:
        if self._keyed.get(key) is task:
            del self._keyed[key]

    # ------------------------------------------------------------------ stopping

    def cancel(self, key: str) -> None:
        """Cancel the action running under `key`, if any (its ``done`` still runs)."""
        task = self._keyed.pop(key, None)
        if task is not None:
            task.cancel()

    def cancel_all(self) -> None:
        self._keyed.clear()
        self._keeper.cancel_all()

    async def aclose(self) -> None:
        """Cancel every action and wait until all have ended."""
        self._keyed.clear()
        await self._keeper.aclose()


async def finished(*tasks: asyncio.Task[Any]) -> None:
    """Wait until these actions have ended, whatever the outcome: their failures were
    reported already, so nothing is raised here (cancellation of the waiter aside)."""
    pending = [t for t in tasks if not t.done()]
    if pending:
        await asyncio.wait(pending)
