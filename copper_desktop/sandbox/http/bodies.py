"""Request bodies: read with a size limit, parsed as strict JSON.

Every part that reads a body (the request log, the Copper routes, the control API) goes
through here, so a bad body gets the same answer everywhere and never reaches the store:
``NaN``, ``Infinity`` and numbers beyond a float (``1e400``) are not JSON and could never be
answered once stored; nesting deeper than any Copper body would exhaust the recursion limit
further on; a body over the limit is refused before it is read.
"""

from __future__ import annotations

import json
import math
from typing import Any

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.types import Receive, Scope

MAX_DEPTH = 32
"""Deepest nesting accepted; Copper's own bodies nest five levels at most."""

__all__ = ["MAX_DEPTH", "BadBody", "parse_json", "read_body", "request_json"]


class BadBody(Exception):
    """A body the sandbox refuses: 400 (not strict JSON) or 413 (over the size limit)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _too_large(limit: int) -> BadBody:
    return BadBody(413, f"Request body too large, limit is {limit} bytes")


class _NotANumber(ValueError):
    pass


def _no_constant(name: str) -> Any:
    raise _NotANumber(f"{name} is not a JSON number")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _NotANumber(f"{text} is beyond the range of a number")
    return value


_DECODER = json.JSONDecoder(parse_constant=_no_constant, parse_float=_finite)


def _depth_ok(value: Any) -> bool:
    """Whether ``value`` nests at most MAX_DEPTH levels (iterative: deep input is the point)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > MAX_DEPTH:
            return False
        stack.extend((child, depth + 1) for child in children)
    return True


def parse_json(raw: bytes) -> Any:
    """The body as strict JSON, ``None`` when empty; BadBody(400) otherwise."""
    if not raw.strip():
        return None
    try:
        value = _DECODER.decode(raw.decode("utf-8"))
    except RecursionError:
        raise BadBody(400, "Invalid JSON in request body: nested too deeply") from None
    except _NotANumber as e:
        raise BadBody(400, f"Invalid JSON in request body: {e}") from None
    except ValueError:  # also UnicodeDecodeError and integers of over 4,300 digits
        raise BadBody(400, "Invalid JSON in request body") from None
    if not _depth_ok(value):
        raise BadBody(400, "Invalid JSON in request body: nested too deeply")
    return value


def content_length(scope: Scope) -> int | None:
    """The declared body size, or None (chunked, or no body)."""
    text = Headers(scope=scope).get("content-length")
    return int(text) if text is not None and text.strip().isdigit() else None


async def read_body(scope: Scope, receive: Receive, limit: int) -> tuple[bytes, bool]:
    """The whole body and whether the client went away while sending it.

    More than ``limit`` bytes is BadBody(413): refused unread when Content-Length declares it,
    else as soon as that much arrived. The server discards whatever the client still sends.
    """
    declared = content_length(scope)
    if declared is not None and declared > limit:
        raise _too_large(limit)
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return b"".join(chunks), True
        chunk: bytes = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks), False


async def request_json(request: Request, limit: int) -> Any:
    """A Starlette request's body, read within ``limit`` and parsed as strict JSON."""
    raw, _ = await read_body(request.scope, request.receive, limit)
    return parse_json(raw)
