"""Reading what people type into an editor: looser than the formats Copper sends.

``domain.formats`` reads Copper's own forms (and CSV); a person also types "2024-3-7",
"3/7/2024" or "2024-03-07 9:30", "usd" for a currency, "a, b, a" for tags. These rules live
here, not in the widgets, so every editor, the grid and the CSV import read typed text the
same way.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any, Final

from copper_desktop.domain.catalog import FieldType
from copper_desktop.domain.formats import (
    DateOrder,
    FormatError,
    date_to_unix,
    datetime_to_unix,
    parse_close_date,
    parse_datetime,
    parse_integer,
    parse_money,
    parse_number,
    parse_percent,
)

__all__ = ["NUMBER_READERS", "parse_currency_code", "parse_day", "parse_day_time", "split_tags"]

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


def parse_currency_code(text: str) -> str | None:
    """ "usd" → "USD"; None if blank; three ASCII letters or a FormatError."""
    cleaned = text.strip()
    if not cleaned:
        return None
    if len(cleaned) != 3 or not cleaned.isalpha() or not cleaned.isascii():
        raise FormatError(f"“{cleaned}” is not a currency code; use three letters such as USD.")
    return cleaned.upper()


NUMBER_READERS: Final[dict[FieldType, Callable[[str], Any]]] = {
    FieldType.NUMBER: parse_number,
    FieldType.INTEGER: parse_integer,
    FieldType.MONEY: parse_money,
    FieldType.PERCENT: parse_percent,
    FieldType.CURRENCY_CODE: parse_currency_code,
}
"""The reader of each field type typed as one number or code (None when blank)."""


def split_tags(text: str) -> list[str]:
    """ "a, b,, A" → ["a", "b"]: trimmed, blanks dropped, a tag repeated in any case kept
    once (as Copper keeps it), order kept."""
    tags: list[str] = []
    seen: set[str] = set()
    for part in text.split(","):
        tag = part.strip()
        if tag and tag.casefold() not in seen:
            seen.add(tag.casefold())
            tags.append(tag)
    return tags
