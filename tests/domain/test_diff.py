"""Minimal update bodies and three-way checks on real example records."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from copper_desktop.domain.catalog import entity
from copper_desktop.domain.custom_fields import set_custom_value
from copper_desktop.domain.diff import create_body, same_value, three_way, update_body
from tests.helpers.data import example

PEOPLE = entity("people")


def _person() -> dict[str, Any]:
    record: dict[str, Any] = example("person.json")
    return record


def test_unchanged_record_gives_an_empty_body() -> None:
    for name, key in (("person.json", "people"), ("lead.json", "leads"), ("task.json", "tasks")):
        record = example(name)
        assert update_body(record, copy.deepcopy(record), entity(key)) == {}


def test_only_changed_keys_are_sent() -> None:
    original = _person()
    edited = copy.deepcopy(original)
    edited["title"] = "Regional Manager"
    edited["details"] = "met at the fair"
    assert update_body(original, edited, PEOPLE) == {
        "title": "Regional Manager",
        "details": "met at the fair",
    }


def test_null_clears() -> None:
    original = _person()
    edited = {**original, "contact_type_id": None}
    assert update_body(original, edited, PEOPLE) == {"contact_type_id": None}


def test_address_is_sent_whole_with_every_sub_key() -> None:
    original = example("company.json")
    edited = copy.deepcopy(original)
    edited["address"]["city"] = "Stamford"
    body = update_body(original, edited, entity("companies"))
    assert body == {
        "address": {
            "street": "213 West Main Street",
            "city": "Stamford",
            "state": "PA",
            "postal_code": "18501",
            "country": "",
        }
    }
    # A partial object from an editor is completed, so it cannot blank the rest silently.
    person = _person()
    body = update_body(person, {**person, "address": {"city": "Paris"}}, PEOPLE)
    assert body == {
        "address": {"street": None, "city": "Paris", "state": None, "postal_code": None,
                    "country": None}
    }  # fmt: skip


def test_address_with_missing_null_sub_keys_is_unchanged() -> None:
    original = {"id": 1, "address": {"city": "X", "street": None}}
    edited = {"id": 1, "address": {"city": "X"}}
    assert update_body(original, edited, PEOPLE) == {}


def test_arrays_are_sent_whole() -> None:
    original = example("lead.json")
    edited = copy.deepcopy(original)
    edited["phone_numbers"][1]["category"] = "home"
    edited["tags"].append("tag 3")
    body = update_body(original, edited, entity("leads"))
    assert body == {
        "phone_numbers": [
            {"number": "415-999-4321", "category": "mobile"},
            {"number": "415-555-1234", "category": "home"},
        ],
        "tags": ["tag 1", "tag 2", "tag 3"],
    }


def test_array_order_counts_as_a_change() -> None:
    original = example("lead.json")
    edited = {**original, "tags": ["tag 2", "tag 1"]}
    assert update_body(original, edited, entity("leads")) == {"tags": ["tag 2", "tag 1"]}


def test_custom_fields_send_only_changed_entries() -> None:
    original = _person()
    edited = set_custom_value(original, 103481, "notes")
    assert update_body(original, edited, PEOPLE) == {
        "custom_fields": [{"custom_field_definition_id": 103481, "value": "notes"}]
    }
    cleared = set_custom_value(example("lead_update_response.json"), 184997, [])
    body = update_body(example("lead_update_response.json"), cleared, entity("leads"))
    assert body == {"custom_fields": [{"custom_field_definition_id": 184997, "value": []}]}


def test_custom_field_order_does_not_matter() -> None:
    original = example("lead_update_response.json")
    edited = copy.deepcopy(original)
    edited["custom_fields"].reverse()
    assert update_body(original, edited, entity("leads")) == {}


def test_custom_field_missing_from_edit_is_not_cleared() -> None:
    original = example("lead_update_response.json")
    edited = {**original, "custom_fields": original["custom_fields"][:1]}
    assert update_body(original, edited, entity("leads")) == {}


def test_new_custom_entry_is_sent_unless_unset() -> None:
    original = _person()
    edited = set_custom_value(set_custom_value(original, 5, None), 6, 3.5)
    assert update_body(original, edited, PEOPLE) == {
        "custom_fields": [{"custom_field_definition_id": 6, "value": 3.5}]
    }


def test_computed_values_are_not_sent() -> None:
    original = {
        "id": 1,
        "custom_fields": [
            {"custom_field_definition_id": 1, "value": [1, 2], "computed_value": ["A", "B"]}
        ],
    }
    edited = set_custom_value(original, 1, [1])
    assert update_body(original, edited, PEOPLE) == {
        "custom_fields": [{"custom_field_definition_id": 1, "value": [1]}]
    }  # fmt: skip


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("id", 1),
        ("date_created", 1),
        ("date_modified", 2),
        ("interaction_count", 9),
        ("company_id", 42),
        ("company_name", "Acme"),
        ("first_name", "Derived"),
    ],
)
def test_read_only_keys_are_never_sent(key: str, value: Any) -> None:
    original = _person()
    assert update_body(original, {**original, key: value}, PEOPLE) == {}


def test_task_completed_date_and_webhook_type_are_not_sent() -> None:
    task = example("task.json")
    assert update_body(task, {**task, "completed_date": 1}, entity("tasks")) == {}
    hook = example("webhook_current_docs.json")
    edited = {**hook, "type": "person", "event": "new", "target": "https://x.test/h"}
    assert update_body(hook, edited, entity("webhooks")) == {"target": "https://x.test/h"}


def test_unknown_keys_are_kept_and_sent_when_changed() -> None:
    original = {**_person(), "x_future_key": {"a": 1}}
    unchanged = copy.deepcopy(original)
    assert update_body(original, unchanged, PEOPLE) == {}
    assert unchanged["x_future_key"] == {"a": 1}
    edited = {**unchanged, "x_future_key": {"a": 2}}
    assert update_body(original, edited, PEOPLE) == {"x_future_key": {"a": 2}}


def test_keys_missing_from_older_answers_count_as_null() -> None:
    original = _person()  # has no date_last_contacted, no leads_converted_from
    assert "primary_contact_id" not in example("company.json")
    company = example("company.json")
    assert update_body(company, {**company, "primary_contact_id": None}, entity("companies")) == {}
    assert update_body(company, {**company, "primary_contact_id": 7}, entity("companies")) == {
        "primary_contact_id": 7
    }
    assert update_body(original, {k: v for k, v in original.items() if k != "title"}) == {}


def test_booleans_and_numbers_are_told_apart() -> None:
    assert same_value(100, 100.0)
    assert not same_value(True, 1)
    assert not same_value(0, False)
    assert not same_value("1", 1)
    assert same_value({"a": [1, {"b": None}]}, {"a": (1, {"b": None})})
    assert not same_value({"a": 1}, {"a": 1, "b": None})
    opportunity = example("opportunity.json")
    assert update_body(opportunity, {**opportunity, "monetary_value": 250000.0}) == {}
    original = {"id": 1, "custom_fields": [{"custom_field_definition_id": 7, "value": 1}]}
    edited = set_custom_value(original, 7, True)
    assert update_body(original, edited) == {
        "custom_fields": [{"custom_field_definition_id": 7, "value": True}]
    }


def test_without_a_spec_only_id_is_withheld() -> None:
    original = _person()
    assert update_body(original, {**original, "id": 5, "date_modified": 1}) == {"date_modified": 1}


def test_create_body_drops_read_only_and_empty_values() -> None:
    request = example("lead_create_request.json")
    record = {**example("lead_create_response.json"), **request}
    body = create_body(record, entity("leads"))
    assert body["name"] == "My Lead"
    assert body["custom_fields"] == request["custom_fields"]
    assert body["address"] == request["address"]
    assert "id" not in body and "date_created" not in body and "status" not in body
    assert all(v not in (None, [], {}) for v in body.values())
    hook = create_body(example("webhook_create_request_current_docs.json"), entity("webhooks"))
    assert hook == example("webhook_create_request_current_docs.json")


# --- three-way --------------------------------------------------------------------------------


def test_disjoint_changes_merge_without_conflict() -> None:
    original = _person()
    mine = {**original, "title": "Boss"}
    theirs = {**set_custom_value(original, 100764, "theirs"), "date_modified": 1490049999}
    result = three_way(original, mine, theirs)
    assert not result.has_conflicts
    assert result.mine_changed == {"title"}
    assert result.theirs_changed == {"cf_100764", "date_modified"}
    assert result.merged["title"] == "Boss"
    assert result.merged["date_modified"] == 1490049999
    assert update_body(theirs, result.merged, PEOPLE) == {"title": "Boss"}


def test_same_field_changed_differently_conflicts() -> None:
    original = example("opportunity.json")
    mine = {**original, "close_date": "2/1/2017", "details": "mine"}
    theirs = {**original, "close_date": "3/1/2017", "details": "mine"}
    result = three_way(original, mine, theirs)
    assert result.conflict_keys == {"close_date"}  # same change on both sides is no conflict
    (conflict,) = result.conflicts
    assert (conflict.original, conflict.mine, conflict.theirs) == ("1/23/2017", "2/1/2017",
                                                                   "3/1/2017")  # fmt: skip
    assert result.merged["close_date"] == "3/1/2017"  # theirs kept until resolved


def test_custom_field_conflicts_are_per_definition() -> None:
    original = example("lead_update_response.json")
    mine = set_custom_value(set_custom_value(original, 100764, "mine"), 128735, 0)
    theirs = set_custom_value(original, 100764, "theirs")
    result = three_way(original, mine, theirs)
    assert result.conflict_keys == {"cf_100764"}
    assert result.mine_changed == {"cf_100764", "cf_128735"}
    assert result.merged["custom_fields"] is not theirs["custom_fields"]
    body = update_body(theirs, result.merged, entity("leads"))
    assert body == {"custom_fields": [{"custom_field_definition_id": 128735, "value": 0}]}


def test_mine_adds_a_custom_entry_theirs_lacks() -> None:
    original = {"id": 1, "custom_fields": []}
    mine = set_custom_value(original, 3, "x")
    result = three_way(original, mine, {"id": 1, "custom_fields": [], "name": "n"})
    assert result.merged == {
        "id": 1,
        "name": "n",
        "custom_fields": [{"custom_field_definition_id": 3, "value": "x"}],
    }


def test_address_conflicts_compare_whole_addresses() -> None:
    original = example("company.json")
    mine = {**original, "address": {**original["address"], "city": "A"}}
    theirs = {**original, "address": {**original["address"], "street": "B"}}
    assert three_way(original, mine, theirs).conflict_keys == {"address"}
    padded = {**original, "address": {"city": "Scranton", "street": "213 West Main Street",
              "state": "PA", "postal_code": "18501", "country": ""}}  # fmt: skip
    assert not three_way(original, padded, theirs).has_conflicts


def test_keys_missing_from_a_version_are_unchanged() -> None:
    original = _person()
    mine = {"id": original["id"], "title": "Boss"}
    result = three_way(original, mine, original)
    assert result.mine_changed == {"title"}
    assert result.merged == {**original, "title": "Boss"}
