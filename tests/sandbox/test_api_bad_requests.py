"""Bad requests: every one gets Copper's error envelope with a 4xx, never a 5xx or a reset,
and nothing of it is stored (issue 14.7). The fuzz in test_fuzz_bodies.py sweeps the same
ground at random; these pin down each case found so far.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from copper_desktop.sandbox.core.store import Store
from copper_desktop.sandbox.server import SandboxServer
from copper_desktop.sandbox.settings import SandboxConfig
from tests.helpers.http import PREFIX, auth_headers, envelope_err, ok, uid
from tests.helpers.sandbox import SandboxControl

SEARCHES = ("people", "companies", "leads", "opportunities", "projects", "tasks", "activities")
NOT_NUMBERS = ("NaN", "Infinity", "-Infinity", "1e400", "-1e400")


def raw(text: str) -> bytes:
    return text.encode()


def total(api: httpx.Client, plural: str, body: dict[str, Any]) -> int:
    r = api.post(f"/{plural}/search", json={**body, "page_size": 1})
    ok(r)
    return int(r.headers["X-PW-TOTAL"])


def make(api: httpx.Client, plural: str, **fields: Any) -> dict[str, Any]:
    record: dict[str, Any] = ok(api.post(f"/{plural}", json={"name": f"Bad {uid()}", **fields}))
    return record


# --------------------------------------------------------------------------- numbers
@pytest.mark.parametrize("token", NOT_NUMBERS)
def test_a_number_json_cannot_carry_is_refused_and_not_stored(
    api: httpx.Client, token: str
) -> None:
    name = f"Lead {uid()}"
    r = api.post("/leads", content=raw(f'{{"name": "{name}", "monetary_value": {token}}}'))
    assert "Invalid JSON in request body" in envelope_err(r, 400)
    assert total(api, "leads", {"name": name}) == 0
    lead = make(api, "leads", monetary_value=10)
    r = api.put(f"/leads/{lead['id']}", content=raw(f'{{"monetary_value": {token}}}'))
    envelope_err(r, 400)
    assert ok(api.get(f"/leads/{lead['id']}")) == lead
    # The page that shows the lead still answers.
    ok(api.post("/leads/search", json={"name": lead["name"]}))


@pytest.mark.parametrize("value", ["1.0e400", "-1.5e309", 10**400, -(10**309)])
def test_numbers_beyond_a_float_are_not_numbers(api: httpx.Client, value: Any) -> None:
    name = f"Lead {uid()}"
    r = api.post("/leads", json={"name": name, "monetary_value": value})
    assert envelope_err(r) == PREFIX + "Monetary Value: is not a number"
    assert total(api, "leads", {"name": name}) == 0
    r = api.post("/leads/search", json={"minimum_monetary_value": value})
    assert envelope_err(r) == PREFIX + "Minimum Monetary Value: must be a number"


def test_custom_field_numbers_beyond_a_float_are_refused(api: httpx.Client) -> None:
    defs = ok(api.get("/custom_field_definitions"))
    money = next(d for d in defs if d["data_type"] == "Float" and "lead" in d["available_on"])
    name = f"Lead {uid()}"
    field = {"custom_field_definition_id": money["id"], "value": "2.5e400"}
    envelope_err(api.post("/leads", json={"name": name, "custom_fields": [field]}))
    assert total(api, "leads", {"name": name}) == 0


@pytest.mark.parametrize("stamp", [2**63, 10**30, -1])
def test_timestamps_beyond_sqlite_are_invalid(api: httpx.Client, stamp: int) -> None:
    name = f"Task {uid()}"
    r = api.post("/tasks", json={"name": name, "due_date": stamp})
    assert envelope_err(r) == PREFIX + "Due Date: is invalid"


@pytest.mark.parametrize("ids", [[10**400], ["1" + "0" * 400], [2**64, 10**300]])
def test_ids_beyond_any_float_match_nothing(api: httpx.Client, ids: list[int]) -> None:
    assert ok(api.post("/people/search", json={"ids": ids})) == []
    assert ok(api.post("/tasks/search", json={"assignee_ids": ids})) == []


def test_numeric_strings_of_any_length_are_refused_or_not_found(api: httpx.Client) -> None:
    huge = "9" * 5000
    name = f"Person {uid()}"
    r = api.post("/people", json={"name": name, "assignee_id": huge})
    assert (
        envelope_err(r)
        == PREFIX
        + f"Assignee Id: Invalid value for Assignee Id: IDs must be positive integers: {huge}"
    )
    assert total(api, "people", {"name": name}) == 0
    for body in ({"ids": [huge]}, {"page_size": huge}, {"minimum_created_date": huge}):
        envelope_err(api.post("/people/search", json=body))
    envelope_err(api.get("/related_links", params={"source_id": huge}))
    assert ok(api.post("/people/search", json={"ids": ["9" * 4000]})) == []


@pytest.mark.parametrize("digits", [20, 400, 5000])
@pytest.mark.parametrize(
    "route", ["GET /people/{n}", "PUT /tasks/{n}", "DELETE /leads/{n}", "GET /users/{n}",
              "POST /leads/{n}/convert", "GET /companies/{n}/related", "GET /webhooks/{n}",
              "DELETE /related_links/{n}", "GET /pipeline_stages/pipeline/{n}"],
)  # fmt: skip
def test_path_ids_of_any_length_are_not_found(api: httpx.Client, route: str, digits: int) -> None:
    method, path = route.split()
    r = api.request(method, path.format(n="9" * digits), json={})
    assert envelope_err(r, 404) == "Resource not found"


# --------------------------------------------------------------------------- shapes
@pytest.mark.parametrize("depth", [100_000, 40])
def test_deep_nesting_is_a_400_authenticated_and_a_401_without(
    sandbox: SandboxServer, api: httpx.Client, depth: int
) -> None:
    body = b'{"name": ' + b"[" * depth + b"]" * depth + b"}"
    for path in ("/people", "/people/search"):
        assert "nested too deeply" in envelope_err(api.post(path, content=body), 400)
    with httpx.Client(base_url=sandbox.base_url, timeout=30) as anonymous:
        r = anonymous.post("/people", content=body)
    assert envelope_err(r, 401) == "Missing X-PW-AccessToken header"
    ok(api.get("/account"))  # the connection is still good


def test_a_body_that_is_not_utf8_is_a_400(api: httpx.Client) -> None:
    envelope_err(api.post("/people", content=b'{"name": "\xff\xfe"}'), 400)


@pytest.mark.parametrize("body", ["[]", "[1]", "false", "0", '""', '"x"'])
@pytest.mark.parametrize(
    "route", ["PUT /people/{person}", "POST /leads/{lead}/convert",
              "POST /people/{person}/activities", "POST /users/search"],
)  # fmt: skip
def test_a_body_that_is_not_an_object_is_a_422(api: httpx.Client, route: str, body: str) -> None:
    person = make(api, "people")
    lead = make(api, "leads")
    method, path = route.split()
    path = path.format(person=person["id"], lead=lead["id"])
    message = envelope_err(api.request(method, path, content=raw(body)))
    assert message == PREFIX + "Base: Request body must be a JSON object"
    assert ok(api.get(f"/people/{person['id']}")) == person
    assert ok(api.get(f"/leads/{lead['id']}")) == lead  # not converted


@pytest.mark.parametrize("plural", SEARCHES)
@pytest.mark.parametrize("sort_by", [[[]], {"a": 1}, 1, True])
def test_sort_by_must_be_a_name(api: httpx.Client, plural: str, sort_by: Any) -> None:
    message = envelope_err(api.post(f"/{plural}/search", json={"sort_by": sort_by}))
    assert message.startswith(PREFIX + "Sort By: is not included in the list")


# --------------------------------------------------------------------------- tasks
def test_a_task_related_to_nothing_says_so_like_copper(api: httpx.Client) -> None:
    nothing = {"id": None, "type": None}
    task = make(api, "tasks")
    assert task["related_resource"] == nothing
    assert ok(api.get(f"/tasks/{task['id']}"))["related_resource"] == nothing
    person = make(api, "people")
    related = {"id": person["id"], "type": "person"}
    assert (
        ok(api.put(f"/tasks/{task['id']}", json={"related_resource": related}))["related_resource"]
        == related
    )
    cleared = ok(api.put(f"/tasks/{task['id']}", json={"related_resource": None}))
    assert cleared["related_resource"] == nothing
    found = ok(api.post("/tasks/search", json={"ids": [task["id"]]}))
    assert [t["related_resource"] for t in found] == [nothing]
    assert make(api, "projects")["related_resource"] is None  # projects: null (§4)


# --------------------------------------------------------------------------- size limit
def exchange(server: SandboxServer, head: str, *parts: bytes) -> tuple[int, dict[str, Any]]:
    """One raw HTTP/1.1 exchange: the head and some body parts (maybe fewer bytes than the
    head declares), then the answer. A server that waited for the rest would never answer,
    and the socket's timeout would fail the test."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as s:
        s.sendall(head.encode() + b"".join(parts))
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = s.recv(65536)
            assert chunk, data
            data += chunk
        top, _, rest = data.partition(b"\r\n\r\n")
        lines = top.decode().split("\r\n")
        headers = dict(line.lower().split(": ", 1) for line in lines[1:])
        while len(rest) < int(headers["content-length"]):
            chunk = s.recv(65536)
            assert chunk, rest
            rest += chunk
    return int(lines[0].split()[1]), json.loads(rest)


def head(server: SandboxServer, user: dict[str, Any] | None, framing: str) -> str:
    creds = "".join(f"{k}: {v}\r\n" for k, v in auth_headers(user).items()) if user else ""
    return (
        "POST /developer_api/v1/people HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{server.port}\r\n{creds}"
        f"Content-Type: application/json\r\n{framing}\r\n"
    )


def test_a_declared_size_over_the_limit_is_refused_unread(
    sandbox: SandboxServer, admin: dict[str, Any], control: SandboxControl
) -> None:
    limit = control.settings()["max_body_bytes"]
    status, body = exchange(sandbox, head(sandbox, admin, f"Content-Length: {60_000_000}\r\n"))
    assert (status, body["success"], body["status"]) == (413, False, 413)
    assert body["message"] == f"Request body too large, limit is {limit} bytes"
    assert [(e["route"], e["body"], e["status"]) for e in control.requests()] == [
        ("POST /people", None, 413)
    ]


def test_an_unauthenticated_body_is_never_read(
    sandbox: SandboxServer, control: SandboxControl
) -> None:
    status, body = exchange(sandbox, head(sandbox, None, "Content-Length: 60000000\r\n"), b"{")
    assert (status, body["status"]) == (401, 401)
    assert body["message"] == "Missing X-PW-AccessToken header"
    status, _ = exchange(sandbox, head(sandbox, None, "Content-Length: 100\r\n"), b'{"name": ')
    assert status == 401
    assert [e["body"] for e in control.requests()] == [None, None]


@pytest.fixture
def small_limit(control: SandboxControl) -> Iterator[int]:
    """The session sandbox with a 1,000-byte body limit (restored after the test)."""
    before = control.settings()["max_body_bytes"]
    control.settings(max_body_bytes=1000)
    try:
        yield 1000
    finally:
        control.settings(max_body_bytes=before)


def test_a_streamed_body_is_cut_off_at_the_limit(
    sandbox: SandboxServer, admin: dict[str, Any], small_limit: int
) -> None:
    # Chunked: no size declared. 1,200 bytes arrive and the body never ends: the answer must
    # come at once, not after the (never sent) last chunk.
    chunk = b"4b0\r\n" + b" " * 1200 + b"\r\n"
    status, body = exchange(sandbox, head(sandbox, admin, "Transfer-Encoding: chunked\r\n"), chunk)
    assert (status, body["status"]) == (413, 413)


def test_bodies_up_to_the_limit_pass_and_over_it_get_a_413(
    api: httpx.Client, control: SandboxControl, small_limit: int
) -> None:
    name = f"Big {uid()}"
    fits = json.dumps({"name": name, "details": ""}).encode()
    fits = fits[:-2] + b"x" * (small_limit - len(fits)) + b'"}'
    assert len(fits) == small_limit
    ok(api.post("/people", content=fits))
    over = fits[:-2] + b'x"}'
    assert "limit is 1000 bytes" in envelope_err(api.post("/people", content=over), 413)
    streamed = api.post("/people", content=iter([over[:600], over[600:]]))
    envelope_err(streamed, 413)
    assert total(api, "people", {"name": name}) == 1
    ok(api.get("/account"))  # the same connection carries on
    r = httpx.post(control.server.control_url + "/faults", content=b" " * 1001)
    assert r.status_code == 413 and "limit is 1000 bytes" in r.json()["error"]


# --------------------------------------------------------------------------- control API
@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("PATCH", "/settings", '{"rate_window_s": NaN}'),
        ("PATCH", "/settings", '{"rate_window_s": Infinity}'),
        ("POST", "/faults", '{"kind": "latency", "rate": NaN}'),
        ("POST", "/faults", '{"kind": "latency", "ms": 1e400}'),
        ("PUT", "/faults", '{"rules": ' + "[" * 5000 + "]" * 5000 + "}"),
    ],
)
def test_the_control_api_refuses_what_json_cannot_carry(
    control: SandboxControl, method: str, path: str, body: str
) -> None:
    r = httpx.request(method, control.server.control_url + path, content=raw(body))
    assert r.status_code == 400, r.text
    assert r.json()["error"].startswith("Invalid JSON in request body")
    assert control.settings()["rate_window_s"] == 60.0
    assert control._json("GET", "/faults") == {"rules": []}


# --------------------------------------------------------------------------- storage
def test_a_database_holding_nan_still_answers(tmp_path: Path) -> None:
    """A file written by a sandbox that let NaN in: its records read back as null."""
    config = SandboxConfig(port=0, db=str(tmp_path / "old.sqlite3"), seed=20)
    with SandboxServer(config):
        pass
    store = Store.open(config.db)
    (lead_id, data), *_ = store.conn.execute("SELECT id, data FROM r_lead").fetchall()
    record = json.loads(data)
    record["monetary_value"] = float("nan")
    store.conn.execute("UPDATE r_lead SET data = ? WHERE id = ?", (json.dumps(record), lead_id))
    store.close()
    with SandboxServer(config) as server:
        headers = auth_headers(server.users[0])
        with httpx.Client(base_url=server.base_url, headers=headers, timeout=30) as api:
            lead = ok(api.get(f"/leads/{lead_id}"))
            assert lead["monetary_value"] is None
            ok(api.post("/leads/search", json={"page_size": 200}))


def test_the_store_never_writes_a_non_finite_number(tmp_path: Path) -> None:
    store = Store.open(":memory:")
    try:
        with pytest.raises(ValueError, match="Out of range float"):
            store.save("lead", {"id": 1, "name": "x", "monetary_value": float("inf")})
        assert store.get("lead", 1) is None
    finally:
        store.close()


# --------------------------------------------------------------------------- lookups
@pytest.mark.parametrize(
    ("field", "value"),
    [("icon_type", [1]), ("icon_type", None), ("is_disabled", "yes"), ("is_interaction", 1),
     ("is_default_task_type", {"a": 1}), ("name", "x" * 256), ("name", 5)],
)  # fmt: skip
def test_custom_activity_type_fields_are_checked(api: httpx.Client, field: str, value: Any) -> None:
    before = ok(api.get("/custom_activity_types"))
    envelope_err(api.post("/custom_activity_types", json={"name": "Visit", field: value}))
    existing = before[0]
    envelope_err(api.put(f"/custom_activity_types/{existing['id']}", json={field: value}))
    assert ok(api.get("/custom_activity_types")) == before
    assert ok(api.get(f"/custom_activity_types/{existing['id']}")) == existing


@pytest.mark.parametrize(
    ("field", "value"),
    [("currency", 5), ("currency", ["USD"]), ("is_filterable", "no"), ("name", "x" * 256)],
)
def test_definition_fields_are_checked(api: httpx.Client, field: str, value: Any) -> None:
    before = ok(api.get("/custom_field_definitions"))
    body = {"name": f"Def {uid()}", "data_type": "Float", "available_on": ["lead"], field: value}
    envelope_err(api.post("/custom_field_definitions", json=body))
    envelope_err(api.put(f"/custom_field_definitions/{before[0]['id']}", json={field: value}))
    assert ok(api.get("/custom_field_definitions")) == before
