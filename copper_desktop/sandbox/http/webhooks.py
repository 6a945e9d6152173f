"""Copper-style webhook notifications (copper-behaviour.md §12).

Every create, update and delete reaches ``WebhookNotifier.emit``; matching subscriptions get
one POST per chunk of at most 30 ids, sent once and never retried, like Copper. Delivery runs in
background tasks on the server's event loop so a slow receiver never delays an API answer; a
delivery log lets tests and users see exactly what went out.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable
from typing import Any

import httpx

from copper_desktop.sandbox.core.shapes import RecordEvent

Json = dict[str, Any]

MAX_IDS_PER_NOTIFICATION = 30
MAX_LOGGED_DELIVERIES = 1000
RESERVED_KEYS = ("ids", "type", "event", "subscription_id", "updated_attributes")

log = logging.getLogger(__name__)

__all__ = ["MAX_IDS_PER_NOTIFICATION", "WebhookNotifier", "notification_bodies"]


def notification_bodies(
    subscription: Json,
    ids: list[int],
    updated_attributes: dict[str, list[Any]] | None = None,
) -> list[Json]:
    """The bodies Copper would POST for one subscription: ``secret`` keys flattened at the top
    level (integrations read e.g. ``body.password``), ``updated_attributes`` only on updates."""
    secret = subscription.get("secret") or {}
    bodies: list[Json] = []
    for start in range(0, len(ids), MAX_IDS_PER_NOTIFICATION):
        body: Json = {
            "ids": [int(i) for i in ids[start : start + MAX_IDS_PER_NOTIFICATION]],
            "type": subscription["type"],
            "event": subscription["event"],
            "subscription_id": subscription["id"],
        }
        if isinstance(secret, dict):
            # A secret key must not overwrite what identifies the notification.
            body.update({k: v for k, v in secret.items() if k not in RESERVED_KEYS})
        if subscription["event"] == "update":
            body["updated_attributes"] = updated_attributes or {}
        bodies.append(body)
    return bodies


class WebhookNotifier:
    """The sandbox's ``EventSink``. ``subscriptions`` reads the stored subscriptions (called on
    the event loop's thread, like every store access)."""

    def __init__(
        self,
        subscriptions: Callable[[], list[Json]],
        *,
        timeout_s: float = 5.0,
    ) -> None:
        self._subscriptions = subscriptions
        self._timeout_s = timeout_s
        self._client: httpx.AsyncClient | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._log: deque[Json] = deque(maxlen=MAX_LOGGED_DELIVERIES)
        self._closed = False

    def emit(self, event: RecordEvent) -> None:
        if self._closed or not event.ids:
            return
        subs = [
            s
            for s in self._subscriptions()
            if s.get("type") == event.entity_type and s.get("event") == event.event
        ]
        if not subs:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            log.warning("webhook notifications dropped: no running event loop")
            return
        for sub in subs:
            for body in notification_bodies(sub, event.ids, event.updated_attributes):
                task = loop.create_task(self._deliver(sub, body))
                # Keep a reference: the loop holds tasks only weakly.
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)

    def deliveries(self) -> list[Json]:
        """Completed deliveries, oldest first."""
        return list(self._log)

    def clear(self) -> None:
        self._log.clear()

    @property
    def pending(self) -> int:
        return len(self._tasks)

    async def _deliver(self, sub: Json, body: Json) -> None:
        target = str(sub.get("target", ""))
        headers = {str(k): str(v) for k, v in (sub.get("headers") or {}).items()}
        entry: Json = {
            "subscription_id": sub.get("id"),
            "target": target,
            "body": body,
            "status": None,
            "error": None,
        }
        try:
            if self._client is None:
                # Not from the environment: a proxy must not intercept loopback receivers.
                self._client = httpx.AsyncClient(timeout=self._timeout_s, trust_env=False)
            response = await self._client.post(target, json=body, headers=headers)
            entry["status"] = response.status_code
        except httpx.HTTPError as e:
            entry["error"] = f"{type(e).__name__}: {e}" if str(e) else type(e).__name__
        except ValueError as e:  # e.g. a header value httpx refuses
            entry["error"] = f"{type(e).__name__}: {e}"
        except asyncio.CancelledError:
            entry["error"] = "cancelled at shutdown"
            raise
        finally:
            self._log.append(entry)

    async def aclose(self) -> None:
        """Let in-flight deliveries finish (bounded by the timeout), then close the client."""
        self._closed = True
        if self._tasks:
            _, pending = await asyncio.wait(set(self._tasks), timeout=self._timeout_s + 1)
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.wait(pending)
        if self._client is not None:
            await self._client.aclose()
            self._client = None
