"""Editors picked from, not typed: pick lists (references to loaded lookups, enums, activity
types, the pipeline stage), multi-selects, tags with completion, check boxes, and read-only
display of what cannot be edited.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QEvent, QObject, QStringListModel, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QCompleter,
    QListWidget,
    QListWidgetItem,
    QWidget,
)

from copper_desktop.domain.catalog import FieldSpec, FieldType, LookupKind
from copper_desktop.domain.parsing import split_tags
from copper_desktop.models.lookups import Lookups
from copper_desktop.ui.common.naming import name_popup
from copper_desktop.ui.fields.editor_base import NONE_LABEL, FieldEditor, LineEditor, name_completer

__all__ = [
    "BooleanEditor",
    "ChoiceEditor",
    "MultiChoiceEditor",
    "ReadOnlyEditor",
    "StageEditor",
    "TagsEditor",
    "guard_wheel",
]


class _WheelGuard(QObject):
    """Stops the mouse wheel from changing an unfocused pick list while the form scrolls."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.Wheel
            and isinstance(watched, QWidget)
            and not watched.hasFocus()
        ):
            event.ignore()
            return True
        return False


_WHEEL_GUARD: _WheelGuard | None = None


def guard_wheel(widget: QWidget) -> None:
    """Install the shared wheel guard and make the widget take focus only by click or Tab."""
    global _WHEEL_GUARD
    if _WHEEL_GUARD is None:
        _WHEEL_GUARD = _WheelGuard()
    widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    widget.installEventFilter(_WHEEL_GUARD)


# --- pick lists -----------------------------------------------------------------------------------

Choices = list[tuple[Any, str]]


class ChoiceEditor(FieldEditor):
    """A pick list: REF to a loaded lookup (owner, contact type, status, pipeline…), ENUM
    (status, priority, custom Dropdown) and ACTIVITY_TYPE (`{id, category}`, user types).

    "— none —" (null) is offered for references that are not required and for custom
    dropdowns. A value the list does not know (a deleted user, say) is kept and shown as
    "#<id>" rather than lost. The list refreshes when the lookups (re)load.
    """

    def __init__(self, field: FieldSpec, lookups: Lookups, parent: QWidget | None = None) -> None:
        super().__init__(field, parent)
        self.lookups = lookups
        self.combo = self._input(QComboBox(self), "Combo", 1)
        self.combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.combo.setMinimumContentsLength(16)
        name_popup(self.combo)
        guard_wheel(self.combo)
        self._values: list[Any] = []
        self.combo.activated.connect(self._user_edited)
        lookups.loaded.connect(self._reload)
        self._fill()

    def focus_widget(self) -> QWidget:
        return self.combo

    @property
    def allows_none(self) -> bool:
        field = self.field
        if field.type is FieldType.REF:
            return not field.required
        return field.is_custom and not field.required

    def choices(self) -> Choices:
        """(value, label) of every entry in list order, "— none —" included."""
        return [(v, self.combo.itemText(i)) for i, v in enumerate(self._values)]

    def select(self, value: Any) -> None:
        """Choose an entry as the user would (emits `value_edited`); for keyboardless tests."""
        self.combo.setCurrentIndex(self._index_of(value))
        self._user_edited()

    def _base_choices(self) -> Choices:
        field = self.field
        if field.type is FieldType.ACTIVITY_TYPE:
            return [
                ({"id": type_id, "category": "user"}, name)
                for type_id, name in self.lookups.choices(LookupKind.ACTIVITY_TYPES)
                if self.lookups.activity_category(type_id) == "user"
            ]
        if field.type is FieldType.REF and field.lookup is not None:
            return list(self.lookups.choices(field.lookup))
        return [(c.value, c.label) for c in field.choices]

    def _label_for(self, value: Any) -> str:
        """A label for a value the list does not offer."""
        if value is None:
            return NONE_LABEL
        if isinstance(value, dict):
            type_id = value.get("id")
            name = self.lookups.name(LookupKind.ACTIVITY_TYPES, type_id)
            return f"{name or f'#{type_id}'} ({value.get('category')})"
        if self.field.lookup is not None:
            name = self.lookups.name(self.field.lookup, value)
            if name:
                return name
        return f"#{value}"

    @staticmethod
    def _same(a: Any, b: Any) -> bool:
        if isinstance(a, dict) and isinstance(b, dict):
            return a.get("id") == b.get("id") and a.get("category") == b.get("category")
        return a == b and type(a) is type(b)

    def _index_of(self, value: Any) -> int:
        for index, candidate in enumerate(self._values):
            if self._same(candidate, value):
                return index
        return -1

    def _fill(self, current: Any = None, extra: Choices | None = None) -> None:
        """Rebuild the list around `current` (kept and selected even when not offered)."""
        items: Choices = []
        if self.allows_none:
            items.append((None, NONE_LABEL))
        items.extend(extra if extra is not None else self._base_choices())
        if not any(self._same(v, current) for v, _ in items):
            items.append((current, self._label_for(current)))
        with self._quiet():
            self.combo.clear()
            self._values = []
            for value, label in items:
                self._values.append(value)
                self.combo.addItem(label)
            self.combo.setCurrentIndex(self._index_of(current))

    def _reload(self) -> None:
        self._fill(self._value)

    def _show(self, value: Any) -> None:
        self._fill(value)

    def _read(self) -> tuple[Any, str | None]:
        index = self.combo.currentIndex()
        value = self._values[index] if 0 <= index < len(self._values) else None
        if self._same(value, self._original):
            return self._original, None
        return value, None

    def _apply_read_only(self, read_only: bool) -> None:
        self.combo.setEnabled(not read_only)


class StageEditor(ChoiceEditor):
    """The pipeline stage (REF to PIPELINE_STAGES): offers the stages of one pipeline, in
    pipeline order. `set_pipeline` follows the pipeline editor; a new pipeline picks its
    first stage, as Copper expects."""

    _pipeline: int | None = None

    def pipeline(self) -> int | None:
        """The pipeline whose stages are offered (None: not told yet)."""
        return self._pipeline

    def _base_choices(self) -> Choices:
        pipeline = self._pipeline
        if pipeline is None and isinstance(self._value, int):
            pipeline = self.lookups.pipeline_of_stage(self._value)
        return list(self.lookups.stages(pipeline))

    def set_pipeline(self, pipeline_id: int | None, *, pick_first: bool = False) -> Any:
        """Offer the stages of `pipeline_id` (every stage for None). With `pick_first`, a stage
        outside the pipeline is replaced by the pipeline's first one, counted as a user edit
        (the caller reports it). Returns the stage value afterwards."""
        self._pipeline = pipeline_id if isinstance(pipeline_id, int) else None
        stages = self._base_choices()
        current = self._value
        keep = any(self._same(v, current) for v, _ in stages)
        if pick_first and not keep and stages:
            self._fill(stages[0][0])
            self._user_edited()
        elif pick_first and not keep:
            self._fill(None)
            self._user_edited()
        else:
            self._fill(current)
        return self._value


class MultiChoiceEditor(FieldEditor):
    """MULTI_ENUM (custom MultiSelect): a list of check boxes; the value is the list of option
    ids — kept in the record's order, newly checked ones appended in list order."""

    def __init__(self, field: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(field, parent)
        self.list = self._input(QListWidget(self), "List", 1)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self._values: list[Any] = []
        self.list.itemChanged.connect(self._user_edited)
        self._fill([])

    def focus_widget(self) -> QWidget:
        return self.list

    def item(self, value: Any) -> QListWidgetItem:
        """The check box row of one option id."""
        return self.list.item(self._values.index(value))

    def _fill(self, current: Sequence[Any]) -> None:
        options = [(c.value, c.label) for c in self.field.choices]
        known = {v for v, _ in options}
        options += [(v, f"#{v}") for v in current if v not in known]
        chosen = set(current)
        with self._quiet():
            self.list.clear()
            self._values = []
            for value, label in options:
                item = QListWidgetItem(label, self.list)
                item.setFlags(
                    Qt.ItemFlag.ItemIsEnabled
                    | Qt.ItemFlag.ItemIsSelectable
                    | Qt.ItemFlag.ItemIsUserCheckable
                )
                checked = value in chosen
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
                self._values.append(value)
        rows = min(max(len(options), 1), 6)
        self.list.setFixedHeight(self.list.sizeHintForRow(0) * rows + 2 * self.list.frameWidth()
                                 if options else 24)  # fmt: skip

    def _checked(self) -> list[Any]:
        return [
            value
            for index, value in enumerate(self._values)
            if self.list.item(index).checkState() == Qt.CheckState.Checked
        ]

    def _show(self, value: Any) -> None:
        self._fill(list(value) if isinstance(value, list) else [])

    def _read(self) -> tuple[Any, str | None]:
        checked = self._checked()
        original = self._original if isinstance(self._original, list) else []
        if set(checked) == set(original):
            return self._original, None
        kept = [v for v in original if v in checked]
        return kept + [v for v in checked if v not in kept], None

    def _apply_read_only(self, read_only: bool) -> None:
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if not read_only:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        with self._quiet():
            for index in range(self.list.count()):
                self.list.item(index).setFlags(flags)


# --- tags -----------------------------------------------------------------------------------------


class TagsEditor(LineEditor):
    """TAGS: comma-separated names with completion from the account's tags, per token and
    case-insensitive ("ups" offers "Upsell"). The value is the list in typed order, duplicates
    dropped; Copper replaces the whole list on save (§7)."""

    def __init__(self, field: FieldSpec, lookups: Lookups, parent: QWidget | None = None) -> None:
        super().__init__(field, parent)
        self.lookups = lookups
        self.edit.setPlaceholderText("tag, another tag")
        self.tag_model = QStringListModel(list(lookups.tags), self)
        self.completer = QCompleter(self.tag_model, self)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.completer.setWidget(self.edit)
        self.popup = name_completer(self.completer, f"{self.objectName()}Completions", field.label)
        self.completer.activated[str].connect(self._insert_completion)  # type: ignore[index]
        lookups.loaded.connect(self._reload_tags)

    def _reload_tags(self) -> None:
        self.tag_model.setStringList(list(self.lookups.tags))

    def _text_edited(self, text: str) -> None:
        token = text.rsplit(",", 1)[-1].strip()
        if token and self.edit.hasFocus():
            self.completer.setCompletionPrefix(token)
            if self.completer.completionCount() > 0:
                self.completer.complete()
            else:
                self.popup.hide()
        else:
            self.popup.hide()
        self._user_edited()

    def _insert_completion(self, tag: str) -> None:
        head = self.edit.text().rsplit(",", 1)
        prefix = head[0].rstrip() + ", " if len(head) == 2 and head[0].strip() else ""
        self.edit.setText(f"{prefix}{tag}, ")
        self._user_edited()

    def _show(self, value: Any) -> None:
        tags = [str(t) for t in value] if isinstance(value, list) else []
        self._show_text(", ".join(tags))

    def _read(self) -> tuple[Any, str | None]:
        text = self.edit.text()
        tags = split_tags(text)
        if text == self._shown or (isinstance(self._original, list) and tags == self._original):
            return self._original, None
        if not tags and self._original is None:
            return None, None
        return tags, None


# --- read-only display ----------------------------------------------------------------------------


class ReadOnlyEditor(LineEditor):
    """ID, JSON, CONNECT, the raw custom_fields list and unknown types: shown, never edited;
    `value()` is exactly what `set_value` got."""

    EDIT_SUFFIX = "Display"

    def __init__(
        self, field: FieldSpec, lookups: Lookups | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(field, parent)
        self.lookups = lookups
        self.edit.setReadOnly(True)
        self._read_only = True

    def set_read_only(self, read_only: bool) -> None:
        """Always read-only, whatever is asked."""
        self._read_only = True

    def _show(self, value: Any) -> None:
        self.edit.setText(self.display_text(value))
        self.edit.setCursorPosition(0)

    def display_text(self, value: Any) -> str:
        if value is None:
            return ""
        if self.field.type is FieldType.CONNECT:
            count = len(value) if isinstance(value, list) else 0
            if not count:
                return "No linked records"
            return f"{count} linked record{'s' if count != 1 else ''} (managed in Copper)"
        if self.field.type is FieldType.REF and self.lookups and self.field.lookup:
            name = self.lookups.name(self.field.lookup, value)
            return name or f"#{value}"
        if isinstance(value, dict | list):
            return json.dumps(value, ensure_ascii=False)
        return str(value)

    def _read(self) -> tuple[Any, str | None]:
        return self._original, None

    def _apply_read_only(self, read_only: bool) -> None:
        self.edit.setReadOnly(True)


# --- check boxes ----------------------------------------------------------------------------------


class BooleanEditor(FieldEditor):
    """BOOLEAN (custom Checkbox): a check box; an untouched null stays null."""

    def __init__(self, field: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(field, parent)
        self.box = self._input(QCheckBox(self), "Check")
        self.content.addStretch(1)
        self.box.clicked.connect(self._user_edited)

    def focus_widget(self) -> QWidget:
        return self.box

    def _show(self, value: Any) -> None:
        self.box.setChecked(bool(value))

    def _read(self) -> tuple[Any, str | None]:
        checked = self.box.isChecked()
        if checked == bool(self._original) and self._original in (None, True, False):
            return self._original, None
        return checked, None

    def _apply_read_only(self, read_only: bool) -> None:
        self.box.setEnabled(not read_only)
