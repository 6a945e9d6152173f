"""What the middleware and the control API share for one app: its context, routes, fault
rules, rate limiter, counters and request log."""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.routing import BaseRoute

from copper_desktop.sandbox.context import SandboxContext
from copper_desktop.sandbox.http.faults import FaultEngine, startup_rules
from copper_desktop.sandbox.http.ratelimit import RateLimiter
from copper_desktop.sandbox.http.webhooks import WebhookNotifier

Json = dict[str, Any]

REQUEST_LOG_SIZE = 1000

__all__ = ["RequestLog", "Shell", "Stats"]


# --------------------------------------------------------------------------- shared state
class RequestLog:
    """The last API requests, for tests that assert what a client really sent."""

    def __init__(self, size: int = REQUEST_LOG_SIZE) -> None:
        self._entries: deque[Json] = deque(maxlen=size)
        self._seq = 0

    def add(self, method: str, path: str, route: str, query: Json, body: Any) -> Json:
        self._seq += 1
        entry: Json = {
            "seq": self._seq,
            "method": method,
            "path": path,
            "route": route,
            "query": query,
            "body": body,
            "status": None,
        }
        self._entries.append(entry)
        return entry

    def last(self, limit: int) -> list[Json]:
        if limit <= 0:
            return []
        return [dict(e) for e in list(self._entries)[-limit:]]

    def clear(self) -> None:
        self._entries.clear()
        self._seq = 0


@dataclass
class Stats:
    total: int = 0
    routes: Counter[str] = field(default_factory=Counter)
    statuses: Counter[str] = field(default_factory=Counter)

    def to_json(self) -> Json:
        return {"total": self.total, "routes": dict(self.routes), "statuses": dict(self.statuses)}

    def clear(self) -> None:
        self.total = 0
        self.routes.clear()
        self.statuses.clear()


class Shell:
    """What the middleware and the control API share for one app."""

    def __init__(
        self,
        ctx: SandboxContext,
        routes: list[BaseRoute],
        reload_data: Callable[[], None] | None,
    ) -> None:
        self.ctx = ctx
        self.routes = routes
        self.reload_data = reload_data
        self.faults = FaultEngine(seed=ctx.settings.seed, rules=startup_rules(ctx.settings))
        self.limiter = RateLimiter(lambda: self.ctx.settings)
        self.stats = Stats()
        self.log = RequestLog()

    @property
    def notifier(self) -> WebhookNotifier | None:
        events = self.ctx.events
        return events if isinstance(events, WebhookNotifier) else None

    def reset(self, *, data: bool = False) -> None:
        """Back to a clean slate between tests: no counters, log, faults, windows, deliveries."""
        if data:
            if self.reload_data is None:
                raise RuntimeError("this sandbox cannot reload its data")
            self.reload_data()
        self.stats.clear()
        self.log.clear()
        self.faults.reset()
        self.limiter.reset()
        if self.notifier is not None:
            self.notifier.clear()
