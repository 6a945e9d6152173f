"""Minimal update bodies and three-way conflict checks between versions of one record.

Copper's PUT is a partial update (§7): only listed keys change, `null` clears, `custom_fields`
merge by definition id, while arrays and `address` are replaced whole. So the editor sends the
keys that changed and nothing else, which also keeps concurrent edits of other fields intact.
Keys the catalog does not know are treated as editable: the app never drops what it does not
understand, and if someone changed such a key it is sent too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from copper_desktop.domain.catalog import ADDRESS_KEYS, EntitySpec, FieldType
from copper_desktop.domain.custom_fields import (
    custom_field_id,
    custom_field_key,
    custom_values,
    set_custom_value,
)

Record = Mapping[str, Any]


def same_value(a: Any, b: Any) -> bool:
    """Deep equality that tells booleans from numbers (True != 1) but 100 == 100.0."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(same_value(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b or (a != a and b != b)  # NaN, as loaded, is no change
    return type(a) is type(b) and bool(a == b)


def _same_address(a: Any, b: Any) -> bool:
    return same_value(_whole_address(a), _whole_address(b))


def _whole_address(value: Any) -> Any:
    """Every sub-key present, so a partial object can never blank the others (§7)."""
    if not isinstance(value, Mapping):
        return value
    whole = {key: value.get(key) for key in ADDRESS_KEYS}
    whole.update({k: v for k, v in value.items() if k not in whole})
    return whole


def _sendable(spec: EntitySpec | None, key: str) -> bool:
    if key == "custom_fields":
        return True
    if spec is None or not spec.has_field(key):
        return key != "id"
    return spec.field(key).editable


def _is_address(spec: EntitySpec | None, key: str) -> bool:
    if spec is not None and spec.has_field(key):
        return spec.field(key).type is FieldType.ADDRESS
    return key == "address"


def custom_fields_changes(original: Record, edited: Record) -> list[dict[str, Any]]:
    """`{custom_field_definition_id, value}` for each definition whose value changed.

    A definition missing from the edited record is unchanged, not cleared: clearing is an
    explicit `null` (or `[]`) value.
    """
    before = custom_values(original)
    changes = []
    for definition_id, value in custom_values(edited).items():
        if definition_id not in before or not same_value(before[definition_id], value):
            if definition_id not in before and value in (None, []):
                continue  # absent and unset mean the same
            changes.append({"custom_field_definition_id": definition_id, "value": value})
    return changes


def update_body(original: Record, edited: Record, spec: EntitySpec | None = None) -> dict[str, Any]:
    """The PUT body that turns `original` into `edited`: changed, editable keys only.

    Keys that vanished from `edited` are ignored (a removed key is not a clear; set `None`).
    A key absent from `original` counts as `None` there, since older answers lack keys.
    """
    body: dict[str, Any] = {}
    for key, value in edited.items():
        if not _sendable(spec, key):
            continue
        if key == "custom_fields":
            changes = custom_fields_changes(original, edited)
            if changes:
                body[key] = changes
            continue
        before = original.get(key)
        if _is_address(spec, key):
            if not _same_address(before, value):
                body[key] = _whole_address(value)
        elif not same_value(before, value):
            body[key] = value
    return body


def create_body(record: Record, spec: EntitySpec) -> dict[str, Any]:
    """A POST body from a new record: everything but read-only and empty values.

    Unknown keys are kept (the caller put them there on purpose).
    """
    body: dict[str, Any] = {}
    for key, value in record.items():
        if spec.has_field(key) and not spec.field(key).creatable:
            continue
        if key == "id" or value is None or value == [] or value == {}:
            continue
        if key == "custom_fields":
            value = [
                {"custom_field_definition_id": i, "value": v}
                for i, v in custom_values(record).items()
                if v is not None and v != []
            ]
            if not value:
                continue
        elif _is_address(spec, key):
            value = _whole_address(value)
        body[key] = value
    return body


# --- three-way comparison ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FieldConflict:
    """A field both sides changed, to different values."""

    key: str  # catalog key; custom fields as "cf_<id>"
    original: Any
    mine: Any
    theirs: Any


@dataclass(frozen=True, slots=True)
class ThreeWay:
    """Outcome of comparing my edit and the server's current version against the original."""

    conflicts: tuple[FieldConflict, ...]
    mine_changed: frozenset[str]
    theirs_changed: frozenset[str]
    merged: dict[str, Any]
    """`theirs` with my non-conflicting changes applied (conflicting keys keep theirs)."""

    @property
    def has_conflicts(self) -> bool:
        return bool(self.conflicts)

    @property
    def conflict_keys(self) -> frozenset[str]:
        return frozenset(c.key for c in self.conflicts)


def _flatten(record: Record) -> dict[str, Any]:
    """Top-level keys plus one `cf_<id>` key per custom field value."""
    flat = {k: v for k, v in record.items() if k != "custom_fields"}
    for definition_id, value in custom_values(record).items():
        flat[custom_field_key(definition_id)] = value
    return flat


def _differs(key: str, a: Any, b: Any) -> bool:
    if key == "address":
        return not _same_address(a, b)
    return not same_value(a, b)


def three_way(original: Record, mine: Record, theirs: Record) -> ThreeWay:
    """Which fields conflict between my edit and a concurrent change on the server.

    A field conflicts when both sides changed it to different values; both making the same
    change is no conflict. Send `update_body(theirs, result.merged, spec)` after the user
    resolved the conflicts (by editing `merged`).
    """
    base = _flatten(original)
    # A key missing from a version (older answers, partial copies) means "unchanged".
    ours, other = {**base, **_flatten(mine)}, {**base, **_flatten(theirs)}
    keys = ours.keys() | other.keys()
    mine_changed = {k for k in keys if _differs(k, base.get(k), ours.get(k))}
    theirs_changed = {k for k in keys if _differs(k, base.get(k), other.get(k))}
    conflicts = tuple(
        FieldConflict(k, base.get(k), ours.get(k), other.get(k))
        for k in sorted(mine_changed & theirs_changed)
        if _differs(k, ours.get(k), other.get(k))
    )
    conflict_keys = {c.key for c in conflicts}
    merged = dict(theirs)
    for key in sorted(mine_changed - conflict_keys):
        definition_id = custom_field_id(key)
        if definition_id is not None and key not in theirs:
            merged = set_custom_value(merged, definition_id, ours[key])
        else:
            merged[key] = ours[key]
    return ThreeWay(conflicts, frozenset(mine_changed), frozenset(theirs_changed), merged)
