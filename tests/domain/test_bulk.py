"""Bulk edit operations and the preview (dry run): what would change, what already matches and
what cannot be changed, for every kind of operation and every custom field type."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from copper_desktop.domain.bulk import (
    BulkContext,
    BulkEditError,
    Clear,
    CopyFrom,
    EditTags,
    MoveToStage,
    SetField,
    TagMode,
    Typed,
    Where,
    change_status,
    check_operations,
    clear_field,
    is_blank_value,
    operation_from_json,
    operation_to_json,
    preview,
    reassign_owner,
    same_field_value,
    write_body,
)
from copper_desktop.domain.catalog import FieldType, entity
from copper_desktop.domain.custom_fields import get_field_value, parse_definitions

PEOPLE, LEADS, OPPS = entity("people"), entity("leads"), entity("opportunities")

DEFINITIONS = parse_definitions(
    [
        {"id": 1, "name": "Account", "data_type": "String", "available_on": ["person", "lead"]},
        {"id": 2, "name": "Notes", "data_type": "Text", "available_on": ["person"]},
        {"id": 3, "name": "Industry", "data_type": "Dropdown", "available_on": ["person"],
         "options": [{"id": 31, "name": "Software", "rank": 0},
                     {"id": 32, "name": "Retail", "rank": 1}]},
        {"id": 4, "name": "Tier", "data_type": "Dropdown", "available_on": ["person"],
         "options": [{"id": 41, "name": "Gold", "rank": 0}]},
        {"id": 5, "name": "Products", "data_type": "MultiSelect", "available_on": ["person"],
         "options": [{"id": 51, "name": "A", "rank": 0}, {"id": 52, "name": "B", "rank": 1}]},
        {"id": 6, "name": "Since", "data_type": "Date", "available_on": ["person"]},
        {"id": 7, "name": "Opt-in", "data_type": "Checkbox", "available_on": ["person"]},
        {"id": 8, "name": "Score", "data_type": "Float", "available_on": ["person"]},
        {"id": 9, "name": "Link", "data_type": "URL", "available_on": ["person"]},
        {"id": 10, "name": "Share", "data_type": "Percentage", "available_on": ["person"]},
        {"id": 11, "name": "Revenue", "data_type": "Currency", "available_on": ["person"],
         "currency": "USD"},
        {"id": 12, "name": "Partner", "data_type": "Connect", "available_on": ["person"]},
        {"id": 13, "name": "Code", "data_type": "String", "available_on": ["person"]},
    ]
)  # fmt: skip
PIPELINES = [
    {"id": 100, "name": "Sales", "type": "opportunity", "stages": [{"id": 101}, {"id": 102}]},
    {"id": 200, "name": "Delivery", "type": "project", "stages": [{"id": 201}]},
]
PEOPLE_CTX = BulkContext(PEOPLE, DEFINITIONS)
LEADS_CTX = BulkContext(LEADS, DEFINITIONS)
OPPS_CTX = BulkContext(OPPS, DEFINITIONS, PIPELINES)


def person(rid: int, **values: Any) -> dict[str, Any]:
    """A person as Copper sends it: every key, one custom_fields entry per definition."""
    custom = {d.id: d.empty_value for d in DEFINITIONS if d.applies_to("person")}
    record: dict[str, Any] = {
        "id": rid,
        "name": f"Person {rid}",
        "title": None,
        "details": None,
        "assignee_id": None,
        "address": None,
        "tags": [],
        "emails": [],
        "date_modified": 1_700_000_000 + rid,
    }
    for key, value in values.items():
        if key.startswith("cf_"):
            custom[int(key[3:])] = value
        else:
            record[key] = value
    record["custom_fields"] = [
        {"custom_field_definition_id": i, "value": v} for i, v in custom.items()
    ]
    return record


# --- setting, clearing, conditions -------------------------------------------------------------


def test_set_a_field_reports_before_and_after_and_drops_records_already_matching() -> None:
    records = [person(1, title="Boss"), person(2, title="Dev"), person(3, title="Dev")]
    result = preview(PEOPLE_CTX, records, [SetField("title", Typed("Dev"))])
    assert result.summary() == "1 will change, 2 already match, 0 cannot be changed"
    (change,) = result.changes
    assert change.record_id == 1 and change.name == "Person 1"
    assert change.date_modified == 1_700_000_001
    assert [(c.key, c.label, c.before, c.after) for c in change.changes] == [
        ("title", "Title", "Boss", "Dev")
    ]
    assert result.unchanged == (2, 3)
    assert result.job_rows() == [
        {"id": 1, "name": "Person 1", "date_modified": 1_700_000_001,
         "before": {"title": "Boss"}, "after": {"title": "Dev"}}
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("where", "changed"), [(Where.ALL, [1, 2]), (Where.BLANK, [2]), (Where.NOT_BLANK, [1])]
)
def test_where_limits_the_records_by_the_fields_current_value(
    where: Where, changed: list[int]
) -> None:
    records = [person(1, title="Boss"), person(2, title="  "), person(3, title="CTO")]
    result = preview(PEOPLE_CTX, records, [SetField("title", Typed("CTO"), where)])
    assert [c.record_id for c in result.changes] == changed


def test_clear_a_field_and_refuse_clearing_a_required_one() -> None:
    result = preview(PEOPLE_CTX, [person(1, title="Boss"), person(2)], [clear_field("title")])
    assert [(c.record_id, c.after) for c in result.changes] == [(1, {"title": None})]
    assert result.unchanged == (2,)
    with pytest.raises(BulkEditError) as info:
        preview(PEOPLE_CTX, [person(1)], [clear_field("name")])
    assert info.value.messages == {0: "Name is required and cannot be cleared."}


def test_copy_from_another_field_of_the_same_type_on_each_record() -> None:
    records = [person(1, title="Boss", cf_1="A-1"), person(2, title=None, cf_1="A-2")]
    result = preview(PEOPLE_CTX, records, [SetField("title", CopyFrom("cf_1"))])
    assert [(c.record_id, c.after) for c in result.changes] == [
        (1, {"title": "A-1"}),
        (2, {"title": "A-2"}),
    ]


def test_copying_a_value_the_target_cannot_hold_refuses_that_record_only() -> None:
    # Two dropdowns of the same type: an option of one is not an option of the other.
    records = [person(1, cf_3=31, cf_4=None), person(2, cf_3=None, cf_4=41), person(3, cf_3=41)]
    result = preview(PEOPLE_CTX, records, [SetField("cf_4", CopyFrom("cf_3"))])
    assert [r.record_id for r in result.refused] == [1]
    assert result.refused[0].reason.startswith("Tier:")
    assert [c.record_id for c in result.changes] == [2, 3]
    assert result.changes[0].after == {"cf_4": None}
    assert result.refusal_reasons() == {result.refused[0].reason: 1}


def test_copying_a_blank_value_into_a_required_field_is_refused_per_record() -> None:
    records = [person(1, title="New name"), person(2, title=None)]
    result = preview(PEOPLE_CTX, records, [SetField("name", CopyFrom("title"))])
    assert [c.record_id for c in result.changes] == [1]
    assert [(r.record_id, r.reason) for r in result.refused] == [(2, "Name is required.")]


@pytest.mark.parametrize(
    ("op", "message"),
    [
        (SetField("company_id", Typed(5)), "Company cannot be changed here."),
        (SetField("date_modified", Typed(5)), "Modified cannot be changed here."),
        (SetField("cf_12", Clear()), "Partner cannot be changed here."),
        (SetField("nope", Typed(1)), "People have no field 'nope'."),
        (SetField("title", CopyFrom("cf_8")), "Score is not of the same type as Title."),
        (SetField("cf_3", CopyFrom("cf_5")), "Products is not of the same type as Industry."),
        (SetField("title", CopyFrom("title")), "Copy Title from another field."),
        (SetField("assignee_id", Typed("x")), "Choose an entry from the list."),
        (SetField("cf_3", Typed(99)), "Industry: choose one of Software, Retail."),
        (SetField("cf_1", Typed("x" * 256)), "Account is limited to 255 characters."),
        (SetField("cf_7", Typed("yes")), "Opt-in must be yes or no."),
        (EditTags(TagMode.ADD, ()), "Name at least one tag."),
        (EditTags(TagMode.ADD, (" ",)), "Tags must be non-empty words."),
        (MoveToStage(100, 101), "People have no pipeline stages."),
    ],
)
def test_invalid_operations_are_refused_before_preview(op: Any, message: str) -> None:
    assert check_operations(PEOPLE_CTX, [op]) == {0: message}
    with pytest.raises(BulkEditError):
        preview(PEOPLE_CTX, [person(1)], [op])


def test_an_edit_needs_at_least_one_operation() -> None:
    assert check_operations(PEOPLE_CTX, []) == {-1: "Choose at least one change."}


# --- custom fields of every type ----------------------------------------------------------------

CUSTOM_VALUES = [
    ("cf_1", "ACC-9"),
    ("cf_2", "line one\nline two"),
    ("cf_3", 32),
    ("cf_5", [52, 51]),
    ("cf_6", 1_754_031_600),
    ("cf_7", True),
    ("cf_8", 3.5),
    ("cf_9", "https://example.test/x"),
    ("cf_10", 95),
    ("cf_11", 2.0),
]


@pytest.mark.parametrize(("key", "value"), CUSTOM_VALUES)
def test_set_and_clear_a_custom_field_of_each_type(key: str, value: Any) -> None:
    result = preview(
        PEOPLE_CTX, [person(1), person(2, **{key: value})], [SetField(key, Typed(value))]
    )
    assert [(c.record_id, c.after) for c in result.changes] == [(1, {key: value})]
    cleared = preview(PEOPLE_CTX, [person(1, **{key: value})], [clear_field(key)])
    (change,) = cleared.changes
    assert change.before == {key: value}
    assert change.after == {key: [] if key == "cf_5" else None}
    assert write_body(change.after) == {
        "custom_fields": [{"custom_field_definition_id": int(key[3:]), "value": change.after[key]}]
    }


def test_multi_select_options_compare_as_a_set() -> None:
    result = preview(PEOPLE_CTX, [person(1, cf_5=[51, 52])], [SetField("cf_5", Typed([52, 51]))])
    assert result.unchanged == (1,)


# --- tags, owner, status, stage ------------------------------------------------------------------


def test_tags_add_remove_replace_case_insensitively() -> None:
    records = [person(1, tags=["VIP", "east"]), person(2, tags=[]), person(3, tags=["vip"])]
    added = preview(PEOPLE_CTX, records, [EditTags(TagMode.ADD, ("vip", "new", "New"))])
    assert [(c.record_id, c.after["tags"]) for c in added.changes] == [
        (1, ["VIP", "east", "new"]),
        (2, ["vip", "new"]),
        (3, ["vip", "new"]),
    ]
    removed = preview(PEOPLE_CTX, records, [EditTags(TagMode.REMOVE, ("Vip",))])
    assert [(c.record_id, c.after["tags"]) for c in removed.changes] == [(1, ["east"]), (3, [])]
    assert removed.unchanged == (2,)
    replaced = preview(PEOPLE_CTX, records, [EditTags(TagMode.REPLACE, ("vip",))])
    assert [c.record_id for c in replaced.changes] == [1, 2]
    assert replaced.unchanged == (3,)
    only_blank = preview(PEOPLE_CTX, records, [EditTags(TagMode.ADD, ("x",), Where.BLANK)])
    assert [c.record_id for c in only_blank.changes] == [2]


def test_reassign_owner_and_change_status() -> None:
    result = preview(PEOPLE_CTX, [person(1, assignee_id=7)], [reassign_owner(8)])
    assert result.changes[0].after == {"assignee_id": 8}
    lead = {"id": 5, "name": "L", "status_id": 1, "status": "New", "custom_fields": []}
    op = change_status(LEADS, 2)
    assert op.key == "status_id"
    assert preview(LEADS_CTX, [lead], [op]).changes[0].after == {"status_id": 2}
    opp = {"id": 6, "name": "O", "status": "Open", "pipeline_id": 100, "pipeline_stage_id": 101}
    assert preview(OPPS_CTX, [opp], [change_status(OPPS, "Won")]).changes[0].after == {
        "status": "Won"
    }
    assert check_operations(OPPS_CTX, [change_status(OPPS, "Sold")]) == {
        0: "Status: choose one of Open, Won, Lost, Abandoned."
    }


def test_move_to_a_pipeline_and_stage() -> None:
    opps = [
        {"id": 6, "name": "O", "pipeline_id": 100, "pipeline_stage_id": 101},
        {"id": 7, "name": "P", "pipeline_id": 100, "pipeline_stage_id": 102},
    ]
    result = preview(OPPS_CTX, opps, [MoveToStage(100, 102)])
    assert [(c.record_id, c.before, c.after) for c in result.changes] == [
        (6, {"pipeline_stage_id": 101}, {"pipeline_stage_id": 102})
    ]
    assert result.touched == ("pipeline_id", "pipeline_stage_id")
    assert check_operations(OPPS_CTX, [MoveToStage(100, 201)]) == {
        0: "The stage does not belong to the chosen pipeline."
    }
    assert check_operations(OPPS_CTX, [MoveToStage(200, 201)]) == {
        0: "Choose a pipeline of this record type."
    }


def test_several_operations_apply_in_order() -> None:
    ops = [
        SetField("cf_1", Typed("X")),
        SetField("cf_13", CopyFrom("cf_1")),
        EditTags(TagMode.ADD, ("done",)),
        SetField("title", Typed("CTO"), Where.BLANK),
    ]
    result = preview(PEOPLE_CTX, [person(1, title="Boss")], ops)
    assert result.touched == ("cf_1", "cf_13", "tags", "title")
    assert result.changes[0].after == {"cf_1": "X", "cf_13": "X", "tags": ["done"]}
    assert write_body(result.changes[0].after) == {
        "tags": ["done"],
        "custom_fields": [
            {"custom_field_definition_id": 1, "value": "X"},
            {"custom_field_definition_id": 13, "value": "X"},
        ],
    }


def test_duplicates_and_records_without_id() -> None:
    result = preview(PEOPLE_CTX, [person(1), person(1), {"name": "ghost"}], [reassign_owner(3)])
    assert [c.record_id for c in result.changes] == [1]
    assert [(r.record_id, r.name) for r in result.refused] == [(None, "ghost")]


def test_an_address_is_written_whole() -> None:
    body = write_body({"address": {"city": "Oslo"}, "title": None})
    assert body == {
        "address": {"street": None, "city": "Oslo", "state": None, "postal_code": None,
                    "country": None},
        "title": None,
    }  # fmt: skip


# --- comparing values ----------------------------------------------------------------------------


def test_same_field_value_treats_unset_spellings_alike() -> None:
    assert same_field_value(FieldType.TEXT, None, "")
    assert same_field_value(FieldType.MULTI_ENUM, None, [])
    assert same_field_value(FieldType.ADDRESS, None, {"city": None, "street": ""})
    assert same_field_value(FieldType.TAGS, ["A", "b"], ["B", "a"])
    assert not same_field_value(FieldType.TAGS, ["a"], ["a", "b"])
    assert not same_field_value(FieldType.BOOLEAN, False, None)
    assert not same_field_value(FieldType.NUMBER, 1, True)
    assert same_field_value(FieldType.NUMBER, 100, 100.0)
    assert same_field_value(FieldType.ADDRESS, {"city": "X"}, {"city": "X", "state": None})


# --- CSV -----------------------------------------------------------------------------------------


def test_preview_exports_to_rfc4180_csv() -> None:
    records = [person(1, title='Boss, "the" one'), person(2, title="line\nbreak")]
    result = preview(PEOPLE_CTX, records, [SetField("title", Typed("Dev")), reassign_owner(4)])
    out = io.StringIO(newline="")
    assert result.write_csv(out) == 4
    text = out.getvalue()
    assert text.startswith("record_id,name,field,before,after\r\n")
    assert '"Boss, ""the"" one"' in text and '"line\nbreak"' in text
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[1] == ["1", "Person 1", "Title", 'Boss, "the" one', "Dev"]
    assert rows[2] == ["1", "Person 1", "Owner", "", "4"]
    labels = {"Dev": "Developer"}
    out2 = io.StringIO(newline="")
    result.write_csv(out2, lambda key, v: labels.get(v, str(v)) if v is not None else "-")
    assert list(csv.reader(io.StringIO(out2.getvalue(), newline="")))[1][4] == "Developer"


# --- properties over open-ended input ------------------------------------------------------------

words = st.text(alphabet="abcXYZ -", min_size=0, max_size=6)
tag_lists = st.lists(st.text(alphabet="abAB", min_size=1, max_size=3), max_size=4)
people = st.lists(
    st.builds(
        lambda i, title, tags, owner, score: person(
            i, title=title, tags=tags, assignee_id=owner, cf_8=score
        ),
        st.integers(1, 30),
        st.none() | words,
        tag_lists,
        st.none() | st.integers(1, 4),
        st.none() | st.floats(-1e6, 1e6, allow_nan=False),
    ),
    max_size=12,
)
ops = st.lists(
    st.one_of(
        st.builds(SetField, st.just("title"), st.builds(Typed, words) | st.just(Clear()),
                  st.sampled_from(Where)),
        st.builds(SetField, st.just("assignee_id"), st.builds(Typed, st.integers(1, 4)),
                  st.sampled_from(Where)),
        st.builds(SetField, st.just("cf_8"), st.builds(Typed, st.floats(0, 10)) | st.just(Clear()),
                  st.sampled_from(Where)),
        st.builds(EditTags, st.sampled_from(TagMode),
                  st.lists(st.text(alphabet="abAB", min_size=1, max_size=3), min_size=1,
                           max_size=3).map(tuple),
                  st.sampled_from(Where)),
    ),
    min_size=1,
    max_size=4,
)  # fmt: skip


def first_of_each(records: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    """The preview keeps the first of records selected twice."""
    found: dict[int, dict[str, Any]] = {}
    for r in records:
        found.setdefault(r["id"], r)
    return found


def _apply_after(record: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    from copper_desktop.domain.custom_fields import set_field_value

    for key, value in after.items():
        record = set_field_value(record, key, value)
    return record


@settings(max_examples=200, deadline=None)
@given(people, ops)
def test_preview_accounts_for_every_record(
    records: list[dict[str, Any]], operations: list[Any]
) -> None:
    result = preview(PEOPLE_CTX, records, operations)
    # Every selected record is counted once, in exactly one bucket.
    assert result.will_change + result.already_match + result.cannot_change == len(
        {r["id"] for r in records}
    )
    by_id = first_of_each(records)
    for rec in result.changes:
        for change in rec.changes:
            now = get_field_value(by_id[rec.record_id], change.key)
            assert same_field_value(result.types[change.key], change.before, now)
            assert not same_field_value(result.types[change.key], change.before, change.after)
    assert {r.record_id for r in result.refused} <= by_id.keys()


@settings(max_examples=300, deadline=None)
@given(people, ops.map(lambda o: o[:1]))
def test_one_operation_is_idempotent(records: list[dict[str, Any]], operations: list[Any]) -> None:
    """Writing the after-values and previewing again finds nothing left to change."""
    result = preview(PEOPLE_CTX, records, operations)
    by_id = first_of_each(records)
    written = [_apply_after(by_id[c.record_id], c.after) for c in result.changes]
    again = preview(PEOPLE_CTX, written, operations)
    assert again.will_change == 0
    assert again.already_match == len(written)


@settings(max_examples=200, deadline=None)
@given(people, words, st.sampled_from([Where.BLANK, Where.NOT_BLANK]))
def test_conditions_never_touch_the_other_records(
    records: list[dict[str, Any]], title: str, where: Where
) -> None:
    result = preview(PEOPLE_CTX, records, [SetField("title", Typed(title), where)])
    for rec in result.changes:
        assert is_blank_value(rec.before["title"]) == (where is Where.BLANK)


@settings(max_examples=200, deadline=None)
@given(people, st.lists(st.text(alphabet="abAB", min_size=1, max_size=3), min_size=1, max_size=3))
def test_added_tags_are_present_once(records: list[dict[str, Any]], tags: list[str]) -> None:
    result = preview(PEOPLE_CTX, records, [EditTags(TagMode.ADD, tuple(tags))])
    wanted = {t.casefold() for t in tags}
    for rec in result.changes:
        before, after = rec.before["tags"], rec.after["tags"]
        assert after[: len(before)] == before  # existing tags kept, in order
        added = [t.casefold() for t in after[len(before) :]]
        assert len(added) == len(set(added))
        assert set(added) == wanted - {t.casefold() for t in before}


json_values = st.none() | st.booleans() | st.integers() | st.text(max_size=5)


@given(
    st.one_of(
        st.builds(SetField, st.text(min_size=1, max_size=5),
                  st.builds(Typed, json_values) | st.builds(CopyFrom, st.text(min_size=1))
                  | st.just(Clear()), st.sampled_from(Where)),
        st.builds(EditTags, st.sampled_from(TagMode), st.lists(st.text()).map(tuple),
                  st.sampled_from(Where)),
        st.builds(MoveToStage, st.integers(1, 10**12), st.integers(1, 10**12)),
    )
)  # fmt: skip
def test_operations_round_trip_through_json(op: Any) -> None:
    assert operation_from_json(operation_to_json(op)) == op


def test_bad_operation_json_is_a_value_error() -> None:
    for bad in ({"op": "nope"}, {"op": "tags", "mode": "x", "tags": []}, {"op": "stage"}):
        with pytest.raises(ValueError):
            operation_from_json(bad)


def test_the_dialog_is_offered_settable_fields_and_same_type_sources() -> None:
    settable = {f.key for f in PEOPLE_CTX.settable_fields()}
    assert {"title", "assignee_id", "tags", "cf_1", "cf_5", "cf_7"} <= settable
    assert not {"id", "company_id", "date_modified", "custom_fields", "cf_12"} & settable
    assert {f.key for f in PEOPLE_CTX.copy_sources("cf_3")} == {"cf_4"}
    sources = {f.key for f in PEOPLE_CTX.copy_sources("title")}
    assert {"name", "cf_1", "cf_13", "company_name"} <= sources and "title" not in sources
    assert PEOPLE_CTX.copy_sources("nope") == []
    for key in settable:
        for source in PEOPLE_CTX.copy_sources(key):
            assert check_operations(PEOPLE_CTX, [SetField(key, CopyFrom(source.key))]) == {}


def test_multi_select_duplicates_are_not_a_set_match() -> None:
    assert not same_field_value(FieldType.MULTI_ENUM, [51, 51], [51, 52])
    assert same_field_value(FieldType.MULTI_ENUM, [51, 52.0], [52, 51])
    assert not same_field_value(FieldType.MULTI_ENUM, [True], [1])
