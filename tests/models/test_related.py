"""RelatedModel on the fake client (tests/helpers/fakes.py): loading in two parts, partial
failures, replaced loads, notes and task completion (the panel's end-to-end tests run against
the sandbox)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from copper_desktop.api.errors import ServerError, ValidationError
from copper_desktop.domain.catalog import LookupKind, entity
from copper_desktop.models.lookups import Lookups
from copper_desktop.models.related import RelatedModel
from tests.helpers.fakes import FakeClient

Json = dict[str, Any]


PERSON = {"id": 1, "type": "person"}
"""The record the model shows (``make``'s default)."""


def sample_client() -> FakeClient:
    return FakeClient(
        records={
            "activities": {
                1: {"id": 1, "parent": PERSON, "activity_date": 100, "details": "old"},
                2: {"id": 2, "parent": PERSON, "activity_date": 300, "details": "new"},
                3: {"id": 3, "parent": PERSON, "date_created": 200, "details": "middle"},
            },
            "companies": {11: {"id": 11, "name": "Acme"}},
            "tasks": {
                21: {"id": 21, "name": "b call", "status": "Open"},
                22: {"id": 22, "name": "A write", "status": "Completed"},
            },
        },
        related={
            ("people", 1): [
                {"id": 11, "type": "company"},
                {"id": 21, "type": "task"},
                {"id": 22, "type": "task"},
                {"id": 21, "type": "task"},  # listed twice: shown once
                {"id": 5, "type": "webhook"},  # not a group a person has
            ]
        },
    )


@pytest.fixture
def reported(running_loop: asyncio.AbstractEventLoop) -> Iterator[list[dict[str, Any]]]:
    contexts: list[dict[str, Any]] = []
    previous = running_loop.get_exception_handler()
    running_loop.set_exception_handler(lambda _loop, context: contexts.append(context))
    yield contexts
    running_loop.set_exception_handler(previous)


def make(client: FakeClient, record: Json | None = None) -> RelatedModel:
    return RelatedModel(client, Lookups(), entity("people"), record or {"id": 1, "name": "P"})


def load(qtbot: QtBot, model: RelatedModel) -> None:
    with qtbot.waitSignal(model.loaded):
        model.reload()


def test_a_load_fills_both_parts(qtbot: QtBot) -> None:
    model = make(sample_client())
    load(qtbot, model)
    assert [a["id"] for a in model.activities] == [2, 3, 1]  # newest first
    assert model.related.rows == {
        "companies": [(11, "Acme")],
        "tasks": [(22, "A write"), (21, "b call")],
    }
    assert model.related.tasks[21]["status"] == "Open"
    assert model.error == "" and not model.loading
    assert model.lookups.name(LookupKind.TASKS, 21) == "b call"  # remembered for others


def test_one_failed_part_is_reported_and_the_other_shown(qtbot: QtBot) -> None:
    client = sample_client()
    client.fail["related_items"] = ServerError("Copper server error (500).")
    model = make(client)
    with qtbot.waitSignal(model.load_failed) as failed, qtbot.waitSignal(model.error_occurred):
        load(qtbot, model)
    assert failed.args == ["Could not load related records: Copper server error (500)."]
    assert model.error == failed.args[0]
    assert [a["id"] for a in model.activities] == [2, 3, 1]
    assert model.related.rows == {}
    client.fail.clear()
    load(qtbot, model)
    assert model.error == "" and model.related.rows


def test_a_bug_in_one_part_still_ends_the_load(
    qtbot: QtBot, reported: list[dict[str, Any]]
) -> None:
    client = sample_client()
    client.fail["record_activities"] = KeyError("bug")
    model = make(client)
    with qtbot.assertNotEmitted(model.load_failed):
        load(qtbot, model)  # loaded() still comes: the panel leaves "Loading…"
    qtbot.waitUntil(lambda: bool(reported))
    assert [type(c["exception"]) for c in reported] == [KeyError]
    assert model.related.rows  # the other part is shown


def test_a_reload_replaces_the_running_load(qtbot: QtBot) -> None:
    client = sample_client()
    client.gate = asyncio.Event()
    model = make(client)
    loads: list[None] = []
    model.loaded.connect(lambda: loads.append(None))
    model.reload()
    qtbot.waitUntil(lambda: len(client.calls) == 2)
    client.records["activities"] = {9: {"id": 9, "activity_date": 1, "parent": PERSON}}
    model.reload()
    client.gate.set()
    qtbot.waitUntil(lambda: bool(loads))
    qtbot.waitUntil(lambda: not model.runner.pending)
    assert loads == [None]  # the replaced load never reports
    assert [a["id"] for a in model.activities] == [9]


def test_an_unsaved_record_loads_nothing(qtbot: QtBot) -> None:
    client = sample_client()
    model = make(client, {"name": "new"})
    load(qtbot, model)
    assert client.calls == [] and not model.loading


def test_notes_are_refused_or_created(qtbot: QtBot) -> None:
    client = sample_client()
    model = make(client)
    with qtbot.waitSignal(model.note_failed) as refused:
        assert not model.log_note("  \n ")
    assert refused.args == ["Write the note first."] and client.calls == []

    busy: list[bool] = []
    model.busy_changed.connect(lambda: busy.append(model.logging_note))
    with qtbot.waitSignal(model.note_logged) as logged:
        assert model.log_note(" Called them. ")
        assert not model.log_note("twice")  # one note at a time
    note = logged.args[0]
    assert note["details"] == "Called them."
    assert note["parent"] == {"id": 1, "type": "person"}
    assert note["type"] == {"category": "user", "id": 0}
    assert model.activities[0] == note
    qtbot.waitUntil(lambda: not model.runner.pending)
    assert busy == [True, False]  # not "running" any more when done() reports


def test_a_failed_note_says_why(qtbot: QtBot) -> None:
    client = sample_client()
    client.fail["create"] = ValidationError()
    model = make(client)
    with qtbot.waitSignal(model.note_failed) as failed:
        model.log_note("x")
    assert failed.args[0].startswith("The note was not saved: ")
    qtbot.waitUntil(lambda: not model.logging_note)


def test_complete_a_task(qtbot: QtBot) -> None:
    client = sample_client()
    model = make(client)
    load(qtbot, model)
    assert not model.can_complete(22) and model.can_complete(21)
    assert not model.complete_task(22)
    with qtbot.waitSignal(model.task_completed) as completed:
        assert model.complete_task(21)
    assert completed.args[0]["status"] == "Completed"
    assert not model.can_complete(21)
    qtbot.waitUntil(lambda: not model.completing)
