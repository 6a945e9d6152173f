"""The catalog against copper-behaviour.md §3.2, §3.3, §4 and every example record."""

from __future__ import annotations

from typing import Any

import pytest

from copper_desktop.domain.catalog import (
    ADDRESS_KEYS,
    ENTITIES,
    NONE_SENTINEL,
    WEBHOOK_TYPES,
    Editability,
    EntitySpec,
    FieldType,
    FilterType,
    LookupKind,
    Operation,
    entity,
    entity_for_type,
)
from tests.helpers.data import example

# Every file holding records of one entity (objects or arrays of objects).
RECORD_EXAMPLES: dict[str, tuple[str, ...]] = {
    "people": (
        "person.json",
        "person_create_response.json",
        "person_update_response.json",
        "people_search_response.json",
    ),
    "companies": (
        "company.json",
        "company_create_response.json",
        "company_update_response.json",
        "companies_search_response.json",
    ),
    "leads": (
        "lead.json",
        "lead_create_response.json",
        "lead_update_response.json",
        "lead_upsert_response.json",
        "leads_search_response.json",
        "lead_create_request.json",
    ),
    "opportunities": (
        "opportunity.json",
        "opportunity_create_request.json",
        "opportunity_create_response.json",
        "opportunity_update_response.json",
        "opportunities_search_response.json",
    ),
    "projects": ("project.json", "project_create_response.json", "project_update_response.json"),
    "tasks": (
        "task.json",
        "task_create_request.json",
        "task_create_response.json",
        "task_update_response.json",
        "tasks_search_response.json",
    ),
    "activities": (
        "activity.json",
        "activity_create_request.json",
        "activity_create_response.json",
        "activities_search_response.json",
        "lead_activities_response.json",
        "person_activities_response.json",
    ),
    "webhooks": (
        "webhook.json",
        "webhook_by_id.json",
        "webhook_create_request.json",
        "webhook_create_request_current_docs.json",
        "webhook_current_docs.json",
        "webhooks_list.json",
    ),
}

# §4 key lists, copied from the table (uncertain keys included; they must be known too).
SECTION_4: dict[str, str] = {
    "people": "id, name, prefix, first_name, middle_name, last_name, suffix, address, "
    "assignee_id, company_id, company_name, contact_type_id, details, emails, phone_numbers, "
    "socials, tags, title, websites, custom_fields, date_created, date_modified, "
    "date_last_contacted, interaction_count, leads_converted_from, date_lead_created",
    "companies": "id, name, address, assignee_id, contact_type_id, details, email_domain, "
    "phone_numbers, socials, tags, websites, custom_fields, interaction_count, date_created, "
    "date_modified, primary_contact_id",
    "leads": "id, name, prefix, first_name, middle_name, last_name, suffix, address, "
    "assignee_id, company_name, customer_source_id, details, email, interaction_count, "
    "monetary_unit, monetary_value, socials, status, status_id, tags, title, websites, "
    "phone_numbers, custom_fields, date_created, date_modified, date_last_contacted, "
    "converted_at, converted_contact_id, converted_opportunity_id",
    "opportunities": "id, name, assignee_id, close_date, company_id, company_name, "
    "customer_source_id, details, loss_reason_id, pipeline_id, pipeline_stage_id, "
    "primary_contact_id, priority, status, tags, interaction_count, monetary_unit, "
    "monetary_value, converted_unit, converted_value, win_probability, date_stage_changed, "
    "date_last_contacted, leads_converted_from, date_lead_created, date_created, "
    "date_modified, custom_fields, pipeline_type, pipeline_is_revenue",
    "projects": "id, name, related_resource, assignee_id, status, details, tags, "
    "custom_fields, date_created, date_modified",
    "tasks": "id, name, related_resource, assignee_id, due_date, reminder_date, "
    "completed_date, priority, status, details, tags, custom_fields, custom_activity_type_id, "
    "date_created, date_modified",
    "activities": "id, parent, type, user_id, details, activity_date, old_value, new_value, "
    "date_created, date_modified",
    "webhooks": "id, target, type, event, secret, headers, custom_field_computed_values, "
    "created_at",
}

# §3.3, copied from the table.
SORT_KEYS: dict[str, tuple[str, str | None]] = {
    "people": (
        "name, first_name, last_name, title, email, phone, date_modified, date_created, city, "
        "state, country, zip, socials",
        "first_name",
    ),
    "companies": (
        "name, phone, contact, contact_first_name, contact_last_name, date_modified, "
        "date_created, email_domain, city, state, country, zip, assignee, contact_group, "
        "last_interaction, interaction_count, primary_website",
        "date_modified",
    ),
    "leads": (
        "name, first_name, last_name, company_name, title, value, email, phone, "
        "date_modified, date_created, city, state, country, zip, inactive_days",
        "name",
    ),
    "opportunities": (
        "name, account, company_name, value, assignee, customer_source_id, date_modified, "
        "date_created, contact, stage, status, close_date, source, priority, "
        "last_interaction, interaction_count, deal_last_stage, win_probability",
        "name",
    ),
    "projects": ("name, assigned_to, related_to, status, date_modified, date_created", "name"),
    "tasks": (
        "name, assigned_to, related_to, status, priority, due_date, reminder_date, "
        "completed_date, date_created, date_modified",
        "due_date",
    ),
    "activities": ("", None),
    "webhooks": ("", None),
}

# §3.2, copied from the table, min/max pairs expanded to the body keys.
FILTER_KEYS: dict[str, str] = {
    "people": "ids, name, phone_number, emails, contact_type_ids, assignee_ids, company_ids, "
    "opportunity_ids, city, state, postal_code, country, tags, socials, followed, age, "
    "min/max_interaction_count, min/max_interaction_date, min/max_created_date",
    "companies": "ids, name, phone_number, email_domains, contact_type_ids, assignee_ids, "
    "city, state, postal_code, country, tags, socials, followed, age, "
    "min/max_interaction_count, min/max_interaction_date, min/max_created_date",
    "leads": "ids, name, phone_number, emails, assignee_ids, status_ids, customer_source_ids, "
    "city, state, postal_code, country, tags, followed, age, min/max_monetary_value, "
    "min/max_interaction_count, min/max_interaction_date, min/max_created_date, "
    "min/max_modified_date, include_converted_leads",
    "opportunities": "ids, name, assignee_ids, status_ids, pipeline_ids, pipeline_stage_ids, "
    "priority_ids, customer_source_ids, loss_reason_ids, company_ids, person_ids, tags, "
    "followed, min/max_monetary_value, min/max_interaction_count, min/max_close_date, "
    "min/max_interaction_date, min/max_stage_change_date, min/max_created_date, "
    "min/max_modified_date",
    "projects": "ids, name, assignee_ids, status_ids, tags, followed, min/max_created_date, "
    "min/max_modified_date",
    "tasks": "ids, assignee_ids, opportunity_ids, project_ids, statuses, tags, followed, "
    "min/max_due_date, min/max_created_date, min/max_modified_date",
    "activities": "parent, activity_types, min/max_activity_date, full_result",
    "webhooks": "",
}


def _split(text: str) -> set[str]:
    return {part.strip() for part in text.split(",") if part.strip()}


def _expand(text: str) -> set[str]:
    keys: set[str] = set()
    for key in _split(text):
        if key.startswith("min/max_"):
            stem = key.removeprefix("min/max_")
            keys |= {f"minimum_{stem}", f"maximum_{stem}"}
        else:
            keys.add(key)
    return keys


def _records(name: str) -> list[dict[str, Any]]:
    data = example(name)
    return data if isinstance(data, list) else [data]


def test_catalog_lists_the_eight_entities_in_navigation_order() -> None:
    assert list(ENTITIES) == [
        "people", "companies", "leads", "opportunities", "projects", "tasks", "activities",
        "webhooks",
    ]  # fmt: skip
    assert [e.type for e in ENTITIES.values()] == [
        "person", "company", "lead", "opportunity", "project", "task", "activity", "webhook",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("key", "name"), [(k, n) for k, names in RECORD_EXAMPLES.items() for n in names]
)
def test_every_key_of_every_example_record_is_known(key: str, name: str) -> None:
    spec = entity(key)
    for record in _records(name):
        assert set(record) - spec.field_keys == set(), name


@pytest.mark.parametrize("key", list(SECTION_4))
def test_fields_are_exactly_the_section_4_keys(key: str) -> None:
    assert entity(key).field_keys == _split(SECTION_4[key])


def test_lead_convert_response_objects_are_known() -> None:
    converted = example("lead_convert_response.json")
    for part, key in (
        ("person", "people"),
        ("company", "companies"),
        ("opportunity", "opportunities"),
    ):
        assert set(converted[part]) <= entity(key).field_keys


def test_projects_search_example_is_the_documented_company_shaped_mistake() -> None:
    # README: that sample shows company records; its keys are companies' keys.
    for record in _records("projects_search_response.json"):
        assert set(record) <= entity("companies").field_keys


@pytest.mark.parametrize("key", list(SORT_KEYS))
def test_sort_options_match_section_3_3(key: str) -> None:
    values, default = SORT_KEYS[key]
    spec = entity(key)
    assert set(spec.sort_values) == _split(values)
    assert len(spec.sort_values) == len(set(spec.sort_values))
    assert spec.default_sort == default
    assert spec.default_sort_direction == "asc"


@pytest.mark.parametrize("key", list(ENTITIES))
def test_field_sort_keys_are_documented_sort_values(key: str) -> None:
    spec = entity(key)
    for field in spec.fields:
        if field.sort_by is not None:
            assert field.sort_by in spec.sort_values, field.key
    for option in spec.sort_options:
        if option.field_key is not None:
            assert spec.has_field(option.field_key)
            if option.subkey is not None:
                assert option.subkey in ADDRESS_KEYS


@pytest.mark.parametrize(
    ("key", "field", "sort_by"),
    [
        ("people", "emails", "email"),
        ("companies", "assignee_id", "assignee"),
        ("opportunities", "pipeline_stage_id", "stage"),
        ("tasks", "assignee_id", "assigned_to"),
        ("leads", "monetary_value", "value"),
        ("projects", "related_resource", "related_to"),
    ],
)
def test_named_sort_keys(key: str, field: str, sort_by: str) -> None:
    assert entity(key).field(field).sort_by == sort_by


@pytest.mark.parametrize("key", list(FILTER_KEYS))
def test_filters_match_section_3_2(key: str) -> None:
    spec = entity(key)
    body_keys = [k for f in spec.filters for k in f.body_keys]
    assert set(body_keys) == _expand(FILTER_KEYS[key])
    assert len(body_keys) == len(set(body_keys))


def test_no_modified_date_filter_for_people_and_companies() -> None:
    for key in ("people", "companies"):
        with pytest.raises(KeyError):
            entity(key).filter("modified_date")


def test_none_sentinel_only_where_section_3_1_allows_it() -> None:
    allowed = {
        "assignee_ids",
        "company_ids",
        "customer_source_ids",
        "loss_reason_ids",
        "project_ids",
    }
    assert NONE_SENTINEL == -2
    for spec in ENTITIES.values():
        for f in spec.filters:
            if f.allows_none:
                assert f.key in allowed
                assert f.type is FilterType.ID_LIST
            elif f.type is FilterType.ID_LIST:
                assert f.key not in allowed, (spec.key, f.key)


def test_filter_types_and_choices() -> None:
    opp = entity("opportunities")
    status = opp.filter("status_ids")
    assert status.type is FilterType.ENUM_LIST
    assert [(c.value, c.label) for c in status.choices] == [
        (0, "Open"), (1, "Won"), (2, "Lost"), (3, "Abandoned"),
    ]  # fmt: skip
    assert opp.filter("close_date").type is FilterType.DATE_RANGE
    assert opp.filter("close_date").minimum_key == "minimum_close_date"
    assert opp.filter("monetary_value").value_type is FieldType.MONEY
    assert [c.value for c in entity("tasks").filter("statuses").choices] == ["Open", "Completed"]
    assert entity("leads").filter("emails").type is FilterType.TEXT  # a string for leads
    assert entity("people").filter("emails").type is FilterType.TEXT_LIST
    assert entity("people").filter("phone_number").type is FilterType.PHONE
    assert entity("people").filter("company_ids").lookup is LookupKind.COMPANIES
    assert [c.value for c in entity("people").filter("followed").choices] == [1, 2]
    with pytest.raises(TypeError):
        _ = entity("people").filter("name").minimum_key


@pytest.mark.parametrize(
    ("key", "field"),
    [
        ("people", "id"),
        ("people", "date_created"),
        ("people", "date_modified"),
        ("people", "interaction_count"),
        ("people", "company_id"),
        ("tasks", "completed_date"),
        ("opportunities", "date_stage_changed"),
        ("activities", "user_id"),
        ("webhooks", "created_at"),
    ],
)
def test_read_only_fields(key: str, field: str) -> None:
    spec = entity(key).field(field)
    assert spec.editability is Editability.READ_ONLY
    assert not spec.editable and not spec.creatable


def test_create_only_fields_are_not_editable_but_creatable() -> None:
    for key, field in (("webhooks", "type"), ("webhooks", "event"), ("activities", "parent")):
        spec = entity(key).field(field)
        assert spec.creatable and not spec.editable


def test_required_fields() -> None:
    for key in ("people", "companies", "leads", "opportunities", "projects", "tasks"):
        assert [f.key for f in entity(key).fields if f.required] == ["name"]
    assert {f.key for f in entity("webhooks").fields if f.required} == {"target", "type", "event"}


def test_field_types_of_note() -> None:
    assert entity("leads").field("email").type is FieldType.SINGLE_EMAIL
    assert entity("people").field("emails").type is FieldType.EMAIL_LIST
    opp = entity("opportunities")
    assert opp.field("close_date").type is FieldType.CLOSE_DATE
    assert opp.field("monetary_value").type is FieldType.MONEY
    assert opp.field("monetary_value").currency_key == "monetary_unit"
    assert opp.field("pipeline_stage_id").lookup is LookupKind.PIPELINE_STAGES
    assert [c.value for c in opp.field("priority").choices] == ["None", "Low", "Medium", "High"]
    assert [c.value for c in entity("tasks").field("priority").choices] == ["None", "High"]
    assert [c.value for c in entity("projects").field("status").choices] == ["Open", "Completed"]
    assert entity("tasks").field("due_date").type is FieldType.DATETIME
    assert entity("activities").field("parent").type is FieldType.PARENT
    assert tuple(c.value for c in entity("webhooks").field("type").choices) == WEBHOOK_TYPES
    assert "activity_log" in WEBHOOK_TYPES


def test_every_ref_has_a_lookup_and_every_enum_choices() -> None:
    for spec in ENTITIES.values():
        for field in spec.fields:
            if field.type is FieldType.REF:
                assert field.lookup is not None, (spec.key, field.key)
            if field.type is FieldType.ENUM:
                assert field.choices, (spec.key, field.key)
        for f in spec.filters:
            if f.type is FilterType.ID_LIST:
                assert f.lookup is not None
            if f.type is FilterType.ENUM_LIST:
                assert f.choices
            if f.is_range:
                assert f.value_type is not None


@pytest.mark.parametrize("spec", list(ENTITIES.values()), ids=lambda s: s.key)
def test_default_columns_are_fields(spec: EntitySpec) -> None:
    assert spec.default_columns
    assert set(spec.default_columns) <= spec.field_keys


def test_operations() -> None:
    assert entity("people").supports(Operation.FETCH_BY_EMAIL)
    assert entity("leads").supports(Operation.CONVERT)
    assert entity("leads").supports(Operation.UPSERT)
    assert not entity("opportunities").supports(Operation.BULK_UPDATE)
    assert entity("opportunities").supports(Operation.BULK_CREATE)
    assert entity("activities").supports(Operation.BULK_CREATE)
    assert not entity("webhooks").supports(Operation.SEARCH)
    assert entity("webhooks").supports(Operation.LIST)
    with_activities = {k for k, s in ENTITIES.items() if s.supports(Operation.ACTIVITIES)}
    assert with_activities == {"people", "companies", "leads"}
    bulk_update = {k for k, s in ENTITIES.items() if s.supports(Operation.BULK_UPDATE)}
    assert bulk_update == {"people", "companies", "leads"}


def test_related_pairs_are_symmetric() -> None:
    for spec in ENTITIES.values():
        for other in spec.related:
            assert spec.key in entity(other).related, (spec.key, other)


def test_lookup_by_type() -> None:
    assert entity_for_type("person") is entity("people")
    assert entity_for_type("activity_log") is entity("activities")
    assert entity_for_type("opportunity").path == "opportunities"
    with pytest.raises(KeyError):
        entity("persons")
    with pytest.raises(KeyError):
        entity("people").field("nope")
