"""The sandbox's HTTP shell: everything Copper does around an operation (authentication, rate
limits) plus what only a test server does (fault injection, counters, a request log), as pure
ASGI middleware around the routes, in the order of docs/sandbox.md "Order of a request".

Pure ASGI (not ``BaseHTTPMiddleware``) so that a fault can withhold the answer entirely and drop
the TCP connection, and so that the route's answer can be captured and spoiled after it ran.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl

from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from copper_desktop.sandbox.core.store import Store
from copper_desktop.sandbox.http.bodies import BadBody, parse_json, read_body
from copper_desktop.sandbox.http.faults import FaultRule, malformed_body
from copper_desktop.sandbox.http.ratelimit import retry_after_header
from copper_desktop.sandbox.http.responses import error_response
from copper_desktop.sandbox.http.shell import Shell
from copper_desktop.sandbox.settings import API_PREFIX, CONTROL_PREFIX

Json = dict[str, Any]

SCOPE_KEY = "copper_sandbox"
MAX_LOGGED_TEXT = 64 * 1024
APPLICATION = "developer_api"
RATE_LIMIT_MESSAGE = "Rate limit exceeded"
UNMATCHED = "unmatched"
DROPPED = "dropped"

log = logging.getLogger(__name__)

__all__ = ["AuthLayer", "FaultLayer", "RateLimitLayer", "RecordLayer", "RequestInfo"]


@dataclass
class RequestInfo:
    """Per-request facts the middleware layers hand to one another through the scope."""

    path: str
    route: str
    allowed: list[str]
    entry: Json
    raw_send: Send | None = field(repr=False)
    token: str | None = field(default=None, repr=False)
    user: Json | None = field(default=None, repr=False)
    auth_error: str = "Unauthorized"
    bad_body: BadBody | None = None
    """Set when the body was refused unread or half-read (over the size limit)."""


def _info(scope: Scope) -> RequestInfo:
    info: RequestInfo = scope[SCOPE_KEY]
    return info


def is_control(scope: Scope) -> bool:
    path: str = scope.get("path", "")
    return path == CONTROL_PREFIX or path.startswith(CONTROL_PREFIX + "/")


def api_path(path: str) -> str:
    """The path as Copper's docs write it: relative to the API prefix."""
    if path == API_PREFIX or path.startswith(API_PREFIX + "/"):
        return path[len(API_PREFIX) :] or "/"
    return path


def route_template(route: BaseRoute) -> str:
    fmt = getattr(route, "path_format", None) or getattr(route, "path", "")
    return api_path(str(fmt))


def match_route(routes: list[BaseRoute], scope: Scope) -> tuple[str, list[str]]:
    """The route template the router will pick ("PUT /people/{id}"), or "unmatched" with the
    methods the path does allow (for a 405)."""
    allowed: set[str] = set()
    for route in routes:
        match, _ = route.matches(scope)
        if match is Match.FULL:
            return f"{scope['method']} {route_template(route)}", []
        if match is Match.PARTIAL and isinstance(route, Route) and route.methods:
            allowed.update(route.methods)
    return UNMATCHED, sorted(allowed)


# --------------------------------------------------------------------------- helpers
def _scrub(value: Any, secret: str | None) -> Any:
    """Remove a token a client put where it does not belong, so the log never shows one."""
    if not secret or len(secret) < 4:  # shorter is no secret, and would mangle the log
        return value
    if isinstance(value, str):
        return value.replace(secret, "***")
    if isinstance(value, list):
        return [_scrub(v, secret) for v in value]
    if isinstance(value, dict):
        return {_scrub(k, secret): _scrub(v, secret) for k, v in value.items()}
    return value


def _logged_body(raw: bytes) -> Any:
    """The body as the log shows it: its JSON, or the start of its text when it is not JSON."""
    try:
        return parse_json(raw)
    except BadBody:
        return raw[:MAX_LOGGED_TEXT].decode("utf-8", errors="replace")


def authenticate(scope: Scope, store: Store) -> tuple[Json | None, str]:
    """The user the three X-PW headers name (copper-behaviour.md §1, §9), or None and why not."""
    headers = Headers(scope=scope)
    token = headers.get("x-pw-accesstoken", "").strip()
    email = headers.get("x-pw-useremail", "").strip()
    application = headers.get("x-pw-application", "").strip()
    if not token:
        return None, "Missing X-PW-AccessToken header"
    if not email:
        return None, "Missing X-PW-UserEmail header"
    if application != APPLICATION:
        return None, f"X-PW-Application must be {APPLICATION}"
    user = store.user_by_credentials(email, token)
    return user, "" if user is not None else "Invalid API key or user email"


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def rate_limited_response(retry_after: float | None) -> Response:
    response = error_response(429, RATE_LIMIT_MESSAGE)
    if retry_after is not None:
        response.headers["Retry-After"] = retry_after_header(retry_after)
    return response


async def drop_connection(raw_send: Send | None) -> None:
    """Close the TCP connection without a byte of answer, as a crashed proxy would.

    uvicorn's ``send`` is a bound method of the request-response cycle, which holds the
    transport. Aborting it makes the cycle see a client disconnect, so uvicorn neither answers
    nor logs anything when the app then returns without a response.
    """
    cycle = getattr(raw_send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is None:
        raise RuntimeError("dropping connections needs the sandbox to run under uvicorn")
    transport.abort()
    # connection_lost runs on a later loop iteration; wait for it so that uvicorn knows.
    for _ in range(100):
        if getattr(cycle, "disconnected", True):
            return
        await asyncio.sleep(0)


# --------------------------------------------------------------------------- middleware
class _Layer:
    def __init__(self, app: ASGIApp, shell: Shell) -> None:
        self.app = app
        self.shell = shell

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or is_control(scope):
            await self.app(scope, receive, send)
            return
        await self.handle(scope, receive, send)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        raise NotImplementedError


class RecordLayer(_Layer):
    """Step 1: counters and the request log (never headers: they carry the token).

    The credentials are checked here, before the body is read: an unauthenticated client
    cannot make the sandbox read (or log) its body, and an authenticated one no more than
    ``max_body_bytes`` of it. AuthLayer answers for both, after the fault rules.
    """

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        user, auth_error = authenticate(scope, self.shell.ctx.store)
        raw, bad_body = b"", None
        if user is not None:
            try:
                raw, gone = await read_body(scope, receive, self.shell.ctx.settings.max_body_bytes)
            except BadBody as e:
                bad_body = e
            else:
                if gone:
                    return
        token = Headers(scope=scope).get("x-pw-accesstoken")
        path = api_path(scope["path"])
        route, allowed = match_route(self.shell.routes, scope)
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1"), True))
        entry = self.shell.log.add(
            scope["method"],
            _scrub(path, token),
            route,
            _scrub(query, token),
            _scrub(_logged_body(raw), token),
        )
        stats = self.shell.stats
        stats.total += 1
        stats.routes[route] += 1
        info = RequestInfo(path, route, allowed, entry, scope.get(SCOPE_KEY + ".send"))
        info.user, info.auth_error, info.bad_body = user, auth_error, bad_body
        scope[SCOPE_KEY] = info
        status: int | None = None

        async def record_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, _replay(raw, receive), record_status)
        except Exception:
            # A bug in a route: answer like Copper's 500 and keep the connection usable (left
            # to uvicorn, the connection would be closed under a client that may reuse it).
            log.exception("sandbox error in %s", route)
            if status is not None:
                raise
            await error_response(500, "Internal Server Error")(scope, receive, record_status)
        finally:
            entry["status"] = status
            stats.statuses[str(status) if status is not None else DROPPED] += 1


class FaultLayer(_Layer):
    """Steps 2 and 6: the fault rules, before and after the request is processed."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        info = _info(scope)
        plan = self.shell.faults.plan(scope["method"], info.path)
        if plan.delay_s > 0:
            await asyncio.sleep(plan.delay_s)
        if plan.before is not None:
            await self._before(plan.before, info, scope, receive, send)
        elif plan.after is not None:
            await self._after(plan.after, info, scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def _before(
        self, rule: FaultRule, info: RequestInfo, scope: Scope, receive: Receive, send: Send
    ) -> None:
        if rule.kind == "drop":
            await drop_connection(info.raw_send)
            return
        if rule.kind == "rate_limit":
            response = rate_limited_response(rule.retry_after)
        else:
            try:
                message = HTTPStatus(rule.status).phrase
            except ValueError:
                message = "Server error"
            response = error_response(rule.status, message)
        await response(scope, receive, send)

    async def _after(
        self, rule: FaultRule, info: RequestInfo, scope: Scope, receive: Receive, send: Send
    ) -> None:
        messages: list[Message] = []

        async def capture(message: Message) -> None:
            messages.append(message)

        await self.app(scope, receive, capture)
        if rule.kind == "drop":
            await drop_connection(info.raw_send)
            return
        start = next((m for m in messages if m["type"] == "http.response.start"), None)
        body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
        spoiled = malformed_body(body)
        headers = [
            (k, v)
            for k, v in (start or {}).get("headers", [])
            if k.lower() not in (b"content-length", b"content-type")
        ]
        headers += [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(spoiled)).encode()),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": spoiled, "more_body": False})


class AuthLayer(_Layer):
    """Step 3: the three X-PW headers must name one user (checked by RecordLayer before it
    read the body); then a body over the size limit is refused."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        info = _info(scope)
        if info.user is None:
            await error_response(401, info.auth_error)(scope, receive, send)
            return
        if info.bad_body is not None:
            await error_response(info.bad_body.status, info.bad_body.message)(scope, receive, send)
            return
        scope.setdefault("state", {})["user"] = info.user
        info.token = Headers(scope=scope).get("x-pw-accesstoken", "").strip()
        await self.app(scope, receive, send)


class RateLimitLayer(_Layer):
    """Step 4: Copper's limits per API key; a rejected request costs nothing."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        info = _info(scope)
        wait = self.shell.limiter.check(info.token or "", info.path)
        if wait is not None:
            retry = wait if self.shell.ctx.settings.retry_after else None
            await rate_limited_response(retry)(scope, receive, send)
            return
        await self.app(scope, receive, send)
