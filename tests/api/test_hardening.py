"""Hardening (issue 14): answers nested past the parser, certificate failures, a token echoed
by the server, and the limiter's defaults and in-flight rule.

Loopback servers from tests/helpers/http.py stand in where the sandbox cannot misbehave
that way; the limiter's in-flight rule is checked against the live sandbox.
"""

from __future__ import annotations

import asyncio
import json
import traceback
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from copper_desktop.api import (
    CertificateError,
    ClientEvent,
    ClientStatus,
    CopperClient,
    CopperError,
    MalformedResponseError,
    RateLimits,
    ValidationError,
)
from tests.helpers.clients import FAST_RETRY
from tests.helpers.http import Forward, Reply, Request, serve, tls_listener
from tests.helpers.sandbox import SandboxControl

pytestmark = pytest.mark.anyio

MakeClient = Callable[..., CopperClient]
DEEP = b"[" * 100_000 + b"]" * 100_000
"""Valid JSON that Python's parser cannot read: it raises RecursionError, not ValueError."""


async def test_json_nested_too_deep_is_an_unreadable_answer() -> None:
    calls = 0

    async def handler(request: Request, _: Forward) -> Reply:
        nonlocal calls
        calls += 1
        return Reply(422 if request.method == "PUT" else 200, DEEP)

    async with (
        serve(handler) as url,
        CopperClient("a@b.test", "tok-deep", base_url=url, retry=FAST_RETRY) as c,
    ):
        with pytest.raises(MalformedResponseError):
            await c.account()
        assert calls == 1 + FAST_RETRY.transient.max_retries  # retried like any garbled answer
        with pytest.raises(ValidationError):  # a 4xx body too deep to read: still typed
            await c.update("people", 1, {"name": "x"})


async def test_certificate_failure_is_named_and_not_retried(tmp_path: Path) -> None:
    async with (
        tls_listener(tmp_path) as listener,
        CopperClient("a@b.test", "tok-tls", base_url=listener.url, retry=FAST_RETRY) as c,
    ):
        with pytest.raises(CertificateError) as info:
            await c.me()
    assert listener.connections == 1  # one attempt: a second cannot verify any better
    text = str(info.value)
    assert "certificate" in text and "network" not in text.lower()
    assert info.value.detail and "self-signed" in info.value.detail
    assert not info.value.retryable


async def test_token_echoed_by_the_server_is_masked() -> None:
    token = f"tok-{uuid.uuid4().hex}"
    escaped = f"\\u{ord(token[0]):04x}{token[1:]}"  # the same text, JSON-escaped

    def envelope(status: int, message: str) -> bytes:
        body = {"success": False, "status": status, "message": message}
        return json.dumps(body).replace(json.dumps(token)[1:-1], escaped).encode()

    async def handler(request: Request, _: Forward) -> Reply:
        echoed = request.headers["x-pw-accesstoken"]
        answers = {
            "/account": Reply(401, envelope(401, f"Invalid token {echoed}")),
            "/users/me": Reply(
                422, envelope(422, f"Invalid input: Validation errors: Token: {echoed} unknown")
            ),
            "/tags": Reply(403, envelope(403, f"Key {echoed} may not do this")),
            "/pipelines": Reply(500, json.dumps({"error": f"crashed on {echoed}"}).encode()),
            "/contact_types": Reply(400, f"bad key {echoed}".encode(), {}),
            "/loss_reasons": Reply(418, json.dumps({"message": echoed}).encode()),
        }
        return answers[request.path]

    errors: list[CopperError] = []
    async with (
        serve(handler) as url,
        CopperClient("a@b.test", token, base_url=url, retry=FAST_RETRY) as c,
    ):
        for call in (c.account, c.me, c.tags, c.pipelines, c.contact_types, c.loss_reasons):
            with pytest.raises(CopperError) as info:
                await call()
            errors.append(info.value)
    assert len(errors) == 6
    texts = [e.detail or "" for e in errors]
    assert all("[redacted]" in t for t in texts), texts  # the server's text is kept, masked
    for error in errors:
        shown = "".join(traceback.format_exception(error)) + repr(error) + str(error)
        shown += repr(vars(error)) + " ".join(str(a) for a in error.args)
        if isinstance(error, ValidationError):
            shown += repr(error.errors) + " ".join(str(e) for e in error.errors)
        assert token not in shown


# ---------------------------------------------------------------- the limiter


def test_default_rate_limit_is_coppers_with_headroom() -> None:
    """Copper allows 180 requests per rolling minute per key and 3 bulk calls a second
    (copper-behaviour.md §2); the client keeps 10 below for other tools on the same key."""
    limits = RateLimits()
    assert (limits.per_window, limits.window_s) == (170, 60.0)
    assert (limits.bulk_per_window, limits.bulk_window_s) == (3, 1.0)
    client = CopperClient("a@b.test", "t", base_url="http://127.0.0.1:9/developer_api/v1")
    status = client.status()
    assert (status.limit, status.window_s) == (170, 60.0)


async def test_a_request_in_flight_keeps_its_place_past_the_window(
    make_client: MakeClient, control: SandboxControl
) -> None:
    """One request allowed per 50 ms, the first takes 600 ms: the second must not start
    while the first is still in flight (Copper counts a request when it gets there)."""
    control.add_fault("latency", ms=600, path="^/account$", count=1)
    events: list[ClientEvent] = []
    async with make_client(limits=RateLimits(per_window=1, window_s=0.05)) as c:
        c.subscribe(events.append)
        await asyncio.gather(c.account(), c.me())
    statuses = [e for e in events if isinstance(e, ClientStatus)]
    assert max(s.in_flight for s in statuses) == 1
    assert any(s.queued == 1 and s.in_flight == 1 for s in statuses)  # the second waited
    order = [r["path"] for r in control.requests(10)]
    assert order == ["/account", "/users/me"]
