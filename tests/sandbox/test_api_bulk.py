"""Bulk create/update, lead upsert, lead conversion and fetch_by_email through real HTTP."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.helpers.http import err, ok, uid


def test_bulk_create_answers_per_item_in_order(api: httpx.Client) -> None:
    email = f"{uid()}@bulk.test"
    items = [
        {"name": "Bulk One", "emails": [{"email": email, "category": "work"}]},
        {"name": ""},
        {"name": "Bulk Dup", "emails": [{"email": email, "category": "work"}]},
        {"name": "Bulk Three"},
    ]
    results = ok(api.post("/people/bulk_create", json={"people": items}))
    assert len(results) == 4
    assert results[0]["name"] == "Bulk One" and isinstance(results[0]["id"], int)
    assert results[1] == {"success": False, "message": {"name": [{"error": "can't be blank"}]}}
    assert results[2]["success"] is False and "emails" in results[2]["message"]
    assert results[3]["name"] == "Bulk Three"
    assert ok(api.get(f"/people/{results[3]['id']}"))["name"] == "Bulk Three"


def test_bulk_limit_is_ten(api: httpx.Client) -> None:
    items = [{"name": f"N{i}"} for i in range(11)]
    r = api.post("/companies/bulk_create", json={"companies": items})
    assert r.status_code == 422
    assert r.json() == {"error": "Request size too large, limit is 10"}
    r = api.post("/people/bulk_update", json={"people": [{"id": 1}] * 11})
    assert r.json() == {"error": "Request size too large, limit is 10"}
    assert len(ok(api.post("/companies/bulk_create", json={"companies": items[:10]}))) == 10


@pytest.mark.parametrize("plural", ["people", "companies", "leads", "opportunities"])
def test_bulk_create_every_entity(api: httpx.Client, plural: str) -> None:
    results = ok(api.post(f"/{plural}/bulk_create", json={plural: [{"name": f"B {uid()}"}]}))
    assert isinstance(results[0]["id"], int)
    assert ok(api.get(f"/{plural}/{results[0]['id']}")) == results[0]


def test_bulk_create_activities(api: httpx.Client) -> None:
    person = ok(api.post("/people", json={"name": f"Act {uid()}"}))
    item = {"parent": {"id": person["id"], "type": "person"}, "type": {"id": 0, "category": "user"}}
    results = ok(api.post("/activities/bulk_create", json={"activities": [item, {"details": "x"}]}))
    assert results[0]["parent"] == item["parent"]
    assert results[1]["success"] is False and "parent" in results[1]["message"]


def test_bulk_request_shape_errors(api: httpx.Client) -> None:
    assert err(api.post("/people/bulk_create", json={"companies": []}))
    assert err(api.post("/people/bulk_create", json={"people": [], "extra": 1}))


@pytest.mark.parametrize("plural", ["people", "companies", "leads"])
def test_bulk_update_answers_per_item_with_ids(api: httpx.Client, plural: str) -> None:
    a = ok(api.post(f"/{plural}", json={"name": f"U {uid()}"}))
    b = ok(api.post(f"/{plural}", json={"name": f"U {uid()}"}))
    items = [
        {"id": a["id"], "details": "changed"},
        {"id": 987654321, "details": "x"},
        {"id": b["id"], "name": ""},
    ]
    results = ok(api.post(f"/{plural}/bulk_update", json={plural: items}))
    assert results[0]["id"] == a["id"] and results[0]["details"] == "changed"
    assert results[1]["success"] is False and results[1]["id"] == 987654321
    assert results[2] == {
        "success": False, "message": {"name": [{"error": "can't be blank"}]}, "id": b["id"],
    }  # fmt: skip
    assert ok(api.get(f"/{plural}/{b['id']}"))["name"] == b["name"]


def upsert(api: httpx.Client, properties: dict[str, Any], match: dict[str, Any]) -> httpx.Response:
    return api.put("/leads/upsert", json={"properties": properties, "match": match})


def test_upsert_creates_then_updates_by_email(api: httpx.Client) -> None:
    email = f"{uid()}@upsert.test"
    props = {"name": "Up Lead", "email": {"email": email, "category": "work"}}
    match = {"field_name": "email", "field_value": email}
    created = ok(upsert(api, props, match))
    assert created["email"]["email"] == email
    updated = ok(upsert(api, {"title": "CTO"}, match))
    assert updated["id"] == created["id"] and updated["title"] == "CTO"
    assert updated["name"] == "Up Lead"


def test_upsert_by_name_and_custom_field_and_several_matches(api: httpx.Client) -> None:
    name = f"Same {uid()}"
    first = ok(api.post("/leads", json={"name": name}))
    second = ok(api.post("/leads", json={"name": name}))
    message = err(upsert(api, {"title": "x"}, {"field_name": "name", "field_value": name}))
    assert str(first["id"]) in message and str(second["id"]) in message
    defs = ok(api.get("/custom_field_definitions"))
    text = next(d for d in defs if "lead" in d["available_on"] and d["data_type"] == "String")
    value = f"ref-{uid()}"
    lead = ok(api.post("/leads", json={"name": "CF", "custom_fields": [
        {"custom_field_definition_id": text["id"], "value": value}]}))  # fmt: skip
    match = {"field_name": "custom",
             "field_value": {"custom_field_definition_id": text["id"], "value": value}}  # fmt: skip
    assert ok(upsert(api, {"title": "Found"}, match))["id"] == lead["id"]
    assert err(upsert(api, {"name": "x"}, {"field_name": "phone", "field_value": "1"}))
    assert err(api.put("/leads/upsert", json={"properties": {}, "match": {}, "x": 1}))


def test_upsert_more_than_thirty_matches_lists_no_ids(api: httpx.Client) -> None:
    name = f"Many {uid()}"
    for _ in range(4):
        ok(api.post("/leads/bulk_create", json={"leads": [{"name": name}] * 8}))
    message = err(upsert(api, {"title": "x"}, {"field_name": "name", "field_value": name}))
    assert "more than 30" in message and not any(ch.isdigit() for ch in message.split("30")[1])


def convert(api: httpx.Client, lead_id: int, details: dict[str, Any]) -> httpx.Response:
    return api.post(f"/leads/{lead_id}/convert", json={"details": details})


def new_lead(api: httpx.Client, **fields: Any) -> dict[str, Any]:
    body = {
        "name": f"Conv Lead {uid()}",
        "email": {"email": f"{uid()}@convert.test", "category": "work"},
        "phone_numbers": [{"number": "415-555-0100", "category": "work"}],
        "address": {"street": "1 Main", "city": "Austin", "state": "TX", "postal_code": "1",
                    "country": "US"},
        "title": "CEO",
        **fields,
    }  # fmt: skip
    lead: dict[str, Any] = ok(api.post("/leads", json=body))
    return lead


def test_convert_creates_person_company_and_opportunity(api: httpx.Client) -> None:
    lead = new_lead(api, monetary_value=1000)
    pipeline = ok(api.get("/pipelines"))[0]
    company_name = f"New Co {uid()}"
    result = ok(convert(api, lead["id"], {
        "person": {"name": "John Converted"},
        "company": {"name": company_name},
        "opportunity": {"name": "Demo", "pipeline_id": pipeline["id"]},
    }))  # fmt: skip
    assert set(result) == {"person", "company", "opportunity", "person_id", "company_id",
                           "opportunity_id"}  # fmt: skip
    person, company, opp = result["person"], result["company"], result["opportunity"]
    assert result["person_id"] == person["id"] and result["company_id"] == company["id"]
    assert result["opportunity_id"] == opp["id"]
    assert person["name"] == "John Converted" and person["emails"] == [lead["email"]]
    assert person["phone_numbers"] == lead["phone_numbers"] and person["title"] == "CEO"
    assert person["address"] == lead["address"] and person["company_id"] == company["id"]
    assert company["name"] == company_name
    assert opp["pipeline_stage_id"] == pipeline["stages"][0]["id"]
    assert opp["primary_contact_id"] == person["id"] and opp["company_id"] == company["id"]
    assert ok(api.get(f"/people/{person['id']}")) == person
    assert err(api.get(f"/leads/{lead['id']}"), 404) == "Resource not found"
    assert err(convert(api, lead["id"], {"person": {"name": "Again"}}))


def test_convert_matches_existing_company_by_name_or_id_or_none(api: httpx.Client) -> None:
    company = ok(api.post("/companies", json={"name": f"Existing {uid()}"}))
    by_name = ok(convert(api, new_lead(api)["id"], {"company": {"name": company["name"].upper()}}))
    assert by_name["company_id"] == company["id"] and by_name["opportunity"] is None
    assert by_name["opportunity_id"] is None
    by_id = ok(convert(api, new_lead(api)["id"], {"company": {"id": company["id"]}}))
    assert by_id["company_id"] == company["id"]
    none = ok(convert(api, new_lead(api, company_name="Ignored")["id"], {"company": {"name": ""}}))
    assert none["company"] is None and none["company_id"] is None
    assert none["person"]["company_id"] is None
    assert err(convert(api, new_lead(api)["id"], {"company": {"id": 987654321}}))


def test_converted_leads_leave_default_searches(api: httpx.Client, control: Any) -> None:
    tag = f"t{uid()}"
    lead = new_lead(api, tags=[tag])
    ok(convert(api, lead["id"], {}))
    found = ok(api.post("/leads/search", json={"tags": [tag]}))
    assert found == []
    found = ok(api.post("/leads/search", json={"tags": [tag], "include_converted_leads": True}))
    assert [r["id"] for r in found] == [lead["id"]]
    control.settings(hide_converted_leads=False)
    try:
        assert ok(api.get(f"/leads/{lead['id']}"))["id"] == lead["id"]
        assert len(ok(api.post("/leads/search", json={"tags": [tag]}))) == 1
        assert err(convert(api, lead["id"], {}))
    finally:
        control.settings(hide_converted_leads=True)


def test_convert_rejects_unknown_keys_and_missing_leads(api: httpx.Client) -> None:
    assert err(convert(api, 987654321, {}), 404) == "Resource not found"
    lead = new_lead(api)
    assert "Unrecognized attributes" in err(convert(api, lead["id"], {"deal": {}}))
    assert "Unrecognized attributes" in err(convert(api, lead["id"], {"person": {"x": 1}}))


def test_fetch_by_email(api: httpx.Client) -> None:
    email = f"{uid()}@fetch.test"
    person = ok(api.post("/people", json={"name": "F", "emails": [{"email": email}]}))
    assert ok(api.post("/people/fetch_by_email", json={"email": email.upper()})) == person
    r = api.post("/people/fetch_by_email", json={"email": f"{uid()}@nobody.test"})
    assert err(r, 404) == "Resource not found"
    assert err(api.post("/people/fetch_by_email", json={}))
