"""End-to-end fixtures: the UI fixtures (shared qasync loop, stray-task guard, tmp app paths)
and a headless keyring, so the app's token storage does not depend on the machine."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from tests.models.conftest import qasync_loop, running_loop  # noqa: F401
from tests.ui.conftest import OFFSCREEN_NOISE, app_paths, run  # noqa: F401

E2E_DIR = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if E2E_DIR in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_NOISE))


@pytest.fixture(autouse=True)
def headless_keyring() -> Iterator[None]:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        yield
    finally:
        keyring.set_keyring(previous)
