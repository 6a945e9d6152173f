"""Client-side throttling and backoff, so ordinary work never meets a 429 (copper-api.md §2).

Why hand-written rather than pyrate-limiter: the client needs three things no limiter library
offers together: (1) a permit is *re-stamped when its answer arrives*, because the server counts
a request when it arrives, which can be much later than when the client queued it (a permit
stamped at acquisition would expire early and the next burst would meet a 429); (2) a waiter
that is cancelled before sending gives its permit back, while one cancelled after sending keeps
it (the server may have counted it); (3) FIFO fairness plus a shared pause after a 429, with
the headroom exposed for the status bar. It is a sliding-window log of at most ``limit``
entries, driven by asyncio, no polling, no threads.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Backoff", "Permit", "RateLimits", "RetryPolicy", "SlidingWindowLimiter"]

Clock = Callable[[], float]
_RNG = random.Random()


@dataclass(frozen=True, slots=True)
class RateLimits:
    """Copper's limits with headroom: 180/min rolling documented, 170 used, so other tools on
    the same key and clock differences do not tip us over; bulk endpoints 3 per second."""

    per_window: int = 170
    window_s: float = 60.0
    bulk_per_window: int = 3
    bulk_window_s: float = 1.0


@dataclass(frozen=True, slots=True)
class Backoff:
    """Exponential backoff with equal jitter: half the step is fixed, half random, so a crowd of
    retries spreads out but none retries immediately."""

    base_s: float
    cap_s: float
    max_retries: int

    def delay(self, retry: int, rng: random.Random | None = None) -> float:
        """Wait before retry number ``retry`` (0-based)."""
        step: float = min(self.cap_s, self.base_s * 2.0 ** max(0, retry))
        return step / 2 + (rng or _RNG).uniform(0, step / 2)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How hard the client tries. 429s are retried longer than faults: they are certain to pass."""

    rate_limited: Backoff = Backoff(base_s=1.0, cap_s=60.0, max_retries=8)
    transient: Backoff = Backoff(base_s=0.5, cap_s=8.0, max_retries=4)
    settle_s: float = 5.0
    """After a timeout, wait at least this long before looking for a create's effect: a
    server that is merely slow may still commit the request it stopped answering."""
    outcome_wait_s: float = 60.0
    """After a timeout, keep looking for a create's effect this long (one look every
    ``settle_s`` or more) before calling its outcome unknown; it is never sent again, since a
    slow server may commit it at any time. Also how long a lost create waits for other
    creates in flight that could own the record it found."""
    max_retry_after_s: float = 300.0
    """A ``Retry-After`` above this is treated as this (a broken header must not hang the app)."""


class Permit:
    """One request's place in a window; stamped again when it finishes."""

    __slots__ = ("_limiter", "done", "stamp")

    def __init__(self, limiter: SlidingWindowLimiter, stamp: float) -> None:
        self._limiter = limiter
        self.stamp = stamp
        self.done = False

    def finish(self) -> None:
        """The request is over: the window counts it from now (never earlier than the server)."""
        if not self.done:
            self.done = True
            self.stamp = self._limiter.clock()
            self._limiter._changed()

    def revoke(self) -> None:
        """The request was never sent: give the place back."""
        self._limiter._revoke(self)


class SlidingWindowLimiter:
    """At most ``limit`` requests in any ``window_s`` seconds, granted first come first served.

    A permit still in flight counts until it finishes and then for ``window_s`` more. ``pause``
    holds every new request (after a 429) without dropping the queue.
    """

    def __init__(
        self,
        limit: int,
        window_s: float,
        *,
        clock: Clock = time.monotonic,
        on_change: Callable[[], None] | None = None,
    ) -> None:
        if limit < 1 or window_s <= 0:
            raise ValueError("limit must be >= 1 and window_s > 0")
        self.limit = limit
        self.window_s = window_s
        self.clock = clock
        self.on_change = on_change
        self._permits: list[Permit] = []
        self._paused_until = 0.0
        self._lock = asyncio.Lock()
        self._event = asyncio.Event()
        self._waiting = 0

    # ------------------------------------------------------------------ queries
    def _prune(self, now: float) -> None:
        cutoff = now - self.window_s
        self._permits = [p for p in self._permits if not p.done or p.stamp > cutoff]

    def headroom(self) -> int:
        """Requests that could start right now."""
        now = self.clock()
        self._prune(now)
        if now < self._paused_until:
            return 0
        return max(0, self.limit - len(self._permits))

    @property
    def waiting(self) -> int:
        return self._waiting

    def paused_for(self) -> float:
        return max(0.0, self._paused_until - self.clock())

    # ------------------------------------------------------------------ changes
    def pause(self, seconds: float) -> None:
        """Hold new requests for ``seconds`` (extends, never shortens, a running pause)."""
        self._paused_until = max(self._paused_until, self.clock() + seconds)
        self._changed()

    def _changed(self) -> None:
        self._event.set()
        if self.on_change is not None:
            self.on_change()

    def _revoke(self, permit: Permit) -> None:
        if permit in self._permits:
            self._permits.remove(permit)
            self._changed()

    async def acquire(self) -> Permit:
        """Wait for a place in the window. Cancelling the wait takes no place."""
        self._waiting += 1
        try:
            async with self._lock:
                while True:
                    now = self.clock()
                    self._prune(now)
                    wait: float | None = self._paused_until - now
                    if wait is not None and wait <= 0:
                        if len(self._permits) < self.limit:
                            permit = Permit(self, now)
                            self._permits.append(permit)
                            break
                        finished = [p.stamp for p in self._permits if p.done]
                        # Nothing finished yet: wait for the next finish to start its clock.
                        wait = min(finished) + self.window_s - now if finished else None
                    self._event.clear()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._event.wait(), wait)
        finally:
            self._waiting -= 1
        self._changed()
        return permit
