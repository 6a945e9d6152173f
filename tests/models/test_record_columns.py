"""Columns from the catalog on sandbox records: names not ids, custom fields, dates, money."""

from __future__ import annotations

from typing import Any

from copper_desktop.api import CopperClient
from copper_desktop.domain.catalog import ENTITIES, FieldType, LookupKind, entity
from copper_desktop.domain.custom_fields import DataType, get_custom_value
from copper_desktop.domain.formats import format_datetime, format_money
from copper_desktop.models.lookups import Lookups
from copper_desktop.models.paged import Column
from copper_desktop.models.record_columns import (
    columns_for,
    default_column_keys,
    references,
)
from tests.helpers.loop import Run


def by_key(columns: list[Column]) -> dict[str, Column]:
    return {c.key: c for c in columns}


def first(api: CopperClient, wait: Run, entity_key: str, **filters: Any) -> dict[str, Any]:
    records = wait(api.search(entity_key, filters, page_size=50, sort_by="name")).records
    assert records, (entity_key, filters)
    return dict(records[0])


def test_every_entity_has_stable_keys_and_its_defaults(loaded: Lookups) -> None:
    for spec in ENTITIES.values():
        columns = columns_for(spec, loaded)
        keys = [c.key for c in columns]
        assert len(keys) == len(set(keys)), spec.key
        assert "custom_fields" not in keys
        assert set(default_column_keys(spec)) <= set(keys), spec.key
        assert default_column_keys(spec) == list(spec.default_columns)
        sortable = {c.sort_key for c in columns if c.sort_key}
        assert sortable <= set(spec.sort_values), spec.key


def test_sort_keys_come_from_the_catalog(loaded: Lookups) -> None:
    companies = by_key(columns_for(entity("companies"), loaded))
    assert companies["assignee_id"].sort_key == "assignee"
    assert companies["primary_contact_id"].sort_key == "contact"
    assert companies["address"].sort_key is None  # only its parts sort (city, state...)
    people = by_key(columns_for(entity("people"), loaded))
    assert people["emails"].sort_key == "email"
    assert people["details"].sort_key is None
    assert people["name"].header == "Name"


def test_opportunity_cells_show_names_money_and_dates(
    loaded: Lookups,
    client: CopperClient,
    run: Run,
) -> None:
    record = first(client, run, "opportunities", minimum_monetary_value=1)
    cols = by_key(columns_for(entity("opportunities"), loaded))
    users = {u["id"]: u["name"] for u in run(client.all_users())}
    pipelines = {p["id"]: p for p in run(client.pipelines())}
    pipeline = pipelines[record["pipeline_id"]]
    stage = next(s["name"] for s in pipeline["stages"] if s["id"] == record["pipeline_stage_id"])
    assert cols["pipeline_id"].value(record) == pipeline["name"]
    assert cols["pipeline_stage_id"].value(record) == stage
    if record.get("assignee_id") is not None:
        assert cols["assignee_id"].value(record) == users[record["assignee_id"]]
    assert cols["monetary_value"].value(record) == format_money(
        record["monetary_value"], record["monetary_unit"]
    )
    assert record["monetary_unit"] in cols["monetary_value"].value(record)
    assert cols["date_modified"].value(record) == format_datetime(record["date_modified"])
    assert cols["date_modified"].sort_value is not None
    assert cols["date_modified"].sort_value(record) == record["date_modified"]
    assert cols["status"].value(record) == record["status"]
    assert cols["win_probability"].value(record).endswith("%")


def test_company_id_shows_a_name_once_resolved(
    loaded: Lookups,
    client: CopperClient,
    run: Run,
) -> None:
    record = next(
        r
        for r in run(client.search("opportunities", {}, page_size=200)).records
        if r.get("company_id") and r.get("primary_contact_id")
    )
    cols = by_key(columns_for(entity("opportunities"), loaded))
    contact = cols["primary_contact_id"]
    assert contact.value(record) == f"#{record['primary_contact_id']}"
    wanted = references(entity("opportunities"), [record, None])
    assert wanted[LookupKind.COMPANIES] == [record["company_id"]]
    assert wanted[LookupKind.PEOPLE] == [record["primary_contact_id"]]
    assert LookupKind.USERS not in wanted
    for kind, ids in wanted.items():
        run(loaded.resolve(kind, ids))
    person = run(client.get("people", record["primary_contact_id"]))
    company = run(client.get("companies", record["company_id"]))
    assert contact.value(record) == person["name"]
    assert cols["company_id"].value(record) == company["name"]


def test_people_cells_lists_tags_and_contact_type(
    loaded: Lookups,
    client: CopperClient,
    run: Run,
) -> None:
    records = run(client.search("people", {}, page_size=200)).records
    record = next(
        r
        for r in records
        if len(r.get("emails") or []) > 1 and r.get("tags") and r.get("contact_type_id")
    )
    cols = by_key(columns_for(entity("people"), loaded))
    assert cols["emails"].value(record) == record["emails"][0]["email"]
    assert cols["tags"].value(record) == ", ".join(record["tags"])
    types = {t["id"]: t["name"] for t in run(client.contact_types())}
    assert cols["contact_type_id"].value(record) == types[record["contact_type_id"]]
    assert cols["name"].value({}) == ""


def test_custom_field_columns_show_option_names_checkboxes_and_dates(
    loaded: Lookups,
    client: CopperClient,
    run: Run,
) -> None:
    spec = entity("people")
    cols = by_key(columns_for(spec, loaded))
    defs = [d for d in loaded.definitions if d.applies_to("person")]
    assert {d.key for d in defs} <= set(cols)
    assert not any(d.key in cols for d in loaded.definitions if not d.applies_to("person"))
    records = run(client.search("people", {}, page_size=200)).records

    def having(kind: DataType) -> tuple[Any, dict[str, Any]]:
        definition = next(d for d in defs if d.data_type is kind)
        record = next(r for r in records if get_custom_value(r, definition.id) not in (None, []))
        return definition, record

    dropdown, record = having(DataType.DROPDOWN)
    option = dropdown.option(get_custom_value(record, dropdown.id))
    assert option is not None
    assert cols[dropdown.key].value(record) == option.name
    assert cols[dropdown.key].header == dropdown.name
    assert cols[dropdown.key].sort_key is None

    multi, record = having(DataType.MULTI_SELECT)
    names = [o.name for i in get_custom_value(record, multi.id) if (o := multi.option(i))]
    assert cols[multi.key].value(record) == ", ".join(names)

    checkbox = next(d for d in defs if d.data_type is DataType.CHECKBOX)
    values = {cols[checkbox.key].value(r) for r in records}
    assert values == {"Yes", "No"}

    when, record = having(DataType.DATE)
    text = cols[when.key].value(record)
    assert len(text) == 10 and text[4] == "-"  # a local calendar date, not unix seconds
    assert str(get_custom_value(record, when.id)) not in text


def test_related_resource_and_fallbacks(loaded: Lookups) -> None:
    cols = by_key(columns_for(entity("tasks"), loaded))
    loaded.remember(LookupKind.COMPANIES, 5, "Five Ltd")
    record = {
        "related_resource": {"id": 5, "type": "company"},
        "custom_activity_type_id": None,
        "details": "line one\nline two " + "x" * 400,
        "status": "Open",
    }
    assert cols["related_resource"].value(record) == "Five Ltd (Company)"
    assert cols["related_resource"].value({"related_resource": {"id": 6, "type": "odd"}}) == (
        "odd #6"
    )
    details = cols["details"].value(record)
    assert details.startswith("line one line two") and len(details) <= 200
    opportunity = by_key(columns_for(entity("opportunities"), loaded))
    assert opportunity["close_date"].value({"close_date": "1/31/2025"}) == "2025-01-31"
    assert opportunity["close_date"].value({"close_date": "soon"}) == "soon"
    assert opportunity["company_id"].value({"company_id": 777, "company_name": "Sent"}) == "Sent"
    assert opportunity["pipeline_id"].value({"pipeline_id": 42}) == "#42"
    lead = by_key(columns_for(entity("leads"), loaded))
    assert lead["email"].value({"email": {"email": "a@b.test", "category": "work"}}) == "a@b.test"
    assert all(c.key != "custom_fields" for c in columns_for(entity("leads"), loaded))
    assert entity("leads").field("monetary_value").type is FieldType.MONEY
