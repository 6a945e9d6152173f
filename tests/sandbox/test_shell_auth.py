"""Authentication in the sandbox's shell: the three X-PW headers must name one demo user
(copper-behaviour.md §1, §9), checked over real HTTP against the session sandbox."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from copper_desktop.sandbox.server import SandboxServer
from tests.helpers.http import auth_headers


def assert_401(response: httpx.Response) -> None:
    assert response.status_code == 401
    body = response.json()
    assert body["success"] is False
    assert body["status"] == 401
    assert isinstance(body["message"], str) and body["message"]


def test_right_headers_are_admitted(http: httpx.Client, admin: dict[str, Any]) -> None:
    r = http.get("/users/me", headers=auth_headers(admin))
    assert r.status_code == 200
    assert r.json()["email"] == admin["email"]


@pytest.mark.parametrize("missing", ["X-PW-AccessToken", "X-PW-Application", "X-PW-UserEmail"])
def test_each_missing_header_is_refused(
    http: httpx.Client, admin: dict[str, Any], missing: str
) -> None:
    headers = auth_headers(admin)
    del headers[missing]
    assert_401(http.get("/account", headers=headers))


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("X-PW-AccessToken", "not-the-token"),
        ("X-PW-Application", "developer-api"),
        ("X-PW-UserEmail", "nobody@sandbox.copper.test"),
        ("X-PW-AccessToken", ""),
    ],
)
def test_each_wrong_header_is_refused(
    http: httpx.Client, admin: dict[str, Any], header: str, value: str
) -> None:
    headers = {**auth_headers(admin), header: value}
    assert_401(http.get("/account", headers=headers))


def test_token_of_another_user_does_not_fit_the_admin_email(
    http: httpx.Client, sandbox: SandboxServer
) -> None:
    admin, other = sandbox.users[0], sandbox.users[1]
    headers = {**auth_headers(admin), "X-PW-AccessToken": other["token"]}
    assert_401(http.get("/account", headers=headers))


def test_every_demo_user_token_works(http: httpx.Client, sandbox: SandboxServer) -> None:
    users = sandbox.users
    assert len(users) >= 2
    assert len({u["token"] for u in users}) == len(users)
    for user in users:
        r = http.get("/users/me", headers=auth_headers(user))
        assert r.status_code == 200, user["email"]
        assert r.json()["id"] == user["id"]


def test_401_does_not_echo_the_token(http: httpx.Client, admin: dict[str, Any]) -> None:
    headers = {**auth_headers(admin), "X-PW-UserEmail": "someone@else.test"}
    r = http.get("/account", headers=headers)
    assert_401(r)
    assert admin["token"] not in r.text


def test_unknown_route_needs_auth_then_answers_404(
    http: httpx.Client, admin: dict[str, Any]
) -> None:
    assert_401(http.get("/no_such_thing"))
    r = http.get("/no_such_thing", headers=auth_headers(admin))
    assert r.status_code == 404
    assert r.json() == {"error": "not_found"}


def test_wrong_method_on_a_known_path_is_405_with_allow(
    http: httpx.Client, admin: dict[str, Any]
) -> None:
    r = http.delete("/account", headers=auth_headers(admin))
    assert r.status_code == 405
    assert r.json()["status"] == 405
    assert "GET" in r.headers["Allow"]
    r = http.patch("/people/1", headers=auth_headers(admin), json={})
    assert r.status_code == 405
    assert {"GET", "PUT", "DELETE"} <= {m.strip() for m in r.headers["Allow"].split(",")}


def test_control_api_needs_no_auth(sandbox: SandboxServer, control: Any) -> None:
    r = httpx.get(sandbox.control_url + "/health")
    assert r.status_code == 200
    assert r.json() == {"ok": True}
