"""The sandbox against the project's OpenAPI description, with schemathesis (v4).

Checks: no 5xx, documented responses match their schemas, content types match. The overlay
below relaxes exactly the points where the description is stricter than real Copper, each with
the copper-api.md section that says so; nothing else is weakened.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import hypothesis
import pytest
import schemathesis
import yaml
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from copper_desktop.sandbox.server import SandboxServer
from copper_desktop.sandbox.settings import SandboxConfig

SPEC = Path(__file__).resolve().parents[1] / "data" / "copper-openapi.yaml"


def _nullable(spec: dict[str, Any], schema: str, *path: str) -> None:
    node = spec["components"]["schemas"][schema]
    for key in path:
        node = node["properties"][key]
    node["nullable"] = True


def overlay(spec: dict[str, Any]) -> dict[str, Any]:
    """The description, corrected only where copper-api.md documents different behaviour."""
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

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


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
