"""Fault injection over real HTTP: latency, errors, dropped connections, 429 bursts and
malformed bodies, each narrowed by method, path, rate and count (docs/sandbox.md)."""

from __future__ import annotations

import json
import logging
import time
import uuid
from typing import Any

import httpx
import pytest

from copper_desktop.sandbox.server import SandboxServer


@pytest.fixture
def api(control: Any, api: httpx.Client) -> httpx.Client:
    """The shared admin client, set up after ``control`` has reset the sandbox."""
    return api


@pytest.fixture
def person(api: httpx.Client) -> dict[str, Any]:
    r = api.post("/people", json={"name": f"Fault Target {uuid.uuid4().hex[:8]}", "title": "Old"})
    assert r.status_code == 200, r.text
    record: dict[str, Any] = r.json()
    return record


def test_latency_delays_the_answer(api: httpx.Client, control: Any) -> None:
    control.add_fault("latency", ms=400, path="^/account$")
    started = time.monotonic()
    assert api.get("/account").status_code == 200
    assert time.monotonic() - started >= 0.4
    rule = control._json("GET", "/faults")["rules"][0]
    assert rule["hits"] == 1


def test_error_answers_the_envelope_without_processing(
    api: httpx.Client, control: Any, person: dict[str, Any]
) -> None:
    control.add_fault("error", status=503, method="PUT")
    r = api.put(f"/people/{person['id']}", json={"title": "New"})
    assert r.status_code == 503
    assert r.json() == {"success": False, "status": 503, "message": "Service Unavailable"}
    control.clear_faults()
    assert api.get(f"/people/{person['id']}").json()["title"] == "Old"


def test_error_defaults_to_500(api: httpx.Client, control: Any) -> None:
    control.add_fault("error")
    r = api.get("/account")
    assert r.status_code == 500
    assert r.json()["status"] == 500


def test_count_retires_a_rule(api: httpx.Client, control: Any) -> None:
    rule = control.add_fault("error", count=2)
    assert isinstance(rule["id"], int)
    assert [api.get("/account").status_code for _ in range(3)] == [500, 500, 200]
    assert control._json("GET", "/faults") == {"rules": []}


def test_method_and_path_narrow_a_rule(api: httpx.Client, control: Any) -> None:
    control.add_fault("error", method="post", path="^/people/search$")
    assert api.post("/people/search", json={"page_size": 1}).status_code == 500
    assert api.post("/companies/search", json={"page_size": 1}).status_code == 200
    assert api.get("/account").status_code == 200
    # The regex is searched in the path relative to the API prefix.
    control.clear_faults()
    control.add_fault("error", path="account")
    assert api.get("/account").status_code == 500


def test_rate_hits_a_reproducible_share(api: httpx.Client, control: Any) -> None:
    def pattern() -> list[int]:
        control.add_fault("error", rate=0.5, path="^/account$")
        return [api.get("/account").status_code for _ in range(30)]

    first = pattern()
    assert 3 <= first.count(500) <= 27
    assert first.count(200) + first.count(500) == 30
    control.reset()  # fresh random source: the same requests are hit again
    assert pattern() == first


def test_rate_limit_fault_mimics_the_limiter(api: httpx.Client, control: Any) -> None:
    control.add_fault("rate_limit", count=1)
    r = api.get("/account")
    assert r.status_code == 429
    assert r.json() == {"success": False, "status": 429, "message": "Rate limit exceeded"}
    assert "Retry-After" not in r.headers
    control.add_fault("rate_limit", retry_after=7, count=1)
    r = api.get("/account")
    assert r.status_code == 429
    assert r.headers["Retry-After"] == "7"
    assert api.get("/account").status_code == 200


def test_malformed_answers_200_with_unparseable_json(api: httpx.Client, control: Any) -> None:
    control.add_fault("malformed", path="^/people/search$")
    r = api.post("/people/search", json={"page_size": 5})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/json")
    assert r.content.startswith(b"[")
    with pytest.raises(json.JSONDecodeError):
        json.loads(r.content)


def quiet(caplog: pytest.LogCaptureFixture) -> None:
    """An intentional drop is no server error: nothing at ERROR level may be logged."""
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


def test_drop_before_closes_without_answer_and_changes_nothing(
    api: httpx.Client, control: Any, person: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    control.add_fault("drop", method="PUT", count=1)
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        api.put(f"/people/{person['id']}", json={"title": "New"})
    assert api.get(f"/people/{person['id']}").json()["title"] == "Old"
    logged = [e for e in control.requests() if e["method"] == "PUT"]
    assert logged[-1]["status"] is None
    assert control.stats()["statuses"]["dropped"] == 1
    quiet(caplog)


def test_drop_after_commits_the_change_but_never_answers(
    api: httpx.Client, control: Any, person: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    control.add_fault("drop", when="after", method="PUT", count=1)
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        api.put(f"/people/{person['id']}", json={"title": "New"})
    assert api.get(f"/people/{person['id']}").json()["title"] == "New"
    quiet(caplog)


def test_drop_after_a_create_leaves_the_record(api: httpx.Client, control: Any) -> None:
    name = f"Dropped Create {uuid.uuid4().hex[:8]}"
    control.add_fault("drop", when="after", method="POST", path="^/people$", count=1)
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        api.post("/people", json={"name": name})
    found = api.post("/people/search", json={"name": name}).json()
    assert [p["name"] for p in found] == [name]


def test_faults_act_before_authentication(sandbox: SandboxServer, control: Any) -> None:
    control.add_fault("error", status=502)
    assert httpx.get(sandbox.base_url + "/account").status_code == 502


def test_control_api_is_never_faulted(sandbox: SandboxServer, control: Any) -> None:
    control.add_fault("error")
    control.add_fault("drop")
    assert httpx.get(sandbox.control_url + "/health").json() == {"ok": True}
    assert control.stats()["total"] == 0


def test_rules_can_be_listed_replaced_and_cleared(control: Any) -> None:
    added = control.add_fault("latency", ms=5, jitter_ms=2, method="GET")
    assert added == {
        "id": added["id"],
        "kind": "latency",
        "method": "GET",
        "path": None,
        "rate": 1.0,
        "count": None,
        "hits": 0,
        "ms": 5,
        "jitter_ms": 2,
    }
    rules = [{"kind": "error", "status": 418}, {"kind": "drop", "when": "after"}]
    replaced = control._json("PUT", "/faults", json={"rules": rules})["rules"]
    assert [(r["kind"], r.get("status"), r.get("when")) for r in replaced] == [
        ("error", 418, None),
        ("drop", None, "after"),
    ]
    assert control._json("GET", "/faults")["rules"] == replaced
    control.clear_faults()
    assert control._json("GET", "/faults") == {"rules": []}


@pytest.mark.parametrize(
    "rule",
    [
        {"kind": "explode"},
        {"kind": "error", "ms": 5},
        {"kind": "error", "status": 200},
        {"kind": "drop", "when": "during"},
        {"kind": "latency", "rate": 1.5},
        {"kind": "latency", "count": 0},
        {"kind": "latency", "ms": "100"},
        {"kind": "error", "path": "("},
        ["not", "an", "object"],
    ],
)
def test_bad_rules_are_refused(sandbox: SandboxServer, control: Any, rule: Any) -> None:
    r = httpx.post(sandbox.control_url + "/faults", json=rule)
    assert r.status_code == 422
    assert r.json()["error"]
    assert control._json("GET", "/faults") == {"rules": []}


def test_a_bad_rule_in_put_leaves_the_rules_alone(sandbox: SandboxServer, control: Any) -> None:
    kept = control.add_fault("error")
    r = httpx.put(
        sandbox.control_url + "/faults", json={"rules": [{"kind": "drop"}, {"kind": "nope"}]}
    )
    assert r.status_code == 422
    assert control._json("GET", "/faults")["rules"] == [kept]
