"""The preview of a grid's staged edits: per record its own new values, checked against the
records as Copper has them now.

A bulk edit applies the same operations to every record; a grid stages a different value per
cell. :func:`preview_staged` turns those values into the same :class:`~domain.bulk.Preview`
(before → after per record and field, with counts), so the grid saves through the bulk edit's
preview table and job (``JobStore.create_bulk_edit``): journaled, conflict-safe, undoable.

A record changed in Copper since its cells were edited (its ``date_modified`` is no longer the
one the grid showed) cannot be changed: saving would overwrite what somebody else wrote. Its
job row, for the others, carries the ``date_modified`` the grid showed, so a change landing
between this preview and the write is skipped by the job as a conflict too. Pure Python.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final

from copper_desktop.domain.bulk import (
    MISSING_REASON,
    BulkContext,
    FieldChange,
    Preview,
    RecordChange,
    Refusal,
    record_name,
    refusal,
    same_field_value,
)
from copper_desktop.domain.custom_fields import get_field_value

__all__ = ["CONFLICT_REASON", "preview_staged"]

CONFLICT_REASON: Final = "Changed in Copper since you edited it"

Record = Mapping[str, Any]


def _stamp(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _problem(context: BulkContext, key: str, value: Any) -> str | None:
    spec = context.fields.get(key)
    if spec is None or not spec.editable:
        return f"{spec.label if spec else key} cannot be changed."
    return refusal(context, key, value)


def preview_staged(
    context: BulkContext,
    records: Iterable[Record],
    staged: Mapping[int, Mapping[str, Any]],
    edited_at: Mapping[int, int | None],
) -> Preview:
    """What saving ``staged`` (record id → catalog key → new value) would change in
    ``records`` (fresh from Copper). ``edited_at``: record id → the ``date_modified`` the grid
    showed when its cells were edited (None: unknown, not compared)."""
    fresh = {r["id"]: r for r in records if _stamp(r.get("id")) is not None}
    touched: list[str] = []
    for values in staged.values():
        touched.extend(k for k in values if k not in touched)
    changes: list[RecordChange] = []
    unchanged: list[int] = []
    refused: list[Refusal] = []
    for record_id, values in staged.items():
        record = fresh.get(record_id)
        if record is None:
            refused.append(Refusal(record_id, f"#{record_id}", MISSING_REASON))
            continue
        name = record_name(record)
        shown = _stamp(edited_at.get(record_id))
        now = _stamp(record.get("date_modified"))
        if shown is not None and now != shown:
            refused.append(Refusal(record_id, name, CONFLICT_REASON))
            continue
        diffs: list[FieldChange] = []
        reason = None
        for key, after in values.items():
            spec = context.fields.get(key)
            before = get_field_value(record, key)
            if spec is not None and same_field_value(spec.type, before, after):
                continue
            reason = reason or _problem(context, key, after)
            label = spec.label if spec is not None else key
            diffs.append(FieldChange(key, label, before, after))
        if reason:
            refused.append(Refusal(record_id, name, reason))
        elif not diffs:
            unchanged.append(record_id)
        else:
            changes.append(RecordChange(record_id, name, shown or now, tuple(diffs)))
    known = [k for k in touched if k in context.fields]
    return Preview(
        entity_key=context.spec.key,
        operations=(),
        touched=tuple(known),
        changes=tuple(changes),
        unchanged=tuple(unchanged),
        refused=tuple(refused),
        labels={k: context.fields[k].label for k in known},
        types={k: context.fields[k].type.value for k in known},
    )
