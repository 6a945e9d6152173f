"""Sessions, main windows and lookups on the live sandbox, for sync Qt tests, and helpers to
read the paged model.

Widget tests drive real widgets from sync tests with ``qtbot.waitUntil``/``waitSignal``; the
``running_loop`` they request (tests/helpers/loop.py) fails a test that leaves asyncio tasks
running.

Fixtures: ``app_paths``, ``make_session``, ``session``, ``make_window``, ``loaded``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from copper_desktop.api import CopperClient
from copper_desktop.config import AppPaths
from copper_desktop.models.lookups import Lookups
from copper_desktop.models.paged import PagedSearchModel
from copper_desktop.sandbox.server import SandboxServer
from copper_desktop.session import Session
from copper_desktop.ui.main_window import MainWindow
from tests.helpers.clients import FAST_RETRY, UNLIMITED
from tests.helpers.loop import Run

OFFSCREEN_NOISE = r"This plugin does not support (propagateSizeHints|raise|grabbing)"
"""The offscreen platform warns whenever a shown top-level window's layout sets its minimum
size; harmless, and not something a widget can avoid (ignored for tests/ui and tests/e2e by
their conftests)."""

MakeWindow = Callable[..., MainWindow]


@pytest.fixture
def app_paths(tmp_path: Path) -> AppPaths:
    """Every app path under the test's tmp_path."""
    return AppPaths.resolve(tmp_path)


@pytest.fixture
def make_session(
    sandbox: SandboxServer,
    admin: dict[str, Any],
    app_paths: AppPaths,
    running_loop: asyncio.AbstractEventLoop,
    qapp: QApplication,
) -> Iterator[Callable[..., Session]]:
    """``make_session(settings=None, **client_kw)``: a Session with a real client on the
    sandbox; clients are closed after the test."""
    made: list[Session] = []

    def make(settings: dict[str, Any] | None = None, **kw: Any) -> Session:
        kw.setdefault("retry", FAST_RETRY)
        kw.setdefault("limits", UNLIMITED)
        kw.setdefault("base_url", sandbox.base_url)
        client = CopperClient(admin["email"], admin["token"], **kw)
        session = Session(app_paths, client, dict(settings or {}), sandbox_url=None)
        made.append(session)
        return session

    yield make
    for session in made:
        task = running_loop.create_task(session.aclose())
        for _ in range(1000):
            if task.done():
                break
            qapp.processEvents()


@pytest.fixture
def session(make_session: Callable[..., Session]) -> Session:
    """A Session with a real client on the session sandbox and empty settings."""
    return make_session()


@pytest.fixture
def make_window(
    qtbot: QtBot, make_session: Callable[..., Session], run: Run
) -> Iterator[MakeWindow]:
    """``make_window(sandbox_url=None, start=True)``: a shown window; aclose()d after."""
    made: list[MainWindow] = []

    def make(*, sandbox_url: str | None = None, start: bool = True) -> MainWindow:
        session = make_session()
        session.sandbox_url = sandbox_url
        window = MainWindow(session)
        window.show()
        qtbot.waitExposed(window)
        made.append(window)
        if start:
            run(window.start())
        return window

    yield make
    for window in made:
        run(window.aclose())
        window.close()
        window.deleteLater()


@pytest.fixture
def loaded(client: CopperClient, run: Run, qtbot: QtBot) -> Lookups:
    """The account's lookups, loaded from the live sandbox by ``client``."""
    lookups = Lookups()
    with qtbot.waitSignal(lookups.loaded):
        run(lookups.load(client))
    return lookups


def wait_idle(qtbot: QtBot, model: PagedSearchModel) -> None:
    qtbot.waitUntil(lambda: not model.loading)


def display(model: PagedSearchModel, row: int, column: int = 0) -> object:
    return model.data(model.index(row, column))
