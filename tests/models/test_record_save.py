"""Saving a RecordModel against the live sandbox: partial PUTs, creates, conflicts and their
resolution, 422s at their field, failures that keep the edit, and nothing sent when invalid."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest

from copper_desktop.api import CopperClient
from copper_desktop.api.errors import FieldError, ServerError, ValidationError
from copper_desktop.domain.catalog import entity
from copper_desktop.domain.custom_fields import (
    CustomFieldDefinition,
    DataType,
    entity_fields,
    get_custom_value,
    parse_definitions,
)
from copper_desktop.models.record_model import RecordModel
from copper_desktop.models.record_save import resolve_conflict, save
from tests.helpers.fakes import FakeClient
from tests.helpers.loop import Run
from tests.helpers.sandbox import SandboxControl

PEOPLE = entity("people")


def unique(prefix: str = "Save test") -> str:
    return f"{prefix} {uuid.uuid4().hex[:10]}"


def email() -> str:
    return f"save-{uuid.uuid4().hex[:12]}@example.com"


@pytest.fixture
def definitions(client: CopperClient, run: Run) -> tuple[CustomFieldDefinition, ...]:
    return parse_definitions(run(client.custom_field_definitions()))


def string_definition(
    definitions: tuple[CustomFieldDefinition, ...], entity_type: str = "person"
) -> CustomFieldDefinition:
    return next(
        d for d in definitions if d.data_type is DataType.STRING and d.applies_to(entity_type)
    )


def new_person(api: CopperClient, wait: Run, **extra: Any) -> dict[str, Any]:
    body = {"name": unique("Person"), "emails": [{"email": email(), "category": "work"}], **extra}
    created: dict[str, Any] = wait(api.create("people", body))
    return created


def model_of(
    record: dict[str, Any] | None,
    definitions: tuple[CustomFieldDefinition, ...] = (),
    entity_key: str = "people",
    **kw: Any,
) -> RecordModel:
    spec = entity(entity_key)
    return RecordModel(spec, entity_fields(spec, definitions), record, definitions, **kw)


def api_requests(control: SandboxControl, method: str | None = None) -> list[dict[str, Any]]:
    log = control.requests(500)
    return [r for r in log if method is None or r["method"] == method]


def test_an_edit_sends_only_the_changed_keys(
    client: CopperClient,
    run: Run,
    control: SandboxControl,
    definitions: tuple[CustomFieldDefinition, ...],
) -> None:
    record = new_person(client, run, title="Engineer", details="Original details")
    nickname = string_definition(definitions)
    model = model_of(record, definitions)
    model.set_value("title", "Chief engineer")
    model.set_value(nickname.key, "The Chief")
    control.reset()
    outcome = run(save(model, client))
    assert outcome.kind == "saved", outcome
    puts = api_requests(control, "PUT")
    assert [p["path"] for p in puts] == [f"/people/{record['id']}"]
    assert puts[0]["body"] == {
        "title": "Chief engineer",
        "custom_fields": [{"custom_field_definition_id": nickname.id, "value": "The Chief"}],
    }
    # The conflict check read the record first.
    assert [(r["method"], r["path"]) for r in api_requests(control)] == [
        ("GET", f"/people/{record['id']}"),
        ("PUT", f"/people/{record['id']}"),
    ]
    assert not model.is_dirty
    assert model.original("title") == "Chief engineer"
    assert model.date_modified == outcome.record["date_modified"] > record["date_modified"]
    stored = run(client.get("people", record["id"]))
    assert stored["details"] == "Original details"
    assert get_custom_value(stored, nickname.id) == "The Chief"


@pytest.mark.parametrize("entity_key", ["companies", "leads", "opportunities", "projects", "tasks"])
def test_each_entity_saves_a_partial_update(
    client: CopperClient,
    run: Run,
    control: SandboxControl,
    entity_key: str,
) -> None:
    record = run(client.create(entity_key, {"name": unique(entity_key), "details": "before"}))
    model = model_of(record, entity_key=entity_key)
    model.set_value("details", "after")
    model.set_value("tags", ["edited"])
    control.reset()
    outcome = run(save(model, client))
    assert outcome.kind == "saved", outcome
    (put,) = api_requests(control, "PUT")
    assert put["body"] == {"details": "after", "tags": ["edited"]}
    assert run(client.get(entity_key, record["id"]))["name"] == record["name"]


def test_create_posts_the_record_and_loads_the_answer(
    client: CopperClient,
    run: Run,
    control: SandboxControl,
    admin: dict[str, Any],
    definitions: tuple[CustomFieldDefinition, ...],
) -> None:
    nickname = string_definition(definitions)
    model = model_of(None, definitions, defaults={"assignee_id": admin["id"]})
    name, address = unique("Created"), email()
    model.set_value("name", name)
    model.set_value("emails", [{"email": address, "category": "personal"}])
    model.set_value(nickname.key, "Newbie")
    control.reset()
    outcome = run(save(model, client))
    assert outcome.kind == "saved", outcome
    # The client looks for an existing person with the email before creating (lost answers).
    posts = [p for p in api_requests(control, "POST") if p["path"] != "/people/fetch_by_email"]
    assert [p["path"] for p in posts] == ["/people"]
    assert posts[0]["body"] == {
        "assignee_id": admin["id"],
        "name": name,
        "emails": [{"email": address, "category": "personal"}],
        "custom_fields": [{"custom_field_definition_id": nickname.id, "value": "Newbie"}],
    }
    assert not model.is_new and not model.is_dirty
    assert model.record_id == outcome.record["id"]
    stored = run(client.get("people", model.record_id))
    assert stored["name"] == name and stored["assignee_id"] == admin["id"]


def test_invalid_sends_nothing(
    client: CopperClient,
    run: Run,
    control: SandboxControl,
) -> None:
    record = new_person(client, run)
    model = model_of(record)
    model.set_value("name", "")
    model.set_value("emails", [{"email": "no at sign", "category": "work"}])
    control.reset()
    outcome = run(save(model, client))
    assert outcome.kind == "invalid"
    assert set(outcome.errors) == {"name", "emails"}
    assert model.errors() == outcome.errors
    assert model.is_dirty
    new = model_of(None)
    assert run(save(new, client)).errors == {"name": "Name is required."}
    assert api_requests(control) == []


def test_no_edit_sends_nothing(
    client: CopperClient,
    run: Run,
    control: SandboxControl,
) -> None:
    model = model_of(new_person(client, run))
    control.reset()
    assert run(save(model, client)).kind == "unchanged"
    assert api_requests(control) == []


def test_a_concurrent_change_is_a_conflict_even_on_other_fields(
    client: CopperClient,
    run: Run,
    control: SandboxControl,
) -> None:
    record = new_person(client, run, title="Engineer", details="Mine to keep")
    model = model_of(record)
    model.set_value("title", "Manager")
    theirs = run(client.update("people", record["id"], {"details": "Their details"}))
    control.reset()
    outcome = run(save(model, client))
    assert outcome.kind == "conflict"
    assert api_requests(control, "PUT") == []
    assert outcome.theirs == theirs
    assert outcome.conflict is not None and not outcome.conflict.has_conflicts
    assert "title" in outcome.conflict.mine_changed
    assert "details" in outcome.conflict.theirs_changed
    assert model.is_dirty and model.value("title") == "Manager"

    # Keep theirs: my edit is dropped, nothing is sent.
    control.reset()
    kept = run(resolve_conflict(model, client, outcome.theirs, "theirs"))
    assert kept.kind == "unchanged"
    assert api_requests(control) == []
    assert not model.is_dirty
    assert model.value("title") == "Engineer" and model.value("details") == "Their details"
    assert model.date_modified == theirs["date_modified"]
    stored = run(client.get("people", record["id"]))
    assert stored["title"] == "Engineer"


def test_take_mine_puts_my_changes_over_theirs(
    client: CopperClient,
    run: Run,
    control: SandboxControl,
) -> None:
    record = new_person(client, run, title="Engineer", details="Old details")
    model = model_of(record)
    model.set_value("title", "Manager")
    run(client.update("people", record["id"], {"title": "Director", "details": "Their details"}))
    outcome = run(save(model, client))
    assert outcome.kind == "conflict"
    assert outcome.conflict is not None
    assert outcome.conflict.conflict_keys == {"title"}
    (conflict,) = outcome.conflict.conflicts
    assert (conflict.original, conflict.mine, conflict.theirs) == (
        "Engineer",
        "Manager",
        "Director",
    )

    control.reset()
    taken = run(resolve_conflict(model, client, outcome.theirs, "mine"))
    assert taken.kind == "saved", taken
    assert [(r["method"], r["body"]) for r in api_requests(control)] == [
        ("GET", None),
        ("PUT", {"title": "Manager"}),
    ]
    stored = run(client.get("people", record["id"]))
    assert stored["title"] == "Manager"
    assert stored["details"] == "Their details"  # their other change survives
    assert not model.is_dirty and model.value("details") == "Their details"
    assert model.date_modified == stored["date_modified"]


def test_take_mine_conflicts_again_when_the_record_moved_again(
    client: CopperClient,
    run: Run,
    control: SandboxControl,
) -> None:
    record = new_person(client, run, title="Engineer")
    model = model_of(record)
    model.set_value("title", "Manager")
    run(client.update("people", record["id"], {"title": "Director"}))
    first = run(save(model, client))
    assert first.kind == "conflict"
    latest = run(client.update("people", record["id"], {"title": "President"}))
    control.reset()
    again = run(resolve_conflict(model, client, first.theirs, "mine"))
    assert again.kind == "conflict"
    assert again.theirs == latest
    assert again.conflict is not None and again.conflict.conflicts[0].theirs == "President"
    assert api_requests(control, "PUT") == []
    assert model.value("title") == "Manager" and model.is_dirty


def test_a_422_is_shown_at_its_field_and_the_edit_is_kept(
    client: CopperClient,
    run: Run,
    control: SandboxControl,
) -> None:
    taken = new_person(client, run)
    record = new_person(client, run)
    model = model_of(record)
    duplicate = [{"email": taken["emails"][0]["email"], "category": "work"}]
    model.set_value("emails", duplicate)
    model.set_value("title", "Still here")
    outcome = run(save(model, client))
    assert outcome.kind == "invalid"
    assert set(outcome.errors) == {"emails"}
    assert "already been taken" in outcome.errors["emails"]
    assert model.error("emails") == outcome.errors["emails"]
    assert model.is_dirty
    assert model.value("emails") == duplicate and model.value("title") == "Still here"
    # The same through a create: the model stays new with its values.
    new = model_of(None)
    new.set_value("name", unique())
    new.set_value("emails", duplicate)
    created = run(save(new, client))
    assert created.kind == "invalid" and "emails" in created.errors
    assert new.is_new and new.value("emails") == duplicate


def test_a_server_error_fails_and_keeps_the_edit(
    client: CopperClient,
    run: Run,
    control: SandboxControl,
) -> None:
    record = new_person(client, run, title="Engineer")
    model = model_of(record)
    model.set_value("title", "Manager")
    control.add_fault("error", status=500, method="PUT", path=r"^/people/\d+$")
    outcome = run(save(model, client))
    assert outcome.kind == "failed"
    assert "server error" in outcome.message
    assert model.is_dirty and model.value("title") == "Manager"
    assert run(client.get("people", record["id"]))["title"] == "Engineer"
    control.clear_faults()
    assert run(save(model, client)).kind == "saved"
    assert run(client.get("people", record["id"]))["title"] == "Manager"


def test_a_deleted_record_fails_with_a_clear_message(
    client: CopperClient,
    run: Run,
) -> None:
    record = new_person(client, run)
    model = model_of(record)
    model.set_value("title", "Ghost")
    run(client.delete("people", record["id"]))
    outcome = run(save(model, client))
    assert outcome.kind == "failed"
    assert "deleted" in outcome.message
    assert model.is_dirty


# --- a fake at the API seam, for what the sandbox cannot stage -------------------------------


RECORD = {"id": 5, "name": "Fake", "title": "A", "details": "x", "date_modified": 100}


def gated(error: Exception | None = None) -> FakeClient:
    """The fake client holding RECORD: answers like Copper, but a PUT waits for ``gate`` (so
    the test can type meanwhile), then raises ``error`` if given; nothing is created."""
    fake = FakeClient(
        {"people": {5: dict(RECORD)}}, gate=asyncio.Event(), gated=frozenset({"update"})
    )
    fake.fail["create"] = AssertionError("not used")
    if error is not None:
        fake.fail["update"] = error
    return fake


def puts(fake: FakeClient) -> list[dict[str, Any]]:
    """The changes each PUT carried."""
    return [args[2] for args in fake.called("update")]


def test_an_edit_made_during_the_save_is_kept(
    run: Run,
    running_loop: asyncio.AbstractEventLoop,
    qtbot: Any,
) -> None:
    fake = gated()
    model = model_of(dict(RECORD))
    model.set_value("title", "B")
    task = running_loop.create_task(save(model, fake))
    qtbot.waitUntil(lambda: bool(puts(fake)))
    model.set_value("details", "typed while saving")
    fake.gate.set()
    qtbot.waitUntil(task.done)
    assert task.result().kind == "saved"
    assert puts(fake) == [{"title": "B"}]
    assert model.original("title") == "B"
    assert model.changed_keys() == ["details"]
    assert model.value("details") == "typed while saving"


def test_a_422_without_a_field_goes_to_the_message(run: Run) -> None:
    error = ValidationError(
        "Copper rejected the data: Unrecognized attributes specified: x",
        errors=[FieldError(None, None, "Unrecognized attributes specified: x")],
        status=422,
    )
    fake = gated(error)
    fake.gate.set()
    model = model_of(dict(RECORD))
    model.set_value("title", "B")
    outcome = run(save(model, fake))
    assert outcome.kind == "invalid"
    assert outcome.errors == {}
    assert outcome.message == "Unrecognized attributes specified: x"
    assert model.is_dirty


def test_a_named_field_maps_to_its_key_and_message_is_a_sentence(run: Run) -> None:
    error = ValidationError(errors=[FieldError("name", "Name", "can't be blank")], status=422)
    fake = gated(error)
    fake.gate.set()
    model = model_of(dict(RECORD))
    model.set_value("name", "x")
    outcome = run(save(model, fake))
    assert outcome.errors == {"name": "Can't be blank"}
    assert model.error("name") == "Can't be blank"


def test_cancelling_a_save_propagates_and_keeps_the_edit(
    running_loop: asyncio.AbstractEventLoop, qtbot: Any
) -> None:
    fake = gated(ServerError())
    model = model_of(dict(RECORD))
    model.set_value("title", "B")
    task = running_loop.create_task(save(model, fake))
    qtbot.waitUntil(lambda: bool(puts(fake)))
    task.cancel()
    qtbot.waitUntil(task.done)
    assert task.cancelled()
    assert model.is_dirty and model.value("title") == "B"
