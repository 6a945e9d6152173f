"""The app end to end against real sandboxes over loopback: first run, saved credentials,
Settings… rebuilding the session, and a clean quit (no tasks left, client closed, sandbox
stopped). ``DesktopApp.run()`` runs on the shared qasync loop, driven from sync tests."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPushButton
from pytestqt.qtbot import QtBot

from copper_desktop.app import DesktopApp
from copper_desktop.config import AppPaths, StoredCredentials
from copper_desktop.credentials import CredentialStore
from copper_desktop.models.paged import RecordRole
from copper_desktop.sandbox.server import SandboxServer
from copper_desktop.sandbox.settings import SandboxConfig
from copper_desktop.ui.main_window import MainWindow
from tests.api.conftest import FAST_RETRY, UNLIMITED

CLIENT = {"retry": FAST_RETRY, "limits": UNLIMITED}


@pytest.fixture
def start_app(
    qtbot: QtBot, running_loop: asyncio.AbstractEventLoop, qapp: QApplication
) -> Iterator[Callable[..., tuple[DesktopApp, asyncio.Task[int]]]]:
    """``start_app(paths, **kw)``: a DesktopApp running on the qasync loop; quit after."""
    started: list[tuple[DesktopApp, asyncio.Task[int]]] = []

    def start(paths: AppPaths, **kw: Any) -> tuple[DesktopApp, asyncio.Task[int]]:
        kw.setdefault("client_options", CLIENT)
        desktop = DesktopApp(paths, **kw)
        task = running_loop.create_task(desktop.run())
        started.append((desktop, task))
        return desktop, task

    yield start
    for desktop, task in started:
        desktop.quit()
        qtbot.waitUntil(task.done, timeout=20_000)


def embedded_config() -> SandboxConfig:
    return SandboxConfig(port=0, db=":memory:", seed=40, rate_limit=0, bulk_rate_limit=0)


def people_rows_shown(window: MainWindow) -> bool:
    browser = window.browser("people")
    if browser is None or browser.model.rowCount() == 0:
        return False
    return browser.model.index(0, 0).data(RecordRole) is not None


def test_first_run_try_sandbox_then_quit_cleanly(
    qtbot: QtBot, app_paths: AppPaths, start_app: Callable[..., Any]
) -> None:
    desktop, task = start_app(app_paths, sandbox_config=embedded_config())
    qtbot.waitUntil(lambda: desktop.dialog is not None and desktop.dialog.isVisible())
    dialog = desktop.dialog
    assert dialog is not None and desktop.window is None
    assert "No system keyring" in dialog.token_location.text()
    button = dialog.findChild(QPushButton, "trySandboxButton")
    assert button is not None and button.isVisible()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(desktop.connected.is_set, timeout=20_000)
    window, server, session = desktop.window, desktop.sandbox, desktop.session
    assert window is not None and server is not None and session is not None
    assert window.isVisible() and window.windowTitle().endswith("(sandbox)")
    assert session.sandbox_url == server.base_url
    qtbot.waitUntil(lambda: people_rows_shown(window), timeout=10_000)
    assert not app_paths.credentials_file.exists()  # demo credentials are never saved

    window.close()  # closing the main window quits
    qtbot.waitUntil(task.done, timeout=20_000)
    assert task.result() == 0
    assert not server.running and desktop.sandbox is None
    assert desktop.window is None and desktop.session is None
    with pytest.raises(RuntimeError):  # the client was closed
        closed_call = asyncio.get_running_loop().create_task(session.client.me())
        qtbot.waitUntil(closed_call.done)
        closed_call.result()


def test_first_run_cancel_quits_without_window(
    qtbot: QtBot, app_paths: AppPaths, start_app: Callable[..., Any]
) -> None:
    desktop, task = start_app(app_paths)
    qtbot.waitUntil(lambda: desktop.dialog is not None and desktop.dialog.isVisible())
    assert desktop.dialog is not None
    qtbot.keyClick(desktop.dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(task.done)
    assert task.result() == 0 and desktop.window is None
    assert not app_paths.credentials_file.exists()


def test_saved_credentials_connect_and_settings_rebuild_the_session(
    qtbot: QtBot,
    sandbox: SandboxServer,
    admin: dict[str, Any],
    app_paths: AppPaths,
    start_app: Callable[..., Any],
) -> None:
    CredentialStore(app_paths, {}).save(
        StoredCredentials(sandbox.base_url, admin["email"], admin["token"]), "file"
    )
    desktop, task = start_app(app_paths)
    qtbot.waitUntil(desktop.connected.is_set, timeout=10_000)
    first = desktop.window
    assert first is not None and desktop.dialog is None
    assert desktop.sandbox is None and not first.windowTitle().endswith("(sandbox)")

    first.settings_action.trigger()
    qtbot.waitUntil(lambda: desktop.dialog is not None and desktop.dialog.isVisible())
    dialog = desktop.dialog
    assert dialog is not None and dialog.email.text() == admin["email"]
    other = sandbox.users[1]
    dialog.email.setText(other["email"])
    dialog.token.setText(other["token"])
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    qtbot.waitUntil(
        lambda: desktop.window is not first and desktop.connected.is_set(), timeout=10_000
    )
    assert desktop.session is not None
    assert desktop.session.client.credentials.email == other["email"]
    assert CredentialStore(app_paths, {}).load().email == other["email"]
    assert not shiboken6.isValid(first) or not first.isVisible()
    assert not task.done()  # closing the replaced window is no quit

    assert desktop.window is not None
    desktop.window.quit_action.trigger()
    qtbot.waitUntil(task.done, timeout=10_000)
    assert task.result() == 0 and desktop.window is None
