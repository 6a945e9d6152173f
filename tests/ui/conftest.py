"""The UI tests run on the session's qasync loop (tests/helpers/loop.py); the offscreen
platform's harmless warnings about top-level windows are ignored here."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.helpers.qt import OFFSCREEN_NOISE

UI_DIR = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if UI_DIR in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_NOISE))


@pytest.fixture(autouse=True)
def running_loop(running_loop: asyncio.AbstractEventLoop) -> asyncio.AbstractEventLoop:
    """Every test here: the qasync loop is the running one, and stray tasks fail the test."""
    return running_loop
