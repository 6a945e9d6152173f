"""The one field formatter: what cells, the detail view and the conflict dialog all show, and
how it shows values of the wrong shape (as text, never an exception)."""

from __future__ import annotations

import math
from datetime import UTC
from typing import Any

import pytest

from copper_desktop.domain.catalog import FieldSpec, LookupKind, entity
from copper_desktop.domain.custom_fields import field_for, parse_definition
from copper_desktop.domain.display import MAX_CELL_CHARS, format_field, plain_text
from copper_desktop.domain.formats import format_datetime

NAMES = {
    (LookupKind.USERS, 7): "Ada Admin",
    (LookupKind.COMPANIES, 5): "Five Ltd",
    (LookupKind.ACTIVITY_TYPES, 1): "Note",
    (LookupKind.PIPELINE_STAGES, 9): "Qualified",
}


def name_of(kind: LookupKind, value: Any) -> str | None:
    return NAMES.get((kind, value))


def both(field: FieldSpec, record: dict[str, Any]) -> tuple[str, str]:
    """(table cell, detail view) text of one field."""
    return (
        format_field(field, record, name_of, compact=True),
        format_field(field, record, name_of),
    )


OPPORTUNITY = entity("opportunities")
TASK = entity("tasks")
ACTIVITY = entity("activities")
PERSON = entity("people")
LEAD = entity("leads")


@pytest.mark.parametrize(
    ("field", "record", "text"),
    [
        (OPPORTUNITY.field("close_date"), {"close_date": "1/31/2025"}, "2025-01-31"),
        (OPPORTUNITY.field("close_date"), {"close_date": "soon"}, "soon"),
        (TASK.field("related_resource"), {"related_resource": {"id": 5, "type": "company"}},
         "Five Ltd (Company)"),
        (TASK.field("related_resource"), {"related_resource": {"id": 6, "type": "person"}},
         "#6 (Person)"),
        (TASK.field("related_resource"), {"related_resource": {"id": 6, "type": "odd"}}, "odd #6"),
        (ACTIVITY.field("parent"), {"parent": {"id": 5, "type": "company"}}, "Five Ltd (Company)"),
        (ACTIVITY.field("type"), {"type": {"id": 1, "category": "user"}}, "Note"),
        (ACTIVITY.field("type"), {"type": {"id": 2, "category": "system"}}, "system #2"),
        (OPPORTUNITY.field("assignee_id"), {"assignee_id": 7}, "Ada Admin"),
        (OPPORTUNITY.field("pipeline_stage_id"), {"pipeline_stage_id": 9}, "Qualified"),
        (OPPORTUNITY.field("pipeline_id"), {"pipeline_id": 42}, "#42"),
        (OPPORTUNITY.field("company_id"), {"company_id": 777, "company_name": "Sent"}, "Sent"),
        (OPPORTUNITY.field("status"), {"status": "Won"}, "Won"),
        (PERSON.field("tags"), {"tags": ["a", "b"]}, "a, b"),
        (OPPORTUNITY.field("pipeline_is_revenue"), {"pipeline_is_revenue": True}, "Yes"),
        (OPPORTUNITY.field("pipeline_is_revenue"), {"pipeline_is_revenue": None}, ""),
        (entity("webhooks").field("secret"), {"secret": {"key": "s3cret"}}, "key"),
    ],
)  # fmt: skip
def test_cell_and_detail_view_show_the_same_text(
    field: FieldSpec, record: dict[str, Any], text: str
) -> None:
    assert both(field, record) == (text, text)


def test_a_cell_is_compact_and_the_detail_view_complete() -> None:
    emails = [{"email": "a@b.test", "category": "work"}, {"email": "c@d.test", "category": None}]
    assert both(PERSON.field("emails"), {"emails": emails}) == (
        "a@b.test",
        "a@b.test (work); c@d.test",
    )
    email = {"email": "a@b.test", "category": "work"}
    assert both(LEAD.field("email"), {"email": email}) == ("a@b.test", "a@b.test (work)")
    details = "line one\nline two " + "x" * 400
    cell, detail = both(PERSON.field("details"), {"details": details})
    assert detail == details
    assert cell.startswith("line one line two") and len(cell) == MAX_CELL_CHARS
    assert cell.endswith("…")


def test_custom_fields_show_option_names_checkboxes_and_local_dates() -> None:
    def custom(data_type: str, **extra: Any) -> FieldSpec:
        return field_for(parse_definition(
            {"id": 3, "name": "X", "data_type": data_type, "available_on": ["person"], **extra}
        ))  # fmt: skip

    def record(value: Any) -> dict[str, Any]:
        return {"custom_fields": [{"custom_field_definition_id": 3, "value": value}]}

    options = [{"id": 1, "name": "Gold", "rank": 0}, {"id": 2, "name": "Silver", "rank": 1}]
    assert format_field(custom("Dropdown", options=options), record(2)) == "Silver"
    assert format_field(custom("Dropdown", options=options), record(99)) == "#99"
    assert format_field(custom("MultiSelect", options=options), record([2, 1])) == "Silver, Gold"
    assert format_field(custom("Checkbox"), record(None)) == "No"
    assert format_field(custom("Checkbox"), {}) == "No"
    assert format_field(custom("Checkbox"), record(True)) == "Yes"
    assert format_field(custom("Currency", currency="EUR"), record(12.5)) == "€12.50 EUR"
    assert format_field(custom("Percentage"), record(12.5)) == "12.5%"
    assert len(format_field(custom("Date"), record(1_700_000_000))) == 10


@pytest.mark.parametrize(
    ("field", "value", "text"),
    [
        (OPPORTUNITY.field("monetary_value"), 1e26, "$1.00E+26 USD"),
        (OPPORTUNITY.field("monetary_value"), 10**40, "$1.00E+40 USD"),
        (OPPORTUNITY.field("monetary_value"), -1e30, "-$1.00E+30 USD"),
        (OPPORTUNITY.field("monetary_value"), math.nan, "NaN USD"),
        (OPPORTUNITY.field("monetary_value"), "lots", "lots"),
        (OPPORTUNITY.field("win_probability"), 1e28, "1E+28%"),
        (OPPORTUNITY.field("win_probability"), math.inf, "Infinity%"),
        (OPPORTUNITY.field("interaction_count"), -math.inf, "-Infinity"),
        (OPPORTUNITY.field("interaction_count"), [1, 2], "[1, 2]"),
        (OPPORTUNITY.field("interaction_count"), True, "true"),
        (OPPORTUNITY.field("date_modified"), 1_700_000_000_000, "1700000000000"),  # ms
        (OPPORTUNITY.field("date_modified"), math.nan, "NaN"),
        (OPPORTUNITY.field("date_modified"), "yesterday", "yesterday"),
        (OPPORTUNITY.field("date_modified"), {"a": 1}, '{"a": 1}'),
        (OPPORTUNITY.field("assignee_id"), [7], "[7]"),
        (OPPORTUNITY.field("assignee_id"), "7", "7"),
        (OPPORTUNITY.field("status"), {"x": None}, '{"x": null}'),
        (OPPORTUNITY.field("status"), 3, "#3"),  # not a choice
        (OPPORTUNITY.field("close_date"), 1_700_000_000, "1700000000"),
        (OPPORTUNITY.field("pipeline_is_revenue"), "yes", "yes"),
        (OPPORTUNITY.field("pipeline_is_revenue"), 1, "1"),
        (PERSON.field("emails"), "a@b.test", "a@b.test"),
        (PERSON.field("emails"), [{"email": 5}, "x"], "5"),
        (PERSON.field("address"), ["street"], '["street"]'),
        (PERSON.field("tags"), [None, 2], "null, 2"),
        (TASK.field("related_resource"), {"id": [1], "type": {}}, '{} #[1]'),
        (ACTIVITY.field("type"), {"id": "x"}, '#x'),
        (ACTIVITY.field("type"), [], ""),
    ],
)  # fmt: skip
def test_values_of_the_wrong_shape_are_shown_as_text(
    field: FieldSpec, value: Any, text: str
) -> None:
    record: dict[str, Any] = {field.key: value, "monetary_unit": "USD"}
    assert format_field(field, record, name_of) == text
    assert format_field(field, record, name_of, compact=True) == text


def test_dates_outside_copper_range_are_still_dates() -> None:
    field = OPPORTUNITY.field("date_modified")
    for seconds in (2**31 + 86_400 * 365, -86_400 * 365 * 80, 253_402_300_000):
        assert format_field(field, {"date_modified": seconds}) == format_datetime(seconds)
    assert format_datetime(2**33, UTC) == "2242-03-16 12:56"
    assert format_datetime(-(10**9), UTC) == "1938-04-24 22:13"


def test_plain_text_never_raises() -> None:
    assert plain_text(math.nan) == "NaN"
    assert plain_text({"a": [1, None]}) == '{"a": [1, null]}'
    assert plain_text(10**5000) == "(int)"  # beyond Python's int-to-text limit
