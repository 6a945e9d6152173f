"""Person e-mails are unique in any case (copper-behaviour.md §8), and the sandbox checks that
with an index rather than a scan of every person: the rule on create, update and the bulk
calls through real HTTP; the index kept in step when e-mails change and people are deleted,
built for a database an older sandbox wrote; every look-up an index search, never a scan."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from copper_desktop.sandbox.context import SandboxContext
from copper_desktop.sandbox.core.operations import Operations
from copper_desktop.sandbox.core.queries import compile_search
from copper_desktop.sandbox.core.refusals import Invalid
from copper_desktop.sandbox.core.seed import generate
from copper_desktop.sandbox.core.shapes import NullEventSink
from copper_desktop.sandbox.core.store import Store
from copper_desktop.sandbox.settings import SandboxConfig
from tests.helpers.http import PREFIX, envelope_err, ok, uid

Json = dict[str, Any]
PLANNER_PEOPLE = 1000


def person(api: httpx.Client, *emails: str, **fields: Any) -> Json:
    body = {"name": f"Mail {uid()}", "emails": [{"email": e, "category": "work"} for e in emails]}
    made: Json = ok(api.post("/people", json={**body, **fields}))
    return made


def taken(email: str) -> str:
    return f"{email} has already been taken"


def test_a_taken_email_is_refused_on_every_write_and_freed_when_its_owner_lets_go(
    api: httpx.Client,
) -> None:
    email = f"{uid()}@Taken.test"
    owner = person(api, email)
    other = person(api, f"{uid()}@other.test")
    upper = email.upper()
    # create and update, in any case
    assert envelope_err(
        api.post("/people", json={"name": "Dup", "emails": [{"email": upper}]})
    ) == (PREFIX + "Emails: " + taken(upper))
    keep = other["emails"][0]
    refused = api.put(f"/people/{other['id']}", json={"emails": [keep, {"email": email}]})
    assert envelope_err(refused) == PREFIX + "Emails: " + taken(email)
    # bulk create: taken by an existing person, or by an earlier item of the same request
    fresh = f"{uid()}@fresh.test"
    items = [{"name": "B1", "emails": [{"email": email}]},
             {"name": "B2", "emails": [{"email": fresh}]},
             {"name": "B3", "emails": [{"email": fresh.upper()}]}]  # fmt: skip
    one, two, three = ok(api.post("/people/bulk_create", json={"people": items}))
    assert one == {"success": False, "message": {"emails": [{"error": taken(email)}]}}
    assert two["emails"][0]["email"] == fresh
    assert three == {"success": False, "message": {"emails": [{"error": taken(fresh.upper())}]}}
    # bulk update: refused per item, the other items written
    items = [{"id": other["id"], "emails": [{"email": upper}]}, {"id": owner["id"], "title": "T"}]
    first, second = ok(api.post("/people/bulk_update", json={"people": items}))
    assert first == {"success": False, "message": {"emails": [{"error": taken(upper)}]},
                     "id": other["id"]}  # fmt: skip
    assert second["title"] == "T" and second["emails"] == owner["emails"]
    # the owner may change its e-mail's case, or other fields, freely
    ok(api.put(f"/people/{owner['id']}", json={"emails": [{"email": upper}]}))
    ok(api.put(f"/people/{owner['id']}", json={"title": "Still mine"}))
    # an e-mail the owner drops is free; the one it takes is taken
    moved = f"{uid()}@moved.test"
    ok(api.put(f"/people/{owner['id']}", json={"emails": [{"email": moved}]}))
    ok(api.put(f"/people/{other['id']}", json={"emails": [{"email": email}]}))
    assert ok(api.post("/people/fetch_by_email", json={"email": email}))["id"] == other["id"]
    assert envelope_err(
        api.post("/people", json={"name": "Dup", "emails": [{"email": moved}]})
    ) == (PREFIX + "Emails: " + taken(moved))
    # a deleted person's e-mails are free
    ok(api.delete(f"/people/{other['id']}"))
    assert api.post("/people/fetch_by_email", json={"email": email}).status_code == 404
    assert person(api, email)["emails"][0]["email"] == email


def opened(people: int) -> Iterator[Operations]:
    store = Store.open(":memory:")
    store.load(generate(people, email="a@sandbox.test", token="t"))
    try:
        yield Operations(SandboxContext(SandboxConfig(), store, NullEventSink()))
    finally:
        store.close()


@pytest.fixture
def ops() -> Iterator[Operations]:
    yield from opened(40)


@pytest.fixture
def many() -> Iterator[Operations]:
    """Enough people that SQLite's planner scans only where it has no index to search (over
    a few dozen rows it may prefer a scan to an index it has)."""
    yield from opened(PLANNER_PEOPLE)


def an_email(ops: Operations) -> tuple[int, str]:
    """A seeded person with an e-mail: (id, e-mail)."""
    rec = next(r for r in ops.store.select("person") if r.get("emails"))
    return int(rec["id"]), str(rec["emails"][0]["email"])


def search_ids(ops: Operations, body: Json) -> list[int]:
    """A people search as the route runs it (count, then the page)."""
    plan = compile_search("person", body, ops.rules)
    ops.store.count("person", plan.where_sql, plan.params)
    rows = ops.store.select("person", plan.where_sql, plan.params, plan.order, plan.limit)
    return [int(r["id"]) for r in rows]


def test_a_shared_email_left_alone_does_not_block_other_changes(ops: Operations) -> None:
    """Two people sharing an e-mail (a database written before the rule, or by hand): either
    can still be edited, and nobody else can take the e-mail."""
    first, email = an_email(ops)
    second = ops.create("person", {"name": "Second", "emails": [{"email": f"{uid()}@x.test"}]},
                        None)  # fmt: skip
    second["emails"] = [{"email": email.upper(), "category": "work"}]
    ops.store.save("person", second)
    edited, changes = ops.update("person", second["id"], {"title": "Edited"}, None)
    assert edited["title"] == "Edited" and set(changes) >= {"title"}
    added = f"{uid()}@y.test"
    both = [*edited["emails"], {"email": added, "category": "other"}]
    assert ops.update("person", second["id"], {"emails": both}, None)[0]["emails"] == both
    with pytest.raises(Invalid) as refused:
        ops.create("person", {"name": "Third", "emails": [{"email": email}]}, None)
    assert refused.value.message == PREFIX + "Emails: " + taken(email)
    assert ops.fetch_person_by_email({"email": email})["id"] == min(first, second["id"])
    assert sorted(search_ids(ops, {"emails": [email]})) == sorted([first, second["id"]])


def test_a_database_an_older_sandbox_wrote_gets_its_email_index_on_open(tmp_path: Path) -> None:
    path = str(tmp_path / "old.sqlite3")
    store = Store.open(path)
    store.load(generate(40, email="a@sandbox.test", token="t"))
    store.conn.execute("DROP TABLE person_emails")  # as an older sandbox left it
    store.close()
    store = Store.open(path)
    try:
        ops = Operations(SandboxContext(SandboxConfig(), store, NullEventSink()))
        pid, email = an_email(ops)
        with pytest.raises(Invalid) as refused:
            ops.create("person", {"name": "Dup", "emails": [{"email": email.upper()}]}, None)
        assert refused.value.message == PREFIX + "Emails: " + taken(email.upper())
        assert ops.fetch_person_by_email({"email": email})["id"] == pid
        assert search_ids(ops, {"emails": [email.upper()]}) == [pid]
    finally:
        store.close()


def plans(conn: sqlite3.Connection, statements: list[str]) -> list[str]:
    """The query plan steps of every statement that reads or writes rows."""
    steps = []
    for sql in statements:
        if re.match(r"\s*(BEGIN|COMMIT|ROLLBACK|PRAGMA)\b", sql, re.I):
            continue
        steps += [row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}")]
    return steps


def test_email_look_ups_search_an_index_and_never_scan_the_people(many: Operations) -> None:
    ops = many
    pid, email = an_email(ops)
    statements: list[str] = []
    ops.store.conn.set_trace_callback(statements.append)
    try:
        ops.update("person", pid, {"title": "Only the title"}, None)
        mine = ops.get("person", pid)["emails"]
        more = [*mine, {"email": f"{uid()}@new.test", "category": "other"}]
        ops.update("person", pid, {"emails": more}, None)
        with pytest.raises(Invalid):
            ops.create("person", {"name": "Dup", "emails": [{"email": email.upper()}]}, None)
        made = ops.create("person", {"name": "New", "emails": [{"email": f"{uid()}@n.test"}]},
                          None)  # fmt: skip
        ops.delete("person", made["id"])
        assert ops.fetch_person_by_email({"email": email})["id"] == pid
        assert search_ids(ops, {"emails": [email, f"{uid()}@none.test"]}) == [pid]
    finally:
        ops.store.conn.set_trace_callback(None)
    steps = plans(ops.store.conn, statements)
    scans = [s for s in steps if re.match(r"SCAN (r_person|person_emails)\b", s)]
    assert scans == [], scans
    assert any(s.startswith("SEARCH person_emails USING PRIMARY KEY") for s in steps), steps
