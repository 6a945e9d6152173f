"""The status bar: requests in flight, rate-limit headroom, retry waits and the last error.

It listens to the client's observer events and also polls `client.status()`, since headroom
recovers with time alone (no event says so).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from copper_desktop.api import ClientEvent, ClientStatus, RetryEvent

POLL_MS = 1000


class StatusSource(Protocol):
    """What the status bar needs of a CopperClient (a fake in tests)."""

    def subscribe(self, observer: Callable[[ClientEvent], None]) -> Callable[[], None]: ...

    def status(self) -> ClientStatus: ...


class ClientStatusBar(QStatusBar):
    """Shows the client's state; `close_source()` unsubscribes (the window calls it on quit)."""

    def __init__(self, client: StatusSource, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statusBar")
        self.setAccessibleName("Status")
        self._client = client
        self.in_flight_label = self._label("statusInFlight", "Requests in flight")
        self.headroom_label = self._label("statusHeadroom", "Rate limit headroom")
        self.retry_label = self._label("statusRetry", "Retry wait")
        self.error_label = self._label("statusLastError", "Last error")
        self.addWidget(self.error_label, 1)
        self.addPermanentWidget(self.retry_label)
        self.addPermanentWidget(self.in_flight_label)
        self.addPermanentWidget(self.headroom_label)
        self._unsubscribe: Callable[[], None] | None = client.subscribe(self._on_event)
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self.poll)
        self._timer.start()
        self.poll()

    def _label(self, name: str, accessible: str) -> QLabel:
        label = QLabel(self)
        label.setObjectName(name)
        label.setAccessibleName(accessible)
        return label

    def poll(self) -> None:
        """Read `client.status()` now (the timer calls this every second)."""
        self.show_status(self._client.status())

    def show_status(self, status: ClientStatus) -> None:
        busy = status.in_flight + status.queued
        text = f"{status.in_flight} in flight"
        if status.queued:
            text += f", {status.queued} queued"
        self.in_flight_label.setText(text)
        self.in_flight_label.setToolTip("Requests being sent to Copper" if busy else "Idle")
        window = f"{status.window_s:g} s" if status.window_s != 60 else "min"
        self.headroom_label.setText(f"{status.headroom}/{status.limit} per {window}")
        if status.paused_s <= 0 and busy == 0 and self.retry_label.property("paused"):
            self.retry_label.clear()
            self.retry_label.setProperty("paused", False)

    def show_retry(self, event: RetryEvent) -> None:
        self.retry_label.setText(event.message)
        self.retry_label.setProperty("paused", True)

    def show_error(self, message: str) -> None:
        """The last error, kept until the next one (a tooltip holds the full text)."""
        first_line = message.splitlines()[0] if message else ""
        self.error_label.setText(f"Last error: {first_line}" if first_line else "")
        self.error_label.setToolTip(message)

    def _on_event(self, event: ClientEvent) -> None:
        if isinstance(event, RetryEvent):
            self.show_retry(event)
        else:
            self.show_status(event)

    def close_source(self) -> None:
        """Stop listening and polling: the client may be closed after this."""
        self._timer.stop()
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
