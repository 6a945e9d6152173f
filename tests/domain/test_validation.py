"""Editor-side validation: per-field messages before Copper would answer 422."""

from __future__ import annotations

from typing import Any

import pytest

from copper_desktop.domain.catalog import entity
from copper_desktop.domain.custom_fields import parse_definition, parse_definitions
from copper_desktop.domain.validation import (
    is_blank,
    validate_custom_value,
    validate_record,
    validate_value,
)
from tests.helpers.data import example


def _definition(data_type: str, **extra: Any) -> Any:
    return parse_definition(
        {"id": 7, "name": "Field", "data_type": data_type, "available_on": ["lead"], **extra}
    )


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("person.json", "people"),
        ("company.json", "companies"),
        ("lead.json", "leads"),
        ("lead_update_response.json", "leads"),
        ("opportunity.json", "opportunities"),
        ("project.json", "projects"),
        ("task.json", "tasks"),
        ("activity.json", "activities"),
        ("webhook_current_docs.json", "webhooks"),
    ],
)
def test_example_records_are_valid(name: str, key: str) -> None:
    definitions = parse_definitions(example("custom_field_definitions.json"))
    assert validate_record(entity(key), example(name), definitions) == {}
    assert validate_record(entity(key), example(name), definitions, creating=True) == {}


def test_name_is_required() -> None:
    person = example("person.json")
    messages = validate_record(entity("people"), {**person, "name": "  "})
    assert messages == {"name": "Name is required."}
    assert validate_record(entity("people"), {"emails": []}, creating=True) == {
        "name": "Name is required."
    }
    # A partial update that does not touch the name is fine.
    assert validate_record(entity("people"), {"title": "x"}) == {}


def test_webhook_create_needs_target_type_event_and_https() -> None:
    hooks = entity("webhooks")
    assert set(validate_record(hooks, {}, creating=True)) == {"target", "type", "event"}
    messages = validate_record(
        hooks, {"target": "http://x.test", "type": "lead", "event": "new"}, creating=True
    )
    assert messages == {"target": "Copper only delivers to https:// addresses."}
    bad = validate_record(hooks, {"target": "https://x.test", "type": "deal", "event": "new"},
                          creating=True)  # fmt: skip
    assert set(bad) == {"type"}


def test_email_and_category_messages() -> None:
    person = example("person.json")
    bad_email = {**person, "emails": [{"email": "nope", "category": "work"}]}
    assert validate_record(entity("people"), bad_email) == {
        "emails": "“nope” is not an e-mail address."
    }
    bad_category = {**person, "phone_numbers": [{"number": "1", "category": "fax"}]}
    assert "needs a category" in validate_record(entity("people"), bad_category)["phone_numbers"]
    empty = {**person, "socials": [{"url": "", "category": "other"}]}
    assert "empty" in validate_record(entity("people"), empty)["socials"]
    null_website = {**person, "websites": [{"url": "a.test", "category": None}]}
    assert validate_record(entity("people"), null_website) == {}
    lead = example("lead.json")
    bad_lead = {**lead, "email": {"email": "x@", "category": "work"}}
    assert set(validate_record(entity("leads"), bad_lead)) == {"email"}
    assert validate_record(entity("leads"), {**lead, "email": None}) == {}


def test_number_ranges_and_types() -> None:
    opportunity = example("opportunity.json")
    spec = entity("opportunities")
    assert validate_record(spec, {**opportunity, "win_probability": 101}) == {
        "win_probability": "Win probability must be at most 100."
    }
    assert validate_record(spec, {**opportunity, "monetary_value": -1}) == {
        "monetary_value": "Value must be at least 0."
    }
    assert validate_record(spec, {**opportunity, "monetary_value": "12"}) == {
        "monetary_value": "Value must be a number."
    }
    assert validate_record(spec, {**opportunity, "monetary_value": True}) != {}
    assert validate_record(spec, {**opportunity, "monetary_unit": "dollars"}) != {}
    assert validate_record(spec, {**opportunity, "close_date": "31/31/2017"}) != {}
    assert validate_record(spec, {**opportunity, "status": "Closed"}) != {}
    assert validate_record(spec, {**opportunity, "priority": None}) == {}  # seen after convert
    assert validate_record(spec, {**opportunity, "pipeline_id": 0}) == {
        "pipeline_id": "Choose an entry from the list."
    }


def test_dates_refs_and_resources() -> None:
    task = example("task.json")
    spec = entity("tasks")
    assert "between 1901 and 2038" in validate_record(spec, {**task, "due_date": 2**31})["due_date"]
    assert validate_record(spec, {**task, "related_resource": {"id": None, "type": None}}) == {}
    assert set(validate_record(spec, {**task, "related_resource": {"id": 1, "type": "x"}})) == {
        "related_resource"
    }
    assert set(validate_record(spec, {**task, "tags": ["ok", ""]})) == {"tags"}
    assert set(validate_record(spec, {**task, "assignee_id": "5"})) == {"assignee_id"}
    activity = example("activity_create_request.json")
    assert validate_record(entity("activities"), activity, creating=True) == {}
    system = {**activity, "type": {"id": 1, "category": "system"}}
    assert validate_record(entity("activities"), system, creating=True) == {
        "type": "Only user activity types can be written."
    }
    orphan = {**activity, "parent": {"id": 1, "type": "webhook"}}
    assert set(validate_record(entity("activities"), orphan, creating=True)) == {"parent"}


def test_address_and_string_maps() -> None:
    company = example("company.json")
    assert set(validate_record(entity("companies"), {**company, "address": "Main St"})) == {
        "address"
    }
    hook = example("webhook_current_docs.json")
    assert set(validate_record(entity("webhooks"), {**hook, "headers": {"a": 1}})) == {"headers"}


def test_read_only_fields_are_not_checked() -> None:
    person = example("person.json")
    assert validate_record(entity("people"), {**person, "date_created": "garbage"}) == {}


@pytest.mark.parametrize(
    ("data_type", "value", "ok"),
    [
        ("String", "x" * 255, True),
        ("String", "x" * 256, False),
        ("String", "two\nlines", False),
        ("String", 5, False),
        ("Text", "x" * 1000 + "\nmore", True),
        ("URL", "https://x.test", True),
        ("Dropdown", 1, True),
        ("Dropdown", 3, False),
        ("Dropdown", "1", False),
        ("MultiSelect", [1, 2], True),
        ("MultiSelect", [], True),
        ("MultiSelect", [1, 3], False),
        ("MultiSelect", 1, False),
        ("Date", 1754031600, True),
        ("Date", "06/20/2015", False),
        ("Date", 2**31, False),
        ("Checkbox", False, True),
        ("Checkbox", 0, False),
        ("Float", 3.0, True),
        ("Float", "3", False),
        ("Percentage", 95, True),
        ("Currency", 2.0, True),
        ("Currency", True, False),
        ("Connect", [{"anything": 1}], True),
        ("Hologram", object(), True),
        ("Float", None, True),
    ],
)
def test_custom_values_by_data_type(data_type: str, value: Any, ok: bool) -> None:
    options = [{"id": 1, "name": "A", "rank": 0}, {"id": 2, "name": "B", "rank": 1}]
    definition = _definition(data_type, options=options)
    message = validate_custom_value(definition, value)
    assert (message is None) is ok, message


def test_custom_messages_are_keyed_by_cf_key() -> None:
    definitions = [_definition("String")]
    lead = {"name": "L", "custom_fields": [{"custom_field_definition_id": 7, "value": "x" * 300}]}
    assert validate_record(entity("leads"), lead, definitions) == {
        "cf_7": "Field is limited to 255 characters."
    }
    # The same definition does not apply to people.
    assert validate_record(entity("people"), lead, definitions) == {}


def test_validate_value_and_blank() -> None:
    name = entity("people").field("name")
    assert validate_value(name, None) is None
    assert validate_value(name, 5) == "Name must be text."
    assert is_blank(None) and is_blank(" ") and is_blank([]) and is_blank({})
    assert not is_blank(0) and not is_blank("x") and not is_blank(False)
