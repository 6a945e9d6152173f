"""Python's full garbage collections, run when the app is quiet rather than mid-scroll.

A full collection walks every object the app holds that is not frozen. Start-up objects are
frozen once the first window has started (`freeze_startup_heap`), but twenty pages of records
are still some 40,000 objects: 40-60 ms on a 2-CPU machine. Left to Python, that collection
came every few seconds while scrolling and was the longest freeze `bench_browse` measured
(issue 14.8). The young generations stay automatic (a millisecond or two each); the full one is
taken over by `QuietCollector`, which runs it once nothing has been asked of the server for
`quiet_s`, or at the latest `max_wait_s` after the last one: httpx leaves each response in a
reference cycle that holds its body, so memory must not wait for a pause forever.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from typing import Any, Final, Protocol

from PySide6.QtCore import QObject, QTimer

QUIET_S: Final = 1.0
"""No request in flight or finished for this long: a full collection goes unnoticed."""
MAX_WAIT_S: Final = 30.0
"""Longest wait for a quiet moment while there is garbage to collect."""
DUE: Final = 10
"""Young collections since the last full one before a full one is due (Python's own default
third threshold)."""
NEVER: Final = 1 << 30
"""A third threshold Python never reaches: its automatic full collection is off."""
TICK_MS: Final = 250


class ActivitySource(Protocol):
    """What `CopperClient` offers observers: an event per request change (sent, ended, ...)."""

    def subscribe(self, observer: Callable[[Any], None]) -> Callable[[], None]: ...


def freeze_startup_heap() -> None:
    """Moves what start-up built (modules, widgets, lookups) out of the collector's sight.

    Those objects live as long as the app, yet every full collection walked them all."""
    gc.freeze()


class QuietCollector(QObject):
    """Runs the full collections in quiet moments (see the module docstring) from `start()`
    until `close()`, which gives Python its automatic full collection back.

    `watch(client)` makes the client's requests count as activity; `clock`, `collect` and
    `pending` (young collections since the last full one) are for tests.
    """

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        quiet_s: float = QUIET_S,
        max_wait_s: float = MAX_WAIT_S,
        clock: Callable[[], float] = time.monotonic,
        collect: Callable[[], object] = gc.collect,
        pending: Callable[[], int] = lambda: gc.get_count()[2],
    ) -> None:
        super().__init__(parent)
        self._quiet_s = quiet_s
        self._max_wait_s = max_wait_s
        self._clock = clock
        self._collect = collect
        self._pending = pending
        self._last_activity = self._last_full = clock()
        self._thresholds: tuple[int, int, int] | None = None
        self._unsubscribe: list[Callable[[], None]] = []
        self.collections = 0
        """Full collections run so far."""
        self._timer = QTimer(self)
        self._timer.setObjectName("quietCollectorTimer")
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self.tick)

    def start(self) -> None:
        if self._thresholds is None:
            self._thresholds = gc.get_threshold()
            young, middle, _ = self._thresholds
            gc.set_threshold(young, middle, NEVER)
        self._timer.start()

    def close(self) -> None:
        self._timer.stop()
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()
        if self._thresholds is not None:
            gc.set_threshold(*self._thresholds)
            self._thresholds = None

    def watch(self, source: ActivitySource) -> None:
        """Count `source`'s events (requests queued, sent, ended, retried) as activity."""
        self._unsubscribe.append(source.subscribe(self.note_activity))

    @property
    def last_activity(self) -> float:
        """When (on `clock`) the last activity was noted."""
        return self._last_activity

    def note_activity(self, _event: object = None) -> None:
        self._last_activity = self._clock()

    def tick(self) -> None:
        """Runs a full collection if one is due and the moment is right."""
        if self._pending() < DUE:
            return
        now = self._clock()
        if now - self._last_activity >= self._quiet_s or now - self._last_full >= self._max_wait_s:
            self._collect()
            self._last_full = self._clock()
            self.collections += 1
