"""Searches through real HTTP: paging, X-PW-TOTAL, the cap, every sort key, every filter."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.helpers.http import PREFIX, err, ok, uid


def search(api: httpx.Client, plural: str, **body: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = ok(api.post(f"/{plural}/search", json=body))
    return found


def ids(records: list[dict[str, Any]]) -> set[int]:
    return {r["id"] for r in records}


def tagged(api: httpx.Client, plural: str, tag: str, **body: Any) -> set[int]:
    """Ids of the records carrying this test's own tag that also match ``body``."""
    return ids(search(api, plural, tags=[tag], page_size=200, **body))


def make(api: httpx.Client, plural: str, tag: str, **fields: Any) -> dict[str, Any]:
    body = {"name": f"Search {uid()}", "tags": [tag], **fields}
    record: dict[str, Any] = ok(api.post(f"/{plural}", json=body))
    return record


def test_answer_is_a_bare_array_with_exact_total(api: httpx.Client) -> None:
    r = api.post("/people/search", json={})
    page = ok(r)
    assert isinstance(page, list) and len(page) == 20
    total = int(r.headers["x-pw-total"])
    everything = []
    for number in range(1, total // 200 + 2):
        everything += search(api, "people", page_size=200, page_number=number)
    assert len(everything) == total and len(ids(everything)) == total


def test_pages_follow_each_other_without_overlap(api: httpx.Client) -> None:
    first = search(api, "people", page_size=5, sort_by="last_name")
    second = search(api, "people", page_size=5, page_number=2, sort_by="last_name")
    both = search(api, "people", page_size=10, sort_by="last_name")
    assert [r["id"] for r in first + second] == [r["id"] for r in both]


def test_page_size_bounds_and_numeric_strings(api: httpx.Client) -> None:
    assert err(api.post("/people/search", json={"page_size": 0})).startswith(PREFIX + "Page Size")
    assert err(api.post("/people/search", json={"page_size": 201})).startswith(PREFIX + "Page Size")
    assert err(api.post("/people/search", json={"page_number": 0})).startswith(PREFIX + "Page Num")
    assert len(search(api, "people", page_size=200)) == 200
    assert len(search(api, "people", page_size="7", page_number="2")) == 7
    assert search(api, "people", minimum_created_date="0", page_size=3)


def test_unknown_keys_are_rejected_with_coppers_message(api: httpx.Client) -> None:
    r = api.post("/people/search", json={"pageSize": 5})
    assert r.json() == {
        "success": False,
        "status": 422,
        "message": "Invalid input: Validation errors: Base: Unrecognized attributes specified: "
        "pageSize",
    }
    assert "minimum_modified_date" in err(
        api.post("/people/search", json={"minimum_modified_date": 1})
    )
    assert "statuses" in err(api.post("/leads/search", json={"statuses": ["Open"]}))


def test_search_cap_hides_later_matches(api: httpx.Client, control: Any) -> None:
    control.settings(search_cap=50)
    r = api.post("/people/search", json={"page_size": 20, "page_number": 3})
    assert len(ok(r)) == 10
    assert int(r.headers["x-pw-total"]) > 50
    assert search(api, "people", page_size=20, page_number=4) == []
    assert search(api, "people", page_size=50, page_number=2) == []


def _value(record: dict[str, Any], path: str) -> Any:
    value: Any = record
    for part in path.split("."):
        if isinstance(value, list):
            value = value[0] if value else None
        value = value.get(part) if isinstance(value, dict) else None
    if isinstance(value, str):
        return value.lower()
    return value


def _key(record: dict[str, Any], path: str) -> tuple[Any, ...]:
    value = _value(record, path)
    return (value is not None, value if value is not None else 0)


SORTS: dict[str, dict[str, str]] = {
    "people": {
        "name": "name", "first_name": "first_name", "last_name": "last_name", "title": "title",
        "email": "emails.email", "phone": "phone_numbers.number",
        "date_modified": "date_modified", "date_created": "date_created",
        "city": "address.city", "state": "address.state", "country": "address.country",
        "zip": "address.postal_code", "socials": "socials.url",
    },
    "companies": {
        "name": "name", "phone": "phone_numbers.number", "contact": "primary_contact_id",
        "contact_first_name": "primary_contact_id", "contact_last_name": "primary_contact_id",
        "date_modified": "date_modified", "date_created": "date_created",
        "email_domain": "email_domain", "city": "address.city", "state": "address.state",
        "country": "address.country", "zip": "address.postal_code", "assignee": "assignee_id",
        "contact_group": "contact_type_id", "interaction_count": "interaction_count",
        "primary_website": "websites.url",
    },
    "leads": {
        "name": "name", "first_name": "first_name", "last_name": "last_name",
        "company_name": "company_name", "title": "title", "value": "monetary_value",
        "email": "email.email", "phone": "phone_numbers.number",
        "date_modified": "date_modified", "date_created": "date_created",
        "city": "address.city", "state": "address.state", "country": "address.country",
        "zip": "address.postal_code",
    },
    "opportunities": {
        "name": "name", "account": "company_name", "company_name": "company_name",
        "value": "monetary_value", "assignee": "assignee_id",
        "customer_source_id": "customer_source_id", "date_modified": "date_modified",
        "date_created": "date_created", "contact": "primary_contact_id",
        "stage": "pipeline_stage_id", "status": "status", "source": "customer_source_id",
        "priority": "priority", "last_interaction": "date_last_contacted",
        "interaction_count": "interaction_count", "deal_last_stage": "date_stage_changed",
        "win_probability": "win_probability",
    },
    "projects": {
        "name": "name", "assigned_to": "assignee_id", "related_to": "related_resource.id",
        "status": "status", "date_modified": "date_modified", "date_created": "date_created",
    },
    "tasks": {
        "name": "name", "assigned_to": "assignee_id", "related_to": "related_resource.id",
        "status": "status", "priority": "priority", "due_date": "due_date",
        "reminder_date": "reminder_date", "completed_date": "completed_date",
        "date_created": "date_created", "date_modified": "date_modified",
    },
    "activities": {
        "activity_date": "activity_date", "date_created": "date_created",
        "date_modified": "date_modified",
    },
}  # fmt: skip
SORT_CASES = [(plural, key) for plural, keys in SORTS.items() for key in keys]


@pytest.mark.parametrize(("plural", "sort_by"), SORT_CASES, ids=[f"{p}-{k}" for p, k in SORT_CASES])
def test_each_sort_key_sorts_both_ways(api: httpx.Client, plural: str, sort_by: str) -> None:
    path = SORTS[plural][sort_by]
    for direction in ("asc", "desc"):
        page = search(api, plural, sort_by=sort_by, sort_direction=direction, page_size=100)
        nxt = search(
            api, plural, sort_by=sort_by, sort_direction=direction, page_size=100, page_number=2
        )
        keys = [(*_key(r, path), r["id"]) for r in page + nxt]
        assert keys == sorted(keys, reverse=direction == "desc"), (sort_by, direction)
    values = {_value(r, path) for r in page + nxt}
    assert len(values) > 1 or plural == "activities", f"{sort_by} does not vary in the demo data"


def test_close_date_sort_orders_by_date_not_text(api: httpx.Client) -> None:
    page = search(api, "opportunities", sort_by="close_date", page_size=200)
    dated = [r["close_date"] for r in page if r["close_date"]]
    as_tuples = [(int(y), int(m), int(d)) for m, d, y in (c.split("/") for c in dated)]
    assert as_tuples == sorted(as_tuples) and len(set(as_tuples)) > 1


def test_inactive_days_sorts_most_recent_contact_first(api: httpx.Client) -> None:
    page = search(api, "leads", sort_by="inactive_days", page_size=200)
    last = [r["date_last_contacted"] or r["date_created"] for r in page]
    assert last == sorted(last, reverse=True)


def test_default_sorts(api: httpx.Client) -> None:
    people = search(api, "people", page_size=50)
    assert [_key(p, "first_name") for p in people] == sorted(_key(p, "first_name") for p in people)
    companies = search(api, "companies", page_size=50)
    assert [c["date_modified"] for c in companies] == sorted(c["date_modified"] for c in companies)


def test_bad_sort_values_are_rejected(api: httpx.Client) -> None:
    assert err(api.post("/people/search", json={"sort_by": "shoe_size"})).startswith(
        PREFIX + "Sort By"
    )
    assert err(api.post("/people/search", json={"sort_direction": "up"})).startswith(
        PREFIX + "Sort Direction"
    )


def test_people_filters(api: httpx.Client) -> None:
    tag = f"t{uid()}"
    company = ok(api.post("/companies", json={"name": f"Filter Co {uid()}"}))
    users = ok(api.post("/users/search", json={}))
    ctypes = ok(api.get("/contact_types"))
    email = f"{uid()}@filters.test"
    a = make(
        api, "people", tag, name=f"Zelda {tag}", company_id=company["id"],
        emails=[{"email": email, "category": "work"}], assignee_id=users[1]["id"],
        contact_type_id=ctypes[0]["id"],
        phone_numbers=[{"number": "+1 (415) 555-0199", "category": "work"}],
        address={"city": "Austin", "state": "TX", "postal_code": "78701", "country": "US"},
        socials=[{"url": "https://twitter.com/zelda", "category": "twitter"}],
    )  # fmt: skip
    b = make(api, "people", tag, address={"city": "Boston", "state": "MA"})
    assert tagged(api, "people", tag) == {a["id"], b["id"]}
    assert tagged(api, "people", tag, ids=[a["id"]]) == {a["id"]}
    assert tagged(api, "people", tag, name=f"elda {tag}") == {a["id"]}
    assert tagged(api, "people", tag, emails=[email.upper()]) == {a["id"]}
    assert tagged(api, "people", tag, company_ids=[company["id"]]) == {a["id"]}
    assert tagged(api, "people", tag, company_ids=[-2]) == {b["id"]}
    assert tagged(api, "people", tag, assignee_ids=[users[1]["id"]]) == {a["id"]}
    assert tagged(api, "people", tag, assignee_ids=[-2]) == {b["id"]}
    assert tagged(api, "people", tag, contact_type_ids=[ctypes[0]["id"]]) == {a["id"]}
    assert tagged(api, "people", tag, city="austin") == {a["id"]}
    assert tagged(api, "people", tag, state="MA") == {b["id"]}
    assert tagged(api, "people", tag, postal_code="78701") == {a["id"]}
    assert tagged(api, "people", tag, postal_code="") == {b["id"]}
    assert tagged(api, "people", tag, country="US") == {a["id"]}
    assert tagged(api, "people", tag, socials=["twitter.com/zelda"]) == {a["id"]}
    assert tagged(api, "people", tag, followed=2) == {a["id"], b["id"]}
    assert tagged(api, "people", tag, age=3600) == {a["id"], b["id"]}
    assert tagged(api, "people", tag, minimum_interaction_count=1) == set()
    assert tagged(api, "people", tag, maximum_created_date=10**12) == {a["id"], b["id"]}
    assert tagged(api, "people", tag, minimum_created_date=2**31) == set()


def test_phone_number_partial_and_fuzzy(api: httpx.Client) -> None:
    tag = f"t{uid()}"
    a = make(api, "people", tag, phone_numbers=[{"number": "415-555-0123", "category": "work"}])
    assert tagged(api, "people", tag, phone_number="0123") == {a["id"]}
    assert tagged(api, "people", tag, phone_number="14155550123") == {a["id"]}
    assert tagged(api, "people", tag, phone_number="+1 415 555 0123") == {a["id"]}
    assert tagged(api, "people", tag, phone_number="5550124") == set()
    assert (
        tagged(api, "people", tag, phone_number={"value": "14155550123", "match": "partial"})
        == set()
    )
    assert tagged(api, "people", tag, phone_number={"value": "555", "match": "partial"}) == {
        a["id"]
    }
    assert err(api.post("/people/search", json={"phone_number": {"value": "1", "match": "x"}}))


def test_tag_filter_forms(api: httpx.Client) -> None:
    base, x, y = f"t{uid()}", f"x{uid()}", f"y{uid()}"
    both = make(api, "people", base, tags=[base, x, y])
    only_x = make(api, "people", base, tags=[base, x])
    plain = make(api, "people", base, tags=[base])

    def find(value: Any) -> set[int]:
        mine = [both["id"], only_x["id"], plain["id"]]
        return ids(search(api, "people", tags=value, ids=mine))

    assert find([x, y]) == {both["id"], only_x["id"]}
    assert find({"option": "ANY", "value": [y]}) == {both["id"]}
    assert find({"option": "ALL", "value": [x, y]}) == {both["id"]}
    assert find({"option": "NONE", "value": [x]}) == {plain["id"]}
    assert err(api.post("/people/search", json={"tags": {"option": "SOME", "value": [x]}}))


def test_company_filters(api: httpx.Client) -> None:
    tag = f"t{uid()}"
    domain = f"{uid()}.test"
    a = make(api, "companies", tag, email_domain=domain, address={"city": "Reno"})
    b = make(api, "companies", tag)
    assert tagged(api, "companies", tag, email_domains=[domain]) == {a["id"]}
    assert tagged(api, "companies", tag, city="Reno") == {a["id"]}
    assert tagged(api, "companies", tag, name=b["name"]) == {b["id"]}


def test_lead_filters(api: httpx.Client) -> None:
    tag = f"t{uid()}"
    statuses = ok(api.get("/lead_statuses"))
    sources = ok(api.get("/customer_sources"))
    email = f"{uid()}@lead.test"
    a = make(
        api, "leads", tag, email={"email": email, "category": "work"}, monetary_value=500,
        status_id=statuses[1]["id"], customer_source_id=sources[0]["id"],
    )  # fmt: skip
    b = make(api, "leads", tag, monetary_value=50)
    assert tagged(api, "leads", tag, emails=email) == {a["id"]}
    assert tagged(api, "leads", tag, status_ids=[statuses[1]["id"]]) == {a["id"]}
    assert tagged(api, "leads", tag, customer_source_ids=[sources[0]["id"]]) == {a["id"]}
    assert tagged(api, "leads", tag, customer_source_ids=[-2]) == {b["id"]}
    assert tagged(api, "leads", tag, minimum_monetary_value=100) == {a["id"]}
    assert tagged(api, "leads", tag, maximum_monetary_value="100") == {b["id"]}
    assert tagged(api, "leads", tag, minimum_modified_date=0) == {a["id"], b["id"]}


def test_opportunity_filters(api: httpx.Client) -> None:
    tag = f"t{uid()}"
    pipelines = ok(api.get("/pipelines"))
    company = ok(api.post("/companies", json={"name": f"Opp Co {uid()}"}))
    person = ok(api.post("/people", json={"name": f"Opp Person {uid()}"}))
    reasons = ok(api.get("/loss_reasons"))
    second = pipelines[1]
    a = make(
        api, "opportunities", tag, status="Won", priority="High", pipeline_id=second["id"],
        company_id=company["id"], primary_contact_id=person["id"], close_date="6/1/2030",
        monetary_value=1000,
    )  # fmt: skip
    b = make(api, "opportunities", tag, status="Lost", loss_reason_id=reasons[0]["id"])
    assert tagged(api, "opportunities", tag, status_ids=[1]) == {a["id"]}
    assert tagged(api, "opportunities", tag, status_ids=[2, 0]) == {b["id"]}
    assert tagged(api, "opportunities", tag, priority_ids=[3]) == {a["id"]}
    assert tagged(api, "opportunities", tag, pipeline_ids=[second["id"]]) == {a["id"]}
    stage = second["stages"][0]["id"]
    assert tagged(api, "opportunities", tag, pipeline_stage_ids=[stage]) == {a["id"]}
    assert tagged(api, "opportunities", tag, company_ids=[company["id"]]) == {a["id"]}
    assert tagged(api, "opportunities", tag, person_ids=[person["id"]]) == {a["id"]}
    assert tagged(api, "opportunities", tag, loss_reason_ids=[reasons[0]["id"]]) == {b["id"]}
    assert tagged(api, "opportunities", tag, minimum_close_date=1900000000) == {a["id"]}
    assert tagged(api, "opportunities", tag, maximum_close_date=10**13) == {a["id"]}
    assert tagged(api, "opportunities", tag, name=a["name"].upper()) == {a["id"]}
    assert tagged(api, "opportunities", tag, name=a["name"][:-1]) == set()
    assert tagged(api, "opportunities", tag, minimum_stage_change_date=1) == {a["id"], b["id"]}
    assert err(api.post("/opportunities/search", json={"status_ids": [4]}))
    people = ids(search(api, "people", opportunity_ids=[a["id"]]))
    assert people == {person["id"]}


def test_project_and_task_filters(api: httpx.Client) -> None:
    tag = f"t{uid()}"
    project = make(api, "projects", tag, status="Completed")
    other = make(api, "projects", tag)
    opp = ok(api.post("/opportunities", json={"name": "For task"}))
    t1 = make(api, "tasks", tag, related_resource={"id": project["id"], "type": "project"},
              due_date=1900000000)  # fmt: skip
    t2 = make(api, "tasks", tag, related_resource={"id": opp["id"], "type": "opportunity"},
              status="Completed")  # fmt: skip
    assert tagged(api, "projects", tag, status_ids=[1]) == {project["id"]}
    assert tagged(api, "projects", tag, name=other["name"]) == {other["id"]}
    assert tagged(api, "tasks", tag, project_ids=[project["id"]]) == {t1["id"]}
    assert tagged(api, "tasks", tag, project_ids=[-2]) == {t2["id"]}
    assert tagged(api, "tasks", tag, opportunity_ids=[opp["id"]]) == {t2["id"]}
    assert tagged(api, "tasks", tag, statuses=["Completed"]) == {t2["id"]}
    assert tagged(api, "tasks", tag, minimum_due_date=1800000000) == {t1["id"]}


def _definition(api: httpx.Client, entity: str, data_type: str) -> dict[str, Any]:
    defs = ok(api.get("/custom_field_definitions"))
    return next(d for d in defs if entity in d["available_on"] and d["data_type"] == data_type)


def test_custom_field_filters(api: httpx.Client) -> None:
    tag = f"t{uid()}"
    drop = _definition(api, "person", "Dropdown")
    multi = _definition(api, "person", "MultiSelect")
    check = _definition(api, "person", "Checkbox")
    num = _definition(api, "person", "Float")
    date = _definition(api, "person", "Date")
    o1, o2 = drop["options"][0]["id"], drop["options"][1]["id"]
    m1, m2, m3 = (o["id"] for o in multi["options"][:3])

    def fields(**values: Any) -> list[dict[str, Any]]:
        by_name = {"drop": drop, "multi": multi, "check": check, "num": num, "date": date}
        return [
            {"custom_field_definition_id": by_name[k]["id"], "value": v} for k, v in values.items()
        ]

    a = make(api, "people", tag, custom_fields=fields(drop=o1, multi=[m1, m2], check=True,
                                                      num=5.5, date=1700000000))  # fmt: skip
    b = make(api, "people", tag, custom_fields=fields(drop=o2, multi=[m2], num=1))
    c = make(api, "people", tag)

    def find(**f: Any) -> set[int]:
        return tagged(api, "people", tag, custom_fields=[{"custom_field_definition_id": f.pop(
            "d")["id"], **f}])  # fmt: skip

    assert find(d=drop, value=[o1]) == {a["id"]}
    assert find(d=drop, value=[o2], allow_empty=True) == {b["id"], c["id"]}
    assert find(d=multi, value=[m1, m3]) == {a["id"]}
    assert find(d=multi, value=[m2], option="ANY") == {a["id"], b["id"]}
    assert find(d=multi, value=[m1, m2], option="ALL") == {a["id"]}
    assert find(d=multi, value=[m1], option="NONE") == {b["id"], c["id"]}
    assert find(d=check, value=True) == {a["id"]}
    assert find(d=check, value=False) == {b["id"], c["id"]}
    assert find(d=num, minimum_value=2) == {a["id"]}
    assert find(d=num, maximum_value="2") == {b["id"]}
    assert find(d=num, value=1) == {b["id"]}
    assert find(d=date, minimum_value=1600000000, maximum_value=2**40) == {a["id"]}


def test_custom_field_filters_reject_text_unfilterable_and_unknown(api: httpx.Client) -> None:
    defs = ok(api.get("/custom_field_definitions"))
    text = next(d for d in defs if "person" in d["available_on"] and d["data_type"] == "String")
    not_person = next(d for d in defs if "person" not in d["available_on"])
    for def_id in (text["id"], not_person["id"], 424242):
        body = {"custom_fields": [{"custom_field_definition_id": def_id, "value": "x"}]}
        assert err(api.post("/people/search", json=body)).startswith(PREFIX + "Custom Fields:")


def test_activity_filters(api: httpx.Client) -> None:
    person = ok(api.post("/people", json={"name": f"Act {uid()}"}))
    types = ok(api.get("/activity_types"))["user"]
    parent = {"id": person["id"], "type": "person"}
    note = ok(api.post("/activities", json={"parent": parent, "type": {"id": types[0]["id"],
                       "category": "user"}, "activity_date": 1000}))  # fmt: skip
    call = ok(api.post("/activities", json={"parent": parent, "type": {"id": types[1]["id"],
                       "category": "user"}, "activity_date": 2000}))  # fmt: skip
    assert [a["id"] for a in search(api, "activities", parent=parent)] == [call["id"], note["id"]]
    one_type = [{"id": types[1]["id"], "category": "user"}]
    assert ids(search(api, "activities", parent=parent, activity_types=one_type)) == {call["id"]}
    assert ids(search(api, "activities", parent=parent, maximum_activity_date=1500)) == {note["id"]}
    r = api.post(f"/people/{person['id']}/activities", json={"activity_types": one_type})
    assert ids(ok(r)) == {call["id"]}
    assert api.post("/people/987654321/activities", json={}).status_code == 404


def test_users_search_pages_without_tokens(api: httpx.Client) -> None:
    users = search(api, "users", page_size=2)
    assert len(users) == 2 and all(set(u) == {"id", "name", "email"} for u in users)
    rest = search(api, "users", page_size=2, page_number=2)
    assert ids(users).isdisjoint(ids(rest))
    assert err(api.post("/users/search", json={"name": "x"}))
