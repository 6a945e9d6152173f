"""A grid's staged edits: cell values typed or pasted but not sent, with undo and redo.

Editing a cell of a browser does not write to Copper: the new value is *staged* here, per
(record id, catalog key), beside the value the record had when it was first edited and the
record's ``date_modified`` then (the save's conflict check). A cell whose text could not be
read keeps that text and the reason (it is *invalid* and blocks saving); a cell a save could
not write keeps the reason too (its *note*). Staging a cell back to its original value
unstages it.

Every change is one undo step (an edit, a paste, a fill, a discard): :meth:`undo` and
:meth:`redo` walk them. What a save settled (:meth:`settle`) is no longer undoable here (the
saved job is undone from the Jobs window), so settling clears the history.

:class:`StagedOverlay` shows the staged cells through ``PagedSearchModel.overlay`` (their
text, the edit value, a state role for the delegate's mark, a tooltip); it is set on the model
only while something is staged, so browsing without edits costs nothing. QtCore only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Final

from PySide6.QtCore import QObject, Qt, Signal

from copper_desktop.domain.custom_fields import get_field_value, set_field_value
from copper_desktop.models.paged import Column, StagedRole
from copper_desktop.models.paged_cache import MISS

__all__ = [
    "CHANGED",
    "FAILED",
    "INVALID",
    "Cell",
    "Entry",
    "StagedEdits",
    "StagedOverlay",
    "summary_text",
]

Key = tuple[int, str]
"""(record id, catalog key)"""
CHANGED: Final = "changed"
INVALID: Final = "invalid"
FAILED: Final = "failed"
"""StagedRole values: staged and valid; cannot be read (blocks saving); a save left it."""
UNDO_LIMIT: Final = 500

_DISPLAY: Final = int(Qt.ItemDataRole.DisplayRole)
_EDIT: Final = int(Qt.ItemDataRole.EditRole)
_TOOLTIP: Final = int(Qt.ItemDataRole.ToolTipRole)


@dataclass(frozen=True, slots=True)
class Cell:
    """One staged cell. ``value`` is Copper's encoding (unused while ``error`` is set, when
    ``text`` is what was typed); ``original`` and ``edited_at`` are the record's value and
    ``date_modified`` when the cell was first edited."""

    value: Any
    original: Any
    edited_at: int | None
    text: str | None = None
    error: str | None = None
    note: str | None = None

    @property
    def state(self) -> str:
        return INVALID if self.error else FAILED if self.note else CHANGED


@dataclass(frozen=True, slots=True)
class Entry:
    """A value to stage: into ``key`` (a field of ``field_type``) of ``record`` (as the grid
    shows it); with ``error`` (and the ``text`` that could not be read) it is invalid."""

    record: Mapping[str, Any]
    key: str
    field_type: str
    value: Any = None
    error: str | None = None
    text: str | None = None


Change = tuple[Key, "Cell | None", "Cell | None"]


@dataclass(frozen=True, slots=True)
class _Step:
    label: str
    changes: tuple[Change, ...]


def summary_text(changes: int, records: int) -> str:
    """ "12 changes in 7 records"; "" for none."""
    if not changes:
        return ""
    return (
        f"{changes:,} change{'s' if changes != 1 else ''} in "
        f"{records:,} record{'s' if records != 1 else ''}"
    )


def _stamp(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


class StagedEdits(QObject):
    """The staged cells of one grid.

    Signals:
        changed(): cells, counts or the undo history changed.
        cells_changed(object): the keys (record id, catalog key) whose cells changed.
    """

    changed = Signal()
    cells_changed = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("stagedEdits")
        self._cells: dict[Key, Cell] = {}
        self._undo: list[_Step] = []
        self._redo: list[_Step] = []

    # ------------------------------------------------------------------ reading
    def __len__(self) -> int:
        return len(self._cells)

    def cell(self, record_id: Any, key: str) -> Cell | None:
        return self._cells.get((record_id, key)) if isinstance(record_id, int) else None

    def cells(self) -> dict[Key, Cell]:
        return dict(self._cells)

    def value(self, record: Mapping[str, Any], key: str) -> Any:
        """What the cell holds now: the staged value, else the record's."""
        cell = self.cell(record.get("id"), key)
        return get_field_value(record, key) if cell is None else cell.value

    def records(self) -> list[int]:
        """Ids of the records with staged cells, in the order first edited."""
        return list(dict.fromkeys(record_id for record_id, _key in self._cells))

    def invalid(self) -> dict[Key, str]:
        """The cells that cannot be saved, with why."""
        return {k: c.error for k, c in self._cells.items() if c.error}

    def counts(self) -> tuple[int, int]:
        """(staged cells, records they are in)."""
        return len(self._cells), len(self.records())

    def summary(self) -> str:
        return summary_text(*self.counts())

    def values_by_record(self) -> dict[int, dict[str, Any]]:
        """Record id → key → staged value (the save's input; invalid cells left out)."""
        found: dict[int, dict[str, Any]] = {}
        for (record_id, key), cell in self._cells.items():
            if not cell.error:
                found.setdefault(record_id, {})[key] = cell.value
        return found

    def edited_at(self) -> dict[int, int | None]:
        """Record id → the oldest ``date_modified`` its staged cells were edited against."""
        found: dict[int, int | None] = {}
        for (record_id, _key), cell in self._cells.items():
            seen = found.get(record_id)
            if record_id not in found or (cell.edited_at is not None and (
                seen is None or cell.edited_at < seen)):  # fmt: skip
                found[record_id] = cell.edited_at
        return found

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        return bool(self._redo)

    def undo_text(self) -> str:
        return self._undo[-1].label if self._undo else ""

    def redo_text(self) -> str:
        return self._redo[-1].label if self._redo else ""

    # ------------------------------------------------------------------ changing
    def stage(self, entries: Iterable[Entry], label: str = "Edit") -> int:
        """Stage these values as one undo step; returns how many cells changed."""
        from copper_desktop.domain.bulk import same_field_value  # not at start-up: when used

        after: dict[Key, Cell | None] = {}
        for entry in entries:
            record_id = _stamp(entry.record.get("id"))
            if record_id is None:
                continue
            key = (record_id, entry.key)
            old = after[key] if key in after else self._cells.get(key)
            if old is not None:
                original, edited_at = old.original, old.edited_at
            else:
                original = get_field_value(entry.record, entry.key)
                edited_at = _stamp(entry.record.get("date_modified"))
            if entry.error is None and same_field_value(entry.field_type, original, entry.value):
                after[key] = None
            else:
                after[key] = Cell(entry.value, original, edited_at, entry.text, entry.error)
        return self._push(label, after)

    def discard(self, keys: Iterable[Key] | None = None) -> int:
        """Unstage these cells (every cell by default) as one undo step."""
        chosen = list(self._cells) if keys is None else [k for k in keys if k in self._cells]
        return self._push("Discard", dict.fromkeys(chosen))

    def undo(self) -> bool:
        if not self._undo:
            return False
        step = self._undo.pop()
        self._set({key: before for key, before, _after in step.changes})
        self._redo.append(step)
        self._emit([key for key, _b, _a in step.changes])
        return True

    def redo(self) -> bool:
        if not self._redo:
            return False
        step = self._redo.pop()
        self._set({key: after for key, _before, after in step.changes})
        self._undo.append(step)
        self._emit([key for key, _b, _a in step.changes])
        return True

    def settle(
        self,
        written: Mapping[int, Mapping[str, Any]] | None = None,
        failed: Mapping[int, str] | None = None,
        rebased: Iterable[Mapping[str, Any]] = (),
        types: Mapping[str, str] | None = None,
    ) -> None:
        """What a save found, not undoable (the history is cleared):

        - ``written``: record id → the values Copper now holds: its cells holding those
          values are unstaged (a cell staged again meanwhile stays);
        - ``failed``: record id → why its cells were not written (kept, with the note);
        - ``rebased``: fresh records changed in Copper since their cells were edited: the
          cells now count from these (original value, ``date_modified``; a cell that holds
          Copper's value is unstaged), so saving again writes over the change knowingly.
        """
        from copper_desktop.domain.bulk import same_field_value

        types = types or {}
        after: dict[Key, Cell | None] = {}
        for record_id, values in (written or {}).items():
            for field_key, value in values.items():
                cell = self._cells.get((record_id, field_key))
                if cell is None or cell.error:
                    continue
                if same_field_value(types.get(field_key), cell.value, value):
                    after[(record_id, field_key)] = None
        for failed_id, note in (failed or {}).items():
            for key, cell in self._cells.items():
                if key[0] == failed_id and key not in after:
                    after[key] = replace(cell, note=note)
        for record in rebased:
            stamp = _stamp(record.get("date_modified"))
            for key, cell in self._cells.items():
                if key[0] != record.get("id"):
                    continue
                now = get_field_value(record, key[1])
                moved = replace(after.get(key) or cell, original=now, edited_at=stamp)
                same = not cell.error and same_field_value(types.get(key[1]), now, cell.value)
                after[key] = None if same else moved
        self._set(after)
        self._undo.clear()
        self._redo.clear()
        self._emit(list(after))

    def clear(self) -> None:
        """Forget everything (no undo): the grid's entity or account went away."""
        keys = list(self._cells)
        self._cells.clear()
        self._undo.clear()
        self._redo.clear()
        self._emit(keys)

    # ------------------------------------------------------------------ internals
    def _push(self, label: str, after: Mapping[Key, Cell | None]) -> int:
        changes = tuple(
            (key, self._cells.get(key), cell)
            for key, cell in after.items()
            if self._cells.get(key) != cell
        )
        if not changes:
            return 0
        self._set(dict(after))
        self._undo.append(_Step(label, changes))
        del self._undo[:-UNDO_LIMIT]
        self._redo.clear()
        self._emit([key for key, _b, _a in changes])
        return len(changes)

    def _set(self, cells: Mapping[Key, Cell | None]) -> None:
        for key, cell in cells.items():
            if cell is None:
                self._cells.pop(key, None)
            else:
                self._cells[key] = cell

    def _emit(self, keys: list[Key]) -> None:
        self.cells_changed.emit(keys)
        self.changed.emit()


Shown = Callable[[Column, Mapping[str, Any]], str]


class StagedOverlay:
    """What ``PagedSearchModel.overlay`` shows of staged cells: their text (the column's own
    formatting of the staged value; the text as typed for an invalid cell), the edit value,
    `StagedRole` (CHANGED / INVALID / FAILED) and a tooltip saying what it was and why."""

    def __init__(self, staged: StagedEdits) -> None:
        self.staged = staged

    def cell_data(self, record: Mapping[str, Any], column: Column, role: int) -> Any:
        cell = self.staged.cell(record.get("id"), column.key)
        if cell is None:
            return MISS
        if role == _DISPLAY:
            if cell.error:
                return cell.text or ""
            text = column.value(set_field_value(record, column.key, cell.value))
            return None if text is None else str(text)
        if role == _EDIT:
            return cell.value
        if role == StagedRole:
            return cell.state
        if role == _TOOLTIP:
            was = column.value(record)
            lines = [f"Not saved yet. Was: {was}" if was else "Not saved yet. Was empty."]
            lines += [text for text in (cell.error, cell.note) if text]
            return "\n".join(lines)
        return MISS
