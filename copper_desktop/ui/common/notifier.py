"""The one error notifier: every unexpected exception ends here, logged and shown, never lost.

``ErrorNotifier.install()`` takes over ``sys.excepthook`` (exceptions raised in Qt slots) and the
asyncio loop's exception handler (tasks that failed with nobody awaiting them). Each report is
logged and shown in a non-blocking crash dialog whose text can be copied into a bug report.
Secrets (API tokens) registered with :func:`register_secret` are masked in every log record and
report, so a token that slipped into an exception message still never leaves the process.
"""

from __future__ import annotations

import asyncio
import logging
import os
import platform
import sys
import traceback
from collections.abc import Callable
from io import TextIOWrapper
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from copper_desktop import __version__
from copper_desktop.config import PRIVATE_FILE_MODE, make_private_dir

log = logging.getLogger("copper_desktop")

MASK = "•••"
_secrets: set[str] = set()


def register_secret(value: str) -> None:
    """Mask ``value`` in every later log line and crash report (short values are ignored:
    masking every "a" would make reports unreadable, and tokens are long)."""
    if len(value) >= 6:
        _secrets.add(value)


def redact(text: str) -> str:
    for secret in sorted(_secrets, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text


class RedactingFilter(logging.Filter):
    """Renders each record's message once, masked, so no handler ever formats a secret."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = redact(record.getMessage())
        record.msg, record.args = message, None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redact("".join(traceback.format_exception(*record.exc_info)))
            record.exc_info = None
        return True


class PrivateLogHandler(RotatingFileHandler):
    """A rotating log whose files only the user can read: crash reports quote record data."""

    def _open(self) -> TextIOWrapper:
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, PRIVATE_FILE_MODE)
        os.fchmod(fd, PRIVATE_FILE_MODE)  # also a file an older version made 0644
        return open(fd, "a", encoding=self.encoding, errors=self.errors)


def configure_logging(log_dir: Path, level: int = logging.INFO) -> Path:
    """Log the app's messages to a rotating file in ``log_dir`` (0600 in a 0700 folder),
    secrets masked."""
    make_private_dir(log_dir)
    path = log_dir / "copper-desktop.log"
    if not any(isinstance(f, RedactingFilter) for f in log.filters):
        log.addFilter(RedactingFilter())
    if not any(getattr(h, "baseFilename", None) == str(path) for h in log.handlers):
        handler = PrivateLogHandler(path, maxBytes=1_000_000, backupCount=3, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handler.addFilter(RedactingFilter())
        log.addHandler(handler)
    log.setLevel(level)
    return path


def crash_report(exc: BaseException | None, context: str = "") -> str:
    """A plain-text report fit to paste in a bug: versions, where, traceback; no secrets."""
    lines = [
        f"Copper Desktop {__version__}",
        f"Python {platform.python_version()} on {platform.platform()}",
    ]
    if context:
        lines.append(f"Context: {context}")
    if exc is not None:
        lines.append("")
        lines.extend(
            line.rstrip("\n")
            for line in traceback.format_exception(type(exc), exc, exc.__traceback__)
        )
    return redact("\n".join(lines))


def show_notice(text: str, parent: QWidget | None = None) -> QMessageBox:
    """A non-modal message for something the user should know but need not answer now (a
    damaged settings file was reset, a credentials file was made private)."""
    box = QMessageBox(
        QMessageBox.Icon.Warning,
        "Copper Desktop",
        text,
        QMessageBox.StandardButton.Ok,
        parent,
    )
    box.setObjectName("noticeBox")
    box.setAccessibleName("Notice")
    box.setModal(False)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.show()
    return box


class CrashDialog(QDialog):
    """Shows one or more crash reports; non-modal, so the window behind keeps working."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("crashDialog")
        self.setAccessibleName("Unexpected error")
        self.setWindowTitle("Copper Desktop — unexpected error")
        self.setModal(False)
        intro = QLabel(
            "Something went wrong inside Copper Desktop. Your data in Copper is not affected; "
            "if this keeps happening, copy the report below into a bug report."
        )
        intro.setObjectName("crashIntro")
        intro.setWordWrap(True)
        self.report = QPlainTextEdit(self)
        self.report.setObjectName("crashReport")
        self.report.setAccessibleName("Error report")
        self.report.setReadOnly(True)
        self.copy_button = QPushButton("Copy report")
        self.copy_button.setObjectName("copyReportButton")
        self.copy_button.setAccessibleName("Copy report")
        self.copy_button.clicked.connect(self.copy_report)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.setObjectName("crashButtons")
        buttons.setAccessibleName("Close")
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.report, 1)
        layout.addWidget(buttons)
        self.resize(640, 420)

    def add_report(self, text: str) -> None:
        if self.report.toPlainText():
            self.report.appendPlainText("\n" + "-" * 60 + "\n")
        self.report.appendPlainText(text)

    def copy_report(self) -> None:
        QGuiApplication.clipboard().setText(self.report.toPlainText())


class ErrorNotifier(QObject):
    """Receives every unexpected error; logs it and shows it once in a crash dialog.

    Signals:
    reported(str): a report was made (its redacted text).
    """

    reported = Signal(str)

    def __init__(self, parent: QObject | None = None, *, show_dialog: bool = True) -> None:
        super().__init__(parent)
        self.show_dialog = show_dialog
        self.dialog: CrashDialog | None = None
        self._previous_hook: Callable[..., Any] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def install(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        self._previous_hook = sys.excepthook
        sys.excepthook = self.excepthook
        if loop is not None:
            self._loop = loop
            loop.set_exception_handler(self.loop_exception)

    def uninstall(self) -> None:
        if self._previous_hook is not None and sys.excepthook == self.excepthook:
            sys.excepthook = self._previous_hook
        self._previous_hook = None
        if self._loop is not None:
            self._loop.set_exception_handler(None)
            self._loop = None

    def excepthook(
        self, kind: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(kind, KeyboardInterrupt):
            if self._previous_hook is not None:
                self._previous_hook(kind, exc, tb)
            return
        self.report(exc.with_traceback(tb), "unhandled exception")

    def loop_exception(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        exc = context.get("exception")
        message = str(context.get("message") or "")
        if isinstance(exc, asyncio.CancelledError):
            return
        self.report(exc if isinstance(exc, BaseException) else None, message)

    def report(self, exc: BaseException | None, context: str = "") -> str:
        text = crash_report(exc, context)
        log.error("%s", text)
        self.reported.emit(text)
        if self.show_dialog:
            if self.dialog is None:
                self.dialog = CrashDialog()
                self.dialog.finished.connect(self._dialog_closed)
            self.dialog.add_report(text)
            self.dialog.show()
        return text

    def _dialog_closed(self) -> None:
        if self.dialog is not None:
            self.dialog.deleteLater()
            self.dialog = None
