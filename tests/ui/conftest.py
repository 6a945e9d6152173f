"""UI-test fixtures: the shared qasync loop, a real client on the live sandbox, a Session.

Widget tests drive real widgets from sync tests with ``qtbot.waitUntil``/``waitSignal``; the
autouse ``running_loop`` (from tests/models) fails a test that leaves asyncio tasks running.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from copper_desktop.api import CopperClient
from copper_desktop.config import AppPaths
from copper_desktop.sandbox.server import SandboxServer
from copper_desktop.session import Session
from copper_desktop.ui.main_window import MainWindow
from tests.api.conftest import FAST_RETRY, UNLIMITED
from tests.models.conftest import qasync_loop, running_loop  # noqa: F401

UI_DIR = Path(__file__).parent
OFFSCREEN_NOISE = r"This plugin does not support (propagateSizeHints|raise|grabbing)"
"""The offscreen platform warns whenever a shown top-level window's layout sets its minimum
size; harmless, and not something a widget can avoid."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if UI_DIR in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_NOISE))


@pytest.fixture
def app_paths(tmp_path: Path) -> AppPaths:
    """Every app path under the test's tmp_path."""
    return AppPaths.resolve(tmp_path)


@pytest.fixture
def make_session(
    sandbox: SandboxServer,
    admin: dict[str, Any],
    app_paths: AppPaths,
    running_loop: asyncio.AbstractEventLoop,  # noqa: F811
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
def run(
    qtbot: QtBot,
    running_loop: asyncio.AbstractEventLoop,  # noqa: F811
) -> Callable[..., Any]:
    """``run(coro, timeout=10_000)``: await a coroutine on the qasync loop from a sync test
    (spinning Qt until it ends) and return its result."""

    def run_coro(coro: Coroutine[Any, Any, Any], timeout: int = 10_000) -> Any:
        task = running_loop.create_task(coro)
        qtbot.waitUntil(task.done, timeout=timeout)
        return task.result()

    return run_coro


MakeWindow = Callable[..., MainWindow]


@pytest.fixture
def make_window(
    qtbot: QtBot, make_session: Callable[..., Session], run: Callable[..., Any]
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
