"""The demo data: deterministic, in Copper's exact shapes, and internally consistent.

Other sandbox parts (store, routes) and every integration test build on these records, so
shape or reference mistakes here would surface far away; they are pinned down here instead.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from typing import Any

import pytest

from copper_desktop.sandbox.core import seed
from copper_desktop.sandbox.core.seed import NOW, generate
from copper_desktop.sandbox.core.shapes import SeedData
from tests.helpers.data import EXAMPLES

EMAIL = "admin@sandbox.copper.test"
TOKEN = "sandbox-admin-token"


def keys(text: str) -> set[str]:
    return set(text.split())


# copper-behaviour.md §4, the full current key set of each entity.
DOC_KEYS: dict[str, set[str]] = {
    "person": keys(
        "id name prefix first_name middle_name last_name suffix address assignee_id company_id "
        "company_name contact_type_id details emails phone_numbers socials tags title websites "
        "custom_fields date_created date_modified date_last_contacted interaction_count "
        "leads_converted_from date_lead_created"
    ),
    "company": keys(
        "id name address assignee_id contact_type_id details email_domain phone_numbers "
        "socials tags websites custom_fields interaction_count date_created date_modified "
        "primary_contact_id"
    ),
    "lead": keys(
        "id name prefix first_name middle_name last_name suffix address assignee_id "
        "company_name customer_source_id details email interaction_count monetary_unit "
        "monetary_value socials status status_id tags title websites phone_numbers "
        "custom_fields date_created date_modified date_last_contacted"
    ),
    "opportunity": keys(
        "id name assignee_id close_date company_id company_name customer_source_id details "
        "loss_reason_id pipeline_id pipeline_stage_id primary_contact_id priority status tags "
        "interaction_count monetary_unit monetary_value converted_unit converted_value "
        "win_probability date_stage_changed date_last_contacted leads_converted_from "
        "date_lead_created date_created date_modified custom_fields"
    ),
    "project": keys(
        "id name related_resource assignee_id status details tags custom_fields date_created "
        "date_modified"
    ),
    "task": keys(
        "id name related_resource assignee_id due_date reminder_date completed_date priority "
        "status details tags custom_fields custom_activity_type_id date_created "
        "date_modified"
    ),
    "activity": keys(
        "id parent type user_id details activity_date old_value new_value date_created "
        "date_modified"
    ),
}
EXAMPLE_FILES = {kind: f"{kind}.json" for kind in DOC_KEYS}
KINDS = ("company", "person", "lead", "opportunity", "project", "task", "activity")
DATA_TYPES = {
    "String", "Text", "Dropdown", "Date", "Checkbox", "Float", "URL", "Percentage", "Currency",
    "Connect", "MultiSelect",
}  # fmt: skip
TIMESTAMP_KEYS = (
    "date_created", "date_modified", "date_last_contacted", "date_stage_changed", "due_date",
    "reminder_date", "completed_date", "activity_date", "date_lead_created",
)  # fmt: skip
CLOSE_DATE = re.compile(r"^([1-9]|[12]\d|3[01])/([1-9]|[12]\d|3[01])/20\d\d$")


def records_of(data: SeedData) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for kind, chunk in data.batches():
        out[kind].extend(chunk)
    return out


def dump(data: SeedData) -> str:
    lookups = {k: v for k, v in vars(data).items() if k != "batches"}
    return json.dumps([lookups, list(data.batches())], sort_keys=True)


@pytest.fixture(scope="module")
def small() -> SeedData:
    return generate(40, email=EMAIL, token=TOKEN)


@pytest.fixture(scope="module")
def data() -> SeedData:
    return generate(500, email=EMAIL, token=TOKEN)


@pytest.fixture(scope="module")
def recs(data: SeedData) -> dict[str, list[dict[str, Any]]]:
    return records_of(data)


@pytest.fixture(scope="module")
def by_id(recs: dict[str, list[dict[str, Any]]]) -> dict[str, dict[int, dict[str, Any]]]:
    return {kind: {r["id"]: r for r in rs} for kind, rs in recs.items() if kind != "relation"}


# --------------------------------------------------------------------------- determinism, size


def test_same_people_gives_identical_data(small: SeedData) -> None:
    again = generate(40, email=EMAIL, token=TOKEN)
    assert dump(small) == dump(again)
    assert dump(small) == dump(small), "batches() must replay identically"


def test_consumer_mutations_do_not_leak_into_the_next_replay(small: SeedData) -> None:
    first = records_of(small)
    for chunk in first.values():
        for record in chunk:
            record.clear()
    assert records_of(small)["person"][0]["id"] == seed.ID_BASES["person"]


def test_zero_people_gives_users_and_lookups_only() -> None:
    empty = generate(0, email=EMAIL, token=TOKEN)
    assert list(empty.batches()) == []
    assert len(empty.users) == 6
    assert empty.pipelines and empty.custom_field_definitions and empty.lead_statuses


def test_counts_scale_with_people(recs: dict[str, list[dict[str, Any]]]) -> None:
    sizes = {kind: len(rs) for kind, rs in recs.items()}
    assert {k: v for k, v in sizes.items() if k != "relation"} == {
        "person": 500, "company": 100, "lead": 250, "opportunity": 125, "task": 250,
        "project": 25, "activity": 500,
    }  # fmt: skip
    assert sizes["relation"] > 500


@pytest.mark.parametrize("people", [1, 3, 12])
def test_tiny_sandboxes_still_show_every_kind(people: int) -> None:
    recs = records_of(generate(people, email=EMAIL, token=TOKEN))
    assert all(recs[kind] for kind in KINDS)
    assert len(recs["person"]) == people


def test_negative_people_and_bad_order_are_refused() -> None:
    with pytest.raises(ValueError):
        generate(-1, email=EMAIL, token=TOKEN)
    with pytest.raises(ValueError):
        generate(5, email=EMAIL, token=TOKEN, close_date_order="YMD")


def test_batches_come_in_dependency_order_and_bounded_chunks(
    monkeypatch: pytest.MonkeyPatch, small: SeedData
) -> None:
    whole = records_of(small)
    monkeypatch.setattr(seed, "BATCH_SIZE", 7)
    kinds = []
    chunked: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for kind, chunk in small.batches():
        assert 0 < len(chunk) <= 7
        kinds.append(kind)
        chunked[kind].extend(chunk)
    assert chunked == whole
    order = [*KINDS, "relation"]
    assert kinds == sorted(kinds, key=order.index)


# --------------------------------------------------------------------------- lookups


def test_account_and_users(data: SeedData) -> None:
    assert data.account == {"id": 100624, "name": "Copper Sandbox"}
    users = data.users
    assert len(users) == 6
    assert users[0]["email"] == EMAIL and users[0]["token"] == TOKEN
    for user in users:
        assert set(user) == {"id", "name", "email", "groups", "token"}
        assert all(set(g) == {"id", "name"} for g in user["groups"])
    for user in users[1:]:
        assert user["token"] == f"sandbox-token-{user['id']}"
        assert user["email"].endswith(".test")
    assert len({u["id"] for u in users}) == len({u["email"].lower() for u in users}) == 6


def test_other_users_never_share_the_given_email() -> None:
    users = generate(0, email="jordan.rivera@sandbox.copper.test", token="t").users
    assert len({u["email"] for u in users}) == 6


def test_lookups_have_copper_shapes(data: SeedData) -> None:
    assert all(set(t) == {"id", "name"} for t in data.contact_types)
    assert all(set(s) == {"id", "name"} for s in data.customer_sources)
    assert all(set(r) == {"id", "name"} for r in data.loss_reasons)
    assert all(set(s) == {"id", "name", "order", "is_default"} for s in data.lead_statuses)
    assert sum(s["is_default"] for s in data.lead_statuses) == 1
    assert set(data.activity_types) == {"user", "system"}
    user_types = {t["id"]: t["name"] for t in data.activity_types["user"]}
    system_types = {t["id"]: t["name"] for t in data.activity_types["system"]}
    assert user_types[0] == "Note" and "Phone Call" in user_types.values()
    assert system_types == {1: "Property Changed", 3: "Pipeline Stage Changed"}
    keys = {"id", "category", "name", "is_disabled", "count_as_interaction"}
    for category, types in data.activity_types.items():
        assert all(set(t) == keys and t["category"] == category for t in types)
    custom_keys = {
        "id", "company_id", "icon_type", "is_disabled", "is_interaction", "name",
        "is_default_task_type",
    }  # fmt: skip
    assert all(set(t) == custom_keys for t in data.custom_activity_types)


def test_pipelines(data: SeedData) -> None:
    kinds = Counter(p["type"] for p in data.pipelines)
    assert kinds["opportunity"] >= 3 and kinds["project"] == 1
    stage_ids = [s["id"] for p in data.pipelines for s in p["stages"]]
    assert len(stage_ids) == len(set(stage_ids))
    for pipeline in data.pipelines:
        assert set(pipeline) == {"id", "name", "stages", "type", "is_revenue"}
        assert isinstance(pipeline["is_revenue"], bool)
        for stage in pipeline["stages"]:
            assert set(stage) == {"id", "name", "win_probability"}
            if pipeline["type"] == "project":
                assert stage["win_probability"] is None
            else:
                assert 0 <= stage["win_probability"] <= 100


def test_custom_field_definitions(data: SeedData) -> None:
    defs = data.custom_field_definitions
    assert {d["data_type"] for d in defs} == DATA_TYPES
    entities = {"lead", "person", "company", "opportunity", "project", "task"}
    assert {e for d in defs for e in d["available_on"]} == entities
    by_def = {d["id"]: d for d in defs}
    for d in defs:
        optional = {"options", "currency", "connected_id"}
        base = {"id", "name", "canonical_name", "data_type", "available_on", "is_filterable"}
        assert base <= set(d) <= base | optional
        assert set(d["available_on"]) <= entities
        filterable = d["data_type"] in {
            "Dropdown", "MultiSelect", "Date", "Checkbox", "Float", "Percentage", "Currency"
        }  # fmt: skip
        assert d["is_filterable"] is filterable
        assert ("options" in d) == (d["data_type"] in {"Dropdown", "MultiSelect"})
        assert ("currency" in d) == (d["data_type"] == "Currency")
        assert ("connected_id" in d) == (d["data_type"] == "Connect")
        if "options" in d:
            assert all(set(o) == {"id", "name", "rank"} for o in d["options"])
            ranks = [o["rank"] for o in d["options"]]
            assert sorted(ranks) == list(range(len(ranks))) and ranks != sorted(ranks)
        if "connected_id" in d:
            assert by_def[d["connected_id"]]["connected_id"] == d["id"]
    option_ids = [o["id"] for d in defs for o in d.get("options", [])]
    assert len(option_ids) == len(set(option_ids))


# --------------------------------------------------------------------------- record shapes


@pytest.mark.parametrize("kind", KINDS)
def test_records_have_every_key(recs: dict[str, list[dict[str, Any]]], kind: str) -> None:
    expected = set(DOC_KEYS[kind])
    expected |= set(json.loads((EXAMPLES / EXAMPLE_FILES[kind]).read_text()))
    for record in recs[kind]:
        assert set(record) == expected, sorted(set(record) ^ expected)


def check_value(data_type: str, value: Any, option_ids: set[int]) -> None:
    if data_type in ("String", "Text", "URL"):
        assert value is None or (isinstance(value, str) and value)
    if data_type == "String":
        assert value is None or ("\n" not in value and len(value) <= 255)
    if data_type == "URL":
        assert value is None or value.startswith("https://")
    if data_type == "Dropdown":
        assert value is None or value in option_ids
    if data_type == "MultiSelect":
        assert isinstance(value, list) and set(value) <= option_ids
        assert len(value) == len(set(value))
    if data_type == "Connect":
        assert value == []
    if data_type == "Checkbox":
        assert isinstance(value, bool)
    if data_type == "Date":
        assert value is None or (type(value) is int and len(str(value)) == 10)
    if data_type in ("Float", "Percentage", "Currency"):
        assert value is None or (isinstance(value, int | float) and not isinstance(value, bool))


def test_one_custom_field_per_applicable_definition(
    data: SeedData, recs: dict[str, list[dict[str, Any]]]
) -> None:
    defs = {d["id"]: d for d in data.custom_field_definitions}
    set_types: set[str] = set()
    for kind in KINDS[:-1]:
        applicable = {i for i, d in defs.items() if kind in d["available_on"]}
        for record in recs[kind]:
            entries = record["custom_fields"]
            assert all(set(e) == {"custom_field_definition_id", "value"} for e in entries)
            ids = [e["custom_field_definition_id"] for e in entries]
            assert len(ids) == len(set(ids)) and set(ids) == applicable
            for entry in entries:
                d = defs[entry["custom_field_definition_id"]]
                options = {o["id"] for o in d.get("options", [])}
                check_value(d["data_type"], entry["value"], options)
                if entry["value"] not in (None, [], False):
                    set_types.add(d["data_type"])
    assert set_types == DATA_TYPES - {"Connect"}


def test_categories_and_lists(recs: dict[str, list[dict[str, Any]]]) -> None:
    email_categories = {"work", "personal", "other"}
    phone_categories = {"mobile", "work", "home", "other"}
    for kind in ("person", "company", "lead"):
        for r in recs[kind]:
            assert all(set(p) == {"number", "category"} for p in r["phone_numbers"])
            assert all(p["category"] in phone_categories for p in r["phone_numbers"])
            assert all(set(s) == {"url", "category"} for s in r["socials"])
            assert all(set(w) == {"url", "category"} for w in r["websites"])
            assert r["address"] is None or set(r["address"]) == {
                "street", "city", "state", "postal_code", "country"
            }  # fmt: skip
            if r["address"]:
                assert re.fullmatch(r"[A-Z]{2}", r["address"]["country"])
    for person in recs["person"]:
        assert all(set(e) == {"email", "category"} for e in person["emails"])
        assert all(e["category"] in email_categories for e in person["emails"])
    for lead in recs["lead"]:
        email = lead["email"]
        assert email is None or (set(email) == {"email", "category"} and "@" in email["email"])
    countries = Counter(
        r["address"]["country"] for r in recs["person"] + recs["company"] if r["address"]
    )
    assert countries.most_common(1)[0][0] == "US" and len(countries) > 3


def test_tags_come_from_a_small_pool(recs: dict[str, list[dict[str, Any]]]) -> None:
    tags: Counter[str] = Counter()
    for kind in KINDS[:-1]:
        for r in recs[kind]:
            assert len(r["tags"]) <= 3 and len(set(r["tags"])) == len(r["tags"])
            tags.update(r["tags"])
    assert 15 <= len(tags) <= 30


def test_names_are_split_as_copper_does(recs: dict[str, list[dict[str, Any]]]) -> None:
    for r in recs["person"] + recs["lead"]:
        if r["last_name"] is None:  # a lead keeping its whole name in first_name
            assert r["first_name"] == r["name"]
            continue
        parts = [r["prefix"], r["first_name"], r["middle_name"], r["last_name"]]
        name = " ".join(p for p in parts if p)
        if r["suffix"]:
            name = f"{name}, {r['suffix']}"
        assert r["name"] == name


# --------------------------------------------------------------------------- uniqueness, ids


def test_person_emails_and_company_domains_are_unique(
    recs: dict[str, list[dict[str, Any]]],
) -> None:
    emails = [e["email"].lower() for p in recs["person"] for e in p["emails"]]
    assert len(emails) == len(set(emails)) > 400
    domains = [c["email_domain"] for c in recs["company"] if c["email_domain"]]
    assert len(domains) == len(set(domains)) > 50
    names = [c["name"].lower() for c in recs["company"]]
    assert len(names) == len(set(names))


def test_ids(recs: dict[str, list[dict[str, Any]]]) -> None:
    for kind in KINDS:
        ids = [r["id"] for r in recs[kind]]
        assert len(ids) == len(set(ids))
        assert min(ids) == seed.ID_BASES[kind]
    assert min(r["id"] for r in recs["activity"]) > 2**31


def test_timestamps(recs: dict[str, list[dict[str, Any]]]) -> None:
    for kind in KINDS:
        for r in recs[kind]:
            for key in TIMESTAMP_KEYS:
                value = r.get(key)
                assert value is None or (type(value) is int and len(str(value)) == 10), key
            assert r["date_created"] <= r["date_modified"] <= NOW
    for t in recs["task"]:
        if t["status"] == "Completed":
            assert t["completed_date"] is not None
        else:
            assert t["completed_date"] is None
        if t["reminder_date"] is not None:
            assert t["due_date"] is not None and t["reminder_date"] <= t["due_date"]


# --------------------------------------------------------------------------- references


def test_references_are_valid(
    data: SeedData,
    recs: dict[str, list[dict[str, Any]]],
    by_id: dict[str, dict[int, dict[str, Any]]],
) -> None:
    users = {u["id"] for u in data.users}
    contact_types = {t["id"] for t in data.contact_types}
    sources = {s["id"] for s in data.customer_sources}
    for kind in KINDS[:-1]:
        assignees = [r["assignee_id"] for r in recs[kind]]
        assert set(assignees) - {None} <= users
        assert 0.03 < assignees.count(None) / len(assignees) < 0.35
    for r in recs["person"] + recs["company"]:
        assert r["contact_type_id"] is None or r["contact_type_id"] in contact_types
    for company in recs["company"]:
        contact = company["primary_contact_id"]
        assert contact is None or by_id["person"][contact]["company_id"] == company["id"]
    with_company = [p for p in recs["person"] if p["company_id"] is not None]
    assert 0.65 < len(with_company) / len(recs["person"]) < 0.95
    for person in with_company:
        assert by_id["company"][person["company_id"]]["name"] == person["company_name"]
    for person in recs["person"]:
        if person["company_id"] is None:
            assert person["company_name"] is None
    statuses = {s["id"]: s["name"] for s in data.lead_statuses}
    for lead in recs["lead"]:
        assert statuses[lead["status_id"]] == lead["status"]
        assert lead["customer_source_id"] is None or lead["customer_source_id"] in sources
        assert (lead["monetary_value"] is None) == (lead["monetary_unit"] is None)


def test_opportunities_are_consistent(
    data: SeedData,
    recs: dict[str, list[dict[str, Any]]],
    by_id: dict[str, dict[int, dict[str, Any]]],
) -> None:
    stages = {
        p["id"]: {s["id"]: s for s in p["stages"]}
        for p in data.pipelines
        if p["type"] == "opportunity"
    }
    loss_reasons = {r["id"] for r in data.loss_reasons}
    statuses: Counter[str] = Counter()
    for opp in recs["opportunity"]:
        stage = stages[opp["pipeline_id"]][opp["pipeline_stage_id"]]
        assert opp["win_probability"] == stage["win_probability"]
        statuses[opp["status"]] += 1
        assert opp["priority"] in {"None", "Low", "Medium", "High"}
        if opp["status"] == "Lost":
            assert opp["loss_reason_id"] is None or opp["loss_reason_id"] in loss_reasons
        else:
            assert opp["loss_reason_id"] is None
        if opp["company_id"] is not None:
            assert by_id["company"][opp["company_id"]]["name"] == opp["company_name"]
        else:
            assert opp["company_name"] is None
        assert opp["primary_contact_id"] is None or opp["primary_contact_id"] in by_id["person"]
        assert isinstance(opp["monetary_value"], float) and opp["monetary_unit"]
        assert (opp["converted_unit"] is None) == (opp["converted_value"] is None)
        assert opp["date_created"] <= opp["date_stage_changed"] <= opp["date_modified"]
    assert set(statuses) == {"Open", "Won", "Lost", "Abandoned"}
    assert any(o["loss_reason_id"] for o in recs["opportunity"])
    assert len({o["pipeline_id"] for o in recs["opportunity"]}) == 3


def test_close_date_in_both_orders() -> None:
    mdy = records_of(generate(60, email=EMAIL, token=TOKEN))["opportunity"]
    dmy = records_of(generate(60, email=EMAIL, token=TOKEN, close_date_order="DMY"))["opportunity"]
    seen_swapped = False
    for a, b in zip(mdy, dmy, strict=True):
        assert {**a, "close_date": None} == {**b, "close_date": None}
        if a["close_date"] is None:
            assert b["close_date"] is None
            continue
        assert CLOSE_DATE.match(a["close_date"]) and CLOSE_DATE.match(b["close_date"])
        month, day, year = a["close_date"].split("/")
        assert b["close_date"] == f"{day}/{month}/{year}"
        assert 1 <= int(month) <= 12
        seen_swapped |= month != day
    assert seen_swapped


def test_tasks_projects_and_activities_point_at_records(
    data: SeedData,
    recs: dict[str, list[dict[str, Any]]],
    by_id: dict[str, dict[int, dict[str, Any]]],
) -> None:
    task_types = {t["id"] for t in data.custom_activity_types}
    unrelated = 0
    for task in recs["task"]:
        ref = task["related_resource"]
        assert set(ref) == {"id", "type"}
        if ref["id"] is None:
            assert ref["type"] is None
            unrelated += 1
        else:
            assert ref["type"] in {"person", "company", "opportunity", "lead", "project"}
            assert ref["id"] in by_id[ref["type"]]
        assert task["status"] in {"Open", "Completed"} and task["priority"] in {"None", "High"}
        assert task["custom_activity_type_id"] in task_types
    assert 0 < unrelated < len(recs["task"])
    for project in recs["project"]:
        ref = project["related_resource"]
        assert ref is None or ref["id"] in by_id[ref["type"]]
        assert project["status"] in {"Open", "Completed"}
    types = {(t["id"], c) for c, ts in data.activity_types.items() for t in ts}
    users = {u["id"] for u in data.users}
    categories: Counter[str] = Counter()
    for activity in recs["activity"]:
        parent = activity["parent"]
        assert set(parent) == {"id", "type"} and parent["id"] in by_id[parent["type"]]
        assert set(activity["type"]) == {"id", "category"}
        assert (activity["type"]["id"], activity["type"]["category"]) in types
        if activity["type"]["id"] == 3 and activity["type"]["category"] == "system":
            assert parent["type"] == "opportunity"
        assert activity["user_id"] in users
        assert activity["old_value"] is None and activity["new_value"] is None
        assert activity["activity_date"] >= by_id[parent["type"]][parent["id"]]["date_created"]
        categories[activity["type"]["category"]] += 1
    assert categories["user"] > 3 * categories["system"] > 0


def test_interaction_counts_match_activities(
    data: SeedData, recs: dict[str, list[dict[str, Any]]]
) -> None:
    interaction = {t["id"] for t in data.activity_types["user"] if t["count_as_interaction"]}
    count: Counter[tuple[str, int]] = Counter()
    last: dict[tuple[str, int], int] = {}
    for a in recs["activity"]:
        if a["type"]["category"] == "user" and a["type"]["id"] in interaction:
            key = (a["parent"]["type"], a["parent"]["id"])
            count[key] += 1
            last[key] = max(last.get(key, 0), a["activity_date"])
    for kind in ("person", "company", "lead", "opportunity"):
        for r in recs[kind]:
            assert r["interaction_count"] == count[(kind, r["id"])]
            if kind != "company":
                assert r["date_last_contacted"] == last.get((kind, r["id"]))
    assert sum(count.values()) > 50


def test_relations_mirror_the_records(
    recs: dict[str, list[dict[str, Any]]], by_id: dict[str, dict[int, dict[str, Any]]]
) -> None:
    relations = {(r["a_type"], r["a_id"], r["b_type"], r["b_id"]) for r in recs["relation"]}
    assert len(relations) == len(recs["relation"])
    for a_type, a_id, b_type, b_id in relations:
        assert a_id in by_id[a_type] and b_id in by_id[b_type]
    for p in recs["person"]:
        if p["company_id"] is not None:
            assert ("person", p["id"], "company", p["company_id"]) in relations
    for o in recs["opportunity"]:
        if o["company_id"] is not None:
            assert ("opportunity", o["id"], "company", o["company_id"]) in relations
        if o["primary_contact_id"] is not None:
            assert ("opportunity", o["id"], "person", o["primary_contact_id"]) in relations
    for kind in ("task", "project"):
        for r in recs[kind]:
            ref = r["related_resource"]
            if ref and ref["id"] is not None:
                assert (kind, r["id"], ref["type"], ref["id"]) in relations
