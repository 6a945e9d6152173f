"""Editors typed into: one-line text and URLs, multi-line text, numbers and codes, dates.

Text is read with `domain.formats` (numbers, money, percent) and `domain.parsing` (typed
dates), so what is accepted here is what CSV import and bulk edit accept.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Final

from PySide6.QtCore import QDate, QEvent, QObject, QPoint, Qt
from PySide6.QtWidgets import (
    QCalendarWidget,
    QCompleter,
    QLabel,
    QPlainTextEdit,
    QToolButton,
    QWidget,
)

from copper_desktop.domain.catalog import FieldSpec, FieldType
from copper_desktop.domain.formats import (
    CloseDateCodec,
    FormatError,
    date_to_unix,
    format_date,
    format_datetime,
    format_number,
    unix_to_date,
)
from copper_desktop.domain.parsing import NUMBER_READERS, parse_day, parse_day_time
from copper_desktop.ui.fields.editor_base import FieldEditor, LineEditor, name_completer, text_of

__all__ = ["COMMON_CURRENCIES", "DateEditor", "MultilineEditor", "NumberEditor", "TextEditor"]

COMMON_CURRENCIES: Final = (
    "USD", "EUR", "GBP", "CAD", "AUD", "NZD", "JPY", "CNY", "INR", "CHF", "SEK", "NOK", "DKK",
    "PLN", "CZK", "HUF", "BRL", "MXN", "ZAR", "SGD", "HKD", "KRW", "ILS", "UAH", "TRY", "AED",
)  # fmt: skip
"""Offered by the currency completer; any three-letter code is accepted."""


# --- text -----------------------------------------------------------------------------------------


class TextEditor(LineEditor):
    """TEXT and URL (and custom String/URL): one line; blank is null, surrounding spaces go."""

    def __init__(self, field: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(field, parent)
        if field.type is FieldType.URL:
            self.edit.setPlaceholderText("https://…")

    def _show(self, value: Any) -> None:
        self._show_text(text_of(value))
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


class MultilineEditor(FieldEditor):
    """MULTILINE (details, custom Text): kept as typed; blank is null. Tab leaves the field."""

    def __init__(self, field: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(field, parent)
        self.edit = self._input(QPlainTextEdit(self), "Edit")
        self.edit.setTabChangesFocus(True)
        self.edit.setFixedHeight(self.edit.fontMetrics().lineSpacing() * 5 + 12)
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
        self._shown = text_of(value)
        self.edit.setPlainText(self._shown)

    def _read(self) -> tuple[Any, str | None]:
        text = self.edit.toPlainText()
        if text == self._shown:
            return self._original, None
        return (text if text.strip() else None), None

    def _apply_read_only(self, read_only: bool) -> None:
        self.edit.setReadOnly(read_only)


# --- numbers and codes --------------------------------------------------------------------------


class NumberEditor(LineEditor):
    """NUMBER, INTEGER, MONEY, PERCENT and CURRENCY_CODE: a line edit read by `formats`
    (``domain.parsing.NUMBER_READERS``, as the grid and the CSV import read them).

    Numbers come back as int when whole, else float; "1,234.50" and "$1,234.50 USD" are read;
    the field's minimum/maximum (win probability 0–100, values ≥ 0) are input errors.
    MONEY shows its currency beside the amount (`set_currency`).
    """

    def __init__(self, field: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(field, parent, stretch=1)
        kind = field.type
        self._parse = NUMBER_READERS[kind]
        self.edit.setAlignment(
            Qt.AlignmentFlag.AlignLeft
            if kind is FieldType.CURRENCY_CODE
            else Qt.AlignmentFlag.AlignRight
        )
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
            # A completion is set without textEdited; read it as an edit too.
            completer.activated[str].connect(self._user_edited)  # type: ignore[index]
        else:
            self.unit.hide()

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
            self._show_text("")
        elif isinstance(value, int | float) and not isinstance(value, bool):
            self._show_text(format_number(value))
        else:
            self._show_text(str(value))

    def _read(self) -> tuple[Any, str | None]:
        text = self.edit.text()
        if text == self._shown:
            return self._original, None
        try:
            return self._parse(text), None
        except FormatError as error:
            return None, str(error)


# --- dates --------------------------------------------------------------------------------------


class DateEditor(LineEditor):
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
        super().__init__(field, parent, stretch=1)
        self.codec = codec or CloseDateCodec()
        self.calendar_button = QToolButton(self)
        self.calendar_button.setObjectName(f"{self.objectName()}Calendar")
        self.calendar_button.setAccessibleName(f"Pick {field.label} from a calendar")
        self.calendar_button.setToolTip("Pick from a calendar")
        self.calendar_button.setText("▾")
        self.content.addWidget(self.calendar_button)
        self.calendar: QCalendarWidget | None = None
        self._update_placeholder()
        self.calendar_button.clicked.connect(self.open_calendar)

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
            text = text_of(value)
        elif value is not None:
            try:
                text = format_datetime(value) if kind is FieldType.DATETIME else format_date(value)
            except (FormatError, TypeError):
                text = str(value)
        self._show_text(text)

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
        super()._apply_read_only(read_only)
        self.calendar_button.setVisible(not read_only)
