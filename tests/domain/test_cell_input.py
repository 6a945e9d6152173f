"""The text of a cell becomes a value of its field, as the grid reads what is typed or pasted
and the CSV import reads a file: per type, names of owners, stages, statuses and dropdown
options resolved to ids case-insensitively, raw values (ids, JSON) read too, clear messages
when it cannot; whether the grid may write the value to that record; and the text an export
writes for a value."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from copper_desktop.domain.bulk import BulkContext
from copper_desktop.domain.catalog import FieldType, LookupKind, entity
from copper_desktop.domain.cell_input import (
    Names,
    cell_text,
    check_cell,
    grid_editable,
    parse_cell,
)
from copper_desktop.domain.custom_fields import field_for, parse_definition, parse_definitions
from copper_desktop.domain.formats import DateOrder, FormatError, date_to_unix

PEOPLE = entity("people")
OPPORTUNITIES = entity("opportunities")
DROPDOWN = parse_definition(
    {"id": 77, "name": "Region", "data_type": "Dropdown", "available_on": ["person"],
     "options": [{"id": 1, "name": "North", "rank": 0}, {"id": 2, "name": "South", "rank": 1}]}
)  # fmt: skip
NAMES = Names(
    lists={
        LookupKind.USERS: [(10, "Ann Lee"), (11, "Bob Day"), (12, "bob day")],
        LookupKind.CONTACT_TYPES: [(5, "Customer")],
        LookupKind.PIPELINE_STAGES: [(100, "Qualified"), (200, "Qualified"), (201, "Won")],
    },
    stages={1: [(100, "Qualified")], 2: [(200, "Qualified"), (201, "Won")]},
)


def test_owners_stages_and_dropdown_options_are_read_by_name_in_any_case() -> None:
    owner = PEOPLE.field("assignee_id")
    assert parse_cell(owner, "  ann   LEE ", NAMES) == 10
    assert parse_cell(owner, "#11", NAMES) == 11
    assert parse_cell(owner, "", NAMES) is None
    stage = OPPORTUNITIES.field("pipeline_stage_id")
    assert parse_cell(stage, "qualified", NAMES, {"pipeline_id": 2}) == 200
    assert parse_cell(stage, "Qualified", NAMES, {"pipeline_id": 1}) == 100
    assert parse_cell(field_for(DROPDOWN), "south", NAMES) == 2


def test_unknown_and_ambiguous_names_say_why() -> None:
    owner = PEOPLE.field("assignee_id")
    with pytest.raises(FormatError, match="“Zed” is not a user"):
        parse_cell(owner, "Zed", NAMES)
    with pytest.raises(FormatError, match=r"names 2 users \(#11, #12\)"):
        parse_cell(owner, "Bob Day", NAMES)
    with pytest.raises(FormatError, match="not a stage in this record's pipeline"):
        parse_cell(OPPORTUNITIES.field("pipeline_stage_id"), "Won", NAMES, {"pipeline_id": 1})
    with pytest.raises(FormatError, match="is not one of: North, South"):
        parse_cell(field_for(DROPDOWN), "West", NAMES)


@pytest.mark.parametrize(
    ("key", "text", "value"),
    [
        ("monetary_value", "$1,234.50 USD", 1234.5),
        ("monetary_value", "", None),
        ("status", "won", "Won"),
        ("close_date", "2024-03-07", "3/7/2024"),
        ("name", "  Big deal  ", "Big deal"),
        ("tags", "a, b,, a", ["a", "b"]),
    ],
)
def test_values_are_read_per_type(key: str, text: str, value: Any) -> None:
    assert parse_cell(OPPORTUNITIES.field(key), text, NAMES) == value


def test_dates_checkboxes_and_bad_numbers() -> None:
    birthday = parse_definition({"id": 5, "name": "Birthday", "data_type": "Date"})
    assert parse_cell(field_for(birthday), "2024-03-07", NAMES) == date_to_unix(date(2024, 3, 7))
    vip = field_for(parse_definition({"id": 6, "name": "VIP", "data_type": "Checkbox"}))
    assert parse_cell(vip, "yes", NAMES) is True
    assert parse_cell(vip, "", NAMES) is False
    with pytest.raises(FormatError, match="is not an amount"):
        parse_cell(OPPORTUNITIES.field("monetary_value"), "lots", NAMES)
    with pytest.raises(FormatError, match="is not a date"):
        parse_cell(field_for(birthday), "soon", NAMES)


def test_which_fields_a_grid_edits() -> None:
    assert grid_editable(PEOPLE.field("assignee_id"))
    assert grid_editable(PEOPLE.field("tags"))
    assert not grid_editable(PEOPLE.field("emails"))  # a list of entries: the editor's job
    assert not grid_editable(PEOPLE.field("company_id"))  # a record picker
    assert not grid_editable(PEOPLE.field("date_created"))  # read-only
    assert grid_editable(field_for(DROPDOWN))
    assert FieldType.MULTI_ENUM not in {PEOPLE.field("name").type}
    context = BulkContext(PEOPLE)
    assert check_cell(context, NAMES, "emails", [{"email": "a@b.c", "category": "work"}], {}) == (
        "Emails cannot be changed in the grid."
    )


def test_a_value_is_checked_against_its_record() -> None:
    context = BulkContext(OPPORTUNITIES)
    assert check_cell(context, NAMES, "name", None, {}) == "Name is required."
    assert check_cell(context, NAMES, "pipeline_stage_id", 201, {"pipeline_id": 1}) == (
        "Stage #201 is not a stage of this record's pipeline."
    )
    assert check_cell(context, NAMES, "pipeline_stage_id", 201, {"pipeline_id": 2}) is None
    assert check_cell(context, NAMES, "monetary_value", -1, {}) is not None
    assert check_cell(context, NAMES, "date_created", 5, {}) is not None


IMPORT = parse_definitions([
    {"id": 3, "name": "Opt-in", "data_type": "Checkbox", "available_on": ["person"]},
    {"id": 4, "name": "Industry", "data_type": "Dropdown", "available_on": ["person"],
     "options": [{"id": 41, "name": "Retail", "rank": 0}, {"id": 42, "name": "Health", "rank": 1}]},
])  # fmt: skip
FIELDS = BulkContext(PEOPLE, IMPORT).fields
"""People's fields with two custom fields, as an import maps them."""


def test_what_an_import_reads_names_raw_ids_lists_and_json() -> None:
    owner = FIELDS["assignee_id"]
    assert parse_cell(owner, "ann lee", NAMES) == 10
    assert parse_cell(owner, "#8", NAMES) == 8  # an id as it is: a raw export's owner
    assert parse_cell(owner, "8", NAMES) == 8
    assert parse_cell(FIELDS["company_id"], "# 123", NAMES) == 123  # a record: by id only
    with pytest.raises(FormatError, match=r"“Acme” is not an id of a company \(write it as #123"):
        parse_cell(FIELDS["company_id"], "Acme", NAMES)
    emails = FIELDS["emails"]
    assert parse_cell(emails, "a@x.test (work); b@x.test", NAMES) == [
        {"email": "a@x.test", "category": "work"},
        {"email": "b@x.test", "category": "other"},
    ]
    assert parse_cell(emails, '[{"category": "home", "email": "c@x.test"}]', NAMES) == [
        {"category": "home", "email": "c@x.test"}]  # fmt: skip
    assert parse_cell(emails, "", NAMES) == []
    assert parse_cell(FIELDS["cf_4"], "health", NAMES) == 42
    assert parse_cell(FIELDS["cf_3"], "Yes", NAMES) is True
    assert parse_cell(FIELDS["tags"], "vip, VIP, new", NAMES) == ["vip", "new"]
    assert parse_cell(FIELDS["tags"], '["a", "b"]', NAMES) == ["a", "b"]
    assert parse_cell(FIELDS["tags"], "", NAMES) == []
    address = {"street": "1 Main St", "city": "Springfield"}
    assert parse_cell(FIELDS["address"], '{"street": "1 Main St", "city": "Springfield"}',
                      NAMES) == address  # fmt: skip
    with pytest.raises(FormatError, match="is not an object in JSON"):
        parse_cell(FIELDS["address"], "1 Main St, Springfield", NAMES)
    with pytest.raises(FormatError, match="is not a currency code"):
        parse_cell(OPPORTUNITIES.field("monetary_unit"), "dollars", NAMES)


def test_a_stage_named_in_two_pipelines_needs_its_record_or_its_id() -> None:
    """Without the record (an import row), a stage name two pipelines share says which."""
    stage = OPPORTUNITIES.field("pipeline_stage_id")
    with pytest.raises(FormatError, match=r"“Qualified” names 2 stages \(#100, #200\)"):
        parse_cell(stage, "Qualified", NAMES)
    assert parse_cell(stage, "won", NAMES) == 201
    assert parse_cell(stage, "#999", NAMES, {"pipeline_id": 1}) == 999
    context = BulkContext(OPPORTUNITIES)
    assert check_cell(context, NAMES, "pipeline_stage_id", 999, {"pipeline_id": 1}) == (
        "Stage #999 is not a stage of this record's pipeline."
    )


def test_close_dates_are_written_in_the_order_the_account_uses() -> None:
    close = OPPORTUNITIES.field("close_date")
    assert parse_cell(close, "2024-03-07", NAMES, {"close_date": "23/1/2024"}) == "7/3/2024"
    assert parse_cell(close, "2024-03-07", NAMES, order=DateOrder.DMY) == "7/3/2024"
    assert parse_cell(close, "3/7/2024", NAMES) == "3/7/2024"


class Lists:
    """A stand-in for ``Lookups``: its pick lists."""

    def choices(self, kind: LookupKind) -> list[tuple[int, str]]:
        return {
            LookupKind.USERS: [(10, "Ann Lee")],
            LookupKind.PIPELINES: [(1, "Sales"), (2, "Renewals")],
            LookupKind.PIPELINE_STAGES: [(100, "Qualified"), (200, "Qualified")],
        }.get(kind, [])

    def stages(self, pipeline_id: int | None = None) -> list[tuple[int, str]]:
        every = {1: [(100, "Qualified")], 2: [(200, "Qualified")]}
        return every.get(pipeline_id, []) if pipeline_id else [*every[1], *every[2]]


def test_names_are_taken_from_the_lookups_lists_and_stages_per_pipeline() -> None:
    names = Names.of(Lists(), [LookupKind.USERS, LookupKind.PIPELINE_STAGES])
    assert names.lists == {
        LookupKind.USERS: [(10, "Ann Lee")],
        LookupKind.PIPELINE_STAGES: [(100, "Qualified"), (200, "Qualified")],
    }
    assert names.stages == {1: [(100, "Qualified")], 2: [(200, "Qualified")]}
    assert names.resolve(LookupKind.PIPELINE_STAGES, "qualified", 2) == 200


def test_an_export_writes_what_people_read_or_raw_values() -> None:
    record = {"id": 5, "assignee_id": 10, "tags": ["a", "b"], "name": "Ada",
              "custom_fields": [{"custom_field_definition_id": 3, "value": True}]}  # fmt: skip

    def name_of(kind: LookupKind, item_id: Any) -> str | None:
        return "Ann Lee" if (kind, item_id) == (LookupKind.USERS, 10) else None

    shown = {k: cell_text(FIELDS[k], record, name_of) for k in ("assignee_id", "tags", "cf_3")}
    raw = {k: cell_text(FIELDS[k], record, name_of, raw=True) for k in shown}
    assert shown == {"assignee_id": "Ann Lee", "tags": "a, b", "cf_3": "Yes"}
    assert raw == {"assignee_id": "10", "tags": '["a", "b"]', "cf_3": "true"}
    assert cell_text(FIELDS["title"], record, name_of, raw=True) == ""
    for key, spec in ((k, FIELDS[k]) for k in shown):  # either form reads back alike
        assert parse_cell(spec, shown[key], NAMES) == parse_cell(spec, raw[key], NAMES)
