"""One editor widget per catalog `FieldType`, and `make_editor` to pick the right one.

Every editor is a `FieldEditor` (see `editor_base`): `value()` is Copper's JSON form of the
field, `input_error()` explains text that cannot become a value, and nothing is emitted by
`set_value`. Text is parsed with `domain.formats`, so what is accepted here is what CSV import
and bulk edit accept. Lists, address and key/value maps live in `list_editors`; record
references (company, person, related resource) in `record_picker`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from datetime import date, datetime, time
from typing import Any, Final

from PySide6.QtCore import QDate, QEvent, QObject, QPoint, QStringListModel, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCalendarWidget,
    QCheckBox,
    QComboBox,
    QCompleter,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QToolButton,
    QWidget,
)

from copper_desktop.domain.catalog import Editability, FieldSpec, FieldType, LookupKind
from copper_desktop.domain.formats import (
    CloseDateCodec,
    DateOrder,
    FormatError,
    date_to_unix,
    datetime_to_unix,
    format_date,
    format_datetime,
    format_number,
    parse_close_date,
    parse_datetime,
    parse_integer,
    parse_money,
    parse_number,
    parse_percent,
    unix_to_date,
)
from copper_desktop.models.lookups import PICKABLE, RESOLVABLE, Lookups
from copper_desktop.ui.common.naming import name_popup
from copper_desktop.ui.fields.editor_base import NONE_LABEL, FieldEditor
from copper_desktop.ui.fields.list_editors import (
    AddressEditor,
    CategorizedListEditor,
    SingleEmailEditor,
    StringMapEditor,
)
from copper_desktop.ui.fields.record_picker import RecordRefEditor, ResourceEditor, SearchClient

__all__ = [
    "NONE_LABEL",
    "BooleanEditor",
    "ChoiceEditor",
    "DateEditor",
    "FieldEditor",
    "MultiChoiceEditor",
    "MultilineEditor",
    "NumberEditor",
    "ReadOnlyEditor",
    "StageEditor",
    "TagsEditor",
    "TextEditor",
    "make_editor",
]

COMMON_CURRENCIES: Final = (
    "USD", "EUR", "GBP", "CAD", "AUD", "NZD", "JPY", "CNY", "INR", "CHF", "SEK", "NOK", "DKK",
    "PLN", "CZK", "HUF", "BRL", "MXN", "ZAR", "SGD", "HKD", "KRW", "ILS", "UAH", "TRY", "AED",
)  # fmt: skip
"""Offered by the currency completer; any three-letter code is accepted."""


def _text_of(value: Any) -> str:
    return "" if value is None else str(value)


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


def name_completer(completer: QCompleter, object_name: str, label: str) -> QAbstractItemView:
    """Name a completer's pop-up list (tests and screen readers find it) and return it."""
    popup = completer.popup()
    assert popup is not None  # QCompleter always makes one
    popup.setObjectName(object_name)
    popup.setAccessibleName(f"{label} suggestions")
    return popup


def guard_wheel(widget: QWidget) -> None:
    """Install the shared wheel guard and make the widget take focus only by click or Tab."""
    global _WHEEL_GUARD
    if _WHEEL_GUARD is None:
        _WHEEL_GUARD = _WheelGuard()
    widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    widget.installEventFilter(_WHEEL_GUARD)


# --- text -----------------------------------------------------------------------------------------


class TextEditor(FieldEditor):
    """TEXT and URL (and custom String/URL): one line; blank is null, surrounding spaces go."""

    def __init__(self, field: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(field, parent)
        self.edit = QLineEdit(self)
        self.edit.setObjectName(f"{self.objectName()}Edit")
        self.edit.setAccessibleName(field.label)
        if field.type is FieldType.URL:
            self.edit.setPlaceholderText("https://…")
        self.content.addWidget(self.edit)
        self._shown = ""
        self.edit.textEdited.connect(self._user_edited)
        self.edit.editingFinished.connect(self._commit)

    def focus_widget(self) -> QWidget:
        return self.edit

    def _show(self, value: Any) -> None:
        self._shown = _text_of(value)
        self.edit.setText(self._shown)
        self.edit.setCursorPosition(0)

    def _read(self) -> tuple[Any, str | None]:
        text = self.edit.text()
        if text == self._shown:
            return self._original, None
        cleaned = text.strip()
        if self.field.max_length is not None and len(cleaned) > self.field.max_length:
            return None, (
                f"{self.field.label} is limited to {self.field.max_length} characters "
                f"(now {len(cleaned)})."
            )
        return (cleaned or None), None

    def _apply_read_only(self, read_only: bool) -> None:
        self.edit.setReadOnly(read_only)


class MultilineEditor(FieldEditor):
    """MULTILINE (details, custom Text): kept as typed; blank is null. Tab leaves the field."""

    def __init__(self, field: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(field, parent)
        self.edit = QPlainTextEdit(self)
        self.edit.setObjectName(f"{self.objectName()}Edit")
        self.edit.setAccessibleName(field.label)
        self.edit.setTabChangesFocus(True)
        self.edit.setFixedHeight(self.edit.fontMetrics().lineSpacing() * 5 + 12)
        self.content.addWidget(self.edit)
        self._shown = ""
        self.edit.textChanged.connect(self._user_edited)
        self.edit.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.edit and event.type() == QEvent.Type.FocusOut:
            self._commit()
        return False

    def focus_widget(self) -> QWidget:
        return self.edit

    def _show(self, value: Any) -> None:
        self._shown = _text_of(value)
        self.edit.setPlainText(self._shown)

    def _read(self) -> tuple[Any, str | None]:
        text = self.edit.toPlainText()
        if text == self._shown:
            return self._original, None
        return (text if text.strip() else None), None

    def _apply_read_only(self, read_only: bool) -> None:
        self.edit.setReadOnly(read_only)


# --- numbers and codes --------------------------------------------------------------------------


Parser = Callable[[str], Any]


def _parse_currency_code(text: str) -> str | None:
    cleaned = text.strip()
    if not cleaned:
        return None
    if len(cleaned) != 3 or not cleaned.isalpha() or not cleaned.isascii():
        raise FormatError(f"“{cleaned}” is not a currency code; use three letters such as USD.")
    return cleaned.upper()


class NumberEditor(FieldEditor):
    """NUMBER, INTEGER, MONEY, PERCENT and CURRENCY_CODE: a line edit read by `formats`.

    Numbers come back as int when whole, else float; "1,234.50" and "$1,234.50 USD" are read;
    the field's minimum/maximum (win probability 0–100, values ≥ 0) are input errors.
    MONEY shows its currency beside the amount (`set_currency`).
    """

    def __init__(self, field: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(field, parent)
        kind = field.type
        parsers: dict[FieldType, Parser] = {
            FieldType.NUMBER: parse_number,
            FieldType.INTEGER: parse_integer,
            FieldType.MONEY: parse_money,
            FieldType.PERCENT: parse_percent,
            FieldType.CURRENCY_CODE: _parse_currency_code,
        }
        self._parse = parsers[kind]
        self.edit = QLineEdit(self)
        self.edit.setObjectName(f"{self.objectName()}Edit")
        self.edit.setAccessibleName(field.label)
        self.edit.setAlignment(
            Qt.AlignmentFlag.AlignLeft
            if kind is FieldType.CURRENCY_CODE
            else Qt.AlignmentFlag.AlignRight
        )
        self.content.addWidget(self.edit, 1)
        self.unit = QLabel(self)
        self.unit.setObjectName(f"{self.objectName()}Unit")
        self.unit.setMinimumWidth(self.unit.fontMetrics().horizontalAdvance("MMM"))
        self.content.addWidget(self.unit)
        self._currency: str | None = None
        if kind is FieldType.PERCENT:
            self.unit.setText("%")
            self.edit.setPlaceholderText("0–100" if field.maximum == 100 else "")
        elif kind is FieldType.MONEY:
            self.set_currency(field.currency)
            self.edit.setPlaceholderText("0.00")
        elif kind is FieldType.CURRENCY_CODE:
            self.edit.setMaxLength(8)
            self.edit.setPlaceholderText("e.g. USD")
            completer = QCompleter(list(COMMON_CURRENCIES), self.edit)
            completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
            name_completer(completer, f"{self.objectName()}Completions", field.label)
            self.edit.setCompleter(completer)
            self.unit.hide()
        else:
            self.unit.hide()
        self._shown = ""
        self.edit.textEdited.connect(self._user_edited)
        self.edit.editingFinished.connect(self._commit)
        if kind is FieldType.CURRENCY_CODE:
            # A completion is set without textEdited; read it as an edit too.
            completer.activated[str].connect(self._user_edited)  # type: ignore[index]

    def focus_widget(self) -> QWidget:
        return self.edit

    def set_currency(self, code: str | None) -> None:
        """The currency the amount is in (the record's `monetary_unit`, or the field's own)."""
        self._currency = code or self.field.currency
        self.unit.setText(self._currency or "")
        self.unit.setAccessibleName(f"Currency {self._currency}" if self._currency else "")
        self.unit.setToolTip(f"Amount in {self._currency}" if self._currency else "No currency set")

    def currency(self) -> str | None:
        return self._currency

    def _show(self, value: Any) -> None:
        if value is None:
            self._shown = ""
        elif isinstance(value, int | float) and not isinstance(value, bool):
            self._shown = format_number(value)
        else:
            self._shown = str(value)
        self.edit.setText(self._shown)

    def _read(self) -> tuple[Any, str | None]:
        text = self.edit.text()
        if text == self._shown:
            return self._original, None
        try:
            return self._parse(text), None
        except FormatError as error:
            return None, str(error)

    def _apply_read_only(self, read_only: bool) -> None:
        self.edit.setReadOnly(read_only)


class BooleanEditor(FieldEditor):
    """BOOLEAN (custom Checkbox): a check box; an untouched null stays null."""

    def __init__(self, field: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(field, parent)
        self.box = QCheckBox(self)
        self.box.setObjectName(f"{self.objectName()}Check")
        self.box.setAccessibleName(field.label)
        self.content.addWidget(self.box)
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


# --- dates --------------------------------------------------------------------------------------

_ISO_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_SLASH_DAY = re.compile(r"\d{1,2}/\d{1,2}/\d{4}")
_WITH_TIME = re.compile(r"(?P<day>[\d/-]+)(?:\s+|T)(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2}))?")


def parse_day(text: str, order: DateOrder = DateOrder.MDY) -> date:
    """A calendar day from "YYYY-MM-DD" or "M/D/YYYY" (`order` for the slash form)."""
    cleaned = text.strip()
    iso = _ISO_DAY.fullmatch(cleaned)
    if iso is not None:
        try:
            return date(*(int(g) for g in iso.groups()))
        except ValueError:
            raise FormatError(f"“{cleaned}” is not a valid date.") from None
    if _SLASH_DAY.fullmatch(cleaned):
        return parse_close_date(cleaned, order)
    raise FormatError(f"“{cleaned}” is not a date (use YYYY-MM-DD).")


def parse_day_time(text: str) -> int | None:
    """Unix seconds from "YYYY-MM-DD[ HH:MM[:SS]]" (or M/D/YYYY) in local time; None if blank."""
    cleaned = text.strip()
    if not cleaned:
        return None
    match = _WITH_TIME.fullmatch(cleaned)
    if match is None:
        try:
            return date_to_unix(parse_day(cleaned))
        except FormatError:
            try:
                return parse_datetime(cleaned)  # ISO 8601 with an offset, unix seconds
            except FormatError:
                pass
            raise
    day = parse_day(match.group("day"))
    hour, minute, second = int(match["h"]), int(match["m"]), int(match["s"] or 0)
    if hour > 23 or minute > 59 or second > 59:
        raise FormatError(f"“{cleaned}” has no such time of day (use HH:MM, 00:00–23:59).")
    return datetime_to_unix(datetime.combine(day, time(hour, minute, second)))


class DateEditor(FieldEditor):
    """DATETIME, DATE (unix seconds, local time) and CLOSE_DATE ("M/D/YYYY" string).

    Typed text or a calendar pick; an empty box is "no date" (null). Dates are shown as
    "YYYY-MM-DD[ HH:MM]"; "M/D/YYYY" is accepted too. Close dates are shown and written in the
    order the account uses (a `CloseDateCodec` that learns it from the values it is given).
    """

    def __init__(
        self,
        field: FieldSpec,
        parent: QWidget | None = None,
        *,
        codec: CloseDateCodec | None = None,
    ) -> None:
        super().__init__(field, parent)
        self.codec = codec or CloseDateCodec()
        self.edit = QLineEdit(self)
        self.edit.setObjectName(f"{self.objectName()}Edit")
        self.edit.setAccessibleName(field.label)
        self.content.addWidget(self.edit, 1)
        self.calendar_button = QToolButton(self)
        self.calendar_button.setObjectName(f"{self.objectName()}Calendar")
        self.calendar_button.setAccessibleName(f"Pick {field.label} from a calendar")
        self.calendar_button.setToolTip("Pick from a calendar")
        self.calendar_button.setText("▾")
        self.content.addWidget(self.calendar_button)
        self.calendar: QCalendarWidget | None = None
        self._shown = ""
        self._update_placeholder()
        self.edit.textEdited.connect(self._user_edited)
        self.edit.editingFinished.connect(self._commit)
        self.calendar_button.clicked.connect(self.open_calendar)

    def focus_widget(self) -> QWidget:
        return self.edit

    def focus_widgets(self) -> list[QWidget]:
        return [self.edit, self.calendar_button]

    def date_value(self) -> date | None:
        """The calendar day of the current value (local time), or None."""
        value = self._value
        if value is None:
            return None
        if self.field.type is FieldType.CLOSE_DATE:
            try:
                return self.codec.parse(str(value))
            except FormatError:
                return None
        try:
            return unix_to_date(value)
        except FormatError:
            return None

    def open_calendar(self) -> QCalendarWidget:
        """Show the calendar pop-up under the box (Enter or a click picks the day)."""
        calendar = self.calendar
        if calendar is None:
            calendar = QCalendarWidget(self)
            calendar.setWindowFlags(Qt.WindowType.Popup)
            calendar.setObjectName(f"{self.objectName()}CalendarPopup")
            calendar.setAccessibleName(f"{self.field.label} calendar")
            calendar.setGridVisible(True)
            calendar.activated.connect(self._picked)
            calendar.clicked.connect(self._picked)
            self.calendar = calendar
        day = self.date_value() or date.today()
        calendar.setSelectedDate(QDate(day.year, day.month, day.day))
        calendar.move(self.edit.mapToGlobal(QPoint(0, self.edit.height())))
        calendar.show()
        calendar.setFocus()
        return calendar

    def _picked(self, qdate: QDate) -> None:
        if self._read_only:
            return
        day = date(qdate.year(), qdate.month(), qdate.day())
        if self.field.type is FieldType.CLOSE_DATE:
            text = self.codec.format(day) or ""
        elif self.field.type is FieldType.DATETIME:
            current = self._value
            clock = "00:00"
            if isinstance(current, int) and not self._input_error:
                clock = format_datetime(current)[11:]
            text = f"{day.isoformat()} {clock}"
        else:
            text = day.isoformat()
        if self.calendar is not None:
            self.calendar.hide()
        self.edit.setText(text)
        self._user_edited()
        self.edit.setFocus()

    def _update_placeholder(self) -> None:
        kind = self.field.type
        if kind is FieldType.CLOSE_DATE:
            self.edit.setPlaceholderText(self.codec.order.value)
        elif kind is FieldType.DATETIME:
            self.edit.setPlaceholderText("YYYY-MM-DD HH:MM")
        else:
            self.edit.setPlaceholderText("YYYY-MM-DD")

    def _show(self, value: Any) -> None:
        kind = self.field.type
        text = ""
        if kind is FieldType.CLOSE_DATE:
            self.codec.observe(value)
            self._update_placeholder()
            text = _text_of(value)
        elif value is not None:
            try:
                text = format_datetime(value) if kind is FieldType.DATETIME else format_date(value)
            except (FormatError, TypeError):
                text = str(value)
        self._shown = text
        self.edit.setText(text)

    def _read(self) -> tuple[Any, str | None]:
        text = self.edit.text()
        if text == self._shown:
            return self._original, None
        if not text.strip():
            return None, None
        try:
            kind = self.field.type
            if kind is FieldType.CLOSE_DATE:
                return self.codec.format(parse_day(text, self.codec.order)), None
            if kind is FieldType.DATETIME:
                return parse_day_time(text), None
            return date_to_unix(parse_day(text)), None
        except FormatError as error:
            return None, str(error)

    def _apply_read_only(self, read_only: bool) -> None:
        self.edit.setReadOnly(read_only)
        self.calendar_button.setVisible(not read_only)


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
        self.combo = QComboBox(self)
        self.combo.setObjectName(f"{self.objectName()}Combo")
        self.combo.setAccessibleName(field.label)
        self.combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.combo.setMinimumContentsLength(16)
        name_popup(self.combo)
        guard_wheel(self.combo)
        self.content.addWidget(self.combo, 1)
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
        self.list = QListWidget(self)
        self.list.setObjectName(f"{self.objectName()}List")
        self.list.setAccessibleName(field.label)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.content.addWidget(self.list, 1)
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


class TagsEditor(FieldEditor):
    """TAGS: comma-separated names with completion from the account's tags, per token and
    case-insensitive ("ups" offers "Upsell"). The value is the list in typed order, duplicates
    dropped; Copper replaces the whole list on save (§7)."""

    def __init__(self, field: FieldSpec, lookups: Lookups, parent: QWidget | None = None) -> None:
        super().__init__(field, parent)
        self.lookups = lookups
        self.edit = QLineEdit(self)
        self.edit.setObjectName(f"{self.objectName()}Edit")
        self.edit.setAccessibleName(field.label)
        self.edit.setPlaceholderText("tag, another tag")
        self.content.addWidget(self.edit)
        self.tag_model = QStringListModel(list(lookups.tags), self)
        self.completer = QCompleter(self.tag_model, self)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.completer.setWidget(self.edit)
        self.popup = name_completer(self.completer, f"{self.objectName()}Completions", field.label)
        self._shown = ""
        self.edit.textEdited.connect(self._on_text_edited)
        self.edit.editingFinished.connect(self._commit)
        self.completer.activated[str].connect(self._insert_completion)  # type: ignore[index]
        lookups.loaded.connect(self._reload_tags)

    def focus_widget(self) -> QWidget:
        return self.edit

    def _reload_tags(self) -> None:
        self.tag_model.setStringList(list(self.lookups.tags))

    def _on_text_edited(self, text: str) -> None:
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

    @staticmethod
    def split(text: str) -> list[str]:
        """ "a, b,, a" → ["a", "b"]: trimmed, blanks and repeats dropped, order kept."""
        tags: list[str] = []
        for part in text.split(","):
            tag = part.strip()
            if tag and tag not in tags:
                tags.append(tag)
        return tags

    def _show(self, value: Any) -> None:
        tags = [str(t) for t in value] if isinstance(value, list) else []
        self._shown = ", ".join(tags)
        self.edit.setText(self._shown)

    def _read(self) -> tuple[Any, str | None]:
        text = self.edit.text()
        tags = self.split(text)
        if text == self._shown or (isinstance(self._original, list) and tags == self._original):
            return self._original, None
        if not tags and self._original is None:
            return None, None
        return tags, None

    def _apply_read_only(self, read_only: bool) -> None:
        self.edit.setReadOnly(read_only)


# --- read-only display ----------------------------------------------------------------------------


class ReadOnlyEditor(FieldEditor):
    """ID, JSON, CONNECT, the raw custom_fields list and unknown types: shown, never edited;
    `value()` is exactly what `set_value` got."""

    def __init__(
        self, field: FieldSpec, lookups: Lookups | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(field, parent)
        self.lookups = lookups
        self.edit = QLineEdit(self)
        self.edit.setObjectName(f"{self.objectName()}Display")
        self.edit.setAccessibleName(field.label)
        self.edit.setReadOnly(True)
        self.content.addWidget(self.edit)
        self._read_only = True

    def focus_widget(self) -> QWidget:
        return self.edit

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


# --- the factory ----------------------------------------------------------------------------------

_NUMBERS: Final = frozenset(
    {
        FieldType.NUMBER,
        FieldType.INTEGER,
        FieldType.MONEY,
        FieldType.PERCENT,
        FieldType.CURRENCY_CODE,
    }
)
_LISTS: Final = frozenset(
    {FieldType.EMAIL_LIST, FieldType.PHONE_LIST, FieldType.SOCIAL_LIST, FieldType.WEBSITE_LIST}
)
_DISPLAY_ONLY: Final = frozenset(
    {FieldType.ID, FieldType.JSON, FieldType.CONNECT, FieldType.CUSTOM_FIELDS}
)


def make_editor(
    field: FieldSpec,
    lookups: Lookups,
    client: SearchClient | None,
    parent: QWidget | None = None,
) -> FieldEditor:
    """The editor for `field`. Read-only fields (`Editability.READ_ONLY`) start read-only;
    the record form switches create-only fields as needed. `client` feeds record pickers
    (company, person, related resource); without one they only show names."""
    kind = field.type
    editor: FieldEditor
    if kind in _DISPLAY_ONLY:
        editor = ReadOnlyEditor(field, lookups, parent)
    elif kind in (FieldType.TEXT, FieldType.URL):
        editor = TextEditor(field, parent)
    elif kind is FieldType.MULTILINE:
        editor = MultilineEditor(field, parent)
    elif kind in _LISTS:
        editor = CategorizedListEditor(field, parent)
    elif kind is FieldType.SINGLE_EMAIL:
        editor = SingleEmailEditor(field, parent)
    elif kind is FieldType.ADDRESS:
        editor = AddressEditor(field, parent)
    elif kind is FieldType.TAGS:
        editor = TagsEditor(field, lookups, parent)
    elif kind is FieldType.REF and field.lookup is LookupKind.PIPELINE_STAGES:
        editor = StageEditor(field, lookups, parent)
    elif kind is FieldType.REF and field.lookup in RESOLVABLE:
        editor = RecordRefEditor(field, lookups, client, parent)
    elif (kind is FieldType.REF and field.lookup in PICKABLE) or kind in (
        FieldType.ENUM,
        FieldType.ACTIVITY_TYPE,
    ):
        editor = ChoiceEditor(field, lookups, parent)
    elif kind is FieldType.MULTI_ENUM:
        editor = MultiChoiceEditor(field, parent)
    elif kind in (FieldType.DATETIME, FieldType.DATE, FieldType.CLOSE_DATE):
        editor = DateEditor(field, parent)
    elif kind in _NUMBERS:
        editor = NumberEditor(field, parent)
    elif kind is FieldType.BOOLEAN:
        editor = BooleanEditor(field, parent)
    elif kind in (FieldType.RELATED_RESOURCE, FieldType.PARENT):
        editor = ResourceEditor(field, lookups, client, parent)
    elif kind is FieldType.STRING_MAP:
        editor = StringMapEditor(field, parent)
    else:  # a REF kind with no list (activity types by id): shown by name, not edited
        editor = ReadOnlyEditor(field, lookups, parent)
    editor.set_read_only(field.editability is Editability.READ_ONLY)
    return editor
