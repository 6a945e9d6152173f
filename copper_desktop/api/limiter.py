"""Client-side throttling and backoff, so ordinary work never meets a 429 (copper-behaviour.md §2).

When a request counts. Copper counts a request at some moment between the client sending it
and the answer coming back (most likely when it arrives; Copper does not say), and the client
cannot see which. Counting from the send is too early (a request held on its way in is
counted later by Copper, and the next burst meets a 429); counting from the answer, as this
limiter first did, is always safe but loses a round trip per window: 3 bulk calls a second
with the ~65 ms round trip of the sandbox's 50 ms latency make 3 calls per 1.065 s, 0.94 of
the bound, less on a loaded machine. The rule now: a permit counts while its request is in
flight, whatever that takes, and once answered it counts from the answer *minus a
discount*: half the fastest round trip this limiter has seen (once it has seen a few), never
more than 1/20 of the window, never before the send. Request B taking the place of an
earlier request A is then counted at least a window after A as long as B's way in plus A's
way back (processing included) take at least the discount; a discount of at most half the
fastest round trip asks only that. Against the sandbox with its 50 ms latency fault (applied
before its limiter counts) the bulk limiter's discount, capped at 50 ms, is safe by
construction. The rate then loses the round trip's jitter, not the round trip.

Round trips are timed from the request's first byte leaving (the transport's trace hook), so
the wait for a connection and a TCP/TLS set-up, which come before Copper can count anything,
never inflate them; only answered requests count (a cancelled or failed one may end at any
time); and the first few are not trusted (``MIN_SAMPLES``): concurrent first requests queue
behind one another at the server, a slow way in that would make the discount unsafe.

Why hand-written rather than pyrate-limiter: the client needs three things no limiter library
offers together: (1) the counting rule above, which needs each permit's send and answer
times; (2) a waiter that is cancelled before sending gives its permit back, while one
cancelled after sending keeps it (the server may have counted it); (3) FIFO fairness plus a
shared pause after a 429, with the headroom exposed for the status bar. It is a sliding-window
log of at most ``limit`` entries, driven by asyncio, no polling, no threads.
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
    """One request's place in a window: held while in flight, then counted from its answer
    less the limiter's discount (see the module docstring)."""

    __slots__ = ("_limiter", "done", "finished_at", "sent", "sent_at", "stamp")

    def __init__(self, limiter: SlidingWindowLimiter, stamp: float) -> None:
        self._limiter = limiter
        self.stamp = stamp
        """From when the window counts it (while in flight: when it was granted)."""
        self.sent_at = stamp
        self.sent = False
        self.finished_at: float | None = None
        self.done = False

    def sending(self) -> None:
        """The request's first byte leaves now: its round trip is measured from here (not
        from the grant: the request may wait for another limiter, a connection, a TLS
        handshake). A permit never marked sent teaches nothing about round trips."""
        if not self.done:
            self.sent_at = self._limiter.clock()
            self.sent = True

    def finish(self, answered: bool = False) -> None:
        """The request is over. ``answered``: a response came back, so its round trip is a
        sample of the network; otherwise (cancelled, failed) it is counted from now."""
        if not self.done:
            self.done = True
            now = self.finished_at = self._limiter.clock()
            if answered and self.sent:
                self._limiter._learn(now - self.sent_at)
                self.stamp = max(self.sent_at, now - self._limiter.discount())
            else:
                self.stamp = now
            self._limiter._changed()

    def revoke(self) -> None:
        """The request was never sent: give the place back."""
        self._limiter._revoke(self)


class SlidingWindowLimiter:
    """At most ``limit`` requests in any ``window_s`` seconds, granted first come first served.

    A permit still in flight counts until it finishes and then for ``window_s`` more, less
    :meth:`discount`. ``pause`` holds every new request (after a 429) without dropping the queue.
    """

    DISCOUNT_SHARE_OF_RTT = 0.5
    """How much of the fastest round trip a finished permit is counted before its answer."""
    MAX_DISCOUNT_SHARE = 0.05
    """The discount's cap, as a share of the window: at most 1/20 of the rate is won by it,
    and a wrong guess is bounded by it too."""
    MIN_SAMPLES = 8
    """Round trips seen before any discount. The first few are no measure of the network's
    floor: concurrent first requests queue behind one another at the server (a slow start
    on the way in, the unsafe side), and one cold sample may be all there is."""

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
        self._fastest: float | None = None
        self._samples = 0

    # ------------------------------------------------------------------ queries
    @property
    def fastest_round_trip(self) -> float | None:
        """The fastest answered request so far (None before the first answer)."""
        return self._fastest

    def discount(self) -> float:
        """How long before its answer a finished permit is counted from."""
        if self._fastest is None or self._samples < self.MIN_SAMPLES:
            return 0.0
        return min(
            self._fastest * self.DISCOUNT_SHARE_OF_RTT, self.window_s * self.MAX_DISCOUNT_SHARE
        )

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

    def _learn(self, round_trip: float) -> None:
        if round_trip < 0:
            return
        self._samples += 1
        if self._fastest is None or round_trip < self._fastest:
            self._fastest = round_trip

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
