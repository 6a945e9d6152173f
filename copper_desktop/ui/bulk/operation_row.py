"""One change of a bulk edit: what to do (set or clear a field, edit tags, reassign the owner,
change the status, move to a pipeline and stage), the value, and which records it applies to.

The value is entered in the record editor's own widget for the field (``make_editor``), so a
bulk edit parses and validates input exactly as the editor does; :meth:`OperationRow.operation`
turns the row into a ``domain.bulk`` operation, or says what is wrong (shown under the row).
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Any, Final

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from copper_desktop.domain.bulk import (
    BulkContext,
    BulkOperation,
    Clear,
    CopyFrom,
    EditTags,
    MoveToStage,
    SetField,
    Source,
    TagMode,
    Typed,
    Where,
    change_status,
    clear_field,
    is_blank_value,
    reassign_owner,
)
from copper_desktop.domain.catalog import FieldSpec
from copper_desktop.models.lookups import Lookups
from copper_desktop.ui.common.inline_error import error_label, show_error
from copper_desktop.ui.common.naming import name_popup, named
from copper_desktop.ui.fields.choice_editors import BooleanEditor, ChoiceEditor, StageEditor
from copper_desktop.ui.fields.field_editors import FieldEditor, make_editor
from copper_desktop.ui.fields.record_picker import SearchClient

__all__ = ["KIND_LABELS", "Kind", "OperationRow", "SourceKind", "available_kinds"]


class Kind(StrEnum):
    SET = "set"
    CLEAR = "clear"
    TAGS = "tags"
    OWNER = "owner"
    STATUS = "status"
    STAGE = "stage"


KIND_LABELS: Final = {
    Kind.SET: "Set a field",
    Kind.CLEAR: "Clear a field",
    Kind.TAGS: "Edit tags",
    Kind.OWNER: "Reassign owner",
    Kind.STATUS: "Change status",
    Kind.STAGE: "Move to pipeline and stage",
}


class SourceKind(StrEnum):
    TYPED = "typed"
    COPY = "copy"
    CLEAR = "clear"


SOURCE_LABELS: Final = {
    SourceKind.TYPED: "to this value",
    SourceKind.COPY: "copied from another field",
    SourceKind.CLEAR: "to nothing (clear it)",
}
WHERE_LABELS: Final = {
    Where.ALL: "on every selected record",
    Where.BLANK: "only where it is blank",
    Where.NOT_BLANK: "only where it is not blank",
}
TAG_LABELS: Final = {
    TagMode.ADD: "Add these tags",
    TagMode.REMOVE: "Remove these tags",
    TagMode.REPLACE: "Replace all tags with",
}
_OWN_OPERATION: Final = frozenset({"tags", "pipeline_id", "pipeline_stage_id"})
"""Fields "Set a field" leaves to their own kind of change: tags have add/remove/replace, and
a pipeline and its stage move together."""


def status_key(ctx: BulkContext) -> str | None:
    """Leads have ``status_id``; opportunities, projects and tasks ``status``."""
    for key in ("status_id", "status"):
        spec = ctx.field(key)
        if spec is not None and spec.editable:
            return key
    return None


def available_kinds(ctx: BulkContext) -> list[Kind]:
    """The kinds of change this entity offers."""
    kinds = [Kind.SET, Kind.CLEAR]
    if ctx.field("tags") is not None:
        kinds.append(Kind.TAGS)
    if ctx.field("assignee_id") is not None:
        kinds.append(Kind.OWNER)
    if status_key(ctx) is not None:
        kinds.append(Kind.STATUS)
    if ctx.field("pipeline_stage_id") is not None and ctx.field("pipeline_id") is not None:
        kinds.append(Kind.STAGE)
    return kinds


def _combo(parent: QWidget, name: str, accessible: str) -> QComboBox:
    combo = named(QComboBox(parent), name, accessible)
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
    name_popup(combo)
    return combo


def _fill(combo: QComboBox, items: Sequence[tuple[str, Any]], keep: Any = None) -> None:
    """Replace a combo's (label, data) items, keeping ``keep`` selected when offered."""
    combo.blockSignals(True)
    try:
        combo.clear()
        for label, data in items:
            combo.addItem(label, data)
        index = combo.findData(keep) if keep is not None else -1
        combo.setCurrentIndex(max(index, 0))
    finally:
        combo.blockSignals(False)


class OperationRow(QFrame):
    """One change. ``serial`` names its widgets (``bulkOp<serial>Kind``, …); ``number`` is
    its place in the list (1-based), read out in accessible names.

    Signals:
        edited(): the user changed anything in the row (its error is cleared).
        remove_requested(object): the row's Remove button was pressed (the row is passed).
    """

    edited = Signal()
    remove_requested = Signal(object)

    def __init__(
        self,
        ctx: BulkContext,
        lookups: Lookups,
        client: SearchClient | None,
        serial: int,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.lookups = lookups
        self.client = client
        self.serial = serial
        self.number = serial
        self.name = f"bulkOp{serial}"
        self.setObjectName(self.name)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.editor: FieldEditor | None = None
        """The value's editor (set: the field's; tags, owner, status: theirs; stage: stage)."""
        self.pipeline_editor: ChoiceEditor | None = None
        self._touched = False

        self.kind_combo = _combo(self, f"{self.name}Kind", "Kind of change")
        for kind in available_kinds(ctx):
            self.kind_combo.addItem(KIND_LABELS[kind], kind.value)
        self.field_combo = _combo(self, f"{self.name}Field", "Field to change")
        self.mode_combo = _combo(self, f"{self.name}TagMode", "What to do with the tags")
        for mode, label in TAG_LABELS.items():
            self.mode_combo.addItem(label, mode.value)
        self.source_combo = _combo(self, f"{self.name}Source", "Set it")
        self.copy_combo = _combo(self, f"{self.name}CopyFrom", "Copy from field")
        self.where_combo = _combo(self, f"{self.name}Where", "Apply to")
        for where, label in WHERE_LABELS.items():
            self.where_combo.addItem(label, where.value)
        self.remove_button = QPushButton("Remove", self)
        self.remove_button.setObjectName(f"{self.name}Remove")
        self.remove_button.setToolTip("Remove this change")
        self.error = error_label(f"{self.name}Error", "Change error", self)

        top = QHBoxLayout()
        for widget in (self.kind_combo, self.field_combo, self.mode_combo, self.source_combo,
                       self.where_combo):  # fmt: skip
            top.addWidget(widget)
        top.addStretch(1)
        top.addWidget(self.remove_button)
        self.value_row = QHBoxLayout()
        self.value_label = QLabel(self)
        self.value_label.setObjectName(f"{self.name}ValueLabel")
        self.value_row.addWidget(self.value_label)
        self.value_row.addWidget(self.copy_combo, 1)
        self.value_slot = QHBoxLayout()
        self.value_row.addLayout(self.value_slot, 3)
        column = QVBoxLayout(self)
        column.addLayout(top)
        column.addLayout(self.value_row)
        column.addWidget(self.error)

        self.kind_combo.currentIndexChanged.connect(self._kind_changed)
        self.field_combo.currentIndexChanged.connect(self._field_changed)
        self.source_combo.currentIndexChanged.connect(self._source_changed)
        for combo in (self.mode_combo, self.copy_combo, self.where_combo):
            combo.currentIndexChanged.connect(self._user_edited)
        self.remove_button.clicked.connect(lambda: self.remove_requested.emit(self))
        self.set_number(serial)
        self._kind_changed()

    # ------------------------------------------------------------------ public API
    def kind(self) -> Kind:
        return Kind(self.kind_combo.currentData())

    def set_kind(self, kind: Kind) -> None:
        """Choose a kind of change as the user would."""
        self.kind_combo.setCurrentIndex(self.kind_combo.findData(kind.value))

    def field_key(self) -> str | None:
        data = self.field_combo.currentData()
        return str(data) if data is not None else None

    def set_field(self, key: str) -> None:
        self.field_combo.setCurrentIndex(self.field_combo.findData(key))

    def set_source(self, source: SourceKind) -> None:
        self.source_combo.setCurrentIndex(self.source_combo.findData(source.value))

    def set_where(self, where: Where) -> None:
        self.where_combo.setCurrentIndex(self.where_combo.findData(where.value))

    def set_number(self, number: int) -> None:
        """The row's place in the list: screen readers say "Change 2: Field to change"."""
        self.number = number
        self.setAccessibleName(f"Change {number}")
        for widget in (self.kind_combo, self.field_combo, self.mode_combo, self.source_combo,
                       self.copy_combo, self.where_combo):  # fmt: skip
            base = widget.accessibleName().split(": ", 1)[-1]
            widget.setAccessibleName(f"Change {number}: {base}")
        self.remove_button.setAccessibleName(f"Remove change {number}")
        self.error.setAccessibleName(f"Change {number} error")

    def show_error(self, message: str | None) -> None:
        show_error(self.error, message)

    def shown_error(self) -> str | None:
        return self.error.text() if self.error.isVisibleTo(self) else None

    def operation(self) -> tuple[BulkOperation | None, str | None]:
        """The row as an operation, or (None, why it is not one yet)."""
        kind = self.kind()
        where = Where(self.where_combo.currentData())
        if kind is Kind.STAGE:
            return self._stage_operation()
        if kind is Kind.CLEAR:
            key = self.field_key()
            return (clear_field(key, where), None) if key else (None, "Choose a field.")
        if kind is Kind.TAGS:
            problem = self._input_problem()
            if problem:
                return None, problem
            value = self.editor.value() if self.editor is not None else None
            tags = tuple(str(t) for t in value) if isinstance(value, list) else ()
            return EditTags(TagMode(self.mode_combo.currentData()), tags, where), None
        if kind is Kind.OWNER:
            problem = self._input_problem(pick="Choose an owner (“— none —” unassigns).")
            if problem:
                return None, problem
            value = self.editor.value() if self.editor is not None else None
            return reassign_owner(value if isinstance(value, int) else None, where), None
        if kind is Kind.STATUS:
            problem = self._input_problem(pick="Choose a status.", blank="Choose a status.")
            if problem:
                return None, problem
            assert self.editor is not None
            return change_status(self.ctx.spec, self.editor.value(), where), None
        return self._set_operation(where)

    # ------------------------------------------------------------------ building
    def _set_operation(self, where: Where) -> tuple[BulkOperation | None, str | None]:
        key = self.field_key()
        if key is None:
            return None, "Choose a field."
        source_kind = SourceKind(self.source_combo.currentData())
        source: Source
        if source_kind is SourceKind.CLEAR:
            source = Clear()
        elif source_kind is SourceKind.COPY:
            other = self.copy_combo.currentData()
            if other is None:
                return None, "Choose the field to copy from."
            source = CopyFrom(str(other))
        else:
            problem = self._input_problem(
                pick="Choose a value (or set it to nothing).",
                blank="Enter a value, or choose “to nothing (clear it)”.",
            )
            if problem:
                return None, problem
            assert self.editor is not None
            source = Typed(self.editor.value())
        return SetField(key, source, where), None

    def _stage_operation(self) -> tuple[BulkOperation | None, str | None]:
        pipeline = self.pipeline_editor.value() if self.pipeline_editor is not None else None
        stage = self.editor.value() if self.editor is not None else None
        if not isinstance(pipeline, int) or isinstance(pipeline, bool):
            return None, "Choose a pipeline."
        if not isinstance(stage, int) or isinstance(stage, bool):
            return None, "Choose a stage of this pipeline."
        return MoveToStage(pipeline, stage), None

    def _input_problem(self, *, pick: str | None = None, blank: str | None = None) -> str | None:
        """Why the value's input cannot be used: unreadable text (the editor's own message),
        a pick list never touched, or nothing entered where a value is needed."""
        editor = self.editor
        if editor is None:
            return "Choose a field."
        message = editor.input_error()
        if message:
            return f"{editor.field.label}: {message}"
        if pick and isinstance(editor, ChoiceEditor) and not self._touched:
            return pick
        if blank and is_blank_value(editor.value()) and not isinstance(editor, BooleanEditor):
            return blank
        return None

    def _settable(self) -> list[FieldSpec]:
        return [f for f in self.ctx.settable_fields() if f.key not in _OWN_OPERATION]

    def _clearable(self) -> list[FieldSpec]:
        return [f for f in self.ctx.settable_fields()
                if f.key not in ("pipeline_id", "pipeline_stage_id")]  # fmt: skip

    @staticmethod
    def _field_items(fields: Sequence[FieldSpec]) -> list[tuple[str, Any]]:
        standard = [(f.label, f.key) for f in fields if not f.is_custom]
        custom = [(f"{f.label} (custom)", f.key) for f in fields if f.is_custom]
        return standard + custom

    def _kind_changed(self, *_: object) -> None:
        kind = self.kind()
        keep = self.field_key()
        if kind is Kind.SET:
            _fill(self.field_combo, self._field_items(self._settable()), keep)
        elif kind is Kind.CLEAR:
            _fill(self.field_combo, self._field_items(self._clearable()), keep)
        self.field_combo.setVisible(kind in (Kind.SET, Kind.CLEAR))
        self.mode_combo.setVisible(kind is Kind.TAGS)
        self.source_combo.setVisible(kind is Kind.SET)
        self.where_combo.setVisible(kind is not Kind.STAGE)
        self._field_changed()

    def _field_changed(self, *_: object) -> None:
        kind = self.kind()
        if kind is Kind.SET:
            key = self.field_key()
            keep = self.source_combo.currentData()
            sources = [SourceKind.TYPED]
            if key is not None and self.ctx.copy_sources(key):
                sources.append(SourceKind.COPY)
            field = self.ctx.field(key) if key else None
            if field is not None and not field.required:
                sources.append(SourceKind.CLEAR)
            _fill(self.source_combo, [(SOURCE_LABELS[s], s.value) for s in sources], keep)
            copyable = self.ctx.copy_sources(key) if key else []
            _fill(self.copy_combo, [(f.label, f.key) for f in copyable])
        self._source_changed()

    def _source_changed(self, *_: object) -> None:
        """Rebuild the value part of the row for the kind, field and source chosen."""
        kind = self.kind()
        self._drop_editors()
        source = SourceKind(self.source_combo.currentData() or SourceKind.TYPED.value)
        copying = kind is Kind.SET and source is SourceKind.COPY
        self.copy_combo.setVisible(copying)
        field: FieldSpec | None = None
        if kind is Kind.SET and source is SourceKind.TYPED:
            key = self.field_key()
            field = self.ctx.field(key) if key else None
        elif kind is Kind.TAGS:
            field = self.ctx.field("tags")
        elif kind is Kind.OWNER:
            field = self.ctx.field("assignee_id")
        elif kind is Kind.STATUS:
            key = status_key(self.ctx)
            field = self.ctx.field(key) if key else None
        elif kind is Kind.STAGE:
            self._build_stage()
        if field is not None:
            self.editor = self._add_editor(field)
        label = (
            "from"
            if copying
            else ""
            if self.editor is None
            else "tags"
            if kind is Kind.TAGS
            else "to"
        )
        self.value_label.setText(label)
        self.value_label.setVisible(bool(label))
        self._user_edited()

    def _add_editor(self, field: FieldSpec) -> FieldEditor:
        editor = make_editor(field, self.lookups, self.client, self)
        editor.set_value(False if isinstance(editor, BooleanEditor) else None)
        editor.value_edited.connect(self._editor_edited)
        self.value_slot.addWidget(editor, 1)
        editor.show()
        return editor

    def _build_stage(self) -> None:
        pipeline_field = self.ctx.field("pipeline_id")
        stage_field = self.ctx.field("pipeline_stage_id")
        assert pipeline_field is not None and stage_field is not None
        pipeline = make_editor(pipeline_field, self.lookups, None, self)
        assert isinstance(pipeline, ChoiceEditor)
        self.pipeline_editor = pipeline
        pipeline.set_value(None)
        stage = make_editor(stage_field, self.lookups, None, self)
        assert isinstance(stage, StageEditor)
        stage.set_pipeline(None)
        stage.set_value(None)
        pipeline.value_edited.connect(self._pipeline_edited)
        stage.value_edited.connect(self._editor_edited)
        self.value_slot.addWidget(pipeline, 1)
        self.value_slot.addWidget(stage, 1)
        pipeline.show()
        stage.show()
        self.editor = stage

    def _pipeline_edited(self) -> None:
        """A pipeline offers its own stages and picks its first (as the record editor does)."""
        assert self.pipeline_editor is not None and isinstance(self.editor, StageEditor)
        pipeline = self.pipeline_editor.value()
        self.editor.set_pipeline(pipeline if isinstance(pipeline, int) else None, pick_first=True)
        self._editor_edited()

    def _drop_editors(self) -> None:
        for editor in (self.editor, self.pipeline_editor):
            if editor is not None:
                self.value_slot.removeWidget(editor)
                editor.hide()
                editor.deleteLater()
        self.editor = self.pipeline_editor = None
        self._touched = False

    def editors(self) -> list[FieldEditor]:
        return [e for e in (self.pipeline_editor, self.editor) if e is not None]

    def _editor_edited(self) -> None:
        self._touched = True
        self._user_edited()

    def _user_edited(self, *_: object) -> None:
        self.show_error(None)
        self.edited.emit()
