"""The sandbox-only control API under ``/_sandbox/`` (docs/sandbox.md, "Control API").

Tests and the user drive the sandbox through it: fault rules, run-time settings, counters, the
request log, webhook deliveries and reset. It is unauthenticated, never rate limited, counted
or faulted (the middleware lets it through), so a test can always reach it, even mid-outage.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from copper_desktop.sandbox.http.bodies import BadBody, request_json
from copper_desktop.sandbox.http.faults import FaultRuleError
from copper_desktop.sandbox.http.shell import Shell
from copper_desktop.sandbox.settings import CONTROL_PREFIX

Json = dict[str, Any]
Handler = Callable[[Request], Awaitable[Response]]

DEFAULT_REQUEST_LIMIT = 100


class ControlError(Exception):
    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def _int(name: str, low: int) -> Callable[[Any], Any]:
    def check(v: Any) -> Any:
        if isinstance(v, bool) or not isinstance(v, int) or v < low:
            raise ControlError(f"{name} must be an integer of at least {low}")
        return v

    return check


def _positive_number(name: str) -> Callable[[Any], Any]:
    def check(v: Any) -> Any:
        if isinstance(v, bool) or not isinstance(v, int | float) or v <= 0:
            raise ControlError(f"{name} must be a positive number")
        return float(v)

    return check


def _bool(name: str) -> Callable[[Any], Any]:
    def check(v: Any) -> Any:
        if not isinstance(v, bool):
            raise ControlError(f"{name} must be true or false")
        return v

    return check


def _date_order(v: Any) -> Any:
    if v not in ("MDY", "DMY"):
        raise ControlError('close_date_order must be "MDY" or "DMY"')
    return v


def _convert_answer(v: Any) -> Any:
    if v not in ("both", "objects", "ids"):
        raise ControlError('convert_answer must be "both", "objects" or "ids"')
    return v


# What PATCH /_sandbox/settings may change, each with its validator.
SETTINGS: dict[str, Callable[[Any], Any]] = {
    "rate_limit": _int("rate_limit", 0),
    "rate_window_s": _positive_number("rate_window_s"),
    "bulk_rate_limit": _int("bulk_rate_limit", 0),
    "retry_after": _bool("retry_after"),
    "close_date_order": _date_order,
    "hide_converted_leads": _bool("hide_converted_leads"),
    "convert_answer": _convert_answer,
    "search_cap": _int("search_cap", 1),
    "max_body_bytes": _int("max_body_bytes", 1),
}


def _handler(fn: Handler) -> Handler:
    async def wrapper(request: Request) -> Response:
        try:
            return await fn(request)
        except (ControlError, BadBody, FaultRuleError) as e:
            status = 422 if isinstance(e, FaultRuleError) else e.status
            return JSONResponse({"error": str(e)}, status_code=status)

    wrapper.__name__ = fn.__name__
    return wrapper


def control_routes(shell: Shell) -> list[BaseRoute]:
    """The control API's routes, with their full paths."""

    async def json_body(request: Request) -> Any:
        return await request_json(request, shell.ctx.settings.max_body_bytes)

    async def health(request: Request) -> Response:
        return JSONResponse({"ok": True})

    async def faults_get(request: Request) -> Response:
        return JSONResponse({"rules": shell.faults.rules()})

    async def faults_add(request: Request) -> Response:
        return JSONResponse(shell.faults.add(await json_body(request)))

    async def faults_replace(request: Request) -> Response:
        body = await json_body(request)
        if not isinstance(body, dict) or set(body) != {"rules"}:
            raise ControlError('the body must be {"rules": [...]}')
        return JSONResponse({"rules": shell.faults.replace(body["rules"])})

    async def faults_clear(request: Request) -> Response:
        shell.faults.clear()
        return JSONResponse({"rules": []})

    def current_settings() -> Json:
        return {name: getattr(shell.ctx.settings, name) for name in SETTINGS}

    async def settings_get(request: Request) -> Response:
        return JSONResponse(current_settings())

    async def settings_patch(request: Request) -> Response:
        body = await json_body(request)
        if not isinstance(body, dict):
            raise ControlError("the body must be an object of settings")
        unknown = sorted(set(body) - set(SETTINGS))
        if unknown:
            raise ControlError(f"unknown settings: {', '.join(unknown)}")
        # Validate everything before changing anything.
        changes = {name: SETTINGS[name](value) for name, value in body.items()}
        for name, value in changes.items():
            setattr(shell.ctx.settings, name, value)
        return JSONResponse(current_settings())

    async def stats(request: Request) -> Response:
        return JSONResponse(shell.stats.to_json())

    async def requests(request: Request) -> Response:
        text = request.query_params.get("limit", str(DEFAULT_REQUEST_LIMIT))
        try:
            limit = int(text)
        except ValueError:
            raise ControlError("limit must be an integer") from None
        if limit < 0:
            raise ControlError("limit must not be negative")
        return JSONResponse(shell.log.last(limit))

    async def deliveries(request: Request) -> Response:
        notifier = shell.notifier
        return JSONResponse(notifier.deliveries() if notifier is not None else [])

    async def reset(request: Request) -> Response:
        body = await json_body(request)
        if body is None:
            body = {}
        if not isinstance(body, dict) or set(body) - {"data"}:
            raise ControlError('the body must be {"data": true|false} or empty')
        data = body.get("data", False)
        if not isinstance(data, bool):
            raise ControlError("data must be true or false")
        shell.reset(data=data)
        return JSONResponse({"ok": True, "data": data})

    table: list[tuple[str, str, Handler]] = [
        ("GET", "/health", health),
        ("GET", "/faults", faults_get),
        ("POST", "/faults", faults_add),
        ("PUT", "/faults", faults_replace),
        ("DELETE", "/faults", faults_clear),
        ("GET", "/settings", settings_get),
        ("PATCH", "/settings", settings_patch),
        ("GET", "/stats", stats),
        ("GET", "/requests", requests),
        ("GET", "/webhook_deliveries", deliveries),
        ("POST", "/reset", reset),
    ]
    return [
        Route(CONTROL_PREFIX + path, endpoint=_handler(fn), methods=[method])
        for method, path, fn in table
    ]
