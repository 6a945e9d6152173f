"""The record form: one labelled editor per field, built from the catalog and the account's
custom field definitions, in a scroll area.

The form shows and collects values; it does not own the record. The editor window feeds it
with `set_record`, listens to `field_edited`, and pushes back what its `RecordModel` decides:
`set_changed` (changed marks) and `set_errors` (validation and 422 messages).

Fields depend on each other in three places, wired here: the pipeline picks which stages the
stage list offers (a new pipeline selects its first stage, as Copper expects); the currency
code is shown beside monetary values; close dates keep the order the account uses.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import partial
from itertools import pairwise
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from copper_desktop.domain.catalog import EntitySpec, FieldSpec, FieldType
from copper_desktop.domain.custom_fields import (
    CustomFieldDefinition,
    entity_fields,
    get_field_value,
)
from copper_desktop.models.lookups import Lookups
from copper_desktop.ui.fields.field_editors import (
    FieldEditor,
    NumberEditor,
    StageEditor,
    make_editor,
)
from copper_desktop.ui.fields.record_picker import SearchClient

CUSTOM_SECTION_TITLE = "Custom fields"


def form_fields(
    spec: EntitySpec,
    definitions: Iterable[CustomFieldDefinition] = (),
    *,
    creating: bool = False,
) -> tuple[FieldSpec, ...]:
    """The fields a form shows by default: the catalog's and the custom ones, without the raw
    `custom_fields` list; when creating, without those Copper fills itself (read-only)."""
    return tuple(
        f
        for f in entity_fields(spec, definitions)
        if f.type is not FieldType.CUSTOM_FIELDS and (f.creatable or not creating)
    )


class RecordForm(QWidget):
    """Editors for one record's fields: main fields first, then a "Custom fields" section.

    Signals:
        field_edited(str, object): the user changed a field: its key (`cf_<id>` for custom
            fields) and the editor's value in Copper's form (the last valid one while the
            input has an error; see `input_errors`).
    """

    field_edited = Signal(str, object)

    def __init__(
        self,
        spec: EntitySpec,
        fields: Sequence[FieldSpec],
        lookups: Lookups,
        client: SearchClient | None,
        *,
        creating: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.spec = spec
        self.lookups = lookups
        self.creating = creating
        self.setObjectName("recordForm")
        self.setAccessibleName(f"{spec.label} fields")
        self._editors: dict[str, FieldEditor] = {}
        self._labels: dict[str, QLabel] = {}
        self._record: Mapping[str, Any] = {}

        self.scroll_area = QScrollArea(self)
        self.scroll_area.setObjectName("recordFormScroll")
        self.scroll_area.setAccessibleName(f"{spec.label} fields")
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.fields_widget = QWidget(self.scroll_area)
        self.fields_widget.setObjectName("recordFormFields")
        column = QVBoxLayout(self.fields_widget)
        self.main_layout = QFormLayout()
        self.main_layout.setObjectName("recordFormMain")
        self.main_layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        column.addLayout(self.main_layout)
        self.custom_section = QGroupBox(CUSTOM_SECTION_TITLE, self.fields_widget)
        self.custom_section.setObjectName("customFieldsSection")
        self.custom_section.setAccessibleName(CUSTOM_SECTION_TITLE)
        self.custom_layout = QFormLayout(self.custom_section)
        self.custom_layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        column.addWidget(self.custom_section)
        column.addStretch(1)
        self.scroll_area.setWidget(self.fields_widget)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.scroll_area)

        ordered = [f for f in fields if not f.is_custom] + [f for f in fields if f.is_custom]
        for field in ordered:
            if field.type is FieldType.CUSTOM_FIELDS or field.key in self._editors:
                continue
            self._add(field, client)
        self.custom_section.setVisible(self.custom_layout.rowCount() > 0)
        self._wire_dependencies()
        self._chain_focus()

    # ------------------------------------------------------------------ building

    def _add(self, field: FieldSpec, client: SearchClient | None) -> None:
        layout = self.custom_layout if field.is_custom else self.main_layout
        parent = self.custom_section if field.is_custom else self.fields_widget
        editor = make_editor(field, self.lookups, client, parent)
        allowed = field.creatable if self.creating else field.editable
        editor.set_read_only(not allowed)
        label = QLabel(f"{field.label} *" if field.required and allowed else field.label, parent)
        label.setObjectName(f"label_{field.key}")
        label.setBuddy(editor.focus_widget())
        if field.required and allowed:
            label.setToolTip("Required")
        layout.addRow(label, editor)
        editor.value_edited.connect(partial(self._on_edited, field.key))
        editor.structure_changed.connect(self._chain_focus)
        self._editors[field.key] = editor
        self._labels[field.key] = label

    def _wire_dependencies(self) -> None:
        stage = self._editors.get("pipeline_stage_id")
        pipeline = self._editors.get("pipeline_id")
        if isinstance(stage, StageEditor) and pipeline is not None:
            pipeline.value_edited.connect(self._pipeline_edited)
        for editor in self._editors.values():
            currency_key = editor.field.currency_key
            if currency_key and currency_key in self._editors:
                self._editors[currency_key].value_edited.connect(self._currency_edited)

    def _chain_focus(self) -> None:
        """Tab follows the visual order, rows added to lists included."""
        chain = [
            widget
            for key in self.field_keys()
            for widget in self._editors[key].focus_widgets()
            if widget.focusPolicy() != Qt.FocusPolicy.NoFocus
        ]
        for first, second in pairwise(chain):
            QWidget.setTabOrder(first, second)

    # ------------------------------------------------------------------ public API

    def field_keys(self) -> list[str]:
        """Field keys in visual order (main section, then custom fields)."""
        return list(self._editors)

    def editor(self, key: str) -> FieldEditor:
        """The editor of one field; KeyError for a field the form does not show."""
        return self._editors[key]

    def label(self, key: str) -> QLabel:
        return self._labels[key]

    def has_field(self, key: str) -> bool:
        return key in self._editors

    def set_record(self, record: Mapping[str, Any]) -> None:
        """Show every field of `record` (custom fields from its `custom_fields`); emits
        nothing. Changed marks and errors are left as they are."""
        self._record = record
        pipeline = record.get("pipeline_id")
        stage = self._editors.get("pipeline_stage_id")
        if isinstance(stage, StageEditor):
            stage.set_pipeline(pipeline if isinstance(pipeline, int) else None)
        for key, editor in self._editors.items():
            editor.set_value(get_field_value(record, key))
        for editor in self._editors.values():
            if isinstance(editor, NumberEditor) and editor.field.type is FieldType.MONEY:
                currency_key = editor.field.currency_key
                code = record.get(currency_key) if currency_key else None
                editor.set_currency(code if isinstance(code, str) else None)

    def set_errors(self, errors: Mapping[str, str]) -> dict[str, str]:
        """Show these messages at their fields and clear every other field's message.
        Returns the messages no field here can show (e.g. Copper's "Base" errors)."""
        for key, editor in self._editors.items():
            editor.set_error(errors.get(key))
        return {k: v for k, v in errors.items() if k not in self._editors}

    def set_changed(self, keys: Iterable[str]) -> None:
        """Mark these fields changed-but-not-saved; unmark the others."""
        changed = set(keys)
        for key, editor in self._editors.items():
            editor.set_changed(key in changed)

    def input_errors(self) -> dict[str, str]:
        """Field key → why its typed text cannot be read (nothing may be saved until fixed)."""
        return {
            key: message
            for key, editor in self._editors.items()
            if (message := editor.input_error()) is not None
        }

    def focus_field(self, key: str) -> None:
        """Scroll to a field and put the cursor in it (error jumps, "go to field")."""
        editor = self._editors[key]
        self.scroll_area.ensureWidgetVisible(editor, 20, 20)
        editor.focus_editor()
        self.scroll_area.ensureWidgetVisible(editor.focus_widget(), 20, 20)

    def is_busy(self) -> bool:
        """Whether a picker search or name look-up is still running."""
        return any(editor.is_busy() for editor in self._editors.values())

    async def aclose(self) -> None:
        """Cancel every editor's background requests (call before the form goes away)."""
        for editor in self._editors.values():
            await editor.aclose()

    # ------------------------------------------------------------------ reactions

    def _on_edited(self, key: str) -> None:
        self.field_edited.emit(key, self._editors[key].value())

    def _pipeline_edited(self) -> None:
        """A new pipeline offers its own stages and selects the first (reported as an edit)."""
        stage = self._editors["pipeline_stage_id"]
        assert isinstance(stage, StageEditor)
        pipeline = self._editors["pipeline_id"].value()
        # set_pipeline reports its choice through stage.value_edited → field_edited.
        stage.set_pipeline(pipeline if isinstance(pipeline, int) else None, pick_first=True)

    def _currency_edited(self) -> None:
        for editor in self._editors.values():
            key = editor.field.currency_key
            if isinstance(editor, NumberEditor) and key in self._editors:
                code = self._editors[key].value()
                editor.set_currency(code if isinstance(code, str) else None)
