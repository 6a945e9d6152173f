"""The control API and what the shell records: counters per route template and status, the
request log (never a token), settings validation and reset (docs/sandbox.md)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import pytest

from copper_desktop.sandbox.server import SandboxServer
from tests.helpers.http import auth_headers


@pytest.fixture
def api(control: Any, api: httpx.Client) -> httpx.Client:
    """The shared admin client, set up after ``control`` has reset the sandbox."""
    return api


def create_person(api: httpx.Client, **fields: Any) -> dict[str, Any]:
    r = api.post("/people", json={"name": f"Control {uuid.uuid4().hex[:8]}", **fields})
    assert r.status_code == 200, r.text
    person: dict[str, Any] = r.json()
    return person


def test_stats_count_route_templates_and_statuses(api: httpx.Client, control: Any) -> None:
    a, b = create_person(api), create_person(api)
    api.put(f"/people/{a['id']}", json={"title": "One"})
    api.put(f"/people/{b['id']}", json={"title": "Two"})
    api.get(f"/people/{a['id']}")
    api.get("/people/999999999")
    api.get("/no/such/route")
    httpx.get(api.base_url.join("/developer_api/v1/account"))  # no credentials
    stats = control.stats()
    assert stats["total"] == 8
    assert stats["routes"] == {
        "POST /people": 2,
        "PUT /people/{id}": 2,
        "GET /people/{id}": 2,
        "unmatched": 1,
        "GET /account": 1,
    }
    assert stats["statuses"] == {"200": 5, "404": 2, "401": 1}


def test_request_log_shows_what_was_sent_oldest_first(api: httpx.Client, control: Any) -> None:
    person = create_person(api, title="Logged")
    api.get(f"/people/{person['id']}", params={"custom_field_computed_values": "true"})
    api.post("/people/search", content=b"not json{", headers={"Content-Type": "text/plain"})
    log = control.requests(limit=10)
    assert [e["seq"] for e in log] == [1, 2, 3]
    create, get, bad = log
    assert create["method"] == "POST"
    assert create["path"] == "/people"
    assert create["route"] == "POST /people"
    assert create["body"] == {"name": person["name"], "title": "Logged"}
    assert create["status"] == 200
    assert get["path"] == f"/people/{person['id']}"
    assert get["route"] == "GET /people/{id}"
    assert get["query"] == {"custom_field_computed_values": "true"}
    assert get["body"] is None
    assert bad["body"] == "not json{"
    assert bad["status"] == 400
    assert set(create) == {"seq", "method", "path", "route", "query", "body", "status"}
    assert [e["seq"] for e in control.requests(limit=2)] == [2, 3]
    assert control.requests(limit=0) == []


def test_request_log_never_holds_a_token(
    api: httpx.Client, control: Any, sandbox: SandboxServer, admin: dict[str, Any]
) -> None:
    token = admin["token"]
    # A careless client puts the token in a body and a query string: the log must not keep it.
    create_person(api, details=f"my key is {token}")
    api.get("/account", params={"token": token})
    for user in sandbox.users:
        httpx.get(sandbox.base_url + "/users/me", headers=auth_headers(user))
    text = json.dumps(control.requests(limit=1000))
    assert control.stats()["total"] == 2 + len(sandbox.users)
    for user in sandbox.users:
        assert user["token"] not in text
    assert "my key is ***" in text


def test_control_calls_are_not_counted_or_logged(api: httpx.Client, control: Any) -> None:
    api.get("/account")
    control.stats()
    control.requests()
    control.settings()
    assert control.stats()["total"] == 1
    assert len(control.requests()) == 1


def test_request_log_keeps_the_last_thousand(
    api: httpx.Client, control: Any, admin: dict[str, Any]
) -> None:
    for _ in range(1005):
        api.get("/account")
    log = control.requests(limit=5000)
    assert len(log) == 1000
    assert log[0]["seq"] == 6
    assert log[-1]["seq"] == 1005
    assert control.stats()["total"] == 1005


def test_reset_clears_counters_log_and_faults(api: httpx.Client, control: Any) -> None:
    api.get("/account")
    control.add_fault("latency", ms=1)
    control.reset()
    assert control.stats() == {"total": 0, "routes": {}, "statuses": {}}
    assert control.requests() == []
    assert control._json("GET", "/faults") == {"rules": []}


def test_reset_with_data_reloads_the_demo_data(
    api: httpx.Client, control: Any, sandbox: SandboxServer
) -> None:
    person = create_person(api)
    assert api.get(f"/people/{person['id']}").status_code == 200
    control.reset(data=True)
    assert api.get(f"/people/{person['id']}").status_code == 404
    assert api.post("/people/search", json={"page_size": 1}).headers["X-PW-TOTAL"] == str(
        sandbox.config.seed
    )


def test_settings_read_and_patch(control: Any) -> None:
    settings = control.settings()
    assert set(settings) == {
        "rate_limit",
        "rate_window_s",
        "bulk_rate_limit",
        "retry_after",
        "close_date_order",
        "hide_converted_leads",
        "convert_answer",
        "search_cap",
        "max_body_bytes",
    }
    changed = control.settings(rate_limit=7, rate_window_s=2, search_cap=50)
    assert changed["rate_limit"] == 7
    assert changed["rate_window_s"] == 2.0
    assert changed["search_cap"] == 50
    assert control.settings() == changed


@pytest.mark.parametrize(
    "patch",
    [
        {"rate_limit": "5"},
        {"rate_limit": True},
        {"rate_limit": -1},
        {"rate_window_s": 0},
        {"bulk_rate_limit": 1.5},
        {"retry_after": 1},
        {"close_date_order": "YMD"},
        {"hide_converted_leads": "yes"},
        {"convert_answer": "none"},
        {"search_cap": 0},
        {"max_body_bytes": 0},
        {"token": "x"},
        {"rate_limit": 5, "retry_after": "yes"},
    ],
)
def test_bad_settings_are_refused_and_change_nothing(
    sandbox: SandboxServer, control: Any, patch: dict[str, Any]
) -> None:
    before = control.settings()
    r = httpx.patch(sandbox.control_url + "/settings", json=patch)
    assert r.status_code == 422
    assert r.json()["error"]
    assert control.settings() == before


def test_control_api_rejects_garbage(sandbox: SandboxServer, control: Any) -> None:
    url = sandbox.control_url
    assert httpx.patch(url + "/settings", content=b"{").status_code == 400
    assert httpx.get(url + "/requests", params={"limit": "many"}).status_code == 422
    assert httpx.post(url + "/reset", json={"data": "yes"}).status_code == 422
    r = httpx.get(url + "/nothing")
    assert r.status_code == 404
    assert r.json() == {"error": "not_found"}
