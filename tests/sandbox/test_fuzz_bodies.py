"""Random request bodies against a live sandbox (hypothesis): every answer is a 2xx or a 4xx
with Copper's error envelope, never a 5xx or a dropped connection; a refused request stores
nothing, and whatever was stored can still be searched (issue 14.7).

Bodies are built from the keys each route knows (so they get past the first checks) with
values that are often wrong: strings for numbers, numbers beyond 64 bits or any float, NaN and
Infinity tokens, deep nesting, lists for objects, bytes that are not UTF-8 or not JSON. The
run is bounded (``MAX_EXAMPLES`` examples, a pytest timeout) and derandomized, so it tries the
same cases every time; raise ``MAX_EXAMPLES`` locally to search further.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import hypothesis
import pytest
from hypothesis import strategies as st

from copper_desktop.sandbox.core.account import WEBHOOK_KEYS
from copper_desktop.sandbox.core.keys import READ_ONLY, SPECS
from copper_desktop.sandbox.core.queries import FILTERS, PAGING
from copper_desktop.sandbox.core.relations import LINK_KEYS
from copper_desktop.sandbox.core.shapes import PLURAL_OF
from copper_desktop.sandbox.server import SandboxServer
from copper_desktop.sandbox.settings import SandboxConfig
from tests.helpers.http import auth_headers

MAX_EXAMPLES = 300

# Answers other than the envelope that Copper documents (copper-behaviour.md §11).
DOCUMENTED = ({"error": "Request size too large, limit is 10"},)
# Tokens written into the body as they are: none of them is a number JSON can carry.
NOT_JSON = ("NaN", "Infinity", "-Infinity", "1e400", "-1e400", "1E999", "-1.5e309")
STRINGS = (
    "", " ", "x", "1", "-2", "1.5", "1e400", "nan", "true", "null", "Open", "Won", "High",
    "person", "company", "lead", "opportunity", "project", "task", "people", "user",
    "email", "name", "custom", "ANY", "ALL", "NONE", "asc", "desc", "name", "date_modified",
    "a@b.co", "http://127.0.0.1:9/h", "https://", "1/2/2024", "31/12/2024", "Dropdown",
    "MultiSelect", "Float", "Date", "Checkbox", "Connect", "1" + "0" * 400,
)  # fmt: skip
SUB_KEYS = (
    "id", "type", "category", "email", "number", "url", "custom_field_definition_id",
    "value", "option", "minimum_value", "maximum_value", "allow_empty", "name", "entity_type",
    "field_name", "field_value", "street", "city", "properties", "match", "details",
    "person", "company", "opportunity", "resource", "source", "target", "options", "rank",
)  # fmt: skip


class Token(str):
    """Written into the body verbatim."""


def dump(value: Any) -> str:
    if isinstance(value, Token):
        return str(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)}: {dump(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(dump(v) for v in value) + "]"
    return json.dumps(value)


def scalars(ids: list[int]) -> st.SearchStrategy[Any]:
    bad_numbers = st.one_of(
        st.sampled_from(NOT_JSON).map(Token),
        st.integers(-(10**400), 10**400),
        st.sampled_from(("1.5e400", "-1e309", "1" + "0" * 400, "9" * 20, "9" * 5000)),
    )
    return st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-3, 3),
        st.integers(-(2**70), 2**70),
        st.sampled_from(ids),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=12),
        st.sampled_from(STRINGS),
        bad_numbers,
        bad_numbers,
    )


def values(ids: list[int]) -> st.SearchStrategy[Any]:
    return st.recursive(
        scalars(ids),
        lambda inner: st.one_of(
            st.lists(inner, max_size=3),
            st.dictionaries(st.sampled_from(SUB_KEYS), inner, max_size=3),
        ),
        max_leaves=8,
    )


def bodies(route: Route, ids: list[int]) -> st.SearchStrategy[bytes]:
    """Body bytes for a route: mostly its valid base with one field set to a generated value
    (so that a wrong value is the only fault, and a value that slips through gets stored),
    then several generated fields, anything JSON, deep nesting, truncated JSON and bytes."""
    one = st.builds(
        lambda key, value: {**route.base, key: value},
        st.sampled_from(route.keys),
        st.one_of(scalars(ids), values(ids)),
    )
    several = st.dictionaries(st.sampled_from((*route.keys, "bogus")), values(ids), max_size=5)
    objects: st.SearchStrategy[Any] = st.one_of(one, one, one, several)
    if route.wrap is not None:
        wrap = route.wrap
        objects = st.builds(
            lambda items, extra: {wrap: items, **extra},
            st.lists(objects, max_size=11),
            st.dictionaries(st.just("bogus"), values(ids), max_size=1),
        )
    deep = st.integers(30, 3000).map(lambda n: "[" * n + "]" * n)
    text = st.one_of(
        *[objects.map(dump)] * 6,
        values(ids).map(dump),
        deep,
        deep.map(lambda d: f'{{"{route.keys[0]}": {d}}}'),
        objects.map(dump).map(lambda t: t[: max(0, len(t) - 2)]),
    )
    return text.map(str.encode) | st.binary(max_size=24)


# --------------------------------------------------------------------------- the target
@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxServer]:
    """A sandbox of its own, in a file so the test can read what it stored."""
    db = tmp_path_factory.mktemp("fuzz") / "fuzz.sqlite3"
    config = SandboxConfig(
        port=0, db=str(db), seed=40, rate_limit=0, bulk_rate_limit=0, webhook_timeout_s=0.5
    )
    with SandboxServer(config) as server:
        yield server


@pytest.fixture(scope="module")
def client(target: SandboxServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=target.base_url, timeout=30) as c:
        yield c


@pytest.fixture(scope="module")
def stored(target: SandboxServer) -> Iterator[sqlite3.Connection]:
    """A second, read-only connection to the sandbox's database."""
    conn = sqlite3.connect(f"file:{target.config.db}?mode=ro", uri=True)
    try:
        yield conn
    finally:
        conn.close()


def fingerprint(conn: sqlite3.Connection) -> str:
    """A digest of every table: equal digests, nothing stored."""
    digest = hashlib.sha256()
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    for table in sorted(tables):
        for row in conn.execute(f"SELECT * FROM {table} ORDER BY 1"):
            digest.update(repr(row).encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    keys: tuple[str, ...]
    """The keys the body's object knows."""
    kind: str
    """The kind whose search must still answer after a success."""
    base: dict[str, Any] = field(default_factory=dict)
    """A valid body that one generated field is added to."""
    wrap: str | None = None
    """Bulk calls: the objects go in a list under this key."""


def routes(ids: dict[str, int]) -> list[Route]:
    named = {"name": "Fuzz"}
    activity = {"parent": {"id": ids["person"], "type": "person"}, "type": {"id": 0,
                "category": "user"}}  # fmt: skip
    out: list[Route] = []
    for kind, plural in PLURAL_OF.items():
        keys = (*SPECS[kind], *sorted(READ_ONLY[kind]))
        base = activity if kind == "activity" else named
        out += [
            Route("POST", f"/{plural}", keys, kind, base),
            Route("PUT", f"/{plural}/{ids[kind]}", keys, kind),
            Route("POST", f"/{plural}/search", (*FILTERS[kind], *PAGING), kind),
        ]
    for plural, kind in (("people", "person"), ("companies", "company"), ("leads", "lead")):
        keys = (*SPECS[kind], "id")
        out.append(Route("POST", f"/{plural}/bulk_update", keys, kind, {"id": ids[kind]}, plural))
        path = f"/{plural}/{ids[kind]}/activities"
        out.append(Route("POST", path, ("activity_types", *PAGING), "activity"))
    for plural, kind in (("people", "person"), ("opportunities", "opportunity")):
        out.append(Route("POST", f"/{plural}/bulk_create", tuple(SPECS[kind]), kind, named, plural))
        for method in ("POST", "DELETE"):
            out.append(Route(method, f"/{plural}/{ids[kind]}/related", ("resource",), kind))
    hook = {"target": "http://127.0.0.1:9/h", "type": "lead", "event": "new"}
    definition = ("name", "data_type", "available_on", "options", "currency", "is_filterable")
    new_definition = {"name": "Fuzz", "data_type": "Float", "available_on": ["lead"]}
    activity_type = ("name", "icon_type", "is_disabled", "is_interaction", "is_default_task_type")
    out += [
        Route("PUT", "/leads/upsert", ("properties", "match"), "lead",
              {"properties": named, "match": {"field_name": "name", "field_value": "Fuzz"}}),
        Route("POST", f"/leads/{ids['lead']}/convert", ("details",), "person"),
        Route("POST", "/people/fetch_by_email", ("email",), "person"),
        Route("POST", "/related_links", LINK_KEYS, "company"),
        Route("POST", "/webhooks", WEBHOOK_KEYS, "task", hook),
        Route("PUT", f"/webhooks/{ids['webhook']}", WEBHOOK_KEYS, "task"),
        Route("POST", "/users/search", PAGING, "person"),
        Route("POST", "/custom_field_definitions", definition, "opportunity", new_definition),
        Route("PUT", f"/custom_field_definitions/{ids['definition']}", definition, "lead"),
        Route("POST", "/custom_activity_types", activity_type, "task", named),
        Route("PUT", f"/custom_activity_types/{ids['activity_type']}", activity_type, "task"),
    ]  # fmt: skip
    return out


@pytest.fixture(scope="module")
def known_ids(target: SandboxServer, client: httpx.Client) -> dict[str, int]:
    """One real id of each kind, so generated bodies sometimes name real things."""
    headers = auth_headers(target.users[0])
    ids: dict[str, int] = {}
    for kind, plural in PLURAL_OF.items():
        found = client.post(f"/{plural}/search", json={"page_size": 1}, headers=headers).json()
        ids[kind] = found[0]["id"]
    hook = {"target": "http://127.0.0.1:9/h", "type": "lead", "event": "new"}
    ids["webhook"] = client.post("/webhooks", json=hook, headers=headers).json()["id"]
    definitions = client.get("/custom_field_definitions", headers=headers).json()
    ids["definition"] = definitions[0]["id"]
    ids["activity_type"] = client.get("/custom_activity_types", headers=headers).json()[0]["id"]
    ids["user"] = target.users[1]["id"]
    ids["option"] = next(o["id"] for d in definitions for o in d.get("options") or [])
    ids["stage"] = client.get("/pipeline_stages", headers=headers).json()[0]["id"]
    return ids


def strict_json(content: bytes) -> Any:
    def refuse(token: str) -> Any:
        raise AssertionError(f"{token} in an answer")

    return json.loads(content, parse_constant=refuse)


# --------------------------------------------------------------------------- the fuzz
@pytest.mark.slow
@pytest.mark.timeout(600)
@hypothesis.settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    database=None,  # nothing written into the working tree
    derandomize=True,  # the same cases on every run
    suppress_health_check=list(hypothesis.HealthCheck),
)
@hypothesis.given(data=st.data())
def test_random_bodies_get_a_2xx_or_a_4xx_envelope_and_store_nothing_when_refused(
    data: st.DataObject,
    target: SandboxServer,
    client: httpx.Client,
    stored: sqlite3.Connection,
    known_ids: dict[str, int],
) -> None:
    ids = sorted(set(known_ids.values()))
    route = data.draw(st.sampled_from(routes(known_ids)), label="route")
    body = data.draw(bodies(route, ids), label="body")
    authenticated = data.draw(st.sampled_from((True,) * 9 + (False,)), label="authenticated")
    headers = {"Content-Type": "application/json"}
    if authenticated:
        headers |= auth_headers(target.users[0])
    before = fingerprint(stored)

    r = client.request(route.method, route.path, content=body, headers=headers)

    hypothesis.event(f"answer {r.status_code}")
    assert r.status_code < 500, r.text
    answer = strict_json(r.content)
    if r.status_code >= 400:
        if answer not in DOCUMENTED:
            assert answer["success"] is False and answer["status"] == r.status_code, answer
            assert isinstance(answer["message"], str) and answer["message"], answer
        assert fingerprint(stored) == before, "a refused request changed the store"
    assert authenticated or r.status_code == 401
    if r.status_code < 300:
        # Whatever was stored can be found again: every page that shows it answers.
        page = {"page_size": 200, "sort_by": "date_modified", "sort_direction": "desc"}
        if route.kind == "lead":
            page["include_converted_leads"] = True
        search = client.post(
            f"/{PLURAL_OF[route.kind]}/search", json=page, headers=auth_headers(target.users[0])
        )
        assert search.status_code == 200, search.text
        strict_json(search.content)
