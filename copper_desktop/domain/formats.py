"""Parsing and formatting of field values between Copper's encoding and what people type.

Locale-neutral on purpose: the app must read the same CSV and show the same numbers whatever
the machine's locale, so "," groups thousands and "." separates decimals everywhere here.
Every parse error is a `FormatError` (a ValueError) whose message can be shown as is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, tzinfo
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from copper_desktop.domain.catalog import Choice, FieldType, label_of

UNIX_MIN = -(2**31)
UNIX_MAX = 2**31 - 1
"""Copper caps date values at 2^31 (§3.1); keep every unix-seconds value in 32 bits."""


class FormatError(ValueError):
    """Input that cannot be read as the field's type; str(error) is fit for the user."""


# --- unix seconds --------------------------------------------------------------------------------


def check_unix_seconds(value: object) -> int:
    """The value as unix seconds, or FormatError when it is not an in-range integer."""
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise FormatError(f"Not a date: {value!r}.")
    if not UNIX_MIN <= value <= UNIX_MAX:
        raise FormatError("Dates must fall between 1901 and 2038.")
    return value


def clamp_unix_seconds(value: int) -> int:
    """Clamp a search bound into Copper's range (maximum_* filters above 2^31 fail)."""
    return max(UNIX_MIN, min(UNIX_MAX, value))


def unix_to_datetime(seconds: int, tz: tzinfo | None = None) -> datetime:
    """An aware datetime in `tz`; by default the machine's zone with the offset (DST) that
    applied at that instant."""
    moment = datetime.fromtimestamp(check_unix_seconds(seconds), tz=UTC)
    return moment.astimezone(tz) if tz is not None else moment.astimezone()


def datetime_to_unix(value: datetime, tz: tzinfo | None = None) -> int:
    """Unix seconds; a naive datetime is read in `tz` (default: the machine's zone)."""
    if value.tzinfo is None and tz is not None:
        value = value.replace(tzinfo=tz)
    return check_unix_seconds(int(value.timestamp()))  # naive: local time, DST-aware


def unix_to_date(seconds: int, tz: tzinfo | None = None) -> date:
    """The calendar day a timestamp falls on in `tz` (custom Date fields, close-date filters)."""
    return unix_to_datetime(seconds, tz).date()


def date_to_unix(value: date, tz: tzinfo | None = None, *, end_of_day: bool = False) -> int:
    """Midnight of `value` in `tz` (or its last second, for a range's upper bound)."""
    return datetime_to_unix(datetime.combine(value, time(23, 59, 59) if end_of_day else time()), tz)


def _shown_moment(seconds: float, tz: tzinfo | None) -> datetime | None:
    """The instant in `tz` (default: local), or None when no calendar date can show it.

    Unlike `unix_to_datetime` this is not held to Copper's 32-bit range: a value the server
    stored anyway (2100, 1950) is shown as the date it is, never refused while painting.
    """
    if isinstance(seconds, bool) or not isinstance(seconds, int | float):
        return None
    try:
        moment = datetime.fromtimestamp(seconds, tz=UTC)
        return moment.astimezone(tz) if tz is not None else moment.astimezone()
    except (OverflowError, OSError, ValueError):  # NaN, ±inf, beyond year 1..9999
        return None


def format_datetime(seconds: float | None, tz: tzinfo | None = None) -> str:
    """ "2017-03-20 14:23" in local time; "" for no value; a number no date can show
    (milliseconds, NaN) as the number."""
    if seconds is None:
        return ""
    moment = _shown_moment(seconds, tz)
    if moment is None:
        return format_number(seconds, grouping=False)
    return f"{moment.date().isoformat()} {moment:%H:%M}"


def format_date(seconds: float | None, tz: tzinfo | None = None) -> str:
    """ "2017-03-20" (the local calendar day); otherwise as `format_datetime`."""
    if seconds is None:
        return ""
    moment = _shown_moment(seconds, tz)
    return (
        moment.date().isoformat() if moment is not None else format_number(seconds, grouping=False)
    )


_DATETIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M")


def parse_datetime(text: str, tz: tzinfo | None = None) -> int | None:
    """Unix seconds from "YYYY-MM-DD[ HH:MM[:SS]]" or ISO 8601 with offset; None for blank."""
    text = text.strip()
    if not text:
        return None
    if re.fullmatch(r"-?\d{9,10}", text):  # already unix seconds (CSV exports)
        return check_unix_seconds(int(text))
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return date_to_unix(date.fromisoformat(text), tz)
        for pattern in _DATETIME_FORMATS:
            try:
                return datetime_to_unix(datetime.strptime(text, pattern), tz)
            except ValueError:
                continue
        return datetime_to_unix(datetime.fromisoformat(text), tz)
    except ValueError as error:
        if isinstance(error, FormatError):
            raise
        raise FormatError(f"“{text}” is not a date and time (use YYYY-MM-DD HH:MM).") from None


def parse_date(text: str, tz: tzinfo | None = None) -> int | None:
    """Unix seconds of local midnight from "YYYY-MM-DD"; None for blank."""
    text = text.strip()
    if not text:
        return None
    try:
        return date_to_unix(date.fromisoformat(text), tz)
    except ValueError as error:
        if isinstance(error, FormatError):
            raise
        raise FormatError(f"“{text}” is not a date (use YYYY-MM-DD).") from None


# --- close_date -------------------------------------------------------------------------------


class DateOrder(StrEnum):
    """Day/month order of the account's close_date strings (follows its locale, §1)."""

    MDY = "M/D/YYYY"
    DMY = "D/M/YYYY"


_CLOSE_DATE = re.compile(r"\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*")


def _close_parts(text: str) -> tuple[int, int, int]:
    match = _CLOSE_DATE.fullmatch(text)
    if match is None:
        raise FormatError(f"“{text.strip()}” is not a close date (use M/D/YYYY).")
    first, second, year = (int(g) for g in match.groups())
    return first, second, year


def detect_date_order(text: str) -> DateOrder | None:
    """The order a close_date string must be in, or None when it reads either way."""
    first, second, _ = _close_parts(text)
    if first > 12 >= second:
        return DateOrder.DMY
    if second > 12 >= first:
        return DateOrder.MDY
    return None


def parse_close_date(text: str, order: DateOrder = DateOrder.MDY) -> date:
    """Parse "M/D/YYYY" (or "D/M/YYYY"), zero padding accepted.

    A string that can only be read the other way round (e.g. "23/1/2017" as M/D) is read
    that way rather than rejected, since the account's order is a guess until proven.
    """
    first, second, year = _close_parts(text)
    forced = detect_date_order(text)
    if forced is not None:
        order = forced
    month, day = (first, second) if order is DateOrder.MDY else (second, first)
    try:
        return date(year, month, day)
    except ValueError:
        raise FormatError(f"“{text.strip()}” is not a valid date.") from None


def format_close_date(value: date, order: DateOrder = DateOrder.MDY) -> str:
    """Copper's own form: not zero-padded, e.g. "1/23/2017"."""
    if order is DateOrder.MDY:
        return f"{value.month}/{value.day}/{value.year}"
    return f"{value.day}/{value.month}/{value.year}"


class CloseDateCodec:
    """Remembers which order the account uses so edits go back in the order read (§1).

    Starts as M/D/YYYY (Copper's default); `observe` each close_date read from the server and
    the first unambiguous one fixes the order.
    """

    def __init__(self, order: DateOrder = DateOrder.MDY) -> None:
        self.order = order
        self.confirmed = False

    def observe(self, value: object) -> None:
        """Learn the order from a server value; ignores null and unreadable values."""
        if self.confirmed or not isinstance(value, str):
            return
        try:
            detected = detect_date_order(value)
        except FormatError:
            return
        if detected is not None:
            self.order = detected
            self.confirmed = True

    def observe_all(self, values: Iterable[object]) -> None:
        for value in values:
            self.observe(value)

    def parse(self, text: str | None) -> date | None:
        if text is None or not text.strip():
            return None
        return parse_close_date(text, self.order)

    def format(self, value: date | None) -> str | None:
        return None if value is None else format_close_date(value, self.order)


# --- numbers, money, percentages --------------------------------------------------------------

_CURRENCY_SYMBOLS = {
    "USD": "$", "CAD": "$", "AUD": "$", "NZD": "$", "EUR": "€", "GBP": "£", "JPY": "¥",
    "CNY": "¥", "INR": "₹", "KRW": "₩", "UAH": "₴", "BRL": "R$", "CHF": "", "ILS": "₪",
}  # fmt: skip
_ZERO_DECIMAL_CURRENCIES = frozenset({"JPY", "KRW", "VND", "CLP", "ISK", "HUF"})
_NUMBER = re.compile(r"[+-]?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?")


def parse_decimal(text: str, what: str = "a number") -> Decimal | None:
    """A Decimal from "1,234.5", "-3", ".5"; None for blank. Commas must group thousands."""
    cleaned = text.strip().replace(" ", "").replace("\u00a0", "").replace("'", "")
    if not cleaned:
        return None
    match = _NUMBER.fullmatch(cleaned)
    if match is None or not (match.group(1) or match.group(3)):
        raise FormatError(f"“{text.strip()}” is not {what} (for example 1,234.50).")
    try:
        return Decimal(cleaned.replace(",", ""))
    except InvalidOperation:  # pragma: no cover - the pattern only admits valid decimals
        raise FormatError(f"“{text.strip()}” is not {what}.") from None


def _to_json_number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def parse_number(text: str) -> int | float | None:
    """A JSON number from user text; integral values come back as int."""
    value = parse_decimal(text)
    return None if value is None else _to_json_number(value)


def parse_integer(text: str) -> int | None:
    value = parse_decimal(text, "a whole number")
    if value is None:
        return None
    if value != value.to_integral_value():
        raise FormatError(f"“{text.strip()}” is not a whole number.")
    return int(value)


_PLAIN_DIGITS = 20
"""Beyond 10^20 (or below 10^-20) a number is shown as 1.5E+26: no amount is that large, and
Decimal's 28-digit context could not round it to cents anyway."""
_NOT_FINITE = {"NaN": "NaN", "sNaN": "NaN", "Infinity": "Infinity", "-Infinity": "-Infinity"}


def _decimal(value: float | int | Decimal) -> Decimal:
    return Decimal(str(value)) if isinstance(value, float) else Decimal(value)


def _is_huge(number: Decimal) -> bool:
    return number != 0 and abs(number.adjusted()) > _PLAIN_DIGITS


def format_number(value: float | int | Decimal | None, *, grouping: bool = True) -> str:
    """ "1,234.5" (no trailing zeros); "" for no value; "1E+28" beyond 10^20, "NaN" and
    "Infinity" as JSON spells them (the server stores what it is sent)."""
    if value is None:
        return ""
    number = _decimal(value)
    if not number.is_finite():
        return _NOT_FINITE.get(str(number), str(number))
    if _is_huge(number):
        return f"{number.normalize():E}"
    if number == number.to_integral_value():
        number = number.quantize(Decimal(1))
    else:
        number = number.normalize()
    return f"{number:,f}" if grouping else f"{number:f}"


def currency_decimals(currency: str | None) -> int:
    return 0 if (currency or "").upper() in _ZERO_DECIMAL_CURRENCIES else 2


def format_money(value: float | int | Decimal | None, currency: str | None) -> str:
    """ "$1,234.50 USD": symbol (where one is common), grouped amount, ISO code; amounts
    beyond 10^20 as "$1.00E+26 USD", NaN as "NaN USD"."""
    if value is None:
        return ""
    code = (currency or "").upper()
    amount = _decimal(value)
    if not amount.is_finite():
        return f"{format_number(amount)} {code}".strip()
    decimals = currency_decimals(code)
    if amount.adjusted() > _PLAIN_DIGITS:
        rounded, digits = amount, f"{abs(amount):.{decimals}E}"
    else:
        rounded = amount.quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)
        digits = f"{abs(rounded):,f}"
    sign = "-" if rounded < 0 else ""
    text = f"{sign}{_CURRENCY_SYMBOLS.get(code, '')}{digits}"
    return f"{text} {code}" if code else text


_MONEY_DECORATION = re.compile(r"^\s*([A-Za-z]{3})?\s*|\s*([A-Za-z]{3})?\s*$")


def parse_money(text: str) -> int | float | None:
    """The amount in "$1,234.50 USD", "1,234.5", "EUR 12"; the currency itself is ignored."""
    cleaned = text.strip()
    for symbol in sorted({s for s in _CURRENCY_SYMBOLS.values() if s}, key=len, reverse=True):
        cleaned = cleaned.replace(symbol, "")
    cleaned = _MONEY_DECORATION.sub("", cleaned)
    try:
        value = parse_decimal(cleaned) if cleaned else None
    except FormatError:
        value = None
    if value is None and text.strip():
        raise FormatError(f"“{text.strip()}” is not an amount (for example 1,234.50).")
    return None if value is None else _to_json_number(value)


def format_percent(value: float | int | None) -> str:
    return "" if value is None else f"{format_number(value)}%"


def parse_percent(text: str) -> int | float | None:
    """ "95", "95%", "12.5 %" → the number; None for blank."""
    cleaned = text.strip().removesuffix("%")
    value = parse_decimal(cleaned, "a percentage") if cleaned.strip() else None
    if value is None and text.strip():
        raise FormatError(f"“{text.strip()}” is not a percentage.")
    return None if value is None else _to_json_number(value)


def format_boolean(value: object) -> str:
    """ "Yes"/"No"; "" for no value; anything else (1, "true") as the server sent it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(value)


_TRUE = frozenset({"yes", "y", "true", "t", "1", "x", "on", "checked"})
_FALSE = frozenset({"no", "n", "false", "f", "0", "off", "unchecked"})


def parse_boolean(text: str) -> bool | None:
    folded = text.strip().casefold()
    if not folded:
        return None
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise FormatError(f"“{text.strip()}” is not yes or no.")


# --- choices (enum fields, dropdown and multi-select option ids) ------------------------------


def choice_label(choices: Sequence[Choice], value: object) -> str:
    """The label of a value; an unknown id shows as "#<id>" rather than disappearing."""
    if value is None:
        return ""
    label = label_of(choices, value)
    return label if label is not None else f"#{value}"


def parse_choice(choices: Sequence[Choice], text: str) -> str | int | None:
    """The value whose label (or value) matches `text`, case-insensitively; None for blank."""
    wanted = text.strip().casefold()
    if not wanted:
        return None
    for choice in choices:
        if choice.label.casefold() == wanted or str(choice.value).casefold() == wanted:
            return choice.value
    allowed = ", ".join(c.label for c in choices)
    raise FormatError(f"“{text.strip()}” is not one of: {allowed}.")


def format_choices(choices: Sequence[Choice], values: Iterable[object] | None) -> str:
    """Multi-select ids → "Blue, Red" in the order given."""
    return ", ".join(choice_label(choices, v) for v in values or ())


def parse_choices(choices: Sequence[Choice], text: str, separator: str = ",") -> list[Any]:
    """ "Blue, Red" → option ids; duplicates dropped, order kept."""
    result: list[Any] = []
    for part in text.split(separator):
        value = parse_choice(choices, part)
        if value is not None and value not in result:
            result.append(value)
    return result


# --- categorised lists (§6) and e-mail -----------------------------------------------------------


class ListKind(StrEnum):
    """The categorised lists of §6, named by the key that holds the text in each entry."""

    EMAILS = "emails"
    PHONE_NUMBERS = "phone_numbers"
    SOCIALS = "socials"
    WEBSITES = "websites"


CATEGORIES: dict[ListKind, tuple[str, ...]] = {
    ListKind.EMAILS: ("work", "personal", "other"),
    ListKind.PHONE_NUMBERS: ("mobile", "work", "home", "other"),
    ListKind.SOCIALS: (
        "linkedin", "twitter", "googleplus", "facebook", "youtube", "quora", "foursquare",
        "klout", "gravatar", "other",
    ),
    ListKind.WEBSITES: ("work", "personal", "other"),
}  # fmt: skip
VALUE_KEYS: dict[ListKind, str] = {
    ListKind.EMAILS: "email",
    ListKind.PHONE_NUMBERS: "number",
    ListKind.SOCIALS: "url",
    ListKind.WEBSITES: "url",
}
LIST_KINDS: dict[FieldType, ListKind] = {
    FieldType.EMAIL_LIST: ListKind.EMAILS,
    FieldType.PHONE_LIST: ListKind.PHONE_NUMBERS,
    FieldType.SOCIAL_LIST: ListKind.SOCIALS,
    FieldType.WEBSITE_LIST: ListKind.WEBSITES,
}
"""The catalog's list-valued field types and the list each one holds."""
NULL_CATEGORY_ALLOWED = frozenset({ListKind.WEBSITES})
"""Live accounts return websites with `"category": null` (§6)."""


def parse_category(kind: ListKind, category: str | None) -> str | None:
    """The canonical (lower-case) category, or FormatError naming the allowed ones."""
    if category is None or not category.strip():
        if kind in NULL_CATEGORY_ALLOWED:
            return None
        raise FormatError(f"Choose a category: {', '.join(CATEGORIES[kind])}.")
    folded = category.strip().casefold()
    if folded not in CATEGORIES[kind]:
        raise FormatError(
            f"“{category.strip()}” is not a category; use {', '.join(CATEGORIES[kind])}."
        )
    return folded


_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")


def is_valid_email(text: str) -> bool:
    return _EMAIL.fullmatch(text.strip()) is not None


def parse_email(text: str) -> str:
    """The trimmed address, or FormatError; deliberately lenient beyond local@domain.tld."""
    cleaned = text.strip()
    if not is_valid_email(cleaned):
        raise FormatError(f"“{cleaned}” is not an e-mail address.")
    return cleaned


@dataclass(frozen=True, slots=True)
class ListEntry:
    """One entry of a categorised list, before it becomes `{<value key>, category}`."""

    value: str
    category: str | None

    def to_json(self, kind: ListKind) -> dict[str, str | None]:
        return {VALUE_KEYS[kind]: self.value, "category": self.category}


def make_entry(kind: ListKind, value: str, category: str | None) -> dict[str, str | None]:
    """A validated list entry, e.g. `{"email": "a@b.test", "category": "work"}`."""
    text = value.strip()
    if not text:
        raise FormatError("Enter a value or remove the entry.")
    if kind is ListKind.EMAILS:
        text = parse_email(text)
    return ListEntry(text, parse_category(kind, category)).to_json(kind)


_ENTRY_TEXT = re.compile(r"(?P<value>.*?)\s*(?:\((?P<category>[^()]*)\))?\s*")


def format_entries(kind: ListKind, entries: Iterable[Any] | None) -> str:
    """ "a@b.test (work); c@d.test (personal)" for tables and CSV export."""
    parts = []
    for entry in entries or ():
        if not isinstance(entry, dict):
            continue
        value = str(entry.get(VALUE_KEYS[kind]) or "")
        category = entry.get("category")
        parts.append(f"{value} ({category})" if category else value)
    return "; ".join(parts)


def parse_entries(
    kind: ListKind, text: str, default_category: str | None = None
) -> list[dict[str, str | None]]:
    """Inverse of `format_entries`; entries without "(category)" get `default_category`
    (or "other" where a category is required)."""
    fallback = default_category
    if fallback is None and kind not in NULL_CATEGORY_ALLOWED:
        fallback = "other"
    result = []
    for part in text.split(";"):
        if not part.strip():
            continue
        match = _ENTRY_TEXT.fullmatch(part.strip())
        assert match is not None  # the pattern matches any text
        category = match.group("category")
        result.append(make_entry(kind, match.group("value"), category or fallback))
    return result


# --- rows shown ----------------------------------------------------------------------------------


def summary_text(first: int, last: int, total: int) -> str:
    """ "1–200 of 12,345" (1-based, inclusive); "No records" for an empty result."""
    if total <= 0:
        return "No records"
    return f"{first:,}–{last:,} of {total:,}"
