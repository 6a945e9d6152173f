"""The record behind an editor: one row per field, with what changed, what is wrong, and the
bodies Copper needs to save it.

The model keeps two versions of the record: the *original* (as loaded from Copper, or the
defaults of a new record) and the *edited* copy. A field is changed when the two differ
(`domain.diff.same_value`), so typing a value back un-marks it and closing asks only when
something really changed. Custom fields are rows keyed `cf_<id>` whose values live in the
record's `custom_fields` list, so `edited_record()` is always a proper Copper record.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any, Final

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from copper_desktop.domain import diff
from copper_desktop.domain.catalog import EntitySpec, FieldSpec, FieldType
from copper_desktop.domain.custom_fields import (
    CustomFieldDefinition,
    custom_entries,
    custom_field_id,
    get_field_value,
    set_custom_value,
    set_field_value,
)
from copper_desktop.domain.validation import validate_record

Record = dict[str, Any]
ModelIndex = QModelIndex | QPersistentModelIndex

_USER: Final = int(Qt.ItemDataRole.UserRole)
KeyRole: Final = _USER + 1
"""The field key (`cf_<id>` for custom fields)."""
ValueRole: Final = _USER + 2
"""The edited value, native (setData with this role edits it)."""
OriginalRole: Final = _USER + 3
"""The loaded value (a new record: its default)."""
ChangedRole: Final = _USER + 4
"""True when the edited value differs from the original one."""
ErrorRole: Final = _USER + 5
"""The field's error message, or None."""
EditableRole: Final = _USER + 6
"""True when the user may change the field (update: editable; create mode: creatable)."""
FieldRole: Final = _USER + 7
"""The field's FieldSpec."""

_DISPLAY: Final = int(Qt.ItemDataRole.DisplayRole)
_TOOLTIP: Final = int(Qt.ItemDataRole.ToolTipRole)
_ROW_ROLES: Final = [ValueRole, ChangedRole, ErrorRole, _TOOLTIP]
_ALL_ROLES: Final = [ValueRole, OriginalRole, ChangedRole, ErrorRole, EditableRole, _TOOLTIP]
_NOT_EDITED: Final = frozenset({FieldType.CUSTOM_FIELDS, FieldType.CONNECT, FieldType.ID})
"""Never edited as such: the raw custom_fields list is edited through its `cf_<id>` rows."""
_MISSING: Final = object()


def _without_custom_value(record: Mapping[str, Any], definition_id: int) -> Record:
    """A copy of `record` without the definition's entry (how an absent value is restored)."""
    copy_ = dict(record)
    entries = record.get("custom_fields")
    if isinstance(entries, list):
        copy_["custom_fields"] = [
            e
            for e in entries
            if not (isinstance(e, Mapping) and e.get("custom_field_definition_id") == definition_id)
        ]
    return copy_


def _has_custom_entry(record: Mapping[str, Any], definition_id: int) -> bool:
    return any(
        isinstance(e, Mapping) and e.get("custom_field_definition_id") == definition_id
        for e in custom_entries(record)
    )


class RecordModel(QAbstractListModel):
    """One record being viewed, edited or created; one row per field.

    Signals:
        value_changed(str): a field's edited value changed (its key).
        dirty_changed(bool): the record went from unchanged to changed or back.
        errors_changed(): the error messages changed.
        loaded(): a new original was loaded (after a save, or "keep theirs").
    """

    value_changed = Signal(str)
    dirty_changed = Signal(bool)
    errors_changed = Signal()
    loaded = Signal()

    KeyRole = KeyRole
    ValueRole = ValueRole
    OriginalRole = OriginalRole
    ChangedRole = ChangedRole
    ErrorRole = ErrorRole
    EditableRole = EditableRole
    FieldRole = FieldRole

    def __init__(
        self,
        spec: EntitySpec,
        fields: Sequence[FieldSpec],
        record: Mapping[str, Any] | None,
        definitions: Sequence[CustomFieldDefinition] = (),
        parent: QObject | None = None,
        *,
        defaults: Mapping[str, Any] | None = None,
    ) -> None:
        """`record=None` opens a new record whose starting values are `defaults` (field keys,
        `cf_<id>` included); the caller knows the current user, pipelines and so on."""
        super().__init__(parent)
        self.spec = spec
        self.fields: tuple[FieldSpec, ...] = tuple(fields)
        self.definitions: tuple[CustomFieldDefinition, ...] = tuple(definitions)
        self._rows = {f.key: row for row, f in enumerate(self.fields)}
        self._is_new = record is None
        if record is None:
            start: Record = {}
            for key, value in (defaults or {}).items():
                start = set_field_value(start, key, copy.deepcopy(value))
            record = start
        self._original: Record = copy.deepcopy(dict(record))
        self._edited: Record = copy.deepcopy(self._original)
        self._errors: dict[str, str] = {}
        self._dirty = False

    # --- Qt model --------------------------------------------------------------------------

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.fields)

    def data(self, index: ModelIndex, role: int = _DISPLAY) -> Any:
        if not index.isValid() or index.column() != 0 or not 0 <= index.row() < len(self.fields):
            return None
        field = self.fields[index.row()]
        if role == _DISPLAY:
            return field.label
        if role == KeyRole:
            return field.key
        if role == ValueRole:
            return self.value(field.key)
        if role == OriginalRole:
            return self.original(field.key)
        if role == ChangedRole:
            return self.is_changed(field.key)
        if role in (ErrorRole, _TOOLTIP):
            return self._errors.get(field.key)
        if role == EditableRole:
            return self.is_editable(field.key)
        if role == FieldRole:
            return field
        return None

    def setData(self, index: ModelIndex, value: Any, role: int = ValueRole) -> bool:
        if role != ValueRole or not index.isValid() or not 0 <= index.row() < len(self.fields):
            return False
        try:
            self.set_value(self.fields[index.row()].key, value)
        except ValueError:
            return False
        return True

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self.is_editable(self.fields[index.row()].key):
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def row_of(self, key: str) -> int:
        """Row of a field key; -1 when the key has no row."""
        return self._rows.get(key, -1)

    # --- state -----------------------------------------------------------------------------

    @property
    def is_new(self) -> bool:
        """True until a created record has been loaded (create mode)."""
        return self._is_new

    @property
    def is_dirty(self) -> bool:
        return self._dirty

    @property
    def record_id(self) -> int | None:
        value = self._original.get("id")
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    @property
    def date_modified(self) -> Any:
        """`date_modified` of the loaded original (the conflict check compares it)."""
        return self._original.get("date_modified")

    def field(self, key: str) -> FieldSpec:
        """The field behind a key: the model's own, else the entity's; KeyError if neither."""
        row = self._rows.get(key)
        if row is not None:
            return self.fields[row]
        return self.spec.field(key)

    def is_editable(self, key: str) -> bool:
        field = self.field(key)
        if field.type in _NOT_EDITED:
            return False
        return field.creatable if self._is_new else field.editable

    def value(self, key: str) -> Any:
        """The edited value (a copy: changing it in place changes nothing)."""
        return copy.deepcopy(get_field_value(self._edited, key))

    def original(self, key: str) -> Any:
        return copy.deepcopy(get_field_value(self._original, key))

    def is_changed(self, key: str) -> bool:
        if key == "custom_fields":  # by value, not by the entries' other keys
            return bool(diff.custom_fields_changes(self._original, self._edited))
        return not diff.same_value(
            get_field_value(self._original, key), get_field_value(self._edited, key)
        )

    def changed_keys(self) -> list[str]:
        """Changed field keys, in row order, then any changed key without a row. The raw
        `custom_fields` list is never listed: its `cf_<id>` keys are."""
        keys = [
            f.key
            for f in self.fields
            if f.type is not FieldType.CUSTOM_FIELDS and self.is_changed(f.key)
        ]
        mine = diff.three_way(self._original, self._edited, self._original).mine_changed
        extra = sorted(k for k in mine if k not in self._rows)
        return keys + extra

    # --- edits -----------------------------------------------------------------------------

    def set_value(self, key: str, value: Any) -> None:
        """Edit one field. Read-only fields (and, for updates, create-only ones) raise
        ValueError; unknown keys KeyError. Editing a field clears its error."""
        if not self.is_editable(key):
            raise ValueError(f"{self.field(key).label} cannot be changed.")
        if diff.same_value(get_field_value(self._edited, key), value):
            return
        self._edited = set_field_value(self._edited, key, copy.deepcopy(value))
        self._after_edit(key)

    def _restore(self, key: str) -> None:
        """Put the original's value (or its absence) back into the edited copy."""
        definition_id = custom_field_id(key)
        if definition_id is not None:
            if _has_custom_entry(self._original, definition_id):
                self._edited = set_custom_value(
                    self._edited, definition_id, copy.deepcopy(get_field_value(self._original, key))
                )
            else:
                self._edited = _without_custom_value(self._edited, definition_id)
            return
        before = self._original.get(key, _MISSING)
        if before is _MISSING:
            self._edited.pop(key, None)
        else:
            self._edited[key] = copy.deepcopy(before)

    def revert(self, key: str | None = None) -> None:
        """Undo the edits of one field, or of all of them."""
        keys = [key] if key is not None else self.changed_keys()
        for k in keys:
            self.field(k)  # KeyError for unknown keys
            self._restore(k)
            self._after_edit(k)

    def _after_edit(self, key: str) -> None:
        errors_changed = self._errors.pop(key, None) is not None
        keys = [key, "custom_fields"] if custom_field_id(key) is not None else [key]
        for k in keys:  # a custom value also changes the raw custom_fields row
            row = self._rows.get(k)
            if row is not None:
                index = self.index(row, 0)
                self.dataChanged.emit(index, index, _ROW_ROLES)
        self.value_changed.emit(key)
        if errors_changed:
            self.errors_changed.emit()
        self._update_dirty()

    def _update_dirty(self) -> None:
        dirty = bool(self.changed_keys())
        if dirty != self._dirty:
            self._dirty = dirty
            self.dirty_changed.emit(dirty)

    def load(self, record: Mapping[str, Any]) -> None:
        """Make `record` the new original and drop every edit and error (after a save, or when
        the user keeps the server's version). The model leaves create mode."""
        self._original = copy.deepcopy(dict(record))
        self._edited = copy.deepcopy(self._original)
        self._is_new = False
        had_errors = bool(self._errors)
        self._errors = {}
        if self.fields:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.fields) - 1, 0), _ALL_ROLES)
        if had_errors:
            self.errors_changed.emit()
        self._update_dirty()
        self.loaded.emit()

    # --- errors ----------------------------------------------------------------------------

    def errors(self) -> dict[str, str]:
        return dict(self._errors)

    def error(self, key: str) -> str | None:
        return self._errors.get(key)

    def set_errors(self, errors: Mapping[str, str]) -> None:
        """Replace every error message (field key → message)."""
        new = dict(errors)
        if new == self._errors:
            return
        touched = set(new) | set(self._errors)
        self._errors = new
        for key in touched:
            row = self._rows.get(key)
            if row is not None:
                index = self.index(row, 0)
                self.dataChanged.emit(index, index, [ErrorRole, _TOOLTIP])
        self.errors_changed.emit()

    def set_error(self, key: str, message: str | None) -> None:
        errors = dict(self._errors)
        if message is None:
            errors.pop(key, None)
        else:
            errors[key] = message
        self.set_errors(errors)

    def validate(self) -> dict[str, str]:
        """Check what would be sent, set the errors and return them.

        A new record is checked whole. An existing one only where the user changed it: an
        update sends nothing else, and a value Copper already holds must not block saving an
        unrelated change.
        """
        messages = validate_record(self.spec, self._edited, self.definitions, creating=self._is_new)
        if not self._is_new:
            changed = set(self.changed_keys())
            messages = {k: m for k, m in messages.items() if k in changed}
        self.set_errors(messages)
        return dict(messages)

    # --- bodies ----------------------------------------------------------------------------

    def original_record(self) -> Record:
        return copy.deepcopy(self._original)

    def edited_record(self) -> Record:
        """The whole record with the edits applied (unknown keys kept)."""
        return copy.deepcopy(self._edited)

    def update_body(self) -> Record:
        """The PUT body: changed, editable keys only."""
        return diff.update_body(self._original, self._edited, self.spec)

    def create_body(self) -> Record:
        """The POST body: every creatable, non-empty value."""
        return diff.create_body(self._edited, self.spec)
