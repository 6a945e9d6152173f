"""Bulk edit: the operations a user picks, and the preview (dry run) of what they would change.

A bulk edit is a list of operations applied in order to each selected record: set a field to a
typed value, to the value of another field of the same type on the same record, or clear it
(everywhere, only where blank, or only where not blank); add, remove or replace tags; move to a
pipeline stage. ``reassign_owner``, ``change_status`` and ``clear_field`` build the common ones.

:func:`check_operations` refuses invalid edits before anything is previewed (an unknown or
read-only field, a value of the wrong type, clearing a required field, a stage outside its
pipeline). :func:`preview` then computes, per record, the before → after of every touched field,
drops records where nothing would change and explains those that cannot be changed. Its
:meth:`Preview.job_rows` are what the job engine journals and writes: the record's id, its
``date_modified`` at preview time, and the before and after values of the fields that change.

Values are Copper's own encoding (ids, unix seconds, option ids); showing names is the UI's
business (pass ``format_value`` to :meth:`Preview.write_csv`). Custom fields use the catalog's
``cf_<id>`` keys. Pure Python: no Qt, no HTTP.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dc_field
from enum import StrEnum
from typing import Any, Final, TextIO

from copper_desktop.domain.catalog import ADDRESS_KEYS, EntitySpec, FieldSpec, FieldType
from copper_desktop.domain.custom_fields import (
    CustomFieldDefinition,
    custom_field_id,
    definitions_by_id,
    entity_fields,
    get_field_value,
    set_field_value,
)
from copper_desktop.domain.diff import same_value
from copper_desktop.domain.validation import validate_custom_value, validate_value

__all__ = [
    "MISSING_REASON",
    "BulkContext",
    "BulkEditError",
    "Clear",
    "CopyFrom",
    "EditTags",
    "FieldChange",
    "MoveToStage",
    "Preview",
    "RecordChange",
    "Refusal",
    "SetField",
    "TagMode",
    "Typed",
    "Where",
    "change_status",
    "check_operations",
    "clear_field",
    "is_blank_value",
    "operation_from_json",
    "operation_to_json",
    "preview",
    "reassign_owner",
    "record_name",
    "refusal",
    "same_field_value",
    "write_body",
]

Record = Mapping[str, Any]

MISSING_REASON: Final = "Deleted, or not visible to you"
"""Why a selected record that a fresh load did not find cannot be changed."""
_UNORDERED = frozenset({FieldType.TAGS, FieldType.MULTI_ENUM})
"""Lists whose order carries no meaning: compared as sets."""
_NOT_BULK_EDITABLE = frozenset(
    {FieldType.CONNECT, FieldType.JSON, FieldType.CUSTOM_FIELDS, FieldType.ID}
)


class BulkEditError(ValueError):
    """The edit cannot be previewed; ``messages`` maps operation index → why (for the dialog)."""

    def __init__(self, messages: Mapping[int, str]) -> None:
        self.messages = dict(messages)
        super().__init__("; ".join(self.messages.values()) or "The edit is not valid.")


class Where(StrEnum):
    """Which records an operation applies to, judged on the target field's current value."""

    ALL = "all"
    BLANK = "blank"
    NOT_BLANK = "not_blank"


@dataclass(frozen=True, slots=True)
class Typed:
    """A value the user typed (already parsed to Copper's encoding)."""

    value: Any


@dataclass(frozen=True, slots=True)
class CopyFrom:
    """The value of another field (same type) on each record."""

    key: str


@dataclass(frozen=True, slots=True)
class Clear:
    """No value: ``null`` (or ``[]`` for list fields)."""


Source = Typed | CopyFrom | Clear


@dataclass(frozen=True, slots=True)
class SetField:
    key: str
    source: Source
    where: Where = Where.ALL


class TagMode(StrEnum):
    ADD = "add"
    REMOVE = "remove"
    REPLACE = "replace"


@dataclass(frozen=True, slots=True)
class EditTags:
    mode: TagMode
    tags: tuple[str, ...]
    where: Where = Where.ALL


@dataclass(frozen=True, slots=True)
class MoveToStage:
    """Set the pipeline and its stage together (stages belong to one pipeline)."""

    pipeline_id: int
    stage_id: int


BulkOperation = SetField | EditTags | MoveToStage


def clear_field(key: str, where: Where = Where.ALL) -> SetField:
    return SetField(key, Clear(), where)


def reassign_owner(user_id: int | None, where: Where = Where.ALL) -> SetField:
    return SetField("assignee_id", Typed(user_id) if user_id is not None else Clear(), where)


def change_status(spec: EntitySpec, value: Any, where: Where = Where.ALL) -> SetField:
    """Leads change ``status_id`` (an id); opportunities, projects and tasks ``status``."""
    key = "status_id" if spec.has_field("status_id") else "status"
    return SetField(key, Typed(value), where)


# --- JSON (the job's plan on disk) ----------------------------------------------------------------


def operation_to_json(op: BulkOperation) -> dict[str, Any]:
    if isinstance(op, SetField):
        src = op.source
        source: dict[str, Any] = (
            {"typed": src.value}
            if isinstance(src, Typed)
            else {"copy_from": src.key}
            if isinstance(src, CopyFrom)
            else {"clear": True}
        )
        return {"op": "set", "key": op.key, "where": op.where.value, **source}
    if isinstance(op, EditTags):
        return {"op": "tags", "mode": op.mode.value, "tags": list(op.tags), "where": op.where.value}
    return {"op": "stage", "pipeline_id": op.pipeline_id, "stage_id": op.stage_id}


def operation_from_json(data: Mapping[str, Any]) -> BulkOperation:
    """Inverse of :func:`operation_to_json`; ValueError on anything else."""
    kind = data.get("op")
    try:
        if kind == "set":
            source: Source
            if "typed" in data:
                source = Typed(data["typed"])
            elif "copy_from" in data:
                source = CopyFrom(str(data["copy_from"]))
            else:
                source = Clear()
            return SetField(str(data["key"]), source, Where(data.get("where", "all")))
        if kind == "tags":
            return EditTags(
                TagMode(data["mode"]),
                tuple(str(t) for t in data["tags"]),
                Where(data.get("where", "all")),
            )
        if kind == "stage":
            return MoveToStage(int(data["pipeline_id"]), int(data["stage_id"]))
    except (KeyError, TypeError, ValueError) as err:
        raise ValueError(f"not a bulk operation: {data!r}") from err
    raise ValueError(f"not a bulk operation: {data!r}")


# --- context and validation -----------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class BulkContext:
    """What an edit is checked against: the entity, the account's custom field definitions,
    and (for stage moves) Copper's ``GET /pipelines`` answer."""

    spec: EntitySpec
    definitions: Sequence[CustomFieldDefinition] = ()
    pipelines: Sequence[Mapping[str, Any]] = ()
    fields: Mapping[str, FieldSpec] = dc_field(init=False, repr=False)

    def __post_init__(self) -> None:
        fields = {f.key: f for f in entity_fields(self.spec, self.definitions)}
        object.__setattr__(self, "fields", fields)

    def field(self, key: str) -> FieldSpec | None:
        return self.fields.get(key)

    def stages(self, pipeline_id: int) -> tuple[int, ...] | None:
        """Stage ids of a pipeline this entity may use; None when there is no such pipeline."""
        for pipeline in self.pipelines:
            if pipeline.get("id") != pipeline_id:
                continue
            kind = pipeline.get("type")
            if kind is not None and kind != self.spec.type:
                return None  # project pipelines are not offered to opportunities
            return tuple(
                s["id"] for s in pipeline.get("stages") or () if isinstance(s.get("id"), int)
            )
        return None

    def settable_fields(self) -> list[FieldSpec]:
        """Fields a :class:`SetField` may target (for the dialog's field chooser)."""
        return [f for f in self.fields.values()
                if f.editable and f.type not in _NOT_BULK_EDITABLE]  # fmt: skip

    def copy_sources(self, key: str) -> list[FieldSpec]:
        """Fields whose value may be copied into ``key``: the same type, not itself."""
        target = self.fields.get(key)
        if target is None:
            return []
        return [
            f
            for f in self.fields.values()
            if f.key != key
            and f.type is target.type
            and not (f.is_custom and target.is_custom and f.data_type != target.data_type)
        ]

    def validate(self, key: str, value: Any) -> str | None:
        spec = self.fields.get(key)
        if spec is None:
            return f"Unknown field {key!r}."
        definition_id = custom_field_id(key)
        if definition_id is not None:
            definition = definitions_by_id(self.definitions).get(definition_id)
            if definition is not None:
                return validate_custom_value(definition, value)
        return validate_value(spec, value)


def is_blank_value(value: Any) -> bool:
    """Unset: None, whitespace, ``[]``, ``{}``, or an address whose parts are all unset."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple):
        return not value
    if isinstance(value, Mapping):
        return all(is_blank_value(v) for v in value.values())
    return False


def _empty(spec: FieldSpec) -> Any:
    return [] if spec.type in (FieldType.TAGS, FieldType.MULTI_ENUM) else None


def _check_one(ctx: BulkContext, op: BulkOperation) -> str | None:
    if isinstance(op, EditTags):
        if ctx.field("tags") is None:
            return f"{ctx.spec.plural_label} have no tags."
        if op.mode is not TagMode.REPLACE and not op.tags:
            return "Name at least one tag."
        if any(not isinstance(t, str) or not t.strip() for t in op.tags):
            return "Tags must be non-empty words."
        return None
    if isinstance(op, MoveToStage):
        if ctx.field("pipeline_stage_id") is None:
            return f"{ctx.spec.plural_label} have no pipeline stages."
        stages = ctx.stages(op.pipeline_id)
        if stages is None:
            return "Choose a pipeline of this record type."
        if op.stage_id not in stages:
            return "The stage does not belong to the chosen pipeline."
        return None
    spec = ctx.field(op.key)
    if spec is None:
        return f"{ctx.spec.plural_label} have no field {op.key!r}."
    if not spec.editable or spec.type in _NOT_BULK_EDITABLE:
        return f"{spec.label} cannot be changed here."
    src = op.source
    if isinstance(src, Clear) or (isinstance(src, Typed) and is_blank_value(src.value)):
        if spec.required:
            return f"{spec.label} is required and cannot be cleared."
        return None
    if isinstance(src, Typed):
        return ctx.validate(op.key, src.value)
    other = ctx.field(src.key)
    if other is None:
        return f"{ctx.spec.plural_label} have no field {src.key!r}."
    if src.key == op.key:
        return f"Copy {spec.label} from another field."
    if other.type is not spec.type or (
        spec.is_custom and other.is_custom and other.data_type != spec.data_type
    ):
        return f"{other.label} is not of the same type as {spec.label}."
    return None


def check_operations(ctx: BulkContext, operations: Sequence[BulkOperation]) -> dict[int, str]:
    """Operation index → why it cannot run; empty when the edit may be previewed."""
    if not operations:
        return {-1: "Choose at least one change."}
    problems: dict[int, str] = {}
    for index, op in enumerate(operations):
        message = _check_one(ctx, op)
        if message:
            problems[index] = message
    return problems


# --- comparing and writing values -----------------------------------------------------------------


def _tag_key(tag: str) -> str:
    return tag.strip().casefold()


def same_field_value(field_type: FieldType | str | None, a: Any, b: Any) -> bool:
    """Whether two values of one field mean the same: unset values are equal whatever their
    spelling (``None``, ``[]``, ``""``), tags and multi-select options compare as sets (tags
    case-insensitively), and an address compares with every sub-key present."""
    if is_blank_value(a) and is_blank_value(b):
        return True
    if field_type == FieldType.TAGS and isinstance(a, list) and isinstance(b, list):
        return {_tag_key(str(t)) for t in a} == {_tag_key(str(t)) for t in b}
    if field_type in _UNORDERED and isinstance(a, list) and isinstance(b, list):
        return sorted(map(_canonical, a)) == sorted(map(_canonical, b))
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return same_value(_whole_address(a), _whole_address(b))
    return same_value(a, b)


def _canonical(value: Any) -> tuple[str, str]:
    """A sortable stand-in that keeps 1 == 1.0 but True != 1 (like ``same_value``)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return ("n", repr(float(value)))
    return ("j", json.dumps(value, sort_keys=True, default=str))


def _whole_address(value: Mapping[str, Any]) -> dict[str, Any]:
    whole = {key: value.get(key) for key in ADDRESS_KEYS}
    whole.update({k: v for k, v in value.items() if k not in whole})
    return whole


def write_body(values: Mapping[str, Any]) -> dict[str, Any]:
    """The PUT (or bulk_update item) body that sets these catalog keys: custom fields merge
    by definition id (§7), an address is sent whole, everything else as is."""
    body: dict[str, Any] = {}
    customs: list[dict[str, Any]] = []
    for key, value in values.items():
        definition_id = custom_field_id(key)
        if definition_id is not None:
            customs.append({"custom_field_definition_id": definition_id, "value": value})
        elif key == "address" and isinstance(value, Mapping):
            body[key] = _whole_address(value)
        else:
            body[key] = value
    if customs:
        body["custom_fields"] = customs
    return body


# --- applying operations to one record -----------------------------------------------------------


def _applies(where: Where, current: Any) -> bool:
    if where is Where.BLANK:
        return is_blank_value(current)
    if where is Where.NOT_BLANK:
        return not is_blank_value(current)
    return True


def _edit_tags(op: EditTags, current: Any) -> list[str]:
    tags = [t for t in current if isinstance(t, str)] if isinstance(current, list) else []
    wanted: list[str] = []
    for tag in op.tags:
        tag = tag.strip()
        if tag and _tag_key(tag) not in {_tag_key(t) for t in wanted}:
            wanted.append(tag)
    if op.mode is TagMode.REPLACE:
        return wanted
    if op.mode is TagMode.REMOVE:
        gone = {_tag_key(t) for t in wanted}
        return [t for t in tags if _tag_key(t) not in gone]
    have = {_tag_key(t) for t in tags}
    return tags + [t for t in wanted if _tag_key(t) not in have]


def _apply(ctx: BulkContext, op: BulkOperation, record: dict[str, Any]) -> dict[str, Any]:
    if isinstance(op, MoveToStage):
        record = set_field_value(record, "pipeline_id", op.pipeline_id)
        return set_field_value(record, "pipeline_stage_id", op.stage_id)
    if isinstance(op, EditTags):
        current = record.get("tags")
        if not _applies(op.where, current):
            return record
        return set_field_value(record, "tags", _edit_tags(op, current))
    spec = ctx.fields[op.key]
    if not _applies(op.where, get_field_value(record, op.key)):
        return record
    src = op.source
    if isinstance(src, Typed):
        value = src.value
    elif isinstance(src, CopyFrom):
        value = get_field_value(record, src.key)
    else:
        value = None
    if is_blank_value(value):
        value = _empty(spec)
    return set_field_value(record, op.key, value)


def _touched(op: BulkOperation) -> tuple[str, ...]:
    if isinstance(op, MoveToStage):
        return ("pipeline_id", "pipeline_stage_id")
    if isinstance(op, EditTags):
        return ("tags",)
    return (op.key,)


# --- the preview ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FieldChange:
    key: str
    label: str
    before: Any
    after: Any


@dataclass(frozen=True, slots=True)
class RecordChange:
    """One record that would change: every changed field's before → after."""

    record_id: int
    name: str
    date_modified: int | None
    changes: tuple[FieldChange, ...]

    @property
    def before(self) -> dict[str, Any]:
        return {c.key: c.before for c in self.changes}

    @property
    def after(self) -> dict[str, Any]:
        return {c.key: c.after for c in self.changes}


@dataclass(frozen=True, slots=True)
class Refusal:
    """A selected record the edit cannot change, and why (for the preview's counts)."""

    record_id: int | None
    name: str
    reason: str


@dataclass(frozen=True)
class Preview:
    entity_key: str
    operations: tuple[BulkOperation, ...]
    touched: tuple[str, ...]
    changes: tuple[RecordChange, ...]
    unchanged: tuple[int, ...]
    """Ids of records that already hold the values (nothing to write)."""
    refused: tuple[Refusal, ...]
    labels: Mapping[str, str]
    types: Mapping[str, str]

    @property
    def will_change(self) -> int:
        return len(self.changes)

    @property
    def already_match(self) -> int:
        return len(self.unchanged)

    @property
    def cannot_change(self) -> int:
        return len(self.refused)

    def summary(self) -> str:
        """e.g. "1,204 will change, 96 already match, 3 cannot be changed"."""
        return (
            f"{self.will_change:,} will change, {self.already_match:,} already match, "
            f"{self.cannot_change:,} cannot be changed"
        )

    def refusal_reasons(self) -> dict[str, int]:
        """Why records cannot be changed, with how many records each."""
        counts: dict[str, int] = {}
        for r in self.refused:
            counts[r.reason] = counts.get(r.reason, 0) + 1
        return counts

    def table(self) -> list[tuple[RecordChange, FieldChange]]:
        """One line per (record, field) for the preview table."""
        return [(rec, change) for rec in self.changes for change in rec.changes]

    def job_rows(self) -> list[dict[str, Any]]:
        """What the job journals for each record to change (see ``copper_desktop.jobs``)."""
        return [
            {
                "id": rec.record_id,
                "name": rec.name,
                "date_modified": rec.date_modified,
                "before": rec.before,
                "after": rec.after,
            }
            for rec in self.changes
        ]

    def plan(self) -> dict[str, Any]:
        """The edit as JSON, for the job's journal."""
        return {
            "operations": [operation_to_json(op) for op in self.operations],
            "summary": self.summary(),
            "labels": dict(self.labels),
            "types": dict(self.types),
        }

    def write_csv(
        self, stream: TextIO, format_value: Callable[[str, Any], str] | None = None
    ) -> int:
        """The preview table as RFC 4180 CSV (record id, name, field, before, after); returns
        the number of data lines. ``format_value(key, value)`` shows a value (default: text
        as is, lists joined with "; ", objects as JSON)."""
        show = format_value or _plain
        writer = csv.writer(stream, lineterminator="\r\n")
        writer.writerow(["record_id", "name", "field", "before", "after"])
        count = 0
        for rec, change in self.table():
            writer.writerow(
                [
                    rec.record_id,
                    rec.name,
                    change.label,
                    show(change.key, change.before),
                    show(change.key, change.after),
                ]
            )
            count += 1
        return count


def _plain(_key: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list) and all(isinstance(v, str | int) for v in value):
        return "; ".join(str(v) for v in value)
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def record_name(record: Record) -> str:
    """What a person calls the record: its name or title, else "#<id>"."""
    for key in ("name", "title"):
        value = record.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return f"#{record.get('id', '?')}"


def refusal(ctx: BulkContext, key: str, value: Any) -> str | None:
    """Why ``value`` cannot be written to ``key`` (required and blank, or the field's rules
    refuse it), else None: the check every preview makes before a write."""
    spec = ctx.fields[key]
    if spec.required and is_blank_value(value):
        return f"{spec.label} is required."
    message = ctx.validate(key, value)
    return f"{spec.label}: {message}" if message else None


def preview(
    ctx: BulkContext, records: Iterable[Record], operations: Sequence[BulkOperation]
) -> Preview:
    """Apply ``operations`` in order to each record (fresh from Copper) without sending
    anything. Raises :class:`BulkEditError` when the edit itself is invalid."""
    problems = check_operations(ctx, operations)
    if problems:
        raise BulkEditError(problems)
    touched: list[str] = []
    for op in operations:
        touched.extend(k for k in _touched(op) if k not in touched)
    types = {k: ctx.fields[k].type.value for k in touched}
    changes: list[RecordChange] = []
    unchanged: list[int] = []
    refused: list[Refusal] = []
    seen: set[int] = set()
    for record in records:
        rid = record.get("id")
        if isinstance(rid, bool) or not isinstance(rid, int):
            refused.append(Refusal(None, record_name(record), "The record has no id."))
            continue
        if rid in seen:
            continue
        seen.add(rid)
        edited = dict(record)
        for op in operations:
            edited = _apply(ctx, op, edited)
        diffs = []
        reason = None
        for key in touched:
            before, after = get_field_value(record, key), get_field_value(edited, key)
            if same_field_value(types[key], before, after):
                continue
            reason = reason or refusal(ctx, key, after)
            diffs.append(FieldChange(key, ctx.fields[key].label, before, after))
        if reason:
            refused.append(Refusal(rid, record_name(record), reason))
        elif not diffs:
            unchanged.append(rid)
        else:
            stamp = record.get("date_modified")
            if isinstance(stamp, bool) or not isinstance(stamp, int):
                stamp = None
            changes.append(RecordChange(rid, record_name(record), stamp, tuple(diffs)))
    return Preview(
        entity_key=ctx.spec.key,
        operations=tuple(operations),
        touched=tuple(touched),
        changes=tuple(changes),
        unchanged=tuple(unchanged),
        refused=tuple(refused),
        labels={k: ctx.fields[k].label for k in touched},
        types=types,
    )
