"""The common frame of every field editor: value in Copper's JSON form, input errors, an inline
error label, the "changed" mark and read-only state.

Subclasses only put a value into their widgets (`_show`) and read one back (`_read`); this base
keeps the bookkeeping the record form relies on identical for every field type:

* `value_edited` fires on user edits only, never from `set_value` (a `_loading` guard covers
  widgets whose change signals also fire on programmatic changes).
* `value()` is the value of the **last valid input**: while the text cannot be read (`input_error`
  is set) it keeps returning the value before the bad keystroke, so it never raises and never
  hands the record a half-typed value.
* Widgets showing exactly what `set_value` put there give back the original value untouched
  ("unchanged text → original value"), so a round trip never rewrites a record (seconds a
  "YYYY-MM-DD HH:MM" display drops, `3.0` shown as "3", "" versus null, zero-padded dates).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Final, TypeVar

from PySide6.QtCore import Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCompleter,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from copper_desktop.domain.catalog import FieldSpec
from copper_desktop.domain.validation import validate_value
from copper_desktop.ui.common.style import changed_color, error_text_style, follow_palette

CHANGED_TIP: Final = "Changed, not saved"
NONE_LABEL: Final = "— none —"
"""The pick-list entry that means "no value" (sent as null)."""

W = TypeVar("W", bound=QWidget)


def _changed_bar_style(palette: QPalette) -> str:
    return f"background-color: {changed_color(palette).name()}; border: none;"


def _plain_bar_style(_palette: QPalette) -> str:
    return "background-color: transparent; border: none;"


def text_of(value: Any) -> str:
    """What a text box shows for a value: "" for null, else its text."""
    return "" if value is None else str(value)


def name_completer(completer: QCompleter, object_name: str, label: str) -> QAbstractItemView:
    """Name a completer's pop-up list (tests and screen readers find it) and return it."""
    popup = completer.popup()
    assert popup is not None  # QCompleter always makes one
    popup.setObjectName(object_name)
    popup.setAccessibleName(f"{label} suggestions")
    return popup


class FieldEditor(QWidget):
    """Edits one field of a record; subclasses exist for every `FieldType`.

    Signals:
        value_edited(): the user changed the input (typing, picking, clicking); never emitted
            by `set_value`.
        structure_changed(): rows were added or removed, so the focus chain must be rebuilt.
    """

    value_edited = Signal()
    structure_changed = Signal()

    def __init__(self, field: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.field = field
        self.setObjectName(f"field_{field.key}")
        self.setAccessibleName(field.label)
        self._original: Any = None
        self._value: Any = None
        self._input_error: str | None = None
        self._input_error_shown = False
        self._error: str | None = None
        self._changed = False
        self._read_only = False
        self._loading = 0

        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(4)
        self.changed_bar = QFrame(self)
        self.changed_bar.setObjectName(f"{self.objectName()}ChangedMark")
        self.changed_bar.setFixedWidth(4)
        self.changed_bar.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Expanding)
        outer.addWidget(self.changed_bar)
        column = QVBoxLayout()
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        outer.addLayout(column, 1)
        self.content = QHBoxLayout()
        self.content.setContentsMargins(0, 0, 0, 0)
        self.content.setSpacing(4)
        column.addLayout(self.content)
        self.error_label = QLabel(self)
        self.error_label.setObjectName(f"{self.objectName()}Error")
        self.error_label.setAccessibleName(f"{field.label} error")
        self.error_label.setWordWrap(True)
        follow_palette(self.error_label, error_text_style)
        self.error_label.setVisible(False)
        column.addWidget(self.error_label)
        self._paint_bar()

    # ------------------------------------------------------------------ public API

    def value(self) -> Any:
        """The field's value in Copper's JSON form (the last valid input; see module doc)."""
        return self._value

    def set_value(self, value: Any) -> None:
        """Show `value` (as found in the record); emits nothing and clears any input error."""
        self._original = value
        self._value = value
        self._input_error = None
        self._input_error_shown = False
        with self._quiet():
            self._show(value)
        self._update_error_label()

    def input_error(self) -> str | None:
        """Why the current input cannot become a value (e.g. "abc" in a number), else None."""
        return self._input_error

    def set_error(self, message: str | None) -> None:
        """Show a validation or server (422) message under the input; None clears it."""
        self._error = message or None
        self._update_error_label()

    def error(self) -> str | None:
        """The message given to `set_error` (input errors are in `input_error`)."""
        return self._error

    def shown_error(self) -> str | None:
        """What the error label shows now, if anything."""
        return self.error_label.text() if self.error_label.isVisibleTo(self) else None

    def set_changed(self, changed: bool) -> None:
        """Mark the field as edited but not saved (a colored bar and a tooltip)."""
        self._changed = changed
        self._paint_changed()

    def is_changed(self) -> bool:
        return self._changed

    def set_read_only(self, read_only: bool) -> None:
        self._read_only = read_only
        self._apply_read_only(read_only)

    def is_read_only(self) -> bool:
        return self._read_only

    def focus_editor(self) -> None:
        """Give keyboard focus to the input (the form's `focus_field` and error jumps)."""
        self.focus_widget().setFocus()

    def focus_widget(self) -> QWidget:
        """The widget that takes focus first (also the buddy of the field's label)."""
        return self

    def focus_widgets(self) -> list[QWidget]:
        """Every focusable part, in visual order, for the form's tab chain."""
        return [self.focus_widget()]

    def is_busy(self) -> bool:
        """Whether a background request (record search, name lookup) is running."""
        return False

    async def aclose(self) -> None:
        """Cancel background work; editors that start none have nothing to do."""

    # ------------------------------------------------------------------ for subclasses

    def _input(self, widget: W, suffix: str, stretch: int = 0) -> W:
        """Name an input after the field (``field_<key><suffix>``; read out as the field's
        label) and add it to the editor's row."""
        widget.setObjectName(f"{self.objectName()}{suffix}")
        widget.setAccessibleName(self.field.label)
        self.content.addWidget(widget, stretch)
        return widget

    def _show(self, value: Any) -> None:
        raise NotImplementedError

    def _read(self) -> tuple[Any, str | None]:
        """(value, None) from the widgets, or (anything, message) when they cannot be read."""
        raise NotImplementedError

    def _apply_read_only(self, read_only: bool) -> None:
        raise NotImplementedError

    @contextmanager
    def _quiet(self) -> Iterator[None]:
        """Programmatic widget changes inside this block are not user edits."""
        self._loading += 1
        try:
            yield
        finally:
            self._loading -= 1

    def _user_edited(self, *_: object) -> None:
        """Connected to the widgets' change signals: re-read, keep the last good value, emit."""
        if self._loading:
            return
        value, message = self._read()
        if message is None and value is not self._original:
            message = validate_value(self.field, value)
        self._input_error = message
        if message is None:
            self._value = value
            self._input_error_shown = False
        self._update_error_label()
        self.value_edited.emit()

    def _commit(self, *_: object) -> None:
        """Editing finished (focus left, Enter): an input error is shown from now on."""
        if self._input_error is not None:
            self._input_error_shown = True
            self._update_error_label()

    def _update_error_label(self) -> None:
        shown = self._input_error if self._input_error_shown else None
        text = shown or self._error
        self.error_label.setText(text or "")
        self.error_label.setVisible(bool(text))
        self._describe()

    def _paint_changed(self) -> None:
        self._paint_bar()
        self._describe()

    def _paint_bar(self) -> None:
        follow_palette(self.changed_bar, _changed_bar_style if self._changed else _plain_bar_style)
        self.changed_bar.setToolTip(CHANGED_TIP if self._changed else "")
        self.setToolTip(CHANGED_TIP if self._changed else "")

    def _describe(self) -> None:
        """Screen readers hear the error and the changed state with the field."""
        error = self.error_label.text() if self.error_label.isVisibleTo(self) else ""
        description = ". ".join(p for p in (error, CHANGED_TIP if self._changed else "") if p)
        self.setAccessibleDescription(description)
        focus = self.focus_widget()
        if focus is not self:
            focus.setAccessibleDescription(description)


class LineEditor(FieldEditor):
    """An editor whose input is one line edit, ``self.edit`` (text, numbers, dates, tags, a
    single e-mail): typing is read at once, leaving the box commits, and ``_shown`` holds the
    text ``_show`` put there (unchanged text gives the original value back)."""

    EDIT_SUFFIX = "Edit"

    def __init__(
        self, field: FieldSpec, parent: QWidget | None = None, *, stretch: int = 0
    ) -> None:
        super().__init__(field, parent)
        self.edit = self._input(QLineEdit(self), self.EDIT_SUFFIX, stretch)
        self._shown = ""
        self.edit.textEdited.connect(self._text_edited)
        self.edit.editingFinished.connect(self._commit)

    def _text_edited(self, _text: str) -> None:
        self._user_edited()

    def _show_text(self, text: str) -> None:
        self._shown = text
        self.edit.setText(text)

    def focus_widget(self) -> QWidget:
        return self.edit

    def _apply_read_only(self, read_only: bool) -> None:
        self.edit.setReadOnly(read_only)
