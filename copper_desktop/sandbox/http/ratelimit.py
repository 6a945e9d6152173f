"""Copper's rate limits (copper-behaviour.md §2): 180 requests per rolling minute per API key, plus
3 requests per second on bulk endpoints.

A sliding-window *log* (not a fixed bucket) so that the sandbox rejects exactly what a rolling
window rejects: a client whose limiter is off by one request is caught. The limits are read from
the settings on every call, so the control API can change them while the server runs.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable

from copper_desktop.sandbox.settings import SandboxConfig

BULK_SUFFIXES = ("/bulk_create", "/bulk_update")
BULK_WINDOW_S = 1.0

__all__ = ["BULK_SUFFIXES", "RateLimiter", "is_bulk_path", "retry_after_header"]


def is_bulk_path(path: str) -> bool:
    return path.rstrip("/").endswith(BULK_SUFFIXES)


class RateLimiter:
    """Per-token windows of admitted request times. Rejected requests are not recorded, so a
    client that keeps hammering is admitted again as soon as its old requests age out."""

    def __init__(
        self, settings: Callable[[], SandboxConfig], clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._settings = settings
        self._clock = clock
        self._general: dict[str, deque[float]] = {}
        self._bulk: dict[str, deque[float]] = {}

    def reset(self) -> None:
        self._general.clear()
        self._bulk.clear()

    def check(self, key: str, path: str) -> float | None:
        """Admit a request (recording it) and answer None, or reject it and answer the seconds
        until a slot frees up."""
        s = self._settings()
        now = self._clock()
        general = self._general.setdefault(key, deque())
        wait = _wait(general, s.rate_limit, s.rate_window_s, now)
        bulk: deque[float] | None = None
        if is_bulk_path(path):
            bulk = self._bulk.setdefault(key, deque())
            bulk_wait = _wait(bulk, s.bulk_rate_limit, BULK_WINDOW_S, now)
            if bulk_wait is not None:
                wait = max(wait or 0.0, bulk_wait)
        if wait is not None:
            return wait
        if s.rate_limit > 0:
            general.append(now)
        if bulk is not None and s.bulk_rate_limit > 0:
            bulk.append(now)
        return None


def _wait(log: deque[float], limit: int, window: float, now: float) -> float | None:
    """Forget requests older than the window; None if one more fits, else the wait for a slot."""
    if limit <= 0:
        log.clear()
        return None
    while log and log[0] <= now - window:
        log.popleft()
    # The limit may have been lowered at run time: keep only what can still matter.
    while len(log) > limit:
        log.popleft()
    if len(log) < limit:
        return None
    return max(log[0] + window - now, 0.0)


def retry_after_header(wait: float) -> str:
    """Whole seconds, rounded up (and at least 1) so a client that honours it is admitted."""
    return str(max(1, math.ceil(wait)))
