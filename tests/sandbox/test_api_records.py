"""Records through real HTTP: full key sets, PUT semantics, derived fields, validation, 404s."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from tests.helpers.http import PREFIX, envelope_err, ok, uid

KEYS = {
    "people": "id name prefix first_name middle_name last_name suffix address assignee_id "
    "company_id company_name contact_type_id details emails phone_numbers socials tags title "
    "websites custom_fields date_created date_modified date_last_contacted interaction_count "
    "leads_converted_from date_lead_created",
    "companies": "id name address assignee_id contact_type_id details email_domain phone_numbers "
    "socials tags websites custom_fields interaction_count date_created date_modified "
    "primary_contact_id",
    "leads": "id name prefix first_name middle_name last_name suffix address assignee_id "
    "company_name customer_source_id details email interaction_count monetary_unit "
    "monetary_value socials status status_id tags title websites phone_numbers custom_fields "
    "date_created date_modified date_last_contacted",
    "opportunities": "id name assignee_id close_date company_id company_name customer_source_id "
    "details loss_reason_id pipeline_id pipeline_stage_id primary_contact_id priority status "
    "tags interaction_count monetary_unit monetary_value converted_unit converted_value "
    "win_probability date_stage_changed date_last_contacted leads_converted_from "
    "date_lead_created date_created date_modified custom_fields",
    "projects": "id name related_resource assignee_id status details tags custom_fields "
    "date_created date_modified",
    "tasks": "id name related_resource assignee_id due_date reminder_date completed_date "
    "priority status details tags custom_fields custom_activity_type_id date_created "
    "date_modified",
}
ENTITY = {
    "people": "person",
    "companies": "company",
    "leads": "lead",
    "opportunities": "opportunity",
    "projects": "project",
    "tasks": "task",
}


def definitions(api: httpx.Client, entity: str) -> list[dict[str, Any]]:
    defs: list[dict[str, Any]] = ok(api.get("/custom_field_definitions"))
    return [d for d in defs if entity in d["available_on"]]


def definition(api: httpx.Client, entity: str, data_type: str) -> dict[str, Any]:
    return next(d for d in definitions(api, entity) if d["data_type"] == data_type)


def cf(record: dict[str, Any], def_id: int) -> Any:
    return next(
        f["value"] for f in record["custom_fields"] if f["custom_field_definition_id"] == def_id
    )


def new_person(api: httpx.Client, **fields: Any) -> dict[str, Any]:
    body = {"name": f"Test Person {uid()}", **fields}
    person: dict[str, Any] = ok(api.post("/people", json=body))
    return person


MINIMAL = {
    "people": {"name": "Min Person"},
    "companies": {"name": "Min Company"},
    "leads": {"name": "Min Lead"},
    "opportunities": {"name": "Min Opportunity"},
    "projects": {"name": "Min Project"},
    "tasks": {"name": "Min Task"},
}


@pytest.mark.parametrize("plural", list(MINIMAL))
def test_create_get_delete_answer_every_key(api: httpx.Client, plural: str) -> None:
    created = ok(api.post(f"/{plural}", json=MINIMAL[plural]))
    assert set(created) == set(KEYS[plural].split())
    applicable = {d["id"] for d in definitions(api, ENTITY[plural])}
    assert {f["custom_field_definition_id"] for f in created["custom_fields"]} == applicable
    assert len(created["custom_fields"]) == len(applicable)
    fetched = ok(api.get(f"/{plural}/{created['id']}"))
    assert fetched == created
    assert ok(api.delete(f"/{plural}/{created['id']}")) == {"id": created["id"], "is_deleted": True}
    assert envelope_err(api.get(f"/{plural}/{created['id']}"), 404) == "Resource not found"


@pytest.mark.parametrize("plural", list(MINIMAL))
def test_unknown_ids_answer_404_envelope(api: httpx.Client, plural: str) -> None:
    assert envelope_err(api.get(f"/{plural}/987654321"), 404) == "Resource not found"
    assert (
        envelope_err(api.put(f"/{plural}/987654321", json={"name": "x"}), 404)
        == "Resource not found"
    )
    assert envelope_err(api.delete(f"/{plural}/987654321"), 404) == "Resource not found"


def test_unset_values_are_null_or_empty_with_checkbox_false(api: httpx.Client) -> None:
    person = new_person(api)
    assert person["emails"] == [] and person["tags"] == [] and person["address"] is None
    assert person["leads_converted_from"] == [] and person["interaction_count"] == 0
    for d in definitions(api, "person"):
        expected: Any = None
        if d["data_type"] in ("MultiSelect", "Connect"):
            expected = []
        elif d["data_type"] == "Checkbox":
            expected = False
        assert cf(person, d["id"]) == expected, d


def test_name_is_split_into_parts_and_parts_rebuild_the_name(api: httpx.Client) -> None:
    person = new_person(api, name="Dr. Jane Quinn Public, Jr.")
    assert (person["prefix"], person["first_name"], person["middle_name"]) == (
        "Dr.",
        "Jane",
        "Quinn",
    )
    assert (person["last_name"], person["suffix"]) == ("Public", "Jr.")
    changed = ok(api.put(f"/people/{person['id']}", json={"last_name": "Private"}))
    assert changed["name"] == "Dr. Jane Quinn Private, Jr."
    renamed = ok(api.put(f"/people/{person['id']}", json={"name": "Ann Lee"}))
    assert (renamed["first_name"], renamed["last_name"], renamed["prefix"]) == ("Ann", "Lee", None)
    created = ok(api.post("/people", json={"first_name": "Solo", "last_name": "Parts"}))
    assert created["name"] == "Solo Parts"


def test_put_changes_only_the_fields_sent(api: httpx.Client) -> None:
    person = new_person(
        api, title="Boss", details="keep", emails=[{"email": f"{uid()}@p.test", "category": "work"}]
    )
    updated = ok(api.put(f"/people/{person['id']}", json={"title": "Chief"}))
    assert updated["title"] == "Chief"
    for key in ("details", "emails", "name", "date_created"):
        assert updated[key] == person[key]
    assert ok(api.put(f"/people/{person['id']}", json={})) == updated


def test_null_clears_a_field(api: httpx.Client) -> None:
    person = new_person(api, title="Boss", address={"city": "Austin"})
    cleared = ok(api.put(f"/people/{person['id']}", json={"title": None, "address": None}))
    assert cleared["title"] is None and cleared["address"] is None


def test_custom_fields_merge_by_definition_and_null_clears_one(api: httpx.Client) -> None:
    drop = definition(api, "person", "Dropdown")
    num = definition(api, "person", "Float")
    option = drop["options"][0]["id"]
    person = new_person(
        api,
        custom_fields=[
            {"custom_field_definition_id": drop["id"], "value": option},
            {"custom_field_definition_id": num["id"], "value": 7.5},
        ],
    )
    assert cf(person, drop["id"]) == option and cf(person, num["id"]) == 7.5
    body = {"custom_fields": [{"custom_field_definition_id": num["id"], "value": 9}]}
    merged = ok(api.put(f"/people/{person['id']}", json=body))
    assert cf(merged, drop["id"]) == option and cf(merged, num["id"]) == 9
    body = {"custom_fields": [{"custom_field_definition_id": drop["id"], "value": None}]}
    cleared = ok(api.put(f"/people/{person['id']}", json=body))
    assert cf(cleared, drop["id"]) is None and cf(cleared, num["id"]) == 9


def test_arrays_and_address_are_replaced_whole(api: httpx.Client) -> None:
    person = new_person(
        api,
        tags=["a", "b"],
        phone_numbers=[
            {"number": "111", "category": "work"},
            {"number": "222", "category": "home"},
        ],
        address={
            "street": "1",
            "city": "Austin",
            "state": "TX",
            "postal_code": "7",
            "country": "US",
        },
    )
    body = {
        "tags": ["c"],
        "phone_numbers": [{"number": "333", "category": "mobile"}],
        "address": {"city": "Boston"},
    }
    updated = ok(api.put(f"/people/{person['id']}", json=body))
    assert updated["tags"] == ["c"]
    assert updated["phone_numbers"] == [{"number": "333", "category": "mobile"}]
    assert updated["address"] == {
        "street": None, "city": "Boston", "state": None, "postal_code": None, "country": None,
    }  # fmt: skip


def test_date_modified_moves_only_on_a_real_change(api: httpx.Client) -> None:
    person = new_person(api, title="Same")
    same = ok(api.put(f"/people/{person['id']}", json={"title": "Same", "name": person["name"]}))
    assert same["date_modified"] == person["date_modified"]
    changed = ok(api.put(f"/people/{person['id']}", json={"title": "Other"}))
    assert changed["date_modified"] > person["date_modified"]
    assert changed["date_created"] == person["date_created"]


def test_read_only_keys_are_ignored_so_a_record_can_be_sent_back(api: httpx.Client) -> None:
    person = new_person(api, title="Round trip")
    body = {**person, "interaction_count": 99, "date_created": 1, "id": 1, "title": "Back"}
    updated = ok(api.put(f"/people/{person['id']}", json=body))
    assert updated["title"] == "Back"
    assert updated["interaction_count"] == 0 and updated["date_created"] == person["date_created"]


def test_person_company_id_is_set_on_create_and_ignored_on_put(api: httpx.Client) -> None:
    c1 = ok(api.post("/companies", json={"name": f"Co {uid()}"}))
    c2 = ok(api.post("/companies", json={"name": f"Co {uid()}"}))
    person = new_person(api, company_id=c1["id"])
    assert person["company_name"] == c1["name"]
    updated = ok(api.put(f"/people/{person['id']}", json={"company_id": c2["id"]}))
    assert updated["company_id"] == c1["id"]


def test_company_rename_shows_on_people_and_opportunities(api: httpx.Client) -> None:
    company = ok(api.post("/companies", json={"name": f"Old {uid()}"}))
    person = new_person(api, company_id=company["id"])
    opp = ok(api.post("/opportunities", json={"name": "Deal", "company_id": company["id"]}))
    ok(api.put(f"/companies/{company['id']}", json={"name": "New Name"}))
    assert ok(api.get(f"/people/{person['id']}"))["company_name"] == "New Name"
    assert ok(api.get(f"/opportunities/{opp['id']}"))["company_name"] == "New Name"


def test_opportunity_defaults_stage_change_and_close_date(api: httpx.Client) -> None:
    pipelines = ok(api.get("/pipelines"))
    first, second = pipelines[0]["stages"][0], pipelines[0]["stages"][1]
    opp = ok(api.post("/opportunities", json={"name": "Deal", "close_date": "03/04/2025"}))
    assert opp["pipeline_id"] == pipelines[0]["id"] and opp["pipeline_stage_id"] == first["id"]
    assert opp["win_probability"] == first["win_probability"]
    assert opp["status"] == "Open" and opp["priority"] == "None"
    assert opp["close_date"] == "3/4/2025"
    assert isinstance(opp["date_stage_changed"], int)
    moved = ok(api.put(f"/opportunities/{opp['id']}", json={"pipeline_stage_id": second["id"]}))
    assert moved["win_probability"] == second["win_probability"]
    other = pipelines[1]
    bad = api.put(
        f"/opportunities/{opp['id']}",
        json={"pipeline_id": other["id"], "pipeline_stage_id": first["id"]},
    )
    assert envelope_err(bad).startswith(PREFIX + "Pipeline Stage Id:")


def test_close_date_order_follows_the_setting(api: httpx.Client, control: Any) -> None:
    opp = ok(api.post("/opportunities", json={"name": "Deal", "close_date": "1/23/2025"}))
    control.settings(close_date_order="DMY")
    try:
        assert ok(api.get(f"/opportunities/{opp['id']}"))["close_date"] == "23/1/2025"
        assert envelope_err(
            api.put(f"/opportunities/{opp['id']}", json={"close_date": "1/23/2025"})
        )
    finally:
        control.settings(close_date_order="MDY")


def test_lead_status_follows_status_id_and_name(api: httpx.Client) -> None:
    statuses = ok(api.get("/lead_statuses"))
    default = next(s for s in statuses if s["is_default"])
    other = next(s for s in statuses if not s["is_default"])
    lead = ok(api.post("/leads", json={"name": "L", "email": {"email": f"{uid()}@l.test"}}))
    assert (lead["status_id"], lead["status"]) == (default["id"], default["name"])
    moved = ok(api.put(f"/leads/{lead['id']}", json={"status_id": other["id"]}))
    assert moved["status"] == other["name"]
    by_name = ok(api.put(f"/leads/{lead['id']}", json={"status": default["name"]}))
    assert by_name["status_id"] == default["id"]
    assert envelope_err(api.put(f"/leads/{lead['id']}", json={"status": "Nope"})).endswith(
        "Status: is not included in the list"
    )


def test_task_completed_date_follows_status_and_is_ignored_on_put(api: httpx.Client) -> None:
    task = ok(api.post("/tasks", json={"name": "Do it"}))
    assert task["completed_date"] is None and task["status"] == "Open"
    ignored = ok(api.put(f"/tasks/{task['id']}", json={"completed_date": 12345}))
    assert ignored["completed_date"] is None
    done = ok(api.put(f"/tasks/{task['id']}", json={"status": "Completed"}))
    assert abs(done["completed_date"] - time.time()) < 3600 * 24 * 400
    assert ok(api.put(f"/tasks/{task['id']}", json={"status": "Open"}))["completed_date"] is None


def test_project_and_task_related_resource(api: httpx.Client) -> None:
    project = ok(api.post("/projects", json={"name": "P"}))
    task = ok(api.post(
        "/tasks", json={"name": "T", "related_resource": {"id": project["id"], "type": "project"}}
    ))  # fmt: skip
    assert task["related_resource"] == {"id": project["id"], "type": "project"}
    bad = api.post("/tasks", json={"name": "T", "related_resource": {"id": 1, "type": "task"}})
    assert envelope_err(bad).startswith(PREFIX + "Related Resource:")


def test_computed_values_add_option_names(api: httpx.Client) -> None:
    drop = definition(api, "person", "Dropdown")
    option = drop["options"][0]
    person = new_person(
        api, custom_fields=[{"custom_field_definition_id": drop["id"], "value": option["id"]}]
    )
    plain = ok(api.get(f"/people/{person['id']}"))
    assert all("computed_value" not in f for f in plain["custom_fields"])
    rich = ok(api.get(f"/people/{person['id']}", params={"custom_field_computed_values": "true"}))
    entry = next(f for f in rich["custom_fields"] if f["custom_field_definition_id"] == drop["id"])
    assert entry["computed_value"] == option["name"]


VALIDATION_CASES: list[tuple[str, dict[str, Any], str]] = [
    ("people", {"name": ""}, "Name: can't be blank"),
    ("people", {"title": "x"}, "Name: can't be blank"),
    ("people", {"name": "A", "emails": [{"email": "not-an-email", "category": "work"}]},
     "Emails: not-an-email is invalid"),
    ("people", {"name": "A", "company_id": "test"},
     "Company Id: Invalid value for Company Id: IDs must be positive integers: test"),
    ("people", {"name": "A", "assignee_id": -3},
     "Assignee Id: Invalid value for Assignee Id: IDs must be positive integers: -3"),
    ("people", {"name": "A", "contact_type_id": 999999},
     "Contact Type Id: Invalid value for Contact Type Id: 999999 does not exist"),
    ("people", {"name": "x" * 256}, "Name: is too long (maximum is 255 characters)"),
    ("people", {"name": "A", "pageSize": 3}, "Base: Unrecognized attributes specified: pageSize"),
    ("opportunities", {"name": "A", "status": "Maybe"}, "Status: is not included in the list"),
    ("opportunities", {"name": "A", "priority": "Urgent"}, "Priority: is not included in the list"),
    ("opportunities", {"name": "A", "close_date": "13/45/2020"}, "Close Date: is invalid"),
    ("tasks", {"name": "A", "priority": "Low"}, "Priority: is not included in the list"),
    ("tasks", {"name": "A", "status": "Done"}, "Status: is not included in the list"),
    ("projects", {"name": "A", "status": "Later"}, "Status: is not included in the list"),
    ("leads", {"email": {"email": "a@b.test"}}, "Name: can't be blank"),
    ("companies", {"name": "A", "phone_numbers": [{"number": "1", "category": "fax"}]},
     "Phone Numbers: Category fax is not included in the list"),
]  # fmt: skip


@pytest.mark.parametrize(("plural", "body", "message"), VALIDATION_CASES)
def test_validation_errors_use_coppers_envelope(
    api: httpx.Client, plural: str, body: dict[str, Any], message: str
) -> None:
    assert envelope_err(api.post(f"/{plural}", json=body)).startswith(PREFIX + message)


def test_custom_field_validation(api: httpx.Client) -> None:
    drop = definition(api, "person", "Dropdown")
    string = definition(api, "person", "String")
    only_project = definition(api, "project", "Currency")
    cases = [
        ({"custom_field_definition_id": drop["id"], "value": "red"}, "Invalid value for"),
        ({"custom_field_definition_id": 424242, "value": 1}, "Unknown custom field definition"),
        ({"custom_field_definition_id": only_project["id"], "value": 1.0}, "is not available on"),
        ({"custom_field_definition_id": string["id"], "value": "y" * 256}, "is too long"),
        ({"custom_field_definition_id": string["id"], "value": 5}, "Invalid value for"),
    ]
    for entry, fragment in cases:
        message = envelope_err(api.post("/people", json={"name": "A", "custom_fields": [entry]}))
        assert message.startswith(PREFIX + "Custom Fields: ") and fragment in message, message


def test_unique_person_email_and_company_domain(api: httpx.Client) -> None:
    email = f"{uid()}@unique.test"
    first = new_person(api, emails=[{"email": email, "category": "work"}])
    dup = api.post("/people", json={"name": "B", "emails": [{"email": email.upper()}]})
    assert "has already been taken" in envelope_err(dup)
    other = new_person(api)
    taken = api.put(f"/people/{other['id']}", json={"emails": [{"email": email}]})
    assert "has already been taken" in envelope_err(taken)
    kept = ok(api.put(f"/people/{first['id']}", json={"emails": [{"email": email}]}))
    assert kept["emails"][0]["email"] == email
    domain = f"{uid()}.test"
    ok(api.post("/companies", json={"name": "C1", "email_domain": domain}))
    assert envelope_err(
        api.post("/companies", json={"name": "C2", "email_domain": domain})
    ).startswith(PREFIX + "Email Domain: has already been taken")


def test_activity_crud_defaults_and_user_only_types(
    api: httpx.Client, admin: dict[str, Any]
) -> None:
    person = new_person(api)
    body = {"parent": {"id": person["id"], "type": "person"}, "type": {"id": 0, "category": "user"},
            "details": "A note"}  # fmt: skip
    act = ok(api.post("/activities", json=body))
    assert set(act) == set(
        [
            "id",
            "parent",
            "type",
            "user_id",
            "details",
            "activity_date",
            "old_value",
            "new_value",
            "date_created",
            "date_modified",
        ]
    )
    assert act["user_id"] == admin["id"] and isinstance(act["activity_date"], int)
    assert ok(api.get(f"/activities/{act['id']}")) == act
    edited = ok(api.put(f"/activities/{act['id']}", json={"details": "Edited"}))
    assert edited["details"] == "Edited"
    system = {**body, "type": {"id": 1, "category": "system"}}
    assert envelope_err(api.post("/activities", json=system)).startswith(PREFIX + "Type:")
    missing = api.post("/activities", json={"details": "x"})
    assert "Parent: can't be blank" in envelope_err(missing)
    orphan = {**body, "parent": {"id": 987654321, "type": "person"}}
    assert envelope_err(api.post("/activities", json=orphan)).startswith(PREFIX + "Parent:")
    assert ok(api.delete(f"/activities/{act['id']}")) == {"id": act["id"], "is_deleted": True}
    assert envelope_err(api.get(f"/activities/{act['id']}"), 404) == "Resource not found"


def test_invalid_json_body_is_rejected(api: httpx.Client) -> None:
    r = api.post("/people", content=b"{not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 400
