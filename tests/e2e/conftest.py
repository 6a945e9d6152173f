"""End-to-end tests run on the session's qasync loop (tests/helpers/loop.py) with the
offscreen platform's harmless warnings ignored, and a headless keyring, so the app's token
storage does not depend on the machine."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from tests.helpers.qt import OFFSCREEN_NOISE

E2E_DIR = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if E2E_DIR in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_NOISE))


@pytest.fixture(autouse=True)
def running_loop(running_loop: asyncio.AbstractEventLoop) -> asyncio.AbstractEventLoop:
    """Every test here: the qasync loop is the running one, and stray tasks fail the test."""
    return running_loop


@pytest.fixture(autouse=True)
def headless_keyring() -> Iterator[None]:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        yield
    finally:
        keyring.set_keyring(previous)
