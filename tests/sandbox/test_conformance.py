"""The sandbox against the project's OpenAPI description, with schemathesis (v4).

Checks: no 5xx, documented responses match their schemas, content types match. The overlay
below relaxes exactly the points where the description is stricter than real Copper, each with
the copper-behaviour.md section that says so; nothing else is weakened.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import httpx
import hypothesis
import pytest
import schemathesis
import yaml
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from copper_desktop.sandbox.server import SandboxServer
from copper_desktop.sandbox.settings import SandboxConfig
from tests.helpers.data import OPENAPI

SPEC = OPENAPI


def _nullable(spec: dict[str, Any], schema: str, *path: str) -> None:
    node = spec["components"]["schemas"][schema]
    for key in path:
        node = node["properties"][key]
    node["nullable"] = True


def overlay(spec: dict[str, Any]) -> dict[str, Any]:
    """The description, corrected only where copper-behaviour.md documents different behaviour."""
    spec = copy.deepcopy(spec)
    schemas = spec["components"]["schemas"]
    # §4: "unset scalars are null" (every key is always present). Copper sends null for these
    # when unset; the description forgot `nullable` on them.
    for schema, prop in [
        ("Person", "first_name"),  # §4 name splitting: a one-word name has no last name
        ("Person", "last_name"),
        ("Person", "title"),
        ("Person", "contact_type_id"),
        ("Company", "email_domain"),
        ("Company", "contact_type_id"),
        ("Lead", "first_name"),  # §4: leads keep the whole name in first_name, last_name null
        ("Lead", "last_name"),
        ("Lead", "title"),
        ("Lead", "company_name"),
        ("Lead", "email"),  # §4: "a single {email, category} object or null"
    ]:
        _nullable(spec, schema, prop)
    # §4: "address: {street, city, state, postal_code, country} or null".
    schemas["Address"]["nullable"] = True
    # §4: a task's related_resource "may be {"id": null, "type": null}".
    _nullable(spec, "Task", "related_resource", "id")
    _nullable(spec, "Task", "related_resource", "type")
    # §5: Dropdown option ids and Date values are integers; `oneOf` [number, integer] rejects
    # every integer (it matches both branches), so the alternatives must be `anyOf`.
    value = schemas["CustomFieldValue"]["properties"]["value"]
    value["anyOf"] = value.pop("oneOf")
    # §12 and §14.7: webhook subscriptions also have type "activity_log".
    schemas["Webhook"]["properties"]["type"]["enum"].append("activity_log")
    # §10: the convert answer carries the objects and the ids; company and opportunity (object
    # and id) are null when conversion did not create them.
    convert = spec["paths"]["/leads/{id}/convert"]["post"]["responses"]["200"]
    ids = convert["content"]["application/json"]["schema"]["properties"]
    for key in ("company_id", "opportunity_id"):
        ids[key]["nullable"] = True
    return spec


RAW = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
schema = schemathesis.openapi.from_dict(overlay(RAW))
# The same operations with requests that break the description: wrong types, missing and
# extra keys, bad path ids. Copper refuses them; the sandbox must too, with a 4xx envelope.
invalid = schemathesis.openapi.from_dict(overlay(RAW))
invalid.config.generation.update(modes=[GenerationMode.NEGATIVE])
# Described bodies of writes, generated only (the coverage phase probes methods and ids).
writes = schemathesis.openapi.from_dict(overlay(RAW))
writes.config.phases.update(phases=["fuzzing"])

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
# Error bodies other than the envelope that copper-behaviour.md documents: §9 (unknown routes) and
# §11 (bulk calls over ten items).
DOCUMENTED_ERRORS = ({"error": "not_found"}, {"error": "Request size too large, limit is 10"})


@schemathesis.check
def error_envelope(ctx: Any, response: Any, case: Any) -> bool | None:
    """Every 4xx answer is Copper's envelope (copper-behaviour.md §9) or a documented exception."""
    if 400 <= response.status_code < 500:
        body = json.loads(response.content)
        if body not in DOCUMENTED_ERRORS:
            assert body.get("success") is False, body
            assert body.get("status") == response.status_code, body
            assert isinstance(body.get("message"), str) and body["message"], body
    return None


@pytest.fixture(scope="module")
def target() -> Iterator[SandboxServer]:
    """A sandbox of its own: generated calls create webhooks with arbitrary targets and
    delete arbitrary records, which must not reach the session sandbox's other tests."""
    config = SandboxConfig(port=0, db=":memory:", seed=40, rate_limit=0, bulk_rate_limit=0)
    with SandboxServer(config) as server:
        yield server


@pytest.fixture(scope="module")
def auth(target: SandboxServer) -> dict[str, str]:
    user = target.users[0]
    return {
        "X-PW-AccessToken": user["token"],
        "X-PW-Application": "developer_api",
        "X-PW-UserEmail": user["email"],
    }


@pytest.fixture(scope="module")
def client(target: SandboxServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=target.base_url, timeout=30) as c:
        yield c


@pytest.mark.slow
@schema.parametrize()
@hypothesis.settings(
    max_examples=10,
    deadline=None,
    database=None,  # nothing written into the working tree
    derandomize=True,  # the same cases on every run
    suppress_health_check=list(hypothesis.HealthCheck),
)
def test_sandbox_conforms(case: Any, target: SandboxServer, auth: dict[str, str]) -> None:
    case.call_and_validate(base_url=target.base_url, headers=auth, checks=CHECKS)


@pytest.mark.slow
@invalid.parametrize()
@hypothesis.settings(
    max_examples=10,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(hypothesis.HealthCheck),
)
def test_sandbox_refuses_invalid_requests_with_an_envelope(
    case: Any, target: SandboxServer, auth: dict[str, str]
) -> None:
    case.call_and_validate(
        base_url=target.base_url, headers=auth, checks=[not_a_server_error, error_envelope]
    )


def non_finite_variants(body: Any) -> Iterator[bytes]:
    """The body as JSON once per number in it, that number written as NaN, Infinity or
    -Infinity in turn: numbers JSON cannot carry, in an otherwise described body."""
    spots: list[tuple[Any, Any]] = []
    stack = [body]
    while stack:
        node = stack.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(
            node, list) else ()  # fmt: skip
        for key, value in items:
            if isinstance(value, int | float) and not isinstance(value, bool):
                spots.append((node, key))
            else:
                stack.append(value)
    step = max(1, len(spots) // MAX_VARIANTS)
    for n, (node, key) in enumerate(spots[::step][:MAX_VARIANTS]):
        kept = node[key]
        node[key] = NON_FINITE[n % len(NON_FINITE)]
        yield json.dumps(body).encode()
        node[key] = kept


NON_FINITE = (float("nan"), float("inf"), float("-inf"))
MAX_VARIANTS = 4


@pytest.mark.slow
@writes.include(method=["POST", "PUT"]).parametrize()
@hypothesis.settings(
    max_examples=10,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(hypothesis.HealthCheck),
)
def test_sandbox_refuses_numbers_json_cannot_carry(
    case: Any, client: httpx.Client, auth: dict[str, str]
) -> None:
    headers = {**auth, "Content-Type": "application/json"}
    for body in non_finite_variants(copy.deepcopy(case.body)):
        r = client.request(case.method, case.formatted_path, content=body, headers=headers)
        if r.json() == {"error": "not_found"}:
            continue  # a generated path id that is no id (e.g. -1): no such route
        assert r.status_code == 400, r.text
        assert r.json()["message"].startswith("Invalid JSON in request body"), r.text
