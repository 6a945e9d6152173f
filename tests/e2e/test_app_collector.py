"""The running app takes Python's full garbage collections over (issue 14.8): from the first
window's start until quit, the automatic one is off (a QuietCollector runs it in quiet moments,
watching the client's requests); at quit Python gets it back."""

from __future__ import annotations

import asyncio
import gc

from pytestqt.qtbot import QtBot

from copper_desktop.app import DesktopApp
from copper_desktop.config import AppPaths, StoredCredentials, save_credentials
from copper_desktop.models.quiet_collector import NEVER
from copper_desktop.sandbox.server import SandboxServer
from tests.helpers.clients import FAST_RETRY, UNLIMITED


def test_full_collections_wait_for_quiet_moments_while_the_app_runs(
    qtbot: QtBot,
    app_paths: AppPaths,
    sandbox: SandboxServer,
    running_loop: asyncio.AbstractEventLoop,
) -> None:
    user = sandbox.users[0]
    app_paths.make_dirs()
    save_credentials(app_paths, StoredCredentials(sandbox.base_url, user["email"], user["token"]))
    before = gc.get_threshold()
    desktop = DesktopApp(app_paths, client_options={"retry": FAST_RETRY, "limits": UNLIMITED})
    task = running_loop.create_task(desktop.run())
    try:
        qtbot.waitUntil(desktop.connected.is_set, timeout=20_000)
        assert gc.get_threshold() == (before[0], before[1], NEVER)
        session = desktop.session
        assert session is not None
        seen = desktop.collector.last_activity
        me = running_loop.create_task(session.client.me())
        qtbot.waitUntil(me.done)
        assert desktop.collector.last_activity > seen  # the client's requests count
    finally:
        desktop.quit()
        qtbot.waitUntil(task.done, timeout=20_000)
    assert task.result() == 0
    assert gc.get_threshold() == before
