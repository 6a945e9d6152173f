"""Copper's rate limits in the sandbox (copper-behaviour.md §2): a rolling window per API key plus a
per-second limit on bulk endpoints, driven at run time through the control API with short
windows so the tests stay fast."""

from __future__ import annotations

import time
from typing import Any

import httpx

from copper_desktop.sandbox.server import SandboxServer
from tests.helpers.http import auth_headers

RATE_LIMITED = {"success": False, "status": 429, "message": "Rate limit exceeded"}


def get(http: httpx.Client, user: dict[str, Any]) -> httpx.Response:
    return http.get("/account", headers=auth_headers(user))


def test_the_request_after_the_limit_is_429(
    http: httpx.Client, control: Any, admin: dict[str, Any]
) -> None:
    control.settings(rate_limit=5, rate_window_s=60.0)
    for i in range(5):
        assert get(http, admin).status_code == 200, f"request {i + 1}"
    r = get(http, admin)
    assert r.status_code == 429
    assert r.json() == RATE_LIMITED
    assert "Retry-After" not in r.headers
    assert control.stats()["statuses"] == {"200": 5, "429": 1}


def test_budget_frees_after_the_window_and_rejections_cost_nothing(
    http: httpx.Client, control: Any, admin: dict[str, Any]
) -> None:
    window = 2.0
    control.settings(rate_limit=3, rate_window_s=window)
    for _ in range(3):
        assert get(http, admin).status_code == 200
    admitted_until = time.monotonic()
    time.sleep(1.0)
    # Rejected inside the window: if they were recorded they would still block below.
    assert get(http, admin).status_code == 429
    assert get(http, admin).status_code == 429
    time.sleep(max(0.0, admitted_until + window + 0.2 - time.monotonic()))
    for i in range(3):
        assert get(http, admin).status_code == 200, f"request {i + 1} after the window"
    assert get(http, admin).status_code == 429


def test_each_token_has_its_own_budget(
    http: httpx.Client, control: Any, sandbox: SandboxServer
) -> None:
    admin, other = sandbox.users[0], sandbox.users[1]
    control.settings(rate_limit=2, rate_window_s=60.0)
    assert get(http, admin).status_code == 200
    assert get(http, admin).status_code == 200
    assert get(http, admin).status_code == 429
    assert get(http, other).status_code == 200
    assert get(http, other).status_code == 200
    assert get(http, other).status_code == 429


def test_unauthenticated_requests_do_not_spend_the_budget(
    http: httpx.Client, control: Any, admin: dict[str, Any]
) -> None:
    control.settings(rate_limit=2, rate_window_s=60.0)
    bad = {**auth_headers(admin), "X-PW-UserEmail": "wrong@example.test"}
    for _ in range(4):
        assert http.get("/account", headers=bad).status_code == 401
    assert get(http, admin).status_code == 200
    assert get(http, admin).status_code == 200
    assert get(http, admin).status_code == 429


def test_retry_after_header_only_when_configured(
    http: httpx.Client, control: Any, admin: dict[str, Any]
) -> None:
    control.settings(rate_limit=1, rate_window_s=30.0, retry_after=True)
    assert get(http, admin).status_code == 200
    r = get(http, admin)
    assert r.status_code == 429
    assert r.json() == RATE_LIMITED
    seconds = int(r.headers["Retry-After"])
    assert 1 <= seconds <= 30
    control.settings(retry_after=False)
    r = get(http, admin)
    assert r.status_code == 429
    assert "Retry-After" not in r.headers


def test_zero_disables_the_limit(http: httpx.Client, control: Any, admin: dict[str, Any]) -> None:
    control.settings(rate_limit=1, rate_window_s=60.0)
    assert get(http, admin).status_code == 200
    assert get(http, admin).status_code == 429
    control.settings(rate_limit=0)
    for _ in range(5):
        assert get(http, admin).status_code == 200


def bulk(http: httpx.Client, user: dict[str, Any]) -> httpx.Response:
    # An empty batch: valid for the route, so only the limiter can refuse it.
    return http.post("/people/bulk_create", headers=auth_headers(user), json={"people": []})


def test_bulk_endpoints_allow_three_per_second(
    http: httpx.Client, control: Any, admin: dict[str, Any]
) -> None:
    control.settings(bulk_rate_limit=3)
    statuses = [bulk(http, admin).status_code for _ in range(3)]
    started = time.monotonic()
    assert statuses == [200, 200, 200]
    r = bulk(http, admin)
    assert r.status_code == 429
    assert r.json() == RATE_LIMITED
    # Not a bulk path: only the general limit (off here) applies.
    assert get(http, admin).status_code == 200
    assert (
        http.post(
            "/people/bulk_update", headers=auth_headers(admin), json={"people": []}
        ).status_code
        == 429
    )
    time.sleep(max(0.0, started + 1.1 - time.monotonic()))
    assert bulk(http, admin).status_code == 200


def test_bulk_requests_count_against_the_general_limit_too(
    http: httpx.Client, control: Any, admin: dict[str, Any]
) -> None:
    control.settings(rate_limit=3, rate_window_s=60.0, bulk_rate_limit=3)
    assert bulk(http, admin).status_code == 200
    assert bulk(http, admin).status_code == 200
    assert get(http, admin).status_code == 200
    assert bulk(http, admin).status_code == 429
    assert get(http, admin).status_code == 429


def test_reset_clears_the_windows(http: httpx.Client, control: Any, admin: dict[str, Any]) -> None:
    control.settings(rate_limit=1, rate_window_s=60.0)
    assert get(http, admin).status_code == 200
    assert get(http, admin).status_code == 429
    control.reset()
    assert get(http, admin).status_code == 200
