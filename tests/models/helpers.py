"""Shared bits of the model tests."""

from __future__ import annotations

import asyncio

from pytestqt.qtbot import QtBot

from copper_desktop.models.paged import PagedSearchModel


def drain(qtbot: QtBot, loop: asyncio.AbstractEventLoop, turns: int = 2) -> None:
    """Let callbacks already scheduled on the loop run (they run in order), without waiting
    on the clock."""
    for _ in range(turns):
        done: list[bool] = []
        loop.call_soon(done.append, True)
        qtbot.waitUntil(lambda done=done: bool(done))  # type: ignore[misc]


def wait_idle(qtbot: QtBot, model: PagedSearchModel) -> None:
    qtbot.waitUntil(lambda: not model.loading)


def display(model: PagedSearchModel, row: int, column: int = 0) -> object:
    return model.data(model.index(row, column))
