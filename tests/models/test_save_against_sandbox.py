"""record_save.save against the live sandbox where the existing tests use a fake or a record
that always carries `date_modified`: the conflict check for records without one (webhooks),
and an edit typed while the PUT is held at the server by a latency fault."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from copper_desktop.api import CopperClient
from copper_desktop.domain.catalog import entity
from copper_desktop.domain.custom_fields import entity_fields
from copper_desktop.models.record_model import RecordModel
from copper_desktop.models.record_save import save
from tests.helpers.loop import Run
from tests.helpers.sandbox import SandboxControl

WEBHOOKS = entity("webhooks")
PEOPLE = entity("people")


def model_of(record: dict[str, Any], entity_key: str) -> RecordModel:
    spec = entity(entity_key)
    return RecordModel(spec, entity_fields(spec, ()), record)


def puts(control: SandboxControl, path: str) -> list[dict[str, Any]]:
    return [r for r in control.requests(500) if r["method"] == "PUT" and r["path"] == path]


@pytest.fixture
def webhook(client: CopperClient, run: Run) -> Iterator[dict[str, Any]]:
    """A subscription of the sandbox (no `date_modified`: only `created_at`), removed after.
    It listens to project deletes, which these tests never make, at a host that cannot exist."""
    created: dict[str, Any] = run(
        client.create_webhook(
            {"target": f"https://hooks.example.invalid/{uuid.uuid4().hex}", "type": "project",
             "event": "delete"}
        )
    )  # fmt: skip
    assert "date_modified" not in created
    yield created
    run(client.delete_webhook(created["id"]))


def test_a_record_without_date_modified_is_still_checked_for_a_concurrent_change(
    client: CopperClient,
    run: Run,
    control: SandboxControl,
    webhook: dict[str, Any],
) -> None:
    """No `date_modified` to compare, so the check compares the fields: their change to the
    headers makes my save a conflict, and my target is not sent over it."""
    model = model_of(webhook, "webhooks")
    mine = f"https://hooks.example.invalid/mine-{uuid.uuid4().hex}"
    model.set_value("target", mine)
    theirs = run(client.update_webhook(webhook["id"], {"headers": {"X-Theirs": "1"}}))
    control.reset()

    outcome = run(save(model, client))

    assert outcome.kind == "conflict", outcome
    assert outcome.theirs == theirs
    assert outcome.conflict is not None and "headers" in outcome.conflict.theirs_changed
    assert puts(control, f"/webhooks/{webhook['id']}") == []
    assert model.is_dirty and model.value("target") == mine
    assert run(client.get("webhooks", webhook["id"]))["target"] == webhook["target"]


def test_a_record_without_date_modified_saves_when_nobody_changed_it(
    client: CopperClient,
    run: Run,
    control: SandboxControl,
    webhook: dict[str, Any],
) -> None:
    """The field-by-field check finds no change when there is none: the save goes through."""
    model = model_of(webhook, "webhooks")
    mine = f"https://hooks.example.invalid/mine-{uuid.uuid4().hex}"
    model.set_value("target", mine)
    control.reset()

    outcome = run(save(model, client))

    assert outcome.kind == "saved", outcome
    assert [r["body"] for r in puts(control, f"/webhooks/{webhook['id']}")] == [{"target": mine}]
    assert not model.is_dirty
    assert run(client.get("webhooks", webhook["id"]))["target"] == mine


def test_an_edit_typed_while_the_put_is_at_the_server_is_kept(
    client: CopperClient,
    run: Run,
    control: SandboxControl,
    running_loop: asyncio.AbstractEventLoop,
    qtbot: QtBot,
) -> None:
    """The PUT is held at the sandbox (latency); meanwhile the user changes another field.
    The answer loads as the new original, and the later edit stays, still unsaved."""
    tag = uuid.uuid4().hex[:10]
    record = run(client.create("people", {"name": f"In flight {tag}", "title": "Engineer",
                                           "details": "Before"}))  # fmt: skip
    path = f"/people/{record['id']}"
    model = model_of(record, "people")
    model.set_value("title", "Manager")
    control.reset()
    control.add_fault("latency", ms=1500, method="PUT", path=f"^{path}$")

    task = running_loop.create_task(save(model, client))
    qtbot.waitUntil(lambda: bool(puts(control, path)), timeout=10_000)
    assert puts(control, path)[0]["status"] is None, "the PUT was answered before the edit"
    model.set_value("details", "Typed while saving")
    qtbot.waitUntil(task.done, timeout=15_000)

    outcome = task.result()
    assert outcome.kind == "saved", outcome
    assert [r["body"] for r in puts(control, path)] == [{"title": "Manager"}]
    assert model.original("title") == "Manager"
    assert model.value("details") == "Typed while saving"
    assert model.changed_keys() == ["details"] and model.is_dirty
    stored = run(client.get("people", record["id"]))
    assert (stored["title"], stored["details"]) == ("Manager", "Before")
