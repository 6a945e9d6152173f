"""The client's state as the status bar shows it: requests in flight, rate-limit headroom and
the current retry wait.

It listens to the client's observer events and also polls `client.status()`, since headroom
recovers with time alone (no event says so). The status bar only renders these texts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QObject, QTimer, Signal

from copper_desktop.api import ClientEvent, ClientStatus, RetryEvent

POLL_MS = 1000


class StatusSource(Protocol):
    """What the model needs of a CopperClient (a fake in tests)."""

    def subscribe(self, observer: Callable[[ClientEvent], None]) -> Callable[[], None]: ...

    def status(self) -> ClientStatus: ...


class ClientStatusModel(QObject):
    """Texts describing the client's state; `close()` unsubscribes and stops polling.

    Signals:
        changed(): any text changed (or may have).
    """

    changed = Signal()

    def __init__(
        self, source: StatusSource, parent: QObject | None = None, *, poll_ms: int = POLL_MS
    ) -> None:
        super().__init__(parent)
        self._source = source
        self.in_flight_text = ""
        self.in_flight_tip = ""
        self.headroom_text = ""
        self.retry_text = ""
        self._paused = False
        self._unsubscribe: Callable[[], None] | None = source.subscribe(self._on_event)
        self.timer = QTimer(self)
        self.timer.setInterval(poll_ms)
        self.timer.timeout.connect(self.poll)
        self.timer.start()
        self.poll()

    def poll(self) -> None:
        """Read `status()` now (the timer calls this every `poll_ms`)."""
        self.show_status(self._source.status())

    def show_status(self, status: ClientStatus) -> None:
        busy = status.in_flight + status.queued
        text = f"{status.in_flight} in flight"
        if status.queued:
            text += f", {status.queued} queued"
        self.in_flight_text = text
        self.in_flight_tip = "Requests being sent to Copper" if busy else "Idle"
        window = f"{status.window_s:g} s" if status.window_s != 60 else "min"
        self.headroom_text = f"{status.headroom}/{status.limit} per {window}"
        if status.paused_s <= 0 and busy == 0 and self._paused:
            self.retry_text = ""
            self._paused = False
        self.changed.emit()

    def show_retry(self, event: RetryEvent) -> None:
        self.retry_text = event.message
        self._paused = True
        self.changed.emit()

    def _on_event(self, event: ClientEvent) -> None:
        if isinstance(event, RetryEvent):
            self.show_retry(event)
        else:
            self.show_status(event)

    def close(self) -> None:
        """Stop listening and polling: the client may be closed after this."""
        self.timer.stop()
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
