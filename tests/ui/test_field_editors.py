"""Field editors driven like a user would: typing, picking and clicking on real widgets, with
lookups and record searches from the live sandbox; values checked in Copper's JSON form."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from copper_desktop.api.errors import ServerError
from copper_desktop.domain.catalog import (
    Editability,
    FieldSpec,
    FieldType,
    LookupKind,
    entity,
)
from copper_desktop.domain.custom_fields import DataType, entity_fields, get_field_value
from copper_desktop.domain.formats import date_to_unix, datetime_to_unix
from copper_desktop.models.lookups import Lookups
from copper_desktop.session import Session
from copper_desktop.ui.common.style import changed_color
from copper_desktop.ui.fields.editor_base import CHANGED_TIP, NONE_LABEL
from copper_desktop.ui.fields.field_editors import (
    BooleanEditor,
    ChoiceEditor,
    DateEditor,
    FieldEditor,
    MultiChoiceEditor,
    MultilineEditor,
    NumberEditor,
    ReadOnlyEditor,
    StageEditor,
    TagsEditor,
    TextEditor,
    make_editor,
)
from copper_desktop.ui.fields.list_editors import (
    AddressEditor,
    CategorizedListEditor,
    SingleEmailEditor,
    StringMapEditor,
)
from copper_desktop.ui.fields.record_picker import RecordRefEditor, ResourceEditor
from tests.helpers.editor import (
    POPUPS,
    Edits,
    MakeEditor,
    Run,
    custom_field,
    editor_factory,
    load_lookups,
    retype,
)
from tests.helpers.sandbox import SandboxControl

ENTITY_KEYS = ("people", "companies", "leads", "opportunities", "tasks", "projects", "activities")


@pytest.fixture
def lookups(session: Session, run: Run) -> Lookups:
    return load_lookups(session, run)


@pytest.fixture
def make(qtbot: QtBot, lookups: Lookups, session: Session, run: Run) -> Iterator[MakeEditor]:
    yield from editor_factory(qtbot, lookups, session, run)


def all_fields(lookups: Lookups, key: str) -> list[FieldSpec]:
    spec = entity(key)
    return [
        f for f in entity_fields(spec, lookups.definitions) if f.type is not FieldType.CUSTOM_FIELDS
    ]


def searches(control: SandboxControl, path: str) -> list[dict[str, Any]]:
    return [
        r["body"]
        for r in control.requests(limit=1000)
        if r["method"] == "POST" and r["path"].endswith(path)
    ]


def focus(qtbot: QtBot, widget: QWidget) -> None:
    window = widget.window()
    window.activateWindow()
    qtbot.waitActive(window)
    widget.setFocus()
    qtbot.waitUntil(widget.hasFocus)


# --- every field type, every entity ---------------------------------------------------------------


@pytest.mark.parametrize("key", ENTITY_KEYS)
def test_sandbox_records_round_trip_without_edits(
    qtbot: QtBot, make: MakeEditor, lookups: Lookups, session: Session, run: Run, key: str
) -> None:
    """set_value(record[key]) then value() gives the record's value back, for every field of
    25 real records (custom fields included), and set_value never emits value_edited."""
    spec = entity(key)
    records = run(session.client.search(spec.path, {}, page_size=25)).records
    fields = all_fields(lookups, key)
    editors = {f.key: make(f, show=False) for f in fields}
    edits = {k: Edits(e) for k, e in editors.items()}
    filled: set[str] = set()
    for record in records:
        for field in fields:
            value = get_field_value(record, field.key)
            editor = editors[field.key]
            editor.set_value(value)
            assert editor.value() == value, (record["id"], field.key)
            assert type(editor.value()) is type(value), (record["id"], field.key)
            assert editor.input_error() is None
            if value not in (None, [], "", {}):
                filled.add(field.key)
    assert {k: e.count for k, e in edits.items() if e.count} == {}
    customs = {f.key for f in fields if f.is_custom and f.type is not FieldType.CONNECT}
    assert customs <= filled, customs - filled  # every custom field was exercised
    assert bool(customs) is (key != "activities")
    qtbot.waitUntil(lambda: not any(e.is_busy() for e in editors.values()), timeout=20_000)
    last = records[-1]
    for field in fields:  # names of referenced records were resolved in the background
        editor = editors[field.key]
        if isinstance(editor, RecordRefEditor) and last.get(field.key) is not None:
            assert editor.picker.edit.text() != f"#{last[field.key]}", field.key


@pytest.mark.parametrize("key", ENTITY_KEYS)
def test_every_editor_is_named_for_tests_and_screen_readers(
    make: MakeEditor, lookups: Lookups, key: str
) -> None:
    interactive = (QLineEdit, QPlainTextEdit, QComboBox, QAbstractButton, QAbstractItemView)
    for field in all_fields(lookups, key):
        editor = make(field, show=False)
        assert editor.objectName() == f"field_{field.key}"
        assert editor.accessibleName() == field.label
        for child in editor.findChildren(QWidget):
            if isinstance(child, interactive) and child.focusPolicy() != Qt.FocusPolicy.NoFocus:
                assert child.objectName(), (field.key, type(child).__name__)
                assert child.accessibleName(), (field.key, child.objectName())


def test_editor_classes_per_type(make: MakeEditor, lookups: Lookups) -> None:
    opportunity, person = entity("opportunities"), entity("people")
    expected: list[tuple[FieldSpec, type[FieldEditor]]] = [
        (opportunity.field("name"), TextEditor),
        (opportunity.field("details"), MultilineEditor),
        (person.field("emails"), CategorizedListEditor),
        (entity("leads").field("email"), SingleEmailEditor),
        (person.field("address"), AddressEditor),
        (person.field("tags"), TagsEditor),
        (opportunity.field("assignee_id"), ChoiceEditor),
        (opportunity.field("pipeline_stage_id"), StageEditor),
        (opportunity.field("company_id"), RecordRefEditor),
        (opportunity.field("status"), ChoiceEditor),
        (opportunity.field("close_date"), DateEditor),
        (opportunity.field("monetary_value"), NumberEditor),
        (entity("tasks").field("related_resource"), ResourceEditor),
        (entity("activities").field("parent"), ResourceEditor),
        (entity("activities").field("type"), ChoiceEditor),
        (entity("webhooks").field("headers"), StringMapEditor),
        (entity("webhooks").field("custom_field_computed_values"), BooleanEditor),
        (person.field("id"), ReadOnlyEditor),
        (custom_field(lookups, DataType.MULTI_SELECT, "person"), MultiChoiceEditor),
        (custom_field(lookups, DataType.CONNECT, "company"), ReadOnlyEditor),
    ]
    for field, cls in expected:
        assert type(make(field, show=False)) is cls, field.key


# --- text ---------------------------------------------------------------------------------------


def test_text_is_trimmed_and_blank_is_null(make: MakeEditor) -> None:
    editor = make(entity("people").field("title"))
    edits = Edits(editor)
    editor.set_value("CFO")
    assert isinstance(editor, TextEditor)
    retype(editor.edit, "  Head of Sales  ")
    assert editor.value() == "Head of Sales"
    assert edits.count > 0
    retype(editor.edit, "")
    assert editor.value() is None


def test_custom_string_longer_than_255_is_an_input_error(
    make: MakeEditor, lookups: Lookups
) -> None:
    editor = make(custom_field(lookups, DataType.STRING, "person"))
    assert isinstance(editor, TextEditor)
    editor.set_value("ACCT-1")
    retype(editor.edit, "x" * 256)
    assert editor.input_error() == "Account Number is limited to 255 characters (now 256)."
    assert editor.value() == "x" * 255  # the last valid value: one keystroke earlier
    assert editor.shown_error() == editor.input_error()  # shown once editing finished
    retype(editor.edit, "ACCT-2")
    assert editor.input_error() is None and editor.shown_error() is None
    assert editor.value() == "ACCT-2"


def test_multiline_details_keep_their_lines(make: MakeEditor) -> None:
    editor = make(entity("companies").field("details"))
    assert isinstance(editor, MultilineEditor)
    edits = Edits(editor)
    QTest.keyClicks(editor.edit, "First line")
    QTest.keyClick(editor.edit, Qt.Key.Key_Return)
    QTest.keyClicks(editor.edit, "second line")
    assert editor.value() == "First line\nsecond line"
    assert edits.count == len("First line") + 1 + len("second line")


# --- numbers ------------------------------------------------------------------------------------


def test_number_editors_read_and_reject(make: MakeEditor, lookups: Lookups) -> None:
    number = make(custom_field(lookups, DataType.FLOAT, "person"))
    assert isinstance(number, NumberEditor)
    retype(number.edit, "1,234.5")
    assert number.value() == 1234.5
    retype(number.edit, "abc")
    assert number.input_error() == "“abc” is not a number (for example 1,234.50)."
    assert number.value() == 1234.5  # the last valid value ("a" replaced the selection)
    retype(number.edit, "12")
    assert number.value() == 12 and isinstance(number.value(), int)

    count = make(FieldSpec("seats", "Seats", FieldType.INTEGER))
    assert isinstance(count, NumberEditor)
    retype(count.edit, "2.5")
    assert count.input_error() == "“2.5” is not a whole number."
    retype(count.edit, "3")
    assert count.value() == 3 and count.input_error() is None


def test_money_shows_its_currency_and_reads_amounts(make: MakeEditor, lookups: Lookups) -> None:
    editor = make(entity("opportunities").field("monetary_value"))
    assert isinstance(editor, NumberEditor)
    editor.set_value(242500.0)
    editor.set_currency("EUR")
    assert editor.edit.text() == "242,500"
    assert editor.unit.text() == "EUR"
    retype(editor.edit, "$1,200.50 USD")
    assert editor.value() == 1200.5
    retype(editor.edit, "-5")
    assert editor.input_error() == "Value must be at least 0."
    assert editor.value() == 1200.5
    budget = make(custom_field(lookups, DataType.CURRENCY, "project"))
    assert isinstance(budget, NumberEditor)
    assert budget.unit.text() == "EUR"  # the definition's fixed currency


def test_win_probability_is_0_to_100(make: MakeEditor) -> None:
    editor = make(entity("opportunities").field("win_probability"))
    assert isinstance(editor, NumberEditor)
    assert editor.unit.text() == "%"
    retype(editor.edit, "95%")
    assert editor.value() == 95
    retype(editor.edit, "150")
    assert editor.input_error() == "Win probability must be at most 100."
    assert editor.value() == 15  # the last valid value: one keystroke earlier
    retype(editor.edit, "ninety")
    assert editor.input_error() == "“ninety” is not a percentage (for example 1,234.50)."


@POPUPS
def test_currency_code_is_three_letters_upper_case(make: MakeEditor) -> None:
    editor = make(entity("opportunities").field("monetary_unit"))
    assert isinstance(editor, NumberEditor)
    retype(editor.edit, "eur")
    assert editor.value() == "EUR"
    retype(editor.edit, "EURO")
    assert editor.input_error() == "“EURO” is not a currency code; use three letters such as USD."
    assert editor.value() == "EUR"


# --- dates --------------------------------------------------------------------------------------


def test_custom_date_is_unix_seconds_of_local_midnight(make: MakeEditor, lookups: Lookups) -> None:
    editor = make(custom_field(lookups, DataType.DATE, "company"))
    assert isinstance(editor, DateEditor)
    retype(editor.edit, "2026-03-01")
    assert editor.value() == date_to_unix(date(2026, 3, 1))
    retype(editor.edit, "3/15/2026")
    assert editor.value() == date_to_unix(date(2026, 3, 15))
    retype(editor.edit, "2/30/2026")
    assert editor.input_error() == "“2/30/2026” is not a valid date."
    assert editor.value() == date_to_unix(date(2026, 3, 15))
    retype(editor.edit, "next week")
    assert editor.input_error() == "“next week” is not a date (use YYYY-MM-DD)."
    retype(editor.edit, "2040-01-01")
    assert editor.input_error() == "Dates must fall between 1901 and 2038."
    retype(editor.edit, "")
    assert editor.value() is None and editor.input_error() is None  # "no date"


def test_datetime_reads_local_time(make: MakeEditor) -> None:
    editor = make(entity("tasks").field("due_date"))
    assert isinstance(editor, DateEditor)
    editor.set_value(1793404927)  # seconds past the minute are kept while untouched
    assert editor.value() == 1793404927
    retype(editor.edit, "2026-03-01 14:30")
    assert editor.value() == datetime_to_unix(datetime(2026, 3, 1, 14, 30))
    retype(editor.edit, "2026-03-01 25:00")
    assert editor.input_error() == (
        "“2026-03-01 25:00” has no such time of day (use HH:MM, 00:00–23:59)."
    )
    retype(editor.edit, "2026-03-02")
    assert editor.value() == datetime_to_unix(datetime(2026, 3, 2))


@POPUPS
def test_calendar_pick_sets_the_day(qtbot: QtBot, make: MakeEditor) -> None:
    editor = make(entity("tasks").field("due_date"))
    assert isinstance(editor, DateEditor)
    edits = Edits(editor)
    editor.set_value(datetime_to_unix(datetime(2026, 3, 1, 9, 45)))
    calendar = editor.open_calendar()
    assert calendar.selectedDate() == QDate(2026, 3, 1)
    view = calendar.findChild(QAbstractItemView)
    assert view is not None
    QTest.keyClick(view, Qt.Key.Key_Right)  # the next day
    QTest.keyClick(view, Qt.Key.Key_Return)
    assert not calendar.isVisible()
    assert editor.edit.text() == "2026-03-02 09:45"  # the time of day is kept
    assert editor.value() == datetime_to_unix(datetime(2026, 3, 2, 9, 45))
    assert edits.count == 1


def test_close_date_keeps_the_accounts_order(make: MakeEditor) -> None:
    editor = make(entity("opportunities").field("close_date"))
    assert isinstance(editor, DateEditor)
    editor.set_value("8/12/2023")
    retype(editor.edit, "12/31/2026")
    assert editor.value() == "12/31/2026"
    retype(editor.edit, "03/04/2026")  # zero padding accepted, Copper's form written
    assert editor.value() == "3/4/2026"
    retype(editor.edit, "2/30/2026")
    assert editor.input_error() == "“2/30/2026” is not a valid date."
    assert editor.value() == "3/4/2026"
    retype(editor.edit, "")
    assert editor.value() is None

    day_first = make(entity("opportunities").field("close_date"))
    assert isinstance(day_first, DateEditor)
    day_first.set_value("23/1/2017")  # only readable as D/M/YYYY: the account's order
    assert day_first.edit.placeholderText() == "D/M/YYYY"
    retype(day_first.edit, "5/2/2018")
    assert day_first.value() == "5/2/2018"
    assert day_first.date_value() == date(2018, 2, 5)


# --- check boxes and pick lists -------------------------------------------------------------------


def test_checkbox_by_click_and_space(make: MakeEditor, lookups: Lookups) -> None:
    editor = make(custom_field(lookups, DataType.CHECKBOX, "person"))
    assert isinstance(editor, BooleanEditor)
    edits = Edits(editor)
    editor.set_value(None)
    assert editor.value() is None
    QTest.mouseClick(editor.box, Qt.MouseButton.LeftButton)
    assert editor.value() is True
    QTest.keyClick(editor.box, Qt.Key.Key_Space)
    assert editor.value() is None  # unchecked again: back to the record's null, no change
    assert edits.count == 2
    editor.set_value(True)
    QTest.keyClick(editor.box, Qt.Key.Key_Space)
    assert editor.value() is False


def test_owner_offers_none_and_users_by_name(make: MakeEditor, lookups: Lookups) -> None:
    editor = make(entity("people").field("assignee_id"))
    assert isinstance(editor, ChoiceEditor)
    users = lookups.choices(LookupKind.USERS)
    assert editor.choices() == [(None, NONE_LABEL), *users]
    editor.set_value(users[0][0])
    edits = Edits(editor)
    QTest.keyClick(editor.combo, Qt.Key.Key_Down)
    assert editor.value() == users[1][0]
    QTest.keyClick(editor.combo, Qt.Key.Key_Home)
    assert editor.value() is None
    assert edits.count == 2


def test_unknown_reference_is_kept_not_lost(make: MakeEditor) -> None:
    editor = make(entity("people").field("contact_type_id"))
    assert isinstance(editor, ChoiceEditor)
    editor.set_value(999_999_999_999)  # a 64-bit id the account no longer lists
    assert editor.combo.currentText() == "#999999999999"
    assert editor.value() == 999_999_999_999


def test_status_enum_has_no_none_and_custom_dropdown_has(
    make: MakeEditor, lookups: Lookups
) -> None:
    status = make(entity("opportunities").field("status"))
    assert isinstance(status, ChoiceEditor)
    status.set_value("Open")
    assert [v for v, _ in status.choices()] == ["Open", "Won", "Lost", "Abandoned"]
    QTest.keyClicks(status.combo, "W")  # keyboard search, as a user picks in a closed list
    assert status.value() == "Won"

    industry = make(custom_field(lookups, DataType.DROPDOWN, "company"))
    assert isinstance(industry, ChoiceEditor)
    values = [v for v, _ in industry.choices()]
    assert values[0] is None
    options = [c.value for c in industry.field.choices]
    assert values[1:] == options  # rank order
    industry.select(options[2])
    assert industry.value() == options[2]


def test_activity_type_is_an_id_and_category(make: MakeEditor, lookups: Lookups) -> None:
    editor = make(entity("activities").field("type"))
    assert isinstance(editor, ChoiceEditor)
    labels = [label for _, label in editor.choices()]
    assert "Note" in labels and "Property Changed" not in labels  # user types only
    meeting = next(v for v, label in editor.choices() if label == "Meeting")
    editor.select(meeting)
    assert editor.value() == {"id": meeting["id"], "category": "user"}
    editor.set_value({"id": 1, "category": "system"})  # an activity Copper logged
    assert editor.combo.currentText() == "Property Changed (system)"
    assert editor.value() == {"id": 1, "category": "system"}


def test_stage_editor_offers_its_pipelines_stages(make: MakeEditor, lookups: Lookups) -> None:
    editor = make(entity("opportunities").field("pipeline_stage_id"))
    assert isinstance(editor, StageEditor)
    first, second = (p for p, _ in lookups.choices(LookupKind.PIPELINES)[:2])
    editor.set_value(lookups.stages(second)[1][0])
    assert editor.choices()[1:] == lookups.stages(second)  # known from the stage itself
    edits = Edits(editor)
    assert editor.set_pipeline(first, pick_first=True) == lookups.stages(first)[0][0]
    assert editor.choices()[1:] == lookups.stages(first)
    assert edits.count == 1


def test_multi_select_checks_option_ids(make: MakeEditor, lookups: Lookups) -> None:
    editor = make(custom_field(lookups, DataType.MULTI_SELECT, "person"))
    assert isinstance(editor, MultiChoiceEditor)
    options = [c.value for c in editor.field.choices]
    editor.set_value([options[3], options[1]])
    assert editor.value() == [options[3], options[1]]
    edits = Edits(editor)
    editor.list.setCurrentRow(0)
    QTest.keyClick(editor.list, Qt.Key.Key_Space)
    assert editor.value() == [options[3], options[1], options[0]]  # appended, order kept
    editor.list.setCurrentRow(3)
    QTest.keyClick(editor.list, Qt.Key.Key_Space)
    assert editor.value() == [options[1], options[0]]
    assert edits.count == 2


# --- tags -----------------------------------------------------------------------------------------


def test_tags_are_a_list_in_typed_order(make: MakeEditor) -> None:
    editor = make(entity("people").field("tags"))
    assert isinstance(editor, TagsEditor)
    editor.set_value(["Influencer", "Upsell"])
    assert editor.edit.text() == "Influencer, Upsell"
    retype(editor.edit, "Hot,  new tag , Hot,,")
    assert editor.value() == ["Hot", "new tag"]
    retype(editor.edit, "")
    assert editor.value() == []


@POPUPS
def test_tags_complete_the_last_token_case_insensitively(
    qtbot: QtBot, make: MakeEditor, lookups: Lookups
) -> None:
    editor = make(entity("people").field("tags"))
    assert isinstance(editor, TagsEditor)
    tag = next(t for t in lookups.tags if " " in t)  # e.g. "Beta Tester"
    focus(qtbot, editor.edit)
    QTest.keyClicks(editor.edit, "Hot, " + tag.split()[1][:4].lower())
    assert editor.completer.completionPrefix() == tag.split()[1][:4].lower()
    qtbot.waitUntil(editor.popup.isVisible)
    model = editor.completer.completionModel()
    rows = [model.index(r, 0).data() for r in range(model.rowCount())]
    assert tag in rows
    editor.popup.setCurrentIndex(model.index(rows.index(tag), 0))
    QTest.keyClick(editor.popup, Qt.Key.Key_Return)
    assert editor.edit.text() == f"Hot, {tag}, "
    assert editor.value() == ["Hot", tag]


# --- lists, e-mail, address, maps -----------------------------------------------------------------


def test_email_rows_add_check_and_remove(qtbot: QtBot, make: MakeEditor) -> None:
    editor = make(entity("people").field("emails"))
    assert isinstance(editor, CategorizedListEditor)
    original = [{"email": "ann@example.com", "category": "work"}]
    editor.set_value(original)
    edits = Edits(editor)
    QTest.mouseClick(editor.add_button, Qt.MouseButton.LeftButton)
    assert len(editor.rows) == 2 and editor.value() == original  # a blank row is no entry
    row = editor.rows[1]
    assert row.value.objectName() == "field_emailsValue2"
    retype(row.value, "bob@")
    assert editor.input_error() == "“bob@” is not an e-mail address."
    assert editor.value() == original
    assert editor.shown_error() == "“bob@” is not an e-mail address."
    retype(row.value, "bob@example.com")
    assert row.category is not None
    row.category.setFocus()
    QTest.keyClicks(row.category, "p")  # personal
    assert editor.value() == [*original, {"email": "bob@example.com", "category": "personal"}]
    assert editor.input_error() is None and editor.shown_error() is None
    QTest.mouseClick(editor.rows[0].remove, Qt.MouseButton.LeftButton)
    assert editor.value() == [{"email": "bob@example.com", "category": "personal"}]
    assert editor.rows[0].value.objectName() == "field_emailsValue1"
    assert edits.count > 0


def test_phone_social_and_website_categories(make: MakeEditor) -> None:
    phones = make(entity("people").field("phone_numbers"))
    assert isinstance(phones, CategorizedListEditor)
    phones.set_value([])
    QTest.mouseClick(phones.add_button, Qt.MouseButton.LeftButton)
    retype(phones.rows[0].value, "+1 555 0100")
    assert phones.value() == [{"number": "+1 555 0100", "category": "mobile"}]
    category = phones.rows[0].category
    assert category is not None
    assert [category.itemText(i) for i in range(category.count())] == [
        "mobile", "work", "home", "other",
    ]  # fmt: skip

    websites = make(entity("companies").field("websites"))
    assert isinstance(websites, CategorizedListEditor)
    null_category = [{"url": "https://a.example", "category": None}]
    websites.set_value(null_category)  # live accounts send a null category
    assert websites.value() == null_category
    site_category = websites.rows[0].category
    assert site_category is not None and site_category.currentText() == NONE_LABEL
    QTest.keyClicks(site_category, "w")
    assert websites.value() == [{"url": "https://a.example", "category": "work"}]

    socials = make(entity("people").field("socials"))
    assert isinstance(socials, CategorizedListEditor)
    socials.set_value([{"url": "https://x.example/ann", "category": "twitter", "extra": 1}])
    retype(socials.rows[0].value, "https://x.example/ann2")
    assert socials.value() == [
        {"url": "https://x.example/ann2", "category": "twitter", "extra": 1}
    ]  # keys the editor does not show are kept


def test_lead_email_is_one_object_or_null(make: MakeEditor) -> None:
    editor = make(entity("leads").field("email"))
    assert isinstance(editor, SingleEmailEditor)
    editor.set_value(None)
    retype(editor.edit, "lead@example.com")
    assert editor.value() == {"email": "lead@example.com", "category": "work"}
    retype(editor.edit, "lead@")
    assert editor.input_error() == "“lead@” is not an e-mail address."
    retype(editor.edit, "")
    assert editor.value() is None


def test_address_is_sent_whole_and_blank_is_null(make: MakeEditor) -> None:
    editor = make(entity("companies").field("address"))
    assert isinstance(editor, AddressEditor)
    editor.set_value(None)
    retype(editor.edits["city"], "Denver")
    assert editor.value() == {
        "street": None, "city": "Denver", "state": None, "postal_code": None, "country": None,
    }  # fmt: skip
    retype(editor.edits["city"], "")
    assert editor.value() is None
    full = {"street": "1 Main St", "city": "Denver", "state": "CO", "postal_code": "80213",
            "country": "US"}  # fmt: skip
    editor.set_value(full)
    retype(editor.edits["postal_code"], "80214")
    assert editor.value() == {**full, "postal_code": "80214"}


def test_string_map_rows(make: MakeEditor) -> None:
    editor = make(entity("webhooks").field("headers"))
    assert isinstance(editor, StringMapEditor)
    editor.set_value({"X-Token": "abc"})
    QTest.mouseClick(editor.add_button, Qt.MouseButton.LeftButton)
    name_edit, value_edit, _, _ = editor.rows[1]
    retype(value_edit, "v")
    assert editor.input_error() == "Give the value “v” a name."
    retype(name_edit, "X-Token")
    assert editor.input_error() == "“X-Token” is listed twice."
    retype(name_edit, "X-Other")
    assert editor.value() == {"X-Token": "abc", "X-Other": "v"}


# --- read-only, errors, changed mark ------------------------------------------------------------


def test_display_only_fields(make: MakeEditor, lookups: Lookups) -> None:
    connect = make(custom_field(lookups, DataType.CONNECT, "company"))
    assert isinstance(connect, ReadOnlyEditor)
    connect.set_read_only(False)  # Connect links are managed elsewhere: still read-only
    assert connect.is_read_only() and connect.edit.isReadOnly()
    connect.set_value([{"id": 1}, {"id": 2}])
    assert connect.edit.text() == "2 linked records (managed in Copper)"
    assert connect.value() == [{"id": 1}, {"id": 2}]
    json_field = make(entity("people").field("leads_converted_from"))
    json_field.set_value([{"lead_id": 5}])
    assert isinstance(json_field, ReadOnlyEditor)
    assert json_field.edit.text() == '[{"lead_id": 5}]'


def test_read_only_fields_start_read_only(make: MakeEditor) -> None:
    field = entity("people").field("company_name")
    assert field.editability is Editability.READ_ONLY
    editor = make(field)
    assert isinstance(editor, TextEditor)
    assert editor.is_read_only() and editor.edit.isReadOnly()
    emails = make(entity("people").field("emails"))
    assert isinstance(emails, CategorizedListEditor)
    emails.set_value([{"email": "a@b.example", "category": "work"}])
    emails.set_read_only(True)
    assert not emails.add_button.isVisible() and emails.rows[0].value.isReadOnly()
    assert not emails.rows[0].remove.isVisible()
    emails.set_read_only(False)
    assert emails.add_button.isVisible() and not emails.rows[0].value.isReadOnly()


def test_set_error_and_changed_mark(make: MakeEditor) -> None:
    editor = make(entity("people").field("name"))
    assert isinstance(editor, TextEditor)
    editor.set_error("Name: can't be blank")
    assert editor.error_label.isVisible()
    assert editor.error_label.text() == "Name: can't be blank"
    assert "Name: can't be blank" in editor.edit.accessibleDescription()
    editor.set_changed(True)
    assert editor.is_changed() and editor.toolTip() == CHANGED_TIP
    assert changed_color(editor.palette()).name() in editor.changed_bar.styleSheet()
    assert CHANGED_TIP in editor.edit.accessibleDescription()
    editor.set_error(None)
    editor.set_changed(False)
    assert not editor.error_label.isVisible() and editor.toolTip() == ""
    assert editor.edit.accessibleDescription() == ""


def test_focus_editor(qtbot: QtBot, make: MakeEditor) -> None:
    editor = make(entity("people").field("address"))
    editor.window().activateWindow()
    qtbot.waitActive(editor.window())
    editor.focus_editor()
    assert isinstance(editor, AddressEditor)
    qtbot.waitUntil(editor.edits["street"].hasFocus)


# --- record pickers on the sandbox --------------------------------------------------------------


@pytest.fixture
def company(session: Session, run: Run) -> Any:
    record = run(session.client.create("companies", {"name": f"Pickerton {uuid.uuid4().hex[:8]}"}))
    yield record
    run(session.client.delete("companies", record["id"]))


@POPUPS
def test_company_picker_searches_the_sandbox(
    qtbot: QtBot, make: MakeEditor, control: SandboxControl, company: Any
) -> None:
    editor = make(entity("opportunities").field("company_id"))
    assert isinstance(editor, RecordRefEditor)
    picker = editor.picker
    edits = Edits(editor)
    focus(qtbot, picker.edit)
    typed = company["name"][:-3]
    with qtbot.waitSignal(picker.results_ready):
        QTest.keyClicks(picker.edit, typed)
    bodies = [  # the picker's searches, not the client's look before creating `company`
        b
        for b in searches(control, "/companies/search")
        if "name" in b and "minimum_created_date" not in b
    ]
    assert bodies == [
        {"name": typed, "page_number": 1, "page_size": 20, "sort_by": "name"}
    ]  # one search for the whole word: typing is debounced
    assert editor.input_error() == f"Pick a company from the list for “{typed}”, or clear the box."
    assert editor.value() is None
    assert company["name"] in picker.result_names()
    qtbot.waitUntil(picker.popup.isVisible)
    row = picker.result_names().index(company["name"])
    picker.popup.setCurrentIndex(picker.completer.completionModel().index(row, 0))
    QTest.keyClick(picker.popup, Qt.Key.Key_Return)
    assert editor.value() == company["id"]
    assert picker.edit.text() == company["name"]
    assert editor.input_error() is None
    assert edits.count == len(typed) + 1
    assert editor.picker.lookups.name(LookupKind.COMPANIES, company["id"]) == company["name"]

    clear = picker.edit.findChild(QAbstractButton)
    assert clear is not None and clear.objectName() == "field_company_idPickerEditClear"
    QTest.mouseClick(clear, Qt.MouseButton.LeftButton)
    assert editor.value() is None and editor.input_error() is None


def test_picker_shows_the_name_of_a_set_id(qtbot: QtBot, make: MakeEditor, company: Any) -> None:
    editor = make(entity("companies").field("primary_contact_id"))
    assert isinstance(editor, RecordRefEditor)
    company_editor = make(entity("opportunities").field("company_id"))
    assert isinstance(company_editor, RecordRefEditor)
    company_editor.set_value(company["id"])
    assert company_editor.picker.edit.text() == f"#{company['id']}"  # until the name arrives
    qtbot.waitUntil(lambda: company_editor.picker.edit.text() == company["name"])
    assert company_editor.value() == company["id"]
    assert company_editor.input_error() is None


@POPUPS
def test_typed_text_not_picked_keeps_the_last_value(
    qtbot: QtBot, make: MakeEditor, company: Any
) -> None:
    editor = make(entity("opportunities").field("company_id"))
    assert isinstance(editor, RecordRefEditor)
    editor.set_value(company["id"])
    qtbot.waitUntil(lambda: editor.picker.edit.text() == company["name"])
    retype(editor.picker.edit, "Nobody Inc")
    assert editor.value() == company["id"]
    assert editor.input_error() == (
        "Pick a company from the list for “Nobody Inc”, or clear the box."
    )
    assert editor.shown_error() == editor.input_error()
    with qtbot.waitSignal(editor.picker.results_ready):
        editor.picker.search_now()
    assert editor.picker.result_names() == []  # "No company matches" is no result


@POPUPS
def test_tasks_are_picked_by_id(
    qtbot: QtBot, make: MakeEditor, session: Session, run: Run, control: SandboxControl
) -> None:
    task = run(session.client.search("tasks", {}, page_size=1)).records[0]
    editor = make(FieldSpec("task_id", "Task", FieldType.REF, lookup=LookupKind.TASKS))
    assert isinstance(editor, RecordRefEditor)
    assert editor.picker.edit.placeholderText() == "Type the task id"
    with qtbot.waitSignal(editor.picker.results_ready):
        QTest.keyClicks(editor.picker.edit, f"#{task['id']}")
    assert {"ids": [task["id"]], "page_number": 1, "page_size": 20, "sort_by": "name"} in (
        searches(control, "/tasks/search")
    )
    editor.picker.pick_row(0)
    assert editor.value() == task["id"]


@POPUPS
def test_related_resource_type_then_record(qtbot: QtBot, make: MakeEditor, company: Any) -> None:
    editor = make(entity("tasks").field("related_resource"))
    assert isinstance(editor, ResourceEditor)
    editor.set_value({"id": None, "type": None})
    assert editor.current_type() is None and not editor.picker.edit.isEnabled()
    assert editor.value() == {"id": None, "type": None}
    edits = Edits(editor)
    editor.type_combo.setFocus()
    QTest.keyClicks(editor.type_combo, "Comp")  # keyboard search in the type list
    assert editor.current_type() == "company"
    assert editor.picker.kind() is LookupKind.COMPANIES
    assert editor.input_error() == "Pick the company this belongs to."
    with qtbot.waitSignal(editor.picker.results_ready):
        QTest.keyClicks(editor.picker.edit, company["name"])
    editor.picker.pick_row(editor.picker.result_names().index(company["name"]))
    assert editor.value() == {"id": company["id"], "type": "company"}
    assert edits.count > 0
    editor.choose_type(None)
    assert editor.value() == {"id": None, "type": None}  # as loaded: no change
    editor.set_value({"id": company["id"], "type": "company"})
    editor.choose_type(None)
    assert editor.value() is None


def test_activity_parent_has_no_none(make: MakeEditor) -> None:
    editor = make(entity("activities").field("parent"))
    assert isinstance(editor, ResourceEditor)
    types = [editor.type_combo.itemText(i) for i in range(editor.type_combo.count())]
    assert NONE_LABEL not in types and "Person" in types
    editor.set_value({"id": 5, "type": "person"})
    assert editor.value() == {"id": 5, "type": "person"}


# --- record pickers on a fake search (the order of answers is the test's to choose) ------------


@dataclass
class GatedSearch:
    """Stands in for the client's search: each call waits for its own gate, then answers one
    record named after the query (or raises `error`); it records calls and cancellations."""

    error: BaseException | None = None
    calls: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    gates: list[asyncio.Event] = dataclasses.field(default_factory=list)
    cancelled: list[int] = dataclasses.field(default_factory=list)

    async def search(
        self, entity: str, filters: dict[str, Any] | None = None, **kw: Any
    ) -> SimpleNamespace:
        index = len(self.calls)
        self.calls.append(dict(filters or {}))
        gate = asyncio.Event()
        self.gates.append(gate)
        try:
            await gate.wait()
        except asyncio.CancelledError:
            self.cancelled.append(index)
            raise
        if self.error is not None:
            raise self.error
        name = (filters or {}).get("name")
        return SimpleNamespace(records=[{"id": 100 + index, "name": f"{name} Ltd"}])


@pytest.fixture
def make_fake_picker(qtbot: QtBot, run: Run) -> Iterator[Any]:
    """``make(search)``: a company editor whose picker searches `search`; closed after."""
    made: list[RecordRefEditor] = []

    def make(search: GatedSearch) -> RecordRefEditor:
        editor = make_editor(entity("opportunities").field("company_id"), Lookups(), search)
        assert isinstance(editor, RecordRefEditor)
        qtbot.addWidget(editor)
        made.append(editor)
        return editor

    yield make
    for editor in made:
        run(editor.aclose())


def test_the_latest_query_wins(qtbot: QtBot, make_fake_picker: Any) -> None:
    search = GatedSearch()
    picker = make_fake_picker(search).picker
    answered: list[None] = []
    picker.results_ready.connect(lambda: answered.append(None))
    picker.edit.setText("Acme")
    picker.search_now()
    qtbot.waitUntil(lambda: len(search.gates) == 1)
    picker.edit.setText("Acme Corp")
    picker.search_now()  # replaces the first search: it is cancelled, not awaited
    qtbot.waitUntil(lambda: search.cancelled == [0] and len(search.gates) == 2)
    assert picker.is_busy()
    search.gates[1].set()
    qtbot.waitUntil(lambda: not picker.is_busy())
    assert [c["name"] for c in search.calls] == ["Acme", "Acme Corp"]
    assert picker.result_names() == ["Acme Corp Ltd"] and len(answered) == 1

    picker.edit.setText("Acme Co")
    picker.search_now()
    qtbot.waitUntil(lambda: len(search.gates) == 3)
    picker.edit.setText("Acme Coo")  # typed on before the answer came: the answer is dropped
    search.gates[2].set()
    qtbot.waitUntil(lambda: not picker.is_busy())
    assert picker.result_names() == ["Acme Corp Ltd"] and len(answered) == 1


def test_a_failed_search_shows_under_the_field_until_a_search_answers(
    qtbot: QtBot, make_fake_picker: Any
) -> None:
    search = GatedSearch(error=ServerError("Copper had a server error (503).", status=503))
    editor = make_fake_picker(search)
    editor.show()
    picker = editor.picker
    picker.edit.setText("Acme")
    with qtbot.waitSignal(picker.search_failed) as failed:
        picker.search_now()
        qtbot.waitUntil(lambda: len(search.gates) == 1)
        search.gates[0].set()
    assert failed.args == ["Copper had a server error (503)."]
    assert editor.error() == "Search failed: Copper had a server error (503)."
    assert editor.error_label.isVisible()
    search.error = None
    with qtbot.waitSignal(picker.results_ready):
        picker.search_now()
        qtbot.waitUntil(lambda: len(search.gates) == 2)
        search.gates[1].set()
    assert editor.error() is None
    assert picker.result_names() == ["Acme Ltd"]
