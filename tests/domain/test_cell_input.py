"""A pasted or typed cell becomes a value of its field: per type, with names of owners,
stages, statuses and dropdown options resolved to ids case-insensitively, and clear messages
when it cannot; and whether the value may be written to that record."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from copper_desktop.domain.bulk import BulkContext
from copper_desktop.domain.catalog import FieldType, LookupKind, entity
from copper_desktop.domain.cell_input import Names, check_cell, grid_editable, parse_cell
from copper_desktop.domain.custom_fields import field_for, parse_definition
from copper_desktop.domain.formats import FormatError, date_to_unix

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
    with pytest.raises(FormatError, match="cannot be changed in the grid"):
        parse_cell(PEOPLE.field("emails"), "a@b.c", NAMES)


def test_a_value_is_checked_against_its_record() -> None:
    context = BulkContext(OPPORTUNITIES)
    assert check_cell(context, NAMES, "name", None, {}) == "Name is required."
    assert check_cell(context, NAMES, "pipeline_stage_id", 201, {"pipeline_id": 1}) == (
        "Stage #201 is not a stage of this record's pipeline."
    )
    assert check_cell(context, NAMES, "pipeline_stage_id", 201, {"pipeline_id": 2}) is None
    assert check_cell(context, NAMES, "monetary_value", -1, {}) is not None
    assert check_cell(context, NAMES, "date_created", 5, {}) is not None
