"""Import mapping and row plans, without Copper: columns matched to fields by header, notes,
duplicate keys, ragged rows, invalid values of each type, and what a row does against a
record (unchanged text, changes, creates, the mode's refusals)."""

from __future__ import annotations

from typing import Any

import pytest

from copper_desktop.domain.bulk import BulkContext
from copper_desktop.domain.catalog import PEOPLE, LookupKind
from copper_desktop.domain.cell_input import Names, cell_text
from copper_desktop.domain.custom_fields import parse_definitions
from copper_desktop.domain.import_plan import (
    Action,
    ImportSetup,
    Mode,
    auto_mapping,
    decide,
    errors_table,
    find_duplicates,
    header_signature,
    importable_fields,
    mapping_notes,
    parse_row,
)

DEFINITIONS = parse_definitions([
    {"id": 1, "name": "Lead Score", "data_type": "Float", "available_on": ["person"]},
    {"id": 2, "name": "Customer Since", "data_type": "Date", "available_on": ["person"]},
    {"id": 3, "name": "Opt-in", "data_type": "Checkbox", "available_on": ["person"]},
    {"id": 4, "name": "Industry", "data_type": "Dropdown", "available_on": ["person"],
     "options": [{"id": 41, "name": "Retail", "rank": 0}, {"id": 42, "name": "Health", "rank": 1}]},
    {"id": 5, "name": "Share", "data_type": "Percentage", "available_on": ["person"]},
    {"id": 6, "name": "Budget", "data_type": "Currency", "available_on": ["person"],
     "currency": "USD"},
])  # fmt: skip
CTX = BulkContext(PEOPLE, DEFINITIONS)
NAMES = Names({LookupKind.USERS: [(7, "Priya Shah"), (8, "Sam O'Neill")]})
USERS = {7: "Priya Shah", 8: "Sam O'Neill"}


def name_of(kind: LookupKind, item_id: Any) -> str | None:
    return USERS.get(item_id) if kind is LookupKind.USERS else None


def setup(headers: list[str], mode: Mode = Mode.UPDATE) -> ImportSetup:
    mapping = auto_mapping(headers, importable_fields(CTX.fields, mode))
    return ImportSetup(CTX, tuple(headers), tuple(mapping), mode, NAMES, name_of)


def test_columns_map_by_label_or_key_whatever_the_case_and_spelling() -> None:
    headers = ["ID", "Nickname", "TITLE", "Email", "assignee_id", "lead score", "industry",
               "Company name", "Favourite colour", "error", "Title"]  # fmt: skip
    fields = importable_fields(CTX.fields, Mode.UPDATE)
    mapping = auto_mapping(headers, fields)
    assert mapping == ["id", None, "title", "emails", "assignee_id", "cf_1", "cf_4", None, None,
                       None, None]  # fmt: skip
    notes = mapping_notes(headers, mapping, CTX.fields)
    assert "“Company name” is read-only in Copper (Company name): ignored." in notes
    assert "“Favourite colour” matches no field: ignored." in notes
    assert "“Nickname” matches no field: ignored." in notes
    assert "The “error” column of an errors file is ignored." in notes
    assert "“Title” matches no field: ignored." not in notes  # a second Title: no field left


def test_common_aliases_of_other_tools_map_too() -> None:
    headers = ["Record ID", "Full Name", "Job Title", "Email Address", "Phone"]
    assert auto_mapping(headers, importable_fields(CTX.fields, Mode.UPDATE)) == [
        "id", "name", "title", "emails", "phone_numbers"]  # fmt: skip


def test_a_remembered_mapping_is_filed_under_its_headers_in_any_order_or_case() -> None:
    assert header_signature(["Name", "E-mail", "error"]) == header_signature(["e mail", "NAME"])
    assert header_signature(["Name"]) != header_signature(["Name", "Title"])


def test_the_same_match_key_twice_flags_both_rows() -> None:
    s = setup(["Name", "Emails"])
    rows = [("A", "a@x.test (work)"), ("B", "b@x.test"), ("C", "A@X.test; z@x.test")]
    assert find_duplicates(s, rows, [2, 3, 4]) == {
        0: "The same e-mail is on lines 2, 4: fix the file so it is on one.",
        2: "The same e-mail is on lines 2, 4: fix the file so it is on one.",
    }


def test_a_ragged_row_is_an_error() -> None:
    s = setup(["Name", "Title"])
    parsed = parse_row(s, ("Ada", "Dr", "extra"))
    assert parsed.errors == ["The row has 3 fields, the header 2: a delimiter or a quote is "
                             "missing or extra."]  # fmt: skip


@pytest.mark.parametrize(
    ("header", "text", "message"),
    [
        ("Lead Score", "lots", "Lead Score: “lots” is not a number (for example 1,234.50)."),
        ("Customer Since", "31/31/2020", "Customer Since: “31/31/2020” is not a valid date."),
        ("Opt-in", "maybe", "Opt-in: “maybe” is not yes or no."),
        ("Industry", "Mining", "Industry: “Mining” is not one of: Retail, Health."),
        ("Emails", "not-an-email", "Emails: “not-an-email” is not an e-mail address."),
        ("Owner", "Nobody Here", "Owner: “Nobody Here” is not a user."),
        ("Share", "half", "Share: “half” is not a percentage (for example 1,234.50)."),
        ("Budget", "a lot", "Budget: “a lot” is not an amount (for example 1,234.50)."),
        ("Tags", '["ok", 1', 'Tags: “["ok", 1” is not a list in JSON.'),
    ],
)
def test_invalid_values_say_which_column_and_why(header: str, text: str, message: str) -> None:
    s = setup(["Name", header])
    assert s.mapping[1] is not None, header
    assert parse_row(s, ("Ada", text)).errors == [message]


RECORD = {
    "id": 101, "name": "Ada Lovelace", "title": "Countess", "assignee_id": 7,
    "emails": [{"email": "ada@x.test", "category": "work"}], "tags": ["math"],
    "custom_fields": [{"custom_field_definition_id": 1, "value": 12.5},
                      {"custom_field_definition_id": 4, "value": 41}],
    "date_modified": 1700000000,
}  # fmt: skip


def exported(headers: list[str], raw: bool = False) -> tuple[str, ...]:
    """The cells an export of RECORD writes under these headers."""
    fields = {f.label: f for f in CTX.fields.values()}
    return tuple(cell_text(fields[h], RECORD, name_of, raw=raw) for h in headers)


@pytest.mark.parametrize("raw", [False, True])
def test_a_row_as_exported_changes_nothing(raw: bool) -> None:
    headers = ["ID", "Name", "Title", "Owner", "Emails", "Tags", "Lead Score", "Industry"]
    s = setup(headers)
    cells = exported(headers, raw)
    plan = decide(s, parse_row(s, cells), 1, 2, cells, [RECORD], key=101)
    assert (plan.action, plan.changes, plan.error) == (Action.UNCHANGED, (), "")


def test_changed_cells_are_the_update_with_before_and_after() -> None:
    headers = ["ID", "Name", "Title", "Owner", "Lead Score", "Industry"]
    s = setup(headers)
    cells = ("101", "Ada Lovelace", "Analyst", "Sam O'Neill", "12.50", "Health")
    plan = decide(s, parse_row(s, cells), 1, 2, cells, [RECORD], key=101)
    assert plan.action is Action.UPDATE
    assert [(c.key, c.before, c.after) for c in plan.changes] == [
        ("title", "Countess", "Analyst"),
        ("assignee_id", 7, 8),
        ("cf_4", 41, 42),
    ]
    assert plan.date_modified == 1700000000


def test_blanking_a_required_field_is_refused() -> None:
    s = setup(["ID", "Name"])
    plan = decide(s, parse_row(s, ("101", " ")), 1, 2, ("101", " "), [RECORD], key=101)
    assert (plan.action, plan.error) == (Action.ERROR, "Name is required and cannot be cleared.")


def test_what_each_mode_does_without_and_with_a_match() -> None:
    headers = ["Name", "Emails"]
    cells = ("New Person", "new@x.test")
    for mode, matches, action, error in [
        (Mode.UPDATE, [], Action.ERROR, "No person with this e-mail (deleted, or not visible "
                                        "to you)."),
        (Mode.CREATE, [RECORD], Action.ERROR, "A person with this e-mail exists already "
                                              "(#101)."),
        (Mode.BOTH, [], Action.CREATE, ""),
        (Mode.CREATE, [], Action.CREATE, ""),
    ]:  # fmt: skip
        s = setup(headers, mode)
        plan = decide(s, parse_row(s, cells), 1, 2, cells, matches, key="new@x.test")
        assert (plan.action, plan.error) == (action, error), mode
    s = setup(["Title"], Mode.CREATE)
    plan = decide(s, parse_row(s, ("Boss",)), 1, 2, ("Boss",), [])
    assert plan.error == "Name is required to create a person."
    s = setup(headers, Mode.CREATE)
    plan = decide(s, parse_row(s, cells), 1, 2, cells, [])
    assert plan.body == {"name": "New Person",
                         "emails": [{"email": "new@x.test", "category": "other"}]}  # fmt: skip


def test_the_errors_file_keeps_the_input_columns_and_adds_why() -> None:
    headers, rows = errors_table(["Name", "error", "Title"],
                                 [(("Ada", "old", "Dr"), "bad"), (("Bob",), "short"),
                                  (("Cy", "", "Mr", "x"), "long")])  # fmt: skip
    assert headers == ["Name", "Title", "error"]
    assert rows == [["Ada", "Dr", "bad"], ["Bob", "", "short"],
                    ["Cy", "Mr", "long Cells past the last column: x"]]  # fmt: skip


def test_a_plain_e_mail_keeps_the_category_the_record_has() -> None:
    """A spreadsheet of bare addresses matched on e-mail changes no category."""
    s = setup(["Name", "Emails"])
    cells = ("Ada Lovelace", "ADA@x.test")
    plan = decide(s, parse_row(s, cells), 1, 2, cells, [RECORD], key="ada@x.test")
    assert (plan.action, plan.changes) == (Action.UNCHANGED, ())
    cells = ("Ada Lovelace", "ada@x.test; new@x.test")
    plan = decide(s, parse_row(s, cells), 1, 2, cells, [RECORD], key="ada@x.test")
    assert [c.after for c in plan.changes] == [
        [{"email": "ada@x.test", "category": "work"}, {"email": "new@x.test", "category": "other"}]
    ]


def test_a_date_shown_to_the_minute_is_no_change_when_the_cell_is_as_exported() -> None:
    """An export shows "2023-11-14 22:14" for a due date with seconds: read back as a value it
    would differ by those seconds, so a cell still reading as exported is no change."""
    from copper_desktop.domain.catalog import TASKS

    ctx = BulkContext(TASKS)
    task = {"id": 5, "name": "Call", "due_date": 1700000042, "date_modified": 1}
    mapping = auto_mapping(["ID", "Name", "Due"], importable_fields(ctx.fields, Mode.UPDATE))
    s = ImportSetup(ctx, ("ID", "Name", "Due"), tuple(mapping), Mode.UPDATE, NAMES, name_of)
    cells = ("5", "Call", cell_text(ctx.fields["due_date"], task, name_of))
    plan = decide(s, parse_row(s, cells), 1, 2, cells, [task], key=5)
    assert (plan.action, plan.changes) == (Action.UNCHANGED, ())
