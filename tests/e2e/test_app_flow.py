"""The app end to end against real sandboxes over loopback: first run, saved credentials,
Settings… rebuilding the session, and a clean quit (no tasks left, client closed, sandbox
stopped). ``DesktopApp.run()`` runs on the shared qasync loop, driven from sync tests."""

from __future__ import annotations

import asyncio
import os
import stat
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPushButton
from pytestqt.qtbot import QtBot

from copper_desktop.app import DesktopApp
from copper_desktop.config import AppPaths, StoredCredentials, save_credentials
from copper_desktop.credentials import CredentialStore
from copper_desktop.models.paged import RecordRole
from copper_desktop.sandbox.server import SandboxServer
from copper_desktop.sandbox.settings import SandboxConfig
from copper_desktop.ui.main_window import MainWindow
from tests.helpers.clients import FAST_RETRY, UNLIMITED

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
    executor = desktop.executor  # the app's one executor, handed to whoever blocks
    assert executor is not None and session.executor is executor
    assert window.journal.executor is executor
    qtbot.waitUntil(lambda: people_rows_shown(window), timeout=10_000)
    assert not app_paths.credentials_file.exists()  # demo credentials are never saved

    window.close()  # closing the main window quits
    qtbot.waitUntil(task.done, timeout=20_000)
    assert task.result() == 0
    assert not server.running and desktop.sandbox is None
    assert desktop.window is None and desktop.session is None
    assert desktop.executor is None
    with pytest.raises(RuntimeError, match="shutdown"):  # shut down at quit, not left running
        executor.submit(print)
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
    # Saved once they have connected, in the executor: may land just after `connected`.
    qtbot.waitUntil(lambda: CredentialStore(app_paths, {}).load().email == other["email"])
    assert not shiboken6.isValid(first) or not first.isVisible()
    assert not task.done()  # closing the replaced window is no quit

    assert desktop.window is not None
    desktop.window.quit_action.trigger()
    qtbot.waitUntil(task.done, timeout=10_000)
    assert task.result() == 0 and desktop.window is None


def test_saved_credentials_the_client_refuses_open_the_settings_with_the_reason(
    qtbot: QtBot,
    sandbox: SandboxServer,
    admin: dict[str, Any],
    app_paths: AppPaths,
    start_app: Callable[..., Any],
) -> None:
    """The start-up lockout: a URL saved by an older dialog that the client refuses must not
    end every launch with exit code 1; the settings dialog opens and says why."""
    port = sandbox.base_url.split(":")[2].split("/")[0]
    refused = f"http://localhost.localdomain:{port}/developer_api/v1"
    save_credentials(app_paths, StoredCredentials(refused, admin["email"], admin["token"]))
    desktop, task = start_app(app_paths)
    qtbot.waitUntil(lambda: desktop.dialog is not None and desktop.dialog.isVisible())
    dialog = desktop.dialog
    assert dialog is not None and desktop.window is None and not task.done()
    assert dialog.notice.isVisible()
    assert "Could not connect with the saved settings" in dialog.notice.text()
    assert "localhost.localdomain" in dialog.notice.text()
    assert admin["token"] not in dialog.notice.text()
    assert dialog.base_url.text() == refused
    assert dialog.errors["base_url"].isVisible()  # refused inline before anything is typed
    with qtbot.assertNotEmitted(dialog.saved):
        dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    assert dialog.isVisible() and dialog.errors["base_url"].isVisible()

    dialog.base_url.setText(sandbox.base_url)
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    qtbot.waitUntil(desktop.connected.is_set, timeout=10_000)
    assert desktop.window is not None and desktop.dialog is None
    qtbot.waitUntil(
        lambda: CredentialStore(app_paths, {}).load().base_url == sandbox.base_url
    )  # saved once they have connected, in the executor: may land just after `connected`
    desktop.window.quit_action.trigger()
    qtbot.waitUntil(task.done, timeout=10_000)
    assert task.result() == 0


def test_cancelling_the_settings_after_refused_credentials_quits_cleanly(
    qtbot: QtBot, admin: dict[str, Any], app_paths: AppPaths, start_app: Callable[..., Any]
) -> None:
    refused = StoredCredentials("http://crm.example.com/v1", admin["email"], admin["token"])
    save_credentials(app_paths, refused)
    desktop, task = start_app(app_paths)
    qtbot.waitUntil(lambda: desktop.dialog is not None and desktop.dialog.isVisible())
    assert desktop.dialog is not None
    assert "crm.example.com" in desktop.dialog.notice.text()
    qtbot.keyClick(desktop.dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(task.done)
    assert task.result() == 0 and desktop.window is None
    assert CredentialStore(app_paths, {}).load() == refused  # kept: the user may fix it later


def test_damaged_settings_and_a_readable_credentials_file_are_reported_at_start(
    qtbot: QtBot,
    sandbox: SandboxServer,
    admin: dict[str, Any],
    app_paths: AppPaths,
    start_app: Callable[..., Any],
) -> None:
    save_credentials(app_paths, StoredCredentials(sandbox.base_url, admin["email"], admin["token"]))
    os.chmod(app_paths.credentials_file, 0o644)
    app_paths.settings_file.write_text('{"browsers": {"people": ')  # a torn write
    desktop, _ = start_app(app_paths)
    qtbot.waitUntil(desktop.connected.is_set, timeout=10_000)
    box = desktop.notice_box
    assert box is not None and box.isVisible() and not box.isModal()
    assert box.objectName() and box.accessibleName()
    (aside,) = app_paths.config_dir.glob("settings.json.corrupt-*")
    assert aside.read_text() == '{"browsers": {"people": '
    assert str(aside) in box.text()
    assert "other users" in box.text() and str(app_paths.credentials_file) in box.text()
    assert stat.S_IMODE(app_paths.credentials_file.stat().st_mode) == 0o600
    assert admin["token"] not in box.text()


def test_a_damaged_credentials_file_is_reported_in_the_settings_dialog(
    qtbot: QtBot, app_paths: AppPaths, start_app: Callable[..., Any]
) -> None:
    app_paths.config_dir.mkdir(parents=True)
    app_paths.credentials_file.write_text("\x00garbage")
    desktop, _ = start_app(app_paths)
    qtbot.waitUntil(lambda: desktop.dialog is not None and desktop.dialog.isVisible())
    dialog = desktop.dialog
    assert dialog is not None
    (aside,) = app_paths.config_dir.glob("credentials.json.corrupt-*")
    assert dialog.notice.isVisible() and str(aside) in dialog.notice.text()
    assert not dialog.errors["base_url"].isVisible()  # no reason to connect: nothing checked
