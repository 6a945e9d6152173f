"""Webhook notifications (copper-behaviour.md §12) POSTed to a real receiver on loopback: body
shape, secret flattening, headers, chunks of at most 30 ids, at-most-once delivery and the log."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from copper_desktop.sandbox.core.shapes import RecordEvent
from copper_desktop.sandbox.http.webhooks import WebhookNotifier
from copper_desktop.sandbox.server import SandboxServer
from copper_desktop.sandbox.settings import SandboxConfig
from tests.helpers.http import auth_headers


class Receiver:
    """A tiny HTTP server that records every notification it gets."""

    def __init__(self, status: int = 200, delay_s: float = 0.0) -> None:
        self.status = status
        self.delay_s = delay_s
        self.received: list[dict[str, Any]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                raw = self.rfile.read(length)
                time.sleep(receiver.delay_s)
                receiver.received.append(
                    {"path": self.path, "headers": dict(self.headers), "body": json.loads(raw)}
                )
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join()

    def bodies(self, path: str | None = None) -> list[dict[str, Any]]:
        return [r["body"] for r in self.received if path is None or r["path"] == path]


def wait_for(check: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for webhook deliveries")
        time.sleep(0.02)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as r:
        yield r


@pytest.fixture
def api(control: Any, api: httpx.Client) -> httpx.Client:
    """The shared admin client, set up after ``control`` has reset the sandbox."""
    return api


@pytest.fixture
def subscribe(api: httpx.Client) -> Iterator[Callable[..., dict[str, Any]]]:
    """Subscriptions live in the shared sandbox: every one made here is removed afterwards."""
    made: list[int] = []

    def make(**body: Any) -> dict[str, Any]:
        r = api.post("/webhooks", json=body)
        assert r.status_code == 200, r.text
        hook: dict[str, Any] = r.json()
        made.append(hook["id"])
        return hook

    yield make
    for hook_id in made:
        api.delete(f"/webhooks/{hook_id}")


def new_name() -> str:
    return f"Hook {uuid.uuid4().hex[:8]}"


def test_new_record_notification_body_and_headers(
    api: httpx.Client, control: Any, receiver: Receiver, subscribe: Any
) -> None:
    hook = subscribe(
        target=receiver.url + "/people",
        type="person",
        event="new",
        secret={"password": "s3cret", "source": "sandbox"},
        headers={"X-Integration": "desktop-tests"},
    )
    person = api.post("/people", json={"name": new_name()}).json()
    wait_for(lambda: len(receiver.received) == 1)
    got = receiver.received[0]
    assert got["path"] == "/people"
    assert got["body"] == {
        "ids": [person["id"]],
        "type": "person",
        "event": "new",
        "subscription_id": hook["id"],
        "password": "s3cret",
        "source": "sandbox",
    }
    assert got["headers"]["X-Integration"] == "desktop-tests"
    assert got["headers"]["Content-Type"] == "application/json"
    wait_for(lambda: len(control.deliveries()) == 1)
    assert control.deliveries() == [
        {
            "subscription_id": hook["id"],
            "target": receiver.url + "/people",
            "body": got["body"],
            "status": 200,
            "error": None,
        }
    ]


def test_update_notification_carries_updated_attributes(
    api: httpx.Client, receiver: Receiver, subscribe: Any
) -> None:
    person = api.post("/people", json={"name": new_name(), "title": "Old"}).json()
    hook = subscribe(target=receiver.url, type="person", event="update")
    assert api.put(f"/people/{person['id']}", json={"title": "New"}).status_code == 200
    wait_for(lambda: len(receiver.received) == 1)
    body = receiver.bodies()[0]
    assert body["ids"] == [person["id"]]
    assert body["event"] == "update"
    assert body["subscription_id"] == hook["id"]
    assert body["updated_attributes"]["title"] == ["Old", "New"]


def test_only_matching_type_and_event_are_notified(
    api: httpx.Client, receiver: Receiver, subscribe: Any
) -> None:
    hook = subscribe(target=receiver.url + "/person-new", type="person", event="new")
    subscribe(target=receiver.url + "/company-delete", type="company", event="delete")
    person = api.post("/people", json={"name": new_name()}).json()
    api.put(f"/people/{person['id']}", json={"title": "Changed"})
    company = api.post("/companies", json={"name": new_name()}).json()
    api.delete(f"/companies/{company['id']}")
    wait_for(lambda: len(receiver.bodies("/company-delete")) == 1)
    time.sleep(0.2)  # let any stray notification arrive before counting
    assert receiver.bodies("/person-new") == [
        {
            "ids": [person["id"]],
            "type": "person",
            "event": "new",
            "subscription_id": hook["id"],
        }
    ]
    assert receiver.bodies("/company-delete")[0]["ids"] == [company["id"]]
    assert "updated_attributes" not in receiver.bodies("/company-delete")[0]
    assert len(receiver.received) == 2


def test_bulk_create_sends_one_notification_with_every_id(
    api: httpx.Client, receiver: Receiver, subscribe: Any
) -> None:
    subscribe(target=receiver.url, type="person", event="new")
    r = api.post("/people/bulk_create", json={"people": [{"name": new_name()} for _ in range(10)]})
    ids = [p["id"] for p in r.json()]
    wait_for(lambda: len(receiver.received) == 1)
    assert receiver.bodies()[0]["ids"] == ids


def test_failed_deliveries_are_logged_and_never_retried(
    api: httpx.Client, control: Any, subscribe: Any
) -> None:
    with Receiver(status=500) as failing:
        subscribe(target=failing.url + "/fail", type="company", event="new")
        with socket.socket() as s:  # a port nobody listens on
            s.bind(("127.0.0.1", 0))
            closed = f"http://127.0.0.1:{s.getsockname()[1]}/gone"
        subscribe(target=closed, type="company", event="new")
        api.post("/companies", json={"name": new_name()})
        wait_for(lambda: len(control.deliveries()) == 2)
        time.sleep(0.3)
        assert len(failing.received) == 1
    by_target = {d["target"]: d for d in control.deliveries()}
    assert len(control.deliveries()) == 2
    assert by_target[failing.url + "/fail"]["status"] == 500
    assert by_target[failing.url + "/fail"]["error"] is None
    assert by_target[closed]["status"] is None
    assert "ConnectError" in by_target[closed]["error"]


def test_reset_clears_the_delivery_log(
    api: httpx.Client, control: Any, receiver: Receiver, subscribe: Any
) -> None:
    subscribe(target=receiver.url, type="company", event="new")
    api.post("/companies", json={"name": new_name()})
    wait_for(lambda: len(control.deliveries()) == 1)
    control.reset()
    assert control.deliveries() == []


def test_notifier_chunks_ids_by_thirty(receiver: Receiver) -> None:
    subscription = {
        "id": 17001,
        "target": receiver.url + "/chunks",
        "type": "task",
        "event": "update",
        "secret": {"ids": "must not clobber", "key": "k"},
        "headers": {"Authorization": "Bearer abc"},
    }
    ids = list(range(5_000_000_000, 5_000_000_065))  # above 2^31, as Copper's can be

    async def run() -> list[dict[str, Any]]:
        notifier = WebhookNotifier(lambda: [subscription], timeout_s=5)
        notifier.emit(RecordEvent("task", "update", ids, {"name": ["a", "b"]}))
        notifier.emit(RecordEvent("task", "new", ids))  # no subscription for this event
        notifier.emit(RecordEvent("person", "update", ids))  # nor for this type
        assert notifier.pending == 3
        await notifier.aclose()
        return notifier.deliveries()

    deliveries = asyncio.run(run())
    bodies = sorted(receiver.bodies("/chunks"), key=lambda b: b["ids"][0])
    assert [len(b["ids"]) for b in bodies] == [30, 30, 5]
    assert [i for b in bodies for i in b["ids"]] == ids
    for body in bodies:
        assert body["type"] == "task"
        assert body["event"] == "update"
        assert body["subscription_id"] == 17001
        assert body["key"] == "k"
        assert body["updated_attributes"] == {"name": ["a", "b"]}
    assert all(r["headers"]["Authorization"] == "Bearer abc" for r in receiver.received)
    assert sorted(d["status"] for d in deliveries) == [200, 200, 200]


def test_stop_waits_for_deliveries_in_flight() -> None:
    with Receiver(delay_s=0.5) as slow:
        server = SandboxServer(SandboxConfig(port=0, db=":memory:", seed=10)).start()
        try:
            with httpx.Client(
                base_url=server.base_url, headers=auth_headers(server.users[0])
            ) as api:
                api.post("/webhooks", json={"target": slow.url, "type": "lead", "event": "new"})
                lead = api.post("/leads", json={"name": new_name()}).json()
        finally:
            server.stop()
        # The notification was still being answered when stop() began; it completed.
        assert slow.bodies() == [
            {"ids": [lead["id"]], "type": "lead", "event": "new", "subscription_id": ANY_INT}
        ]
        assert server.context is not None
        notifier = server.context.events
        assert isinstance(notifier, WebhookNotifier)
        assert [(d["status"], d["error"]) for d in notifier.deliveries()] == [(200, None)]


class _AnyInt:
    def __eq__(self, other: object) -> bool:
        return isinstance(other, int)


ANY_INT: Any = _AnyInt()
