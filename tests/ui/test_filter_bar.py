"""The filter bar driven with qtbot: debounced search, each control's body keys, clear, summary,
and one end-to-end search through the sandbox with the bar's filters."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QComboBox, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from copper_desktop.domain.catalog import NONE_SENTINEL, LookupKind, entity
from copper_desktop.domain.custom_fields import DataType
from copper_desktop.domain.formats import date_to_unix, summary_text
from copper_desktop.models.lookups import Lookups
from copper_desktop.session import Session
from copper_desktop.ui.browse.filter_bar import FilterBar
from copper_desktop.ui.browse.filter_widgets import ChoiceButton, RangeEdit

Run = Callable[..., Any]
MakeBar = Callable[[str], FilterBar]


@pytest.fixture
def lookups(session: Session, run: Run) -> Lookups:
    loaded = Lookups()
    run(loaded.load(session.client))
    return loaded


@pytest.fixture
def make_bar(qtbot: QtBot, lookups: Lookups) -> MakeBar:
    def make(entity_key: str) -> FilterBar:
        bar = FilterBar(entity(entity_key), lookups)
        qtbot.addWidget(bar)
        return bar

    return make


class Emissions:
    def __init__(self, bar: FilterBar) -> None:
        self.items: list[dict[str, Any]] = []
        bar.filters_changed.connect(self.items.append)


def pick(bar: FilterBar, key: str, *values: Any) -> None:
    button = bar.control(key)
    assert isinstance(button, ChoiceButton)
    for value in values:
        button.action(value).trigger()


def test_typing_debounces_into_one_emission(qtbot: QtBot, make_bar: MakeBar) -> None:
    bar = make_bar("companies")
    seen = Emissions(bar)
    qtbot.keyClicks(bar.search, "Acme")
    assert seen.items == []  # nothing sent while typing
    assert bar.debounce.isActive()
    with qtbot.waitSignal(bar.filters_changed) as blocker:
        pass
    assert blocker.args == [{"name": "Acme"}]
    assert seen.items == [{"name": "Acme"}]
    # Enter sends at once; the same filters are not sent twice.
    qtbot.keyClick(bar.search, Qt.Key.Key_Return)
    assert seen.items == [{"name": "Acme"}]
    assert bar.active.text() == "Filtered by: Name: “Acme”"


def test_owner_with_unassigned(make_bar: MakeBar, lookups: Lookups) -> None:
    bar = make_bar("people")
    seen = Emissions(bar)
    user_id, user_name = lookups.choices(LookupKind.USERS)[0]
    button = bar.control("assignee_ids")
    assert isinstance(button, ChoiceButton)
    assert button.choices()[0] == (NONE_SENTINEL, "Unassigned")
    pick(bar, "assignee_ids", user_id)
    pick(bar, "assignee_ids", NONE_SENTINEL)
    assert seen.items == [{"assignee_ids": [user_id]}, {"assignee_ids": [NONE_SENTINEL, user_id]}]
    assert button.text() == "Owner: Unassigned +1"
    assert f"Owner: Unassigned, {user_name}" in bar.active.text()
    pick(bar, "assignee_ids", user_id)  # unchecks
    assert seen.items[-1] == {"assignee_ids": [NONE_SENTINEL]}


@pytest.mark.parametrize(
    ("entity_key", "key", "value"),
    [("opportunities", "status_ids", 1), ("tasks", "statuses", "Completed"),
     ("projects", "status_ids", 0)],
)  # fmt: skip
def test_status_filters(make_bar: MakeBar, entity_key: str, key: str, value: Any) -> None:
    bar = make_bar(entity_key)
    pick(bar, key, value)
    assert bar.filters() == {key: [value]}


def test_lead_status_contact_type_source_and_tags(make_bar: MakeBar, lookups: Lookups) -> None:
    lead = make_bar("leads")
    status_id, _ = lookups.choices(LookupKind.LEAD_STATUSES)[0]
    source_id, _ = lookups.choices(LookupKind.CUSTOMER_SOURCES)[0]
    pick(lead, "status_ids", status_id)
    pick(lead, "customer_source_ids", source_id)
    tags = list(lookups.tags[:2])
    pick(lead, "tags", *tags)
    assert lead.filters() == {
        "status_ids": [status_id],
        "customer_source_ids": [source_id],
        "tags": tags,
    }
    company = make_bar("companies")
    type_id, _ = lookups.choices(LookupKind.CONTACT_TYPES)[0]
    pick(company, "contact_type_ids", type_id)
    assert company.filters() == {"contact_type_ids": [type_id]}
    assert not company.has_filter("status_ids")


def test_stages_depend_on_the_chosen_pipeline(make_bar: MakeBar, lookups: Lookups) -> None:
    bar = make_bar("opportunities")
    stages = bar.control("pipeline_stage_ids")
    assert isinstance(stages, ChoiceButton)
    offered = [p for p, _ in lookups.choices(LookupKind.PIPELINES)]  # opportunity pipelines
    assert len(stages.choices()) == sum(len(lookups.stages(p)) for p in offered)
    pipeline_id, pipeline = lookups.choices(LookupKind.PIPELINES)[0]
    other_id, _ = lookups.choices(LookupKind.PIPELINES)[1]
    other_stage = lookups.stages(other_id)[0][0]
    pick(bar, "pipeline_stage_ids", other_stage)
    seen = Emissions(bar)
    pick(bar, "pipeline_ids", pipeline_id)
    assert seen.items == [{"pipeline_ids": [pipeline_id]}]
    assert stages.choices() == lookups.stages(pipeline_id)
    # The other pipeline's stage no longer applies and is dropped from the filters.
    assert bar.filters() == {"pipeline_ids": [pipeline_id]}
    stage_id, stage = lookups.stages(pipeline_id)[1]
    pick(bar, "pipeline_stage_ids", stage_id)
    assert bar.filters() == {"pipeline_ids": [pipeline_id], "pipeline_stage_ids": [stage_id]}
    assert f"Pipeline: {pipeline}" in bar.describe() and f"Stage: {stage}" in bar.describe()


def test_date_range_sends_local_day_bounds(qtbot: QtBot, make_bar: MakeBar) -> None:
    bar = make_bar("opportunities")
    seen = Emissions(bar)
    dates = bar.control("close_date")
    assert isinstance(dates, RangeEdit)
    assert not dates.low.isEnabled()
    dates.set_dates(date(2024, 3, 1), date(2024, 3, 31))
    assert seen.items == []  # bounds alone do nothing while the range is off
    qtbot.mouseClick(dates.enabled, Qt.MouseButton.LeftButton)
    assert dates.low.isEnabled()
    expected = {
        "minimum_close_date": date_to_unix(date(2024, 3, 1)),
        "maximum_close_date": date_to_unix(date(2024, 3, 31), end_of_day=True),
    }
    assert seen.items == [expected]
    assert "Close date: 2024-03-01 – 2024-03-31" in bar.active.text()


def test_number_range_boolean_and_text_filters(qtbot: QtBot, make_bar: MakeBar) -> None:
    bar = make_bar("leads")
    value = bar.control("monetary_value")
    assert isinstance(value, RangeEdit)
    value.set_numbers(100, 2500.5)
    value.enabled.setChecked(True)
    converted = bar.control("include_converted_leads")
    assert isinstance(converted, QAbstractButton)
    converted.click()
    city = bar.control("city")
    assert isinstance(city, QLineEdit)
    qtbot.keyClicks(city, "Berlin")
    qtbot.keyClick(city, Qt.Key.Key_Return)
    assert bar.filters() == {
        "minimum_monetary_value": 100,
        "maximum_monetary_value": 2500.5,
        "include_converted_leads": True,
        "city": "Berlin",
    }
    people = make_bar("people")
    emails = people.control("emails")
    assert isinstance(emails, QLineEdit)
    qtbot.keyClicks(emails, "a@b.test")
    assert people.filters() == {"emails": ["a@b.test"]}  # an array for people, a string for leads


def test_custom_field_filters(make_bar: MakeBar, lookups: Lookups) -> None:
    bar = make_bar("people")
    defs = {d.data_type: d for d in lookups.definitions if d.applies_to("person")}
    dropdown = defs[DataType.DROPDOWN]
    checkbox = defs[DataType.CHECKBOX]
    assert not bar.has_filter(defs[DataType.STRING].key)  # not searchable
    pick(bar, dropdown.key, dropdown.options[0].id)
    combo = bar.control(checkbox.key)
    assert isinstance(combo, QComboBox)
    combo.setCurrentIndex(2)  # Not checked
    assert bar.filters() == {
        "custom_fields": [
            {"custom_field_definition_id": dropdown.id, "value": [dropdown.options[0].id]},
            {"custom_field_definition_id": checkbox.id, "value": False},
        ]
    }
    multi = defs[DataType.MULTI_SELECT]
    pick(bar, multi.key, multi.options[1].id)
    entries = {e["custom_field_definition_id"]: e for e in bar.filters()["custom_fields"]}
    assert entries[multi.id] == {
        "custom_field_definition_id": multi.id,
        "option": "ANY",
        "value": [multi.options[1].id],
    }
    score = defs[DataType.FLOAT]
    ranged = bar.control(score.key)
    assert isinstance(ranged, RangeEdit)
    ranged.set_numbers(10, 50)
    ranged.enabled.setChecked(True)
    entries = {e["custom_field_definition_id"]: e for e in bar.filters()["custom_fields"]}
    assert len(entries) == 4
    assert entries[score.id] == {
        "custom_field_definition_id": score.id,
        "minimum_value": 10,
        "maximum_value": 50,
    }


def test_clear_resets_everything_and_emits_once(qtbot: QtBot, make_bar: MakeBar) -> None:
    bar = make_bar("opportunities")
    qtbot.keyClicks(bar.search, "Deal")
    pick(bar, "status_ids", 0, 2)
    dates = bar.control("created_date")
    assert isinstance(dates, RangeEdit)
    dates.enabled.setChecked(True)
    assert bar.clear_button.isEnabled()
    seen = Emissions(bar)
    qtbot.mouseClick(bar.clear_button, Qt.MouseButton.LeftButton)
    assert seen.items == [{}]
    assert bar.filters() == {}
    assert bar.search.text() == "" and not dates.is_active()
    assert not bar.debounce.isActive()
    assert bar.active.text() == "" and not bar.clear_button.isEnabled()


def test_summary_and_focus(qtbot: QtBot, make_bar: MakeBar) -> None:
    bar = make_bar("people")
    bar.show()
    bar.activateWindow()
    qtbot.waitUntil(bar.isActiveWindow)
    bar.set_summary(1, 200, 12345)
    assert bar.findChild(QWidget, "resultSummary") is bar.summary
    assert bar.summary.text() == "1–200 of 12,345"
    assert summary_text(0, 0, 0) == "No records"
    bar.more_button.setFocus()
    bar.focus_search()
    assert bar.search.hasFocus()
    assert not bar.more_panel.isVisible()
    qtbot.mouseClick(bar.more_button, Qt.MouseButton.LeftButton)
    assert bar.more_panel.isVisible()


def test_entities_without_a_name_filter_disable_search(make_bar: MakeBar) -> None:
    bar = make_bar("tasks")
    assert bar.search.isVisible() or not bar.search.isEnabled()
    assert not bar.search.isEnabled()
    bar.search.setText("x")
    assert bar.filters() == {}


@pytest.mark.parametrize("entity_key", ["people", "companies", "leads", "opportunities",
                                        "projects", "tasks", "activities"])  # fmt: skip
def test_every_interactive_widget_is_named(make_bar: MakeBar, entity_key: str) -> None:
    bar = make_bar(entity_key)
    interactive: list[QWidget] = [*bar.findChildren(QAbstractButton)]
    interactive += bar.findChildren(QLineEdit) + bar.findChildren(QComboBox)
    assert interactive
    for widget in interactive:
        if widget.parent() is not None and isinstance(widget.parent(), QComboBox | QLineEdit):
            continue  # internals of a composite control
        if not widget.objectName().startswith("qt_"):
            assert widget.objectName(), widget
            assert widget.accessibleName(), widget.objectName()
    assert bar.filters() == {}


def test_filters_send_through_search_and_match_only(
    make_bar: MakeBar, lookups: Lookups, session: Session, run: Run
) -> None:
    bar = make_bar("opportunities")
    pipeline_id, _ = lookups.choices(LookupKind.PIPELINES)[0]
    pick(bar, "pipeline_ids", pipeline_id)
    pick(bar, "status_ids", 0)  # Open
    everything = run(session.client.search("opportunities", bar.filters(), page_size=200))
    assert everything.records and everything.total <= 200
    tagged = [r for r in everything.records if r.get("tags")]
    tag = tagged[0]["tags"][0]
    pick(bar, "tags", tag)
    page = run(session.client.search("opportunities", bar.filters(), page_size=200))
    for record in page.records:
        assert record["pipeline_id"] == pipeline_id
        assert record["status"] == "Open"
        assert tag in record["tags"]
    expected = {r["id"] for r in everything.records if tag in (r.get("tags") or [])}
    assert {r["id"] for r in page.records} == expected
    assert 0 < len(expected) < len(everything.records)


def test_a_bar_built_before_lookups_load_fills_in(qtbot: QtBot, session: Session, run: Run) -> None:
    empty = Lookups()
    bar = FilterBar(entity("leads"), empty)
    qtbot.addWidget(bar)
    owner = bar.control("assignee_ids")
    assert isinstance(owner, ChoiceButton)
    assert owner.choices() == [(NONE_SENTINEL, "Unassigned")]
    seen = Emissions(bar)
    with qtbot.waitSignal(empty.loaded):
        run(empty.load(session.client))
    assert len(owner.choices()) == 1 + len(empty.choices(LookupKind.USERS))
    score = next(d for d in empty.definitions if d.applies_to("lead") and d.searchable)
    assert bar.has_filter(score.key)
    assert seen.items == []  # nothing was chosen, so the query did not change
