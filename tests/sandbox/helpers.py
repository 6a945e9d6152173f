"""Plain helpers shared by the sandbox's HTTP tests (fixtures live in conftest.py)."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

# The start of every field validation message (copper-api.md, 422 answers).
PREFIX = "Invalid input: Validation errors: "


def auth_headers(user: dict[str, Any]) -> dict[str, str]:
    """The three X-PW headers that authenticate ``user`` (one of ``sandbox.users``)."""
    return {
        "X-PW-AccessToken": user["token"],
        "X-PW-Application": "developer_api",
        "X-PW-UserEmail": user["email"],
    }


def uid() -> str:
    """A short unique suffix, so records made by one test never collide with another's."""
    return uuid.uuid4().hex[:10]


def ok(r: httpx.Response) -> Any:
    """The JSON body of a 200 answer; anything else fails with the answer's text."""
    assert r.status_code == 200, r.text
    return r.json()


def err(r: httpx.Response, status: int = 422) -> str:
    """The message of an error answer with this status (the status code only is checked)."""
    assert r.status_code == status, r.text
    message: str = r.json()["message"]
    return message


def envelope_err(r: httpx.Response, status: int = 422) -> str:
    """Like ``err``, and also checks the body is Copper's envelope: success false, the status."""
    assert r.status_code == status, r.text
    body = r.json()
    assert body["success"] is False and body["status"] == status
    message: str = body["message"]
    return message
