"""Webhook subscriptions and events, related items, lookups, definitions and tags over HTTP."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from tests.helpers.http import PREFIX, err, ok, uid

URI_ERROR = "Invalid input: Invalid URI For External Resource"


HOOK = {"target": "https://hooks.example.test/copper", "type": "lead", "event": "update"}


def test_webhook_crud(api: httpx.Client) -> None:
    body = {**HOOK, "secret": {"secret": "s", "key": "k"}, "headers": {"X-A": "1"},
            "custom_field_computed_values": True}  # fmt: skip
    hook = ok(api.post("/webhooks", json=body))
    try:
        assert set(hook) == {"id", "target", "type", "event", "secret", "headers",
                             "custom_field_computed_values", "created_at"}  # fmt: skip
        assert {k: hook[k] for k in body} == body and isinstance(hook["created_at"], int)
        assert ok(api.get(f"/webhooks/{hook['id']}")) == hook
        assert hook in ok(api.get("/webhooks"))
        changed = ok(api.put(f"/webhooks/{hook['id']}", json={
            "target": "https://other.example.test/", "secret": {"password": "p"}}))  # fmt: skip
        assert changed["target"] == "https://other.example.test/"
        assert changed["secret"] == {"password": "p"} and changed["headers"] == {"X-A": "1"}
        assert err(api.put(f"/webhooks/{hook['id']}", json={"event": "new"}))
        assert err(api.put(f"/webhooks/{hook['id']}", json={"target": "ftp://x"})) == URI_ERROR
    finally:
        assert ok(api.delete(f"/webhooks/{hook['id']}")) == {"id": hook["id"]}
    assert err(api.get(f"/webhooks/{hook['id']}"), 404) == "Resource not found"
    assert err(api.delete(f"/webhooks/{hook['id']}"), 404) == "Resource not found"


@pytest.mark.parametrize(
    "target",
    ["http://127.0.0.1:9/h", "http://127.8.9.10/h", "http://localhost:1/", "http://[::1]/"],
)
def test_webhook_http_allowed_only_to_loopback(api: httpx.Client, target: str) -> None:
    hook = ok(api.post("/webhooks", json={**HOOK, "target": target}))
    ok(api.delete(f"/webhooks/{hook['id']}"))


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({**HOOK, "target": "http://example.com/h"}, URI_ERROR),
        ({**HOOK, "target": "not a url"}, URI_ERROR),
        ({**HOOK, "target": "https://"}, URI_ERROR),
        ({**HOOK, "type": "activity"}, PREFIX + "Type: is not included in the list"),
        ({**HOOK, "event": "created"}, PREFIX + "Event: is not included in the list"),
        ({"target": HOOK["target"], "event": "new"}, PREFIX + "Type: can't be blank"),
        ({**HOOK, "url": "x"}, PREFIX + "Base: Unrecognized attributes specified: url"),
        ({**HOOK, "secret": {"a": 1}}, PREFIX + "Secret: must be an object of strings"),
    ],
)
def test_webhook_validation(api: httpx.Client, body: dict[str, Any], message: str) -> None:
    assert err(api.post("/webhooks", json=body)) == message


def test_webhook_limit_is_one_hundred(api: httpx.Client) -> None:
    existing = len(ok(api.get("/webhooks")))
    made = []
    try:
        for _ in range(100 - existing):
            made.append(ok(api.post("/webhooks", json=HOOK))["id"])
        assert "at most 100" in err(api.post("/webhooks", json=HOOK))
    finally:
        for wid in made:
            ok(api.delete(f"/webhooks/{wid}"))


def _deliveries(control: Any, wanted: int) -> list[dict[str, Any]]:
    deadline = time.monotonic() + 10
    while True:
        found = control.deliveries()
        if len(found) >= wanted or time.monotonic() > deadline:
            return [d["body"] for d in found]
        time.sleep(0.05)


def test_changes_emit_events_with_real_changes_only(api: httpx.Client, control: Any) -> None:
    pairs = [("person", "new"), ("person", "update"), ("person", "delete"), ("activity_log", "new")]
    hooks = [
        ok(api.post("/webhooks", json={"target": "http://127.0.0.1:9/", "type": t, "event": e}))
        for t, e in pairs
    ]
    try:
        person = ok(api.post("/people", json={"name": "Evented", "title": "A"}))
        ok(api.put(f"/people/{person['id']}", json={"title": "A"}))
        ok(api.put(f"/people/{person['id']}", json={"title": "B"}))
        bulk = ok(
            api.post("/people/bulk_create", json={"people": [{"name": "E1"}, {"name": "E2"}]})
        )
        ok(api.post("/activities", json={"parent": {"id": person["id"], "type": "person"},
                                         "type": {"id": 0, "category": "user"}}))  # fmt: skip
        ok(api.delete(f"/people/{person['id']}"))
        bodies = _deliveries(control, 5)
        events = [(b["type"], b["event"], b["ids"]) for b in bodies]
        assert ("person", "new", [person["id"]]) in events
        assert ("person", "new", [bulk[0]["id"], bulk[1]["id"]]) in events
        assert ("person", "delete", [person["id"]]) in events
        assert any(t == "activity_log" and e == "new" for t, e, _ in events)
        updates = [b for b in bodies if b["event"] == "update"]
        assert len(updates) == 1
        assert updates[0]["updated_attributes"]["title"] == ["A", "B"]
        assert "date_modified" not in updates[0]["updated_attributes"]
    finally:
        for hook in hooks:
            ok(api.delete(f"/webhooks/{hook['id']}"))


def related(api: httpx.Client, path: str) -> set[tuple[str, int]]:
    return {(r["type"], r["id"]) for r in ok(api.get(path))}


def change(api: httpx.Client, method: str, path: str, kind: str, rid: int) -> httpx.Response:
    return api.request(method, path, json={"resource": {"id": rid, "type": kind}})


def test_related_items_add_list_remove(api: httpx.Client) -> None:
    person = ok(api.post("/people", json={"name": f"Rel {uid()}"}))
    company = ok(api.post("/companies", json={"name": f"Rel Co {uid()}"}))
    other = ok(api.post("/companies", json={"name": f"Rel Co {uid()}"}))
    opp = ok(api.post("/opportunities", json={"name": "Rel Deal"}))
    base = f"/people/{person['id']}/related"
    assert ok(change(api, "POST", base, "company", company["id"])) == {
        "added": True, "resource": {"id": company["id"], "type": "company"},
    }  # fmt: skip
    assert ok(api.get(f"/people/{person['id']}"))["company_id"] == company["id"]
    assert "only one company" in err(change(api, "POST", base, "company", other["id"]))
    ok(change(api, "POST", base, "opportunity", opp["id"]))
    assert related(api, base) == {("company", company["id"]), ("opportunity", opp["id"])}
    assert related(api, f"{base}/opportunities") == {("opportunity", opp["id"])}
    assert ("person", person["id"]) in related(api, f"/companies/{company['id']}/related/people")
    assert ("person", person["id"]) in related(api, f"/opportunities/{opp['id']}/related")
    removed = ok(change(api, "DELETE", base, "opportunity", opp["id"]))
    assert removed == {"removed": True, "resource": {"id": opp["id"], "type": "opportunity"}}
    ok(change(api, "DELETE", base, "company", company["id"]))
    assert related(api, base) == set()
    assert ok(api.get(f"/people/{person['id']}"))["company_id"] is None
    assert err(change(api, "DELETE", base, "opportunity", opp["id"])) == (
        "Invalid request: Resources are not related"
    )


def test_related_items_rules(api: httpx.Client) -> None:
    lead = ok(api.post("/leads", json={"name": f"Rel Lead {uid()}"}))
    person = ok(api.post("/people", json={"name": f"Rel {uid()}"}))
    task = ok(api.post("/tasks", json={"name": "Rel Task"}))
    project = ok(api.post("/projects", json={"name": "Rel Project"}))
    assert err(change(api, "POST", f"/leads/{lead['id']}/related", "person", person["id"]))
    ok(change(api, "POST", f"/leads/{lead['id']}/related", "task", task["id"]))
    assert ok(api.get(f"/tasks/{task['id']}"))["related_resource"] == {
        "id": lead["id"], "type": "lead",
    }  # fmt: skip
    assert "only one record" in err(
        change(api, "POST", f"/tasks/{task['id']}/related", "project", project["id"])
    )
    assert related(api, f"/leads/{lead['id']}/related") == {("task", task["id"])}
    r = change(api, "POST", f"/people/{person['id']}/related", "company", 987654321)
    assert err(r, 404) == "Resource not found"
    assert err(change(api, "POST", "/people/987654321/related", "company", 1), 404)
    assert api.get(f"/people/{person['id']}/related/shoes").status_code == 404


def test_account_users_and_lookups(api: httpx.Client, admin: dict[str, Any]) -> None:
    account = ok(api.get("/account"))
    assert set(account) >= {"id", "name"}
    me = ok(api.get("/users/me"))
    assert me["id"] == admin["id"] and set(me) == {"id", "name", "email", "groups"}
    assert ok(api.get(f"/users/{admin['id']}")) == me
    assert err(api.get("/users/987654321"), 404) == "Resource not found"
    for path in ("/contact_types", "/customer_sources", "/loss_reasons"):
        items = ok(api.get(path))
        assert items and all(set(i) == {"id", "name"} for i in items), path
    statuses = ok(api.get("/lead_statuses"))
    assert all(set(s) == {"id", "name", "order", "is_default"} for s in statuses)
    types = ok(api.get("/activity_types"))
    assert isinstance(types, dict) and set(types) == {"user", "system"}
    assert all(t["category"] == "user" for t in types["user"])


def test_pipelines_and_stages(api: httpx.Client) -> None:
    pipelines = ok(api.get("/pipelines"))
    stages = ok(api.get("/pipeline_stages"))
    assert len(stages) == sum(len(p["stages"]) for p in pipelines)
    one = ok(api.get(f"/pipeline_stages/pipeline/{pipelines[0]['id']}"))
    assert [s["id"] for s in one] == [s["id"] for s in pipelines[0]["stages"]]
    assert all(s["pipeline_id"] == pipelines[0]["id"] for s in one)
    assert err(api.get("/pipeline_stages/pipeline/987654321"), 404) == "Resource not found"


def test_custom_activity_types(api: httpx.Client) -> None:
    items = ok(api.get("/custom_activity_types"))
    assert ok(api.get(f"/custom_activity_types/{items[0]['id']}")) == items[0]
    made = ok(
        api.post("/custom_activity_types", json={"name": f"Visit {uid()}", "icon_type": "Event"})
    )
    assert set(made) == set(items[0])
    renamed = ok(api.put(f"/custom_activity_types/{made['id']}", json={"name": "Renamed"}))
    assert renamed["name"] == "Renamed"
    assert err(api.post("/custom_activity_types", json={"icon_type": "Event"}))
    assert err(api.get("/custom_activity_types/987654321"), 404) == "Resource not found"


def test_custom_field_definition_crud(api: httpx.Client) -> None:
    defs = ok(api.get("/custom_field_definitions"))
    assert ok(api.get(f"/custom_field_definitions/{defs[0]['id']}")) == defs[0]
    body = {"name": f"Flavour {uid()}", "data_type": "Dropdown", "available_on": ["person"],
            "options": [{"name": "Chocolate"}, {"name": "Vanilla"}]}  # fmt: skip
    made = ok(api.post("/custom_field_definitions", json=body))
    try:
        assert [o["name"] for o in made["options"]] == ["Chocolate", "Vanilla"]
        person = ok(
            api.post(
                "/people",
                json={
                    "name": "Flavoured",
                    "custom_fields": [
                        {
                            "custom_field_definition_id": made["id"],
                            "value": made["options"][1]["id"],
                        }
                    ],
                },
            )
        )
        rich = ok(api.get(f"/people/{person['id']}?custom_field_computed_values=true"))
        entry = next(f for f in rich["custom_fields"]
                     if f["custom_field_definition_id"] == made["id"])  # fmt: skip
        assert entry["computed_value"] == "Vanilla"
        keep = made["options"][0]
        updated = ok(
            api.put(
                f"/custom_field_definitions/{made['id']}",
                json={"options": [keep, {"name": "Mint"}], "available_on": ["person", "lead"]},
            )
        )
        assert updated["options"][0]["id"] == keep["id"]
        assert [o["name"] for o in updated["options"]] == ["Chocolate", "Mint"]
        lead = ok(api.post("/leads", json={"name": "L"}))
        assert made["id"] in {f["custom_field_definition_id"] for f in lead["custom_fields"]}
        assert err(api.put(f"/custom_field_definitions/{made['id']}", json={"data_type": "Date"}))
    finally:
        deleted = ok(api.delete(f"/custom_field_definitions/{made['id']}"))
    assert deleted == {"id": made["id"], "is_deleted": True}
    after = ok(api.get(f"/people/{person['id']}"))
    assert made["id"] not in {f["custom_field_definition_id"] for f in after["custom_fields"]}
    assert err(api.post("/custom_field_definitions", json={"name": "X", "data_type": "Blob"}))


def test_tags_sort_and_names_only(api: httpx.Client) -> None:
    tag = f"tag-{uid()}"
    ok(api.post("/people", json={"name": "Tagged", "tags": [tag]}))
    ok(api.post("/leads", json={"name": "Tagged", "tags": [tag]}))
    rows = ok(api.get("/tags"))
    row = next(r for r in rows if r["name"] == tag)
    assert row["count"] == 2 and row["count_people"] == 1 and row["count_leads"] == 1
    names = [r["name"] for r in rows]
    assert names == sorted(names, key=str.lower)
    by_count = ok(api.get("/tags", params={"sort_by": "count"}))
    assert [r["count"] for r in by_count] == sorted((r["count"] for r in by_count), reverse=True)
    only = ok(api.get("/tags", params={"tag_names_only": "true"}))
    assert only == names
    after = ok(api.get("/tags", params={"tag_names_only": "true", "last_tag_value": names[0]}))
    assert after == names[1:]
