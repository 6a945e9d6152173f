"""The error notifier: unhandled exceptions (Qt slots via sys.excepthook, orphaned asyncio
tasks) are logged and shown in a copyable crash dialog, with registered secrets masked."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from copper_desktop.ui.common.notifier import (
    MASK,
    ErrorNotifier,
    configure_logging,
    register_secret,
)

TOKEN = "secret-token-0123456789"


@pytest.fixture
def notifier(qtbot: QtBot, running_loop: asyncio.AbstractEventLoop) -> Iterator[ErrorNotifier]:
    register_secret(TOKEN)
    notifier = ErrorNotifier()
    notifier.install(running_loop)
    yield notifier
    notifier.uninstall()
    if notifier.dialog is not None:
        notifier.dialog.close()


def test_excepthook_report_is_logged_shown_copyable_and_masked(
    qtbot: QtBot, notifier: ErrorNotifier, tmp_path: Path
) -> None:
    logger = logging.getLogger("copper_desktop")
    before = list(logger.handlers)
    log_file = configure_logging(tmp_path)
    added = [h for h in logger.handlers if h not in before]
    try:
        raise ValueError(f"bad answer for token {TOKEN}")
    except ValueError:
        kind, exc, tb = sys.exc_info()
    assert sys.excepthook == notifier.excepthook
    with qtbot.waitSignal(notifier.reported) as reported:
        sys.excepthook(kind, exc, tb)  # type: ignore[arg-type]
    text = reported.args[0]
    assert "ValueError: bad answer for token " + MASK in text and TOKEN not in text
    dialog = notifier.dialog
    assert dialog is not None and dialog.isVisible() and not dialog.isModal()
    dialog.copy_button.click()
    assert QGuiApplication.clipboard().text() == text
    for handler in added:
        handler.flush()
        logger.removeHandler(handler)
        handler.close()
    logged = log_file.read_text()
    assert "ValueError" in logged and TOKEN not in logged


def test_failed_orphan_task_is_reported(
    qtbot: QtBot, notifier: ErrorNotifier, running_loop: asyncio.AbstractEventLoop
) -> None:
    with qtbot.waitSignal(notifier.reported) as reported:
        running_loop.call_exception_handler(
            {"message": "Task exception was never retrieved", "exception": RuntimeError(TOKEN)}
        )
    assert "Task exception was never retrieved" in reported.args[0]
    assert TOKEN not in reported.args[0]
