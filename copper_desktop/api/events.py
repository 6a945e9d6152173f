"""What the client tells its observers (the status bar, a log panel), without knowing Qt.

Observers are plain callables subscribed with ``CopperClient.subscribe``; they run on the event
loop's thread, must be quick, and an observer that raises is logged and otherwise ignored, so a
broken status bar can never break a save.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

__all__ = ["ClientEvent", "ClientStatus", "Observer", "RetryEvent", "RetryReason"]

RetryReason = Literal["rate_limited", "server_error", "timeout", "network", "malformed"]

_REASON_TEXT: dict[RetryReason, str] = {
    "rate_limited": "Rate limited",
    "server_error": "Copper server error",
    "timeout": "Copper did not answer",
    "network": "Connection problem",
    "malformed": "Unreadable answer from Copper",
}


@dataclass(frozen=True, slots=True)
class ClientStatus:
    """A snapshot for the status bar: work in flight, work queued, and limiter headroom."""

    in_flight: int
    queued: int
    headroom: int
    limit: int
    window_s: float
    paused_s: float
    """Seconds left of a pause after a 429 (0 when none)."""


@dataclass(frozen=True, slots=True)
class RetryEvent:
    """A request will be tried again after ``delay_s`` seconds."""

    reason: RetryReason
    delay_s: float
    retry: int
    """1 for the first retry."""
    method: str
    path: str
    verified: bool = False
    """For creates: the client checked that the first attempt did not take effect."""

    @property
    def message(self) -> str:
        """E.g. ``"Rate limited, retrying in 8 s"``, ready for a status bar."""
        return f"{_REASON_TEXT[self.reason]}, retrying in {math.ceil(self.delay_s)} s"


ClientEvent = ClientStatus | RetryEvent
Observer = Callable[[ClientEvent], None]
