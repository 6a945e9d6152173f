"""The related panel against the live sandbox: activities, notes, related records, tasks."""

from __future__ import annotations

import asyncio
import math
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QAbstractItemView, QAbstractScrollArea
from pytestqt.qtbot import QtBot

from copper_desktop.domain.catalog import entity
from copper_desktop.domain.formats import format_datetime
from copper_desktop.models.lookups import Lookups
from copper_desktop.models.related import RelatedModel
from copper_desktop.session import Session
from copper_desktop.ui.editor.related_panel import RelatedPanel
from tests.helpers.sandbox import SandboxControl

Make = Callable[..., RelatedPanel]


def unique(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:8]}"


@pytest.fixture
def lookups(session: Session, run: Callable[..., Any]) -> Lookups:
    loaded = Lookups()
    run(loaded.load(session.client))
    return loaded


@pytest.fixture
def make_panel(
    qtbot: QtBot, session: Session, lookups: Lookups, run: Callable[..., Any]
) -> Iterator[Make]:
    """``make_panel(key, record, load=True)``: a shown panel, loaded unless told not to."""
    made: list[RelatedPanel] = []

    def make(key: str, record: dict[str, Any], *, load: bool = True) -> RelatedPanel:
        panel = RelatedPanel(RelatedModel(session.client, lookups, entity(key), record))
        panel.resize(700, 600)
        panel.show()
        qtbot.waitExposed(panel)
        made.append(panel)
        if load:
            with qtbot.waitSignal(panel.loaded):
                panel.reload()
        return panel

    yield make
    for panel in made:
        run(panel.aclose())
        panel.close()
        panel.deleteLater()


def activity_rows(panel: RelatedPanel) -> list[list[str]]:
    tree = panel.activity_list
    return [
        [item.text(c) for c in range(tree.columnCount())]
        for i in range(tree.topLevelItemCount())
        if (item := tree.topLevelItem(i)) is not None
    ]


def groups(panel: RelatedPanel) -> dict[str, list[str]]:
    tree = panel.related_list
    found: dict[str, list[str]] = {}
    for g in range(tree.topLevelItemCount()):
        group = tree.topLevelItem(g)
        assert group is not None
        found[group.text(0)] = [
            child.text(0) for c in range(group.childCount()) if (child := group.child(c))
        ]
    return found


def posts(control: SandboxControl, path: str) -> list[dict[str, Any]]:
    return [r for r in control.requests(limit=1000) if r["method"] == "POST" and r["path"] == path]


def test_log_a_note_shows_it_first(
    qtbot: QtBot, make_panel: Make, session: Session, run: Callable[..., Any]
) -> None:
    client = session.client
    person = run(client.create("people", {"name": unique("Panel Note")}))
    parent = {"id": person["id"], "type": "person"}
    for days in (3, 1):  # two older activities, newest of them first
        run(
            client.create(
                "activities",
                {
                    "parent": parent,
                    "type": {"category": "user", "id": 0},
                    "details": f"{days} days ago\nsecond line",
                    "activity_date": int(time.time()) - days * 86400,
                },
            )
        )
    panel = make_panel("people", person)
    rows = activity_rows(panel)
    assert [r[3] for r in rows] == ["1 days ago", "3 days ago"]  # first line only, newest first
    assert rows[0][0] == "Note"

    text = "Called about the renewal.\nThey want a quote by Friday."
    panel.note_edit.setPlainText(text)
    with qtbot.waitSignal(panel.note_logged) as logged:
        QTest.mouseClick(panel.note_button, Qt.MouseButton.LeftButton)
    rows = activity_rows(panel)
    assert rows[0][0] == "Note" and rows[0][3] == "Called about the renewal."
    assert len(rows) == 3
    assert panel.note_edit.toPlainText() == ""
    note = logged.args[0]
    assert note["parent"] == parent and note["type"] == {"id": 0, "category": "user"}
    on_server = run(client.record_activities("people", person["id"]))
    assert any(a["id"] == note["id"] and a["details"] == text for a in on_server)


class ActivitiesOnly:
    """A client at the panel's seam that serves these activities and nothing related."""

    def __init__(self, activities: list[dict[str, Any]]) -> None:
        self.activities = activities

    async def record_activities(
        self, entity: str, record_id: int, *, page_size: int | None = None
    ) -> list[dict[str, Any]]:
        return [dict(a) for a in self.activities]

    async def related_items(self, entity: str, record_id: int) -> list[dict[str, Any]]:
        return []

    async def search(self, entity: str, filters: Any = None, **kw: Any) -> Any:
        raise AssertionError("nothing to search for")

    async def create(self, entity: str, body: Any, **kw: Any) -> Any:
        raise AssertionError("nothing to create")

    async def update(self, entity: str, record_id: int, changes: Any, **kw: Any) -> Any:
        raise AssertionError("nothing to update")


def test_an_activity_date_no_date_can_show_is_shown_as_a_number(
    qtbot: QtBot, run: Callable[..., Any]
) -> None:
    """NaN, infinity, or milliseconds for seconds: the activity is listed with the number as
    its date, not lost to an exception while the list is drawn."""
    odd = [math.nan, math.inf, 1e20]
    client = ActivitiesOnly(
        [{"id": i + 1, "activity_date": when, "details": f"odd {i}"} for i, when in enumerate(odd)]
    )
    panel = RelatedPanel(RelatedModel(client, Lookups(), entity("people"), {"id": 42}))
    qtbot.addWidget(panel)
    try:
        with qtbot.waitSignal(panel.loaded):
            panel.reload()
        dates = {row[3]: row[1] for row in activity_rows(panel)}
        assert dates == {f"odd {i}": format_datetime(when) for i, when in enumerate(odd)}
        assert all(dates.values())
    finally:
        run(panel.aclose())


def test_an_empty_note_is_refused_and_nothing_is_sent(
    make_panel: Make, session: Session, run: Callable[..., Any], control: SandboxControl
) -> None:
    person = run(session.client.create("people", {"name": unique("Panel Empty")}))
    panel = make_panel("people", person)
    before = len(posts(control, "/activities"))
    panel.note_edit.setPlainText("  \n\t ")
    QTest.mouseClick(panel.note_button, Qt.MouseButton.LeftButton)
    assert panel.note_error.isVisible() and panel.note_error.text()
    assert len(posts(control, "/activities")) == before
    assert activity_rows(panel) == []
    assert panel.activities_empty.isVisible()
    panel.note_edit.setPlainText("x")
    assert not panel.note_error.isVisible()


def test_related_records_are_listed_and_open_on_activation(
    qtbot: QtBot, make_panel: Make, session: Session, run: Callable[..., Any]
) -> None:
    client = session.client
    person = run(client.create("people", {"name": unique("Panel Person")}))
    deal = run(client.create("opportunities", {"name": unique("Panel Deal")}))
    task = run(client.create("tasks", {"name": unique("Panel Task")}))
    run(client.add_related("people", person["id"], "opportunity", deal["id"]))
    run(client.add_related("people", person["id"], "task", task["id"]))
    panel = make_panel("people", person)
    assert groups(panel) == {"Opportunities (1)": [deal["name"]], "Tasks (1)": [task["name"]]}
    assert not panel.related_empty.isVisible()

    item = panel.related_item("opportunities", deal["id"])
    assert item is not None
    tree = panel.related_list
    tree.scrollToItem(item)
    rect = tree.visualItemRect(item)
    no_modifier = Qt.KeyboardModifier.NoModifier
    QTest.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, no_modifier, rect.center())
    assert tree.currentItem() is item
    with qtbot.waitSignal(panel.open_requested) as opened:
        QTest.mouseDClick(tree.viewport(), Qt.MouseButton.LeftButton, no_modifier, rect.center())
    assert opened.args == ["opportunities", deal["id"]]
    task_item = panel.related_item("tasks", task["id"])
    tree.setCurrentItem(task_item)
    tree.setFocus()
    with qtbot.waitSignal(panel.open_requested) as opened:
        QTest.keyClick(tree, Qt.Key.Key_Return)
    assert opened.args == ["tasks", task["id"]]
    with qtbot.waitSignal(panel.open_requested) as opened:
        QTest.mouseClick(panel.open_button, Qt.MouseButton.LeftButton)
    assert opened.args == ["tasks", task["id"]]
    group = task_item.parent() if task_item is not None else None
    assert group is not None
    with qtbot.assertNotEmitted(panel.open_requested):
        panel.related_list.itemActivated.emit(group, 0)  # a group row opens nothing


def test_mark_a_related_task_complete(
    qtbot: QtBot, make_panel: Make, session: Session, run: Callable[..., Any]
) -> None:
    client = session.client
    company = run(client.create("companies", {"name": unique("Panel Co")}))
    task = run(client.create("tasks", {"name": unique("Panel Todo"), "status": "Open"}))
    run(client.add_related("companies", company["id"], "task", task["id"]))
    panel = make_panel("companies", company)
    item = panel.related_item("tasks", task["id"])
    assert item is not None and item.text(1) == "Open"
    assert not panel.complete_button.isEnabled()  # nothing selected yet
    panel.related_list.setCurrentItem(item)
    assert panel.complete_button.isEnabled()
    with qtbot.waitSignal(panel.task_completed):
        QTest.mouseClick(panel.complete_button, Qt.MouseButton.LeftButton)
    assert item.text(1) == "Completed"
    assert not panel.complete_button.isEnabled()
    on_server = run(client.get("tasks", task["id"]))
    assert on_server["status"] == "Completed" and on_server["completed_date"]


def test_opportunity_activities_come_from_the_activity_search(
    qtbot: QtBot,
    make_panel: Make,
    session: Session,
    run: Callable[..., Any],
    control: SandboxControl,
) -> None:
    deal = run(session.client.create("opportunities", {"name": unique("Panel Opp")}))
    panel = make_panel("opportunities", deal)
    searches = posts(control, "/activities/search")
    assert searches and searches[-1]["body"]["parent"] == {"id": deal["id"], "type": "opportunity"}
    panel.note_edit.setPlainText("Sent the proposal.")
    with qtbot.waitSignal(panel.note_logged):
        panel.note_button.click()
    with qtbot.waitSignal(panel.loaded):
        panel.reload()
    assert [r[3] for r in activity_rows(panel)] == ["Sent the proposal."]


def test_sections_follow_what_each_entity_supports(make_panel: Make) -> None:
    lead = make_panel("leads", {"id": 1, "name": "x"}, load=False)
    assert lead.groups == ("tasks",)
    assert not lead.activities_box.isHidden() and not lead.related_box.isHidden()
    activity = make_panel("activities", {"id": 1}, load=False)
    assert activity.activities_box.isHidden() and activity.related_box.isHidden()
    person = make_panel("people", {"id": 1, "name": "x"}, load=False)
    assert person.groups == ("companies", "opportunities", "tasks", "projects")


def test_an_unsaved_record_loads_nothing(
    qtbot: QtBot, make_panel: Make, control: SandboxControl
) -> None:
    before = len(control.requests(limit=1000))
    panel = make_panel("people", {"name": "Not saved yet"})
    assert "Save the record" in panel.status.text()
    assert not panel.note_button.isEnabled()
    assert len(control.requests(limit=1000)) == before


def test_a_failed_load_shows_the_error_and_retry_recovers(
    qtbot: QtBot,
    make_panel: Make,
    session: Session,
    run: Callable[..., Any],
    control: SandboxControl,
) -> None:
    person = run(session.client.create("people", {"name": unique("Panel Fail")}))
    control.add_fault("error", status=404, path=f"^/people/{person['id']}/related$")
    panel = make_panel("people", person)
    assert "Could not load related records" in panel.status.text()
    assert panel.retry_button.isVisible()
    assert panel.activities_empty.isVisible()  # the other section still loaded
    control.clear_faults()
    with qtbot.waitSignal(panel.loaded):
        QTest.mouseClick(panel.retry_button, Qt.MouseButton.LeftButton)
    assert panel.status.text() == ""
    assert not panel.retry_button.isVisible()
    assert panel.related_empty.isVisible()


def test_a_failed_note_keeps_the_text(
    qtbot: QtBot,
    make_panel: Make,
    session: Session,
    run: Callable[..., Any],
    control: SandboxControl,
) -> None:
    person = run(session.client.create("people", {"name": unique("Panel Keep")}))
    panel = make_panel("people", person)
    control.add_fault("error", status=422, method="POST", path="^/activities$")
    panel.note_edit.setPlainText("Keep me")
    with qtbot.waitSignal(panel.error_occurred):
        panel.note_button.click()
    assert panel.note_error.isVisible() and "not saved" in panel.note_error.text()
    assert panel.note_edit.toPlainText() == "Keep me"
    assert panel.note_button.isEnabled()
    assert activity_rows(panel) == []


def test_every_interactive_widget_is_named(make_panel: Make) -> None:
    panel = make_panel("people", {"id": 1, "name": "x"}, load=False)
    widgets = (
        panel.findChildren(QAbstractButton)
        + panel.findChildren(QAbstractItemView)
        + panel.findChildren(QAbstractScrollArea)
    )
    assert len(widgets) >= 6
    for widget in widgets:
        assert widget.objectName(), widget
        assert widget.accessibleName(), widget.objectName()


@pytest.fixture
def reported(running_loop: asyncio.AbstractEventLoop) -> Iterator[list[dict[str, Any]]]:
    """What reaches the loop's exception handler (the app's crash dialog) during the test."""
    contexts: list[dict[str, Any]] = []
    previous = running_loop.get_exception_handler()
    running_loop.set_exception_handler(lambda _loop, context: contexts.append(context))
    yield contexts
    running_loop.set_exception_handler(previous)


def test_closing_the_panel_mid_load_cancels_and_touches_nothing(
    qtbot: QtBot,
    session: Session,
    lookups: Lookups,
    run: Callable[..., Any],
    control: SandboxControl,
    reported: list[dict[str, Any]],
) -> None:
    person = run(session.client.create("people", {"name": unique("Panel Gone")}))
    control.add_fault("latency", ms=400, path=f"^/people/{person['id']}/")
    panel = RelatedPanel(RelatedModel(session.client, lookups, entity("people"), person))
    panel.show()
    runner = panel.model.runner
    panel.reload()
    qtbot.waitUntil(lambda: session.client.status().in_flight >= 1)
    tasks = set(runner.pending)
    assert tasks
    panel.deleteLater()  # the editor window closed while the answers are on their way
    qtbot.waitUntil(lambda: all(t.done() for t in tasks))
    assert all(t.cancelled() for t in tasks)
    assert reported == []  # no callback ran on the deleted widgets
