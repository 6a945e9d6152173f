"""Finding the asyncio tasks a test left behind (used by the conftest guard, and tested)."""

from __future__ import annotations

import asyncio
from collections.abc import Set
from typing import Any

from PySide6.QtCore import QCoreApplication

SETTLE_ROUNDS = 100


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
