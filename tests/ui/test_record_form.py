"""The record form with real editors and the live sandbox: layout and sections, silent
`set_record`, `field_edited`, the pipeline → stage rule, errors and changed marks, focus and
tab order, create mode, and edits whose values Copper (the sandbox) accepts as sent."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from copper_desktop.domain.catalog import LookupKind, entity
from copper_desktop.domain.custom_fields import (
    DataType,
    custom_field_id,
    get_field_value,
)
from copper_desktop.models.lookups import Lookups
from copper_desktop.session import Session
from copper_desktop.ui.editor.record_form import CUSTOM_SECTION_TITLE, RecordForm, form_fields
from copper_desktop.ui.fields.editor_base import CHANGED_TIP
from copper_desktop.ui.fields.field_editors import (
    ChoiceEditor,
    DateEditor,
    MultiChoiceEditor,
    NumberEditor,
    StageEditor,
    TagsEditor,
    TextEditor,
)
from copper_desktop.ui.fields.list_editors import AddressEditor, CategorizedListEditor
from copper_desktop.ui.fields.record_picker import RecordRefEditor
from tests.helpers.editor import POPUPS, Run, definition, load_lookups, retype

ENTITY_KEYS = ("people", "companies", "leads", "opportunities", "tasks", "projects", "activities")
MakeForm = Callable[..., RecordForm]


@pytest.fixture
def lookups(session: Session, run: Run) -> Lookups:
    return load_lookups(session, run)


@pytest.fixture
def make_form(qtbot: QtBot, lookups: Lookups, session: Session, run: Run) -> Iterator[MakeForm]:
    """``make_form(key, creating=False, height=600)``: a shown form, closed after the test."""
    made: list[RecordForm] = []

    def build(key: str, *, creating: bool = False, height: int = 600) -> RecordForm:
        spec = entity(key)
        form = RecordForm(
            spec,
            form_fields(spec, lookups.definitions, creating=creating),
            lookups,
            session.client,
            creating=creating,
        )
        made.append(form)
        form.resize(720, height)
        form.show()
        qtbot.waitExposed(form)
        return form

    yield build
    for form in made:
        run(form.aclose())
        form.close()
        form.deleteLater()


class Emitted:
    def __init__(self, form: RecordForm) -> None:
        self.items: list[tuple[str, Any]] = []
        form.field_edited.connect(lambda key, value: self.items.append((key, value)))


def first_record(session: Session, run: Run, key: str) -> Any:
    return run(session.client.search(entity(key).path, {}, page_size=1)).records[0]


@pytest.fixture
def opportunity(session: Session, run: Run, lookups: Lookups) -> Iterator[dict[str, Any]]:
    """A fresh opportunity in the first pipeline's second stage, in USD."""
    pipeline = lookups.choices(LookupKind.PIPELINES)[0][0]
    body = {
        "name": f"Form test {uuid.uuid4().hex[:8]}",
        "pipeline_id": pipeline,
        "pipeline_stage_id": lookups.stages(pipeline)[1][0],
        "monetary_value": 1000,
        "monetary_unit": "USD",
        "close_date": "1/23/2027",
    }
    record = run(session.client.create("opportunities", body))
    yield record
    run(session.client.delete("opportunities", record["id"]))


# --- layout -----------------------------------------------------------------------------------


def test_main_fields_then_custom_fields_with_buddy_labels(
    make_form: MakeForm, lookups: Lookups
) -> None:
    form = make_form("opportunities")
    keys = form.field_keys()
    customs = [k for k in keys if custom_field_id(k) is not None]
    assert customs and keys[-len(customs) :] == customs  # custom fields come last
    assert "custom_fields" not in keys
    assert form.custom_section.title() == CUSTOM_SECTION_TITLE
    for key in keys:
        editor = form.editor(key)
        inside_custom = form.custom_section.isAncestorOf(editor)
        assert inside_custom is (key in customs), key
        assert form.label(key).buddy() is editor.focus_widget(), key
    assert form.label("name").text() == "Name *"
    assert form.label("name").toolTip() == "Required"
    people = make_form("people")
    assert people.editor("company_id").is_read_only()  # changed through related items (§7)
    assert people.editor("first_name").is_read_only()  # derived from name by Copper


@pytest.mark.parametrize("key", ENTITY_KEYS)
def test_set_record_fills_every_field_without_emitting(
    qtbot: QtBot, make_form: MakeForm, session: Session, run: Run, key: str
) -> None:
    form = make_form(key)
    emitted = Emitted(form)
    for record in run(session.client.search(entity(key).path, {}, page_size=5)).records:
        form.set_record(record)
        for field_key in form.field_keys():
            assert form.editor(field_key).value() == get_field_value(record, field_key), field_key
    assert emitted.items == []
    assert form.input_errors() == {}
    qtbot.waitUntil(lambda: not form.is_busy(), timeout=20_000)


def test_typing_reports_key_and_copper_value(
    make_form: MakeForm, session: Session, run: Run, lookups: Lookups
) -> None:
    form = make_form("people")
    form.set_record(first_record(session, run, "people"))
    emitted = Emitted(form)
    name = form.editor("name")
    assert isinstance(name, TextEditor)
    retype(name.edit, "Ada Lovelace")
    assert emitted.items[-1] == ("name", "Ada Lovelace")
    score = definition(lookups, DataType.FLOAT, "person")
    editor = form.editor(score.key)
    assert isinstance(editor, NumberEditor)
    retype(editor.edit, "72.5")
    assert emitted.items[-1] == (score.key, 72.5)


# --- dependencies ---------------------------------------------------------------------------------


def test_new_pipeline_offers_its_stages_and_picks_the_first(
    make_form: MakeForm, lookups: Lookups, opportunity: dict[str, Any]
) -> None:
    form = make_form("opportunities")
    form.set_record(opportunity)
    stage = form.editor("pipeline_stage_id")
    pipeline = form.editor("pipeline_id")
    assert isinstance(stage, StageEditor) and isinstance(pipeline, ChoiceEditor)
    first, second = (p for p, _ in lookups.choices(LookupKind.PIPELINES)[:2])
    assert stage.choices()[1:] == lookups.stages(first)
    assert stage.value() == lookups.stages(first)[1][0]
    emitted = Emitted(form)
    pipeline.combo.setFocus()
    QTest.keyClick(pipeline.combo, Qt.Key.Key_Down)  # the next pipeline in the list
    assert pipeline.value() == second
    assert emitted.items == [
        ("pipeline_id", second),
        ("pipeline_stage_id", lookups.stages(second)[0][0]),
    ]
    assert stage.choices()[1:] == lookups.stages(second)
    assert stage.combo.currentText() == lookups.stages(second)[0][1]
    QTest.keyClick(pipeline.combo, Qt.Key.Key_Up)
    assert emitted.items[-1] == ("pipeline_stage_id", lookups.stages(first)[0][0])


@POPUPS
def test_money_shows_the_records_currency_and_follows_its_edits(
    make_form: MakeForm, lookups: Lookups, opportunity: dict[str, Any]
) -> None:
    form = make_form("opportunities")
    form.set_record(opportunity)
    money = form.editor("monetary_value")
    unit = form.editor("monetary_unit")
    assert isinstance(money, NumberEditor) and isinstance(unit, NumberEditor)
    assert money.unit.text() == "USD"
    retype(unit.edit, "eur")
    assert money.unit.text() == "EUR"
    renewal = definition(lookups, DataType.DATE, "opportunity")
    assert isinstance(form.editor(renewal.key), DateEditor)


# --- errors, marks, focus -----------------------------------------------------------------------


def test_errors_changed_marks_and_input_errors(
    make_form: MakeForm, opportunity: dict[str, Any]
) -> None:
    form = make_form("opportunities")
    form.set_record(opportunity)
    unplaced = form.set_errors({"name": "Name: can't be blank", "base": "Something else"})
    assert unplaced == {"base": "Something else"}
    assert form.editor("name").shown_error() == "Name: can't be blank"
    form.set_errors({"status": "Pick a status"})
    assert form.editor("name").shown_error() is None  # the others are cleared
    assert form.editor("status").shown_error() == "Pick a status"

    form.set_changed(["name", "close_date"])
    assert [k for k in form.field_keys() if form.editor(k).is_changed()] == ["name", "close_date"]
    assert form.editor("name").toolTip() == CHANGED_TIP
    form.set_changed([])
    assert not any(form.editor(k).is_changed() for k in form.field_keys())

    money, close = form.editor("monetary_value"), form.editor("close_date")
    assert isinstance(money, NumberEditor) and isinstance(close, DateEditor)
    retype(money.edit, "lots")
    retype(close.edit, "2/30/2026")
    assert form.input_errors() == {
        "monetary_value": "“lots” is not an amount (for example 1,234.50).",
        "close_date": "“2/30/2026” is not a valid date.",
    }
    retype(close.edit, "2/28/2026")
    assert list(form.input_errors()) == ["monetary_value"]


def test_focus_field_scrolls_to_the_field(
    qtbot: QtBot, make_form: MakeForm, opportunity: dict[str, Any]
) -> None:
    form = make_form("opportunities", height=300)
    form.set_record(opportunity)
    form.window().activateWindow()
    qtbot.waitActive(form.window())
    bar = form.scroll_area.verticalScrollBar()
    assert bar.value() == 0
    last = form.field_keys()[-1]
    assert form.editor(last).visibleRegion().isEmpty()
    form.focus_field(last)
    qtbot.waitUntil(form.editor(last).focus_widget().hasFocus)
    assert bar.value() > 0
    assert not form.editor(last).focus_widget().visibleRegion().isEmpty()


def test_tab_follows_the_visual_order(
    qtbot: QtBot, make_form: MakeForm, session: Session, run: Run
) -> None:
    form = make_form("people")
    form.set_record(first_record(session, run, "people"))
    emails = form.editor("emails")
    assert isinstance(emails, CategorizedListEditor)
    QTest.mouseClick(emails.add_button, Qt.MouseButton.LeftButton)  # a row added later on
    form.window().activateWindow()
    qtbot.waitActive(form.window())
    first = form.editor(form.field_keys()[0]).focus_widget()
    first.setFocus()
    qtbot.waitUntil(first.hasFocus)
    order = form.field_keys()

    def owner(widget: QWidget | None) -> str | None:
        while widget is not None and widget is not form:
            if widget.objectName().startswith("field_") and widget.parentWidget() in (
                form.fields_widget,
                form.custom_section,
            ):
                return widget.objectName().removeprefix("field_")
            widget = widget.parentWidget()
        return None

    visited: list[str] = []
    seen_widgets: list[QWidget] = []
    for _ in range(300):
        widget = QApplication.focusWidget()
        assert widget is not None
        if widget in seen_widgets:
            break  # wrapped around
        seen_widgets.append(widget)
        key = owner(widget)
        if key is not None and (not visited or visited[-1] != key):
            visited.append(key)
        QTest.keyClick(widget, Qt.Key.Key_Tab)
    assert visited == sorted(visited, key=order.index)  # never jumps back
    editable = [k for k in order if not form.editor(k).is_read_only()]
    assert set(editable) <= set(visited)
    new_row = emails.rows[-1].value
    assert new_row in seen_widgets
    assert seen_widgets.index(emails.add_button) == seen_widgets.index(new_row) + 3


# --- create mode ----------------------------------------------------------------------------------


def test_create_mode_edits_create_only_fields(make_form: MakeForm) -> None:
    creating = make_form("activities", creating=True)
    assert not creating.editor("parent").is_read_only()  # set once, when creating
    assert not creating.has_field("date_created")  # Copper fills it
    editing = make_form("activities")
    assert editing.editor("parent").is_read_only()
    assert editing.editor("date_created").is_read_only()
    hooks = make_form("webhooks", creating=True)
    assert not hooks.editor("type").is_read_only()
    assert make_form("webhooks").editor("type").is_read_only()


# --- what the form emits, Copper accepts --------------------------------------------------------


def _update_body(edits: list[tuple[str, Any]]) -> dict[str, Any]:
    """Last value per key, custom fields folded into Copper's `custom_fields` list."""
    latest = dict(edits)
    body: dict[str, Any] = {}
    for key, value in latest.items():
        definition_id = custom_field_id(key)
        if definition_id is None:
            body[key] = value
        else:
            body.setdefault("custom_fields", []).append(
                {"custom_field_definition_id": definition_id, "value": value}
            )
    return body


@POPUPS
def test_edited_values_are_what_copper_stores(
    qtbot: QtBot,
    make_form: MakeForm,
    lookups: Lookups,
    session: Session,
    run: Run,
    opportunity: dict[str, Any],
) -> None:
    """Edit one field of each kind through the widgets, send exactly what the form emitted,
    and read back the same values from the sandbox."""
    form = make_form("opportunities")
    form.set_record(opportunity)
    emitted = Emitted(form)
    close = form.editor("close_date")
    tags = form.editor("tags")
    status = form.editor("status")
    assert isinstance(close, DateEditor) and isinstance(tags, TagsEditor)
    assert isinstance(status, ChoiceEditor)
    retype(close.edit, "02/14/2027")
    retype(tags.edit, "Hot, Form test")
    status.combo.setFocus()
    QTest.keyClicks(status.combo, "W")
    region = definition(lookups, DataType.DROPDOWN, "opportunity")
    region_editor = form.editor(region.key)
    assert isinstance(region_editor, ChoiceEditor)
    region_editor.combo.setFocus()
    QTest.keyClick(region_editor.combo, Qt.Key.Key_End)
    products = definition(lookups, DataType.MULTI_SELECT, "opportunity")
    products_editor = form.editor(products.key)
    assert isinstance(products_editor, MultiChoiceEditor)
    products_editor.list.setCurrentRow(1)
    QTest.keyClick(products_editor.list, Qt.Key.Key_Space)
    renewal = form.editor(definition(lookups, DataType.DATE, "opportunity").key)
    assert isinstance(renewal, DateEditor)
    retype(renewal.edit, "2027-06-30")
    discount = form.editor(definition(lookups, DataType.PERCENTAGE, "opportunity").key)
    assert isinstance(discount, NumberEditor)
    retype(discount.edit, "12.5%")
    assert form.input_errors() == {}

    body = _update_body(emitted.items)
    assert body["close_date"] == "2/14/2027"
    assert body["tags"] == ["Hot", "Form test"]
    assert body["status"] == "Won"
    saved = run(session.client.update("opportunities", opportunity["id"], body))
    for key, value in dict(emitted.items).items():
        assert get_field_value(saved, key) == value, key
    form.set_record(saved)
    assert form.input_errors() == {}
    assert form.editor("close_date").value() == "2/14/2027"


def test_person_lists_and_address_are_what_copper_stores(
    make_form: MakeForm, session: Session, run: Run
) -> None:
    person = run(session.client.create("people", {"name": f"Form {uuid.uuid4().hex[:8]}"}))
    try:
        form = make_form("people")
        form.set_record(person)
        emitted = Emitted(form)
        emails, address = form.editor("emails"), form.editor("address")
        assert isinstance(emails, CategorizedListEditor) and isinstance(address, AddressEditor)
        QTest.mouseClick(emails.add_button, Qt.MouseButton.LeftButton)
        retype(emails.rows[0].value, f"form.{uuid.uuid4().hex[:8]}@example.com")
        retype(address.edits["city"], "Denver")
        retype(address.edits["country"], "US")
        body = _update_body(emitted.items)
        assert set(body) == {"emails", "address"}
        saved = run(session.client.update("people", person["id"], body))
        assert saved["emails"] == body["emails"]
        assert saved["address"] == body["address"]
        assert body["address"]["street"] is None  # sent whole, blanks as null
    finally:
        run(session.client.delete("people", person["id"]))


def test_closing_the_form_cancels_a_running_search(make_form: MakeForm, run: Run) -> None:
    form = make_form("opportunities")
    editor = form.editor("company_id")
    assert isinstance(editor, RecordRefEditor)
    QTest.keyClicks(editor.picker.edit, "Acme")
    assert editor.picker.debounce.isActive()
    editor.picker.search_now()  # as the debounce timer would
    assert form.is_busy()
    run(form.aclose())  # the autouse guard fails the test if a task outlives this
    assert not form.is_busy()
    assert not editor.picker.debounce.isActive()
