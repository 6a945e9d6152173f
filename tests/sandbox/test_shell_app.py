"""``create_app`` with routes and a store of the test's own, served by uvicorn on loopback:
the shell's contract with any routes (user on request.state, templates, crash handling)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from copper_desktop.sandbox.context import SandboxContext
from copper_desktop.sandbox.core.shapes import NullEventSink
from copper_desktop.sandbox.http.asgi import create_app
from copper_desktop.sandbox.settings import API_PREFIX, SandboxConfig

USER = {"id": 7, "name": "Tiny User", "email": "tiny@example.test"}
HEADERS = {
    "X-PW-AccessToken": "tiny-token",
    "X-PW-Application": "developer_api",
    "X-PW-UserEmail": "tiny@example.test",
}


class TinyStore:
    """Just what the shell itself asks of a store."""

    def __init__(self) -> None:
        self.widgets: dict[int, str] = {}

    def user_by_credentials(self, email: str, token: str) -> dict[str, Any] | None:
        return dict(USER) if (email, token) == (USER["email"], "tiny-token") else None

    def list_webhooks(self) -> list[dict[str, Any]]:
        return []


def tiny_routes(store: TinyStore) -> list[BaseRoute]:
    async def whoami(request: Request) -> Response:
        return JSONResponse(request.state.user)

    async def put_widget(request: Request) -> Response:
        wid = int(request.path_params["id"])
        store.widgets[wid] = (await request.json())["name"]
        return JSONResponse({"id": wid, "name": store.widgets[wid]})

    async def crash(request: Request) -> Response:
        raise RuntimeError("a bug in a route")

    return [
        Route(API_PREFIX + "/whoami", whoami, methods=["GET"]),
        Route(API_PREFIX + "/widgets/{id:int}", put_widget, methods=["PUT"]),
        Route(API_PREFIX + "/crash", crash, methods=["GET"]),
    ]


@contextmanager
def serve(app: Starlette) -> Iterator[str]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    server = uvicorn.Server(
        uvicorn.Config(app, log_config=None, access_log=False, http="h11", loop="asyncio")
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        assert thread.is_alive()
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


@pytest.fixture
def tiny() -> Iterator[tuple[str, TinyStore, list[str]]]:
    store = TinyStore()
    reloads: list[str] = []
    ctx = SandboxContext(
        settings=SandboxConfig(db=":memory:", rate_limit=2, rate_window_s=60.0),
        store=cast(Any, store),
        events=NullEventSink(),
    )
    app = create_app(ctx, tiny_routes(store), reload_data=lambda: reloads.append("reload"))
    with serve(app) as root:
        yield root, store, reloads


def test_routes_see_the_authenticated_user(tiny: tuple[str, TinyStore, list[str]]) -> None:
    root, _, _ = tiny
    r = httpx.get(root + API_PREFIX + "/whoami", headers=HEADERS)
    assert r.status_code == 200
    assert r.json() == USER
    assert httpx.get(root + API_PREFIX + "/whoami").status_code == 401


def test_counters_use_the_route_template(tiny: tuple[str, TinyStore, list[str]]) -> None:
    root, store, _ = tiny
    with httpx.Client(base_url=root + API_PREFIX, headers=HEADERS) as api:
        api.put("/widgets/1", json={"name": "a"})
        api.put("/widgets/2", json={"name": "b"})
    stats = httpx.get(root + "/_sandbox/stats").json()
    assert stats["routes"] == {"PUT /widgets/{id}": 2}
    assert store.widgets == {1: "a", 2: "b"}
    # The limit (2 per minute) came from the context's settings.
    assert httpx.get(root + API_PREFIX + "/whoami", headers=HEADERS).status_code == 429


def test_a_crashing_route_answers_500_and_keeps_the_connection(
    tiny: tuple[str, TinyStore, list[str]], caplog: pytest.LogCaptureFixture
) -> None:
    root, _, _ = tiny
    with httpx.Client(base_url=root + API_PREFIX, headers=HEADERS) as api:
        r = api.get("/crash")
        assert r.status_code == 500
        assert r.json() == {"success": False, "status": 500, "message": "Internal Server Error"}
        assert api.get("/whoami").status_code == 200  # same keep-alive connection
    assert any("a bug in a route" in str(rec.exc_info) for rec in caplog.records)
    assert "tiny-token" not in caplog.text
    log = httpx.get(root + "/_sandbox/requests").json()
    assert [e["status"] for e in log] == [500, 200]


def test_a_bug_outside_the_routes_still_answers_the_envelope(
    tiny: tuple[str, TinyStore, list[str]],
) -> None:
    root, _, _ = tiny
    # Starlette's own int convertor raises on 5,000 digits while the shell matches the route.
    # (uvicorn logs the bug once the answer is out: not awaited here, it would need a clock.)
    r = httpx.put(root + API_PREFIX + "/widgets/" + "9" * 5000, json={}, headers=HEADERS)
    assert r.status_code == 500
    assert r.json() == {"success": False, "status": 500, "message": "Internal Server Error"}


def test_reset_with_data_runs_the_reload(tiny: tuple[str, TinyStore, list[str]]) -> None:
    root, _, reloads = tiny
    assert httpx.post(root + "/_sandbox/reset", json={}).status_code == 200
    assert reloads == []
    assert httpx.post(root + "/_sandbox/reset", json={"data": True}).status_code == 200
    assert reloads == ["reload"]
