"""Integers beyond 64 bits never crash the sandbox: they match nothing, as on Copper."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

BIG = 2**64


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("GET", f"/people/{BIG}", None, 404),
        ("PUT", f"/companies/{BIG}", {"name": "x"}, 404),
        ("DELETE", f"/webhooks/{BIG}", None, 404),
        ("GET", f"/users/{BIG}", None, 404),
        ("POST", f"/leads/{BIG}/convert", {"details": {}}, 404),
        (
            "POST",
            "/activities",
            {"parent": {"id": BIG, "type": "person"}, "type": {"id": 0, "category": "user"}},
            422,
        ),
        ("POST", "/people", {"name": "Big Owner", "assignee_id": BIG}, 422),
    ],
)
def test_huge_ids_are_not_found(
    api: httpx.Client, method: str, path: str, body: Any, status: int
) -> None:
    r = api.request(method, path, json=body)
    assert r.status_code == status, r.text
    assert r.json()["success"] is False


@pytest.mark.parametrize(
    ("path", "body", "matches_all"),
    [
        ("/people/search", {"ids": [BIG]}, False),
        ("/people/search", {"assignee_ids": [BIG]}, False),
        ("/people/search", {"minimum_interaction_count": BIG}, False),
        ("/people/search", {"maximum_interaction_count": BIG}, True),
        ("/activities/search", {"parent": {"id": BIG, "type": "person"}}, False),
    ],
)
def test_huge_filter_values_keep_their_meaning(
    api: httpx.Client, path: str, body: dict[str, Any], matches_all: bool
) -> None:
    everything = int(api.post(path, json={}).headers["X-PW-TOTAL"])
    r = api.post(path, json=body)
    assert r.status_code == 200, r.text
    assert int(r.headers["X-PW-TOTAL"]) == (everything if matches_all else 0)
