"""Reading the dates people type into an editor: looser than the formats Copper sends.

``domain.formats`` reads Copper's own forms (and CSV); a person also types "2024-3-7",
"3/7/2024" or "2024-03-07 9:30". These rules live here, not in the widgets, so every editor
and any later importer read typed dates the same way.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time

from copper_desktop.domain.formats import (
    DateOrder,
    FormatError,
    date_to_unix,
    datetime_to_unix,
    parse_close_date,
    parse_datetime,
)

__all__ = ["parse_day", "parse_day_time"]

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
