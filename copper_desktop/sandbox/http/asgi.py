"""The sandbox as an ASGI app: the Copper routes and the control API inside the middleware
layers (``middleware.py``), sharing one ``Shell``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute
from starlette.types import Receive, Scope, Send

from copper_desktop.sandbox.context import SandboxContext
from copper_desktop.sandbox.http.control import control_routes
from copper_desktop.sandbox.http.middleware import (
    SCOPE_KEY,
    AuthLayer,
    FaultLayer,
    RateLimitLayer,
    RecordLayer,
    RequestInfo,
)
from copper_desktop.sandbox.http.responses import error_response
from copper_desktop.sandbox.http.shell import Shell


class SandboxApp(Starlette):
    """A Starlette app that remembers the server's own ``send`` so a fault can reach the
    connection under the middleware's wrappers."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            scope[SCOPE_KEY + ".send"] = send
        await super().__call__(scope, receive, send)


# --------------------------------------------------------------------------- the app
async def _not_found(request: Request, exc: Exception) -> Response:
    return JSONResponse({"error": "not_found"}, status_code=404)


async def _not_allowed(request: Request, exc: Exception) -> Response:
    info: RequestInfo | None = request.scope.get(SCOPE_KEY)
    allowed = info.allowed if info is not None and info.allowed else None
    if allowed is None and isinstance(exc, HTTPException) and exc.headers:
        allowed = [m.strip() for m in exc.headers.get("Allow", "").split(",") if m.strip()]
    response = error_response(405, "Method Not Allowed")
    if allowed:
        response.headers["Allow"] = ", ".join(allowed)
    return response


async def _server_error(request: Request, exc: Exception) -> Response:
    """A bug outside any route (in the middleware or the routing): still Copper's envelope,
    never a plain-text 500. Starlette then re-raises, so the bug is logged."""
    return error_response(500, "Internal Server Error")


def _default_reload(ctx: SandboxContext) -> Callable[[], None]:
    def reload() -> None:
        from copper_desktop.sandbox.core.seed import generate

        s = ctx.settings
        seed = generate(s.seed, email=s.email, token=s.token, close_date_order=s.close_date_order)
        ctx.store.load(seed, close_date_order=s.close_date_order)

    return reload


def create_app(
    ctx: SandboxContext,
    routes: list[BaseRoute] | None = None,
    *,
    reload_data: Callable[[], None] | None = None,
) -> Starlette:
    """The sandbox as an ASGI app. ``routes`` defaults to every Copper operation
    (``routes.build_routes``); tests of the shell pass a few of their own. ``reload_data``
    is what ``POST /_sandbox/reset {"data": true}`` runs (default: regenerate the seed)."""

    if routes is None:
        from copper_desktop.sandbox.http.routes import build_routes

        routes = build_routes(ctx)
    shell = Shell(ctx, list(routes), reload_data or _default_reload(ctx))

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            if shell.notifier is not None:
                await shell.notifier.aclose()

    app = SandboxApp(
        routes=[*control_routes(shell), *shell.routes],
        middleware=[
            Middleware(RecordLayer, shell=shell),
            Middleware(FaultLayer, shell=shell),
            Middleware(AuthLayer, shell=shell),
            Middleware(RateLimitLayer, shell=shell),
        ],
        exception_handlers={404: _not_found, 405: _not_allowed, Exception: _server_error},
        lifespan=lifespan,
    )
    app.state.shell = shell
    return app
