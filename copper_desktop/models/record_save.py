"""Saving a RecordModel to Copper: validate, check for a concurrent change, send only what
changed, and never lose an edit.

No Qt here beyond the model it is handed: each step is an `await` on the client, so an editor
runs `save()` as a task on the qasync loop and renders the `SaveOutcome`.

The rules (issue 5):
- nothing is sent while the model has validation errors;
- before a PUT, the record is read again; if its `date_modified` moved since it was loaded,
  the outcome is a conflict and nothing is sent: a newer change is never overwritten silently,
  even when the changed fields do not overlap (the user decides);
- a 422 is put at the field it names; every failure keeps the user's edits.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from copper_desktop.api.errors import CopperError, FieldError, ValidationError
from copper_desktop.domain import diff
from copper_desktop.domain.custom_fields import custom_field_id, get_field_value, set_field_value
from copper_desktop.models.record_model import RecordModel

Record = dict[str, Any]
OutcomeKind = Literal["saved", "invalid", "conflict", "failed", "unchanged"]
Choice = Literal["theirs", "mine"]
_LOWER_WORD = re.compile(r"^[a-z][a-z']*$")


class RecordClient(Protocol):
    """The part of `CopperClient` a save uses (a fake at this seam is enough)."""

    async def get(self, entity: str, record_id: int, *, computed: bool = False) -> Record: ...
    async def create(self, entity: str, body: Record, *, computed: bool = False) -> Record: ...
    async def update(
        self, entity: str, record_id: int, changes: Record, *, computed: bool = False
    ) -> Record: ...


@dataclass(frozen=True, slots=True)
class SaveOutcome:
    """What a save came to; the editor renders it.

    saved: `record` is Copper's answer, now loaded in the model.
    invalid: `errors` (field key → message, also set on the model) and/or `message`; nothing
        was saved, edits are kept.
    conflict: someone changed the record since it was loaded; `conflict` compares the three
        versions and `theirs` is the server's current record. Nothing was sent.
    failed: `message` says why (user-fit); edits are kept.
    unchanged: nothing needed sending (or the user kept the server's version).
    """

    kind: OutcomeKind
    record: Record | None = None
    errors: dict[str, str] = field(default_factory=dict)
    conflict: diff.ThreeWay | None = None
    theirs: Record | None = None
    message: str = ""

    @property
    def ok(self) -> bool:
        """True when the model now holds what Copper holds (saved or unchanged)."""
        return self.kind in ("saved", "unchanged")


def _moved(loaded: Mapping[str, Any], current: Mapping[str, Any]) -> bool:
    """Whether the server's record changed since `loaded` was read.

    `date_modified` decides when both versions carry it; records without one (webhooks)
    are compared field by field.
    """
    before, now = loaded.get("date_modified"), current.get("date_modified")
    if before is not None and now is not None:
        return not diff.same_value(before, now)
    return bool(diff.three_way(loaded, loaded, current).theirs_changed)


def _sentence(text: str) -> str:
    """Copper's "can't be blank" as "Can't be blank"; texts starting with a value (an email
    address, a number) are left alone."""
    if _LOWER_WORD.match(text.split(" ", 1)[0]):
        return text[0].upper() + text[1:]
    return text


def _catalog_key(model: RecordModel, error: FieldError, changed: list[str]) -> str | None:
    """The model's field key for a field Copper named, or None when none fits."""
    name = error.field
    if name is None:
        return None
    if name == "custom_fields":
        custom = [model.field(k) for k in changed if custom_field_id(k) is not None]
        named = [f for f in custom if f.label.casefold() in error.message.casefold()]
        if len(named) == 1:
            return named[0].key
        return custom[0].key if len(custom) == 1 else None
    keys = {f.key for f in model.fields}
    if name in keys or model.spec.has_field(name):
        return name
    label = (error.label or "").casefold()
    for f in model.fields:
        if label and f.label.casefold() == label:
            return f.key
    return None


def _invalid_from(model: RecordModel, error: ValidationError) -> SaveOutcome:
    """Copper's 422, with each message at the field it names; the rest in `message`."""
    changed = model.changed_keys()
    errors: dict[str, str] = {}
    general: list[str] = []
    for item in error.errors:
        key = _catalog_key(model, item, changed)
        if key is None:
            general.append(str(item))
            continue
        text = _sentence(item.message)
        errors[key] = f"{errors[key]}; {text}" if key in errors else text
    if not error.errors:
        general.append(str(error))
    model.set_errors(errors)
    message = " ".join(general) if general else "Copper refused the change; see the marked fields."
    return SaveOutcome("invalid", errors=errors, message=message)


def _invalid_local(model: RecordModel, errors: dict[str, str]) -> SaveOutcome:
    shown = {f.key for f in model.fields}
    hidden = [m for k, m in errors.items() if k not in shown]
    message = " ".join(hidden) if hidden else "Fix the marked fields before saving."
    return SaveOutcome("invalid", errors=errors, message=message)


def _load_keeping_newer_edits(model: RecordModel, sent: Record, answer: Record) -> None:
    """Load Copper's answer, then re-apply what the user typed while the request was out, so
    an edit made during a save is not lost."""
    later = model.edited_record()
    newer = [
        key
        for key in {f.key for f in model.fields}
        if not diff.same_value(get_field_value(sent, key), get_field_value(later, key))
    ]
    model.load(answer)
    for key in newer:
        if model.is_editable(key):
            model.set_value(key, get_field_value(later, key))


async def _put(model: RecordModel, client: RecordClient, body: Record, sent: Record) -> SaveOutcome:
    record_id = model.record_id
    assert record_id is not None
    try:
        answer = await client.update(model.spec.path, record_id, body)
    except ValidationError as error:
        return _invalid_from(model, error)
    except CopperError as error:
        return SaveOutcome("failed", message=str(error))
    _load_keeping_newer_edits(model, sent, answer)
    return SaveOutcome("saved", record=answer, message=f"{model.spec.label} saved.")


async def _current(model: RecordModel, client: RecordClient) -> Record:
    record_id = model.record_id
    if record_id is None:
        raise ValueError("an existing record needs an id")
    return await client.get(model.spec.path, record_id)


async def save(model: RecordModel, client: RecordClient) -> SaveOutcome:
    """Validate and send the model's edits (create or partial update). Edits are kept on any
    outcome but "saved"; `asyncio.CancelledError` propagates."""
    errors = model.validate()
    if errors:
        return _invalid_local(model, errors)
    sent = model.edited_record()
    if model.is_new:
        try:
            created = await client.create(model.spec.path, model.create_body())
        except ValidationError as error:
            return _invalid_from(model, error)
        except CopperError as error:
            return SaveOutcome("failed", message=str(error))
        _load_keeping_newer_edits(model, sent, created)
        return SaveOutcome("saved", record=created, message=f"{model.spec.label} created.")
    body = model.update_body()
    if not body:
        return SaveOutcome("unchanged", record=model.original_record(), message="Nothing to save.")
    original = model.original_record()
    try:
        theirs = await _current(model, client)
    except CopperError as error:
        return SaveOutcome("failed", message=str(error))
    if _moved(original, theirs):
        return SaveOutcome(
            "conflict",
            conflict=diff.three_way(original, sent, theirs),
            theirs=theirs,
            message=f"This {model.spec.label.lower()} was changed in Copper since you opened it.",
        )
    return await _put(model, client, body, sent)


async def resolve_conflict(
    model: RecordModel, client: RecordClient, theirs: Mapping[str, Any], choice: Choice
) -> SaveOutcome:
    """Finish a conflict the user decided.

    "theirs": the server's version replaces my edits; nothing is sent ("unchanged").
    "mine": every field I changed takes my value (conflicting ones too) on top of theirs, and
    only those keys are sent, so their other changes stay. If the record moved again since
    `theirs` was read, the outcome is a new conflict and nothing is sent.
    """
    if choice == "theirs":
        model.load(theirs)
        return SaveOutcome(
            "unchanged", record=dict(theirs), message="Kept the version saved in Copper."
        )
    if choice != "mine":
        raise ValueError(f"unknown choice {choice!r}")
    sent = model.edited_record()
    try:
        current = await _current(model, client)
    except CopperError as error:
        return SaveOutcome("failed", message=str(error))
    if _moved(theirs, current):
        return SaveOutcome(
            "conflict",
            conflict=diff.three_way(model.original_record(), sent, current),
            theirs=current,
            message=f"This {model.spec.label.lower()} was changed in Copper again.",
        )
    merged: Record = dict(current)
    for key in model.changed_keys():
        merged = set_field_value(merged, key, model.value(key))
    body = diff.update_body(current, merged, model.spec)
    if not body:
        model.load(current)
        return SaveOutcome(
            "unchanged", record=current, message="Copper already holds your changes."
        )
    return await _put(model, client, body, sent)
