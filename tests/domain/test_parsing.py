"""Typed dates, read the same by every editor: ISO days (padded or not), M/D/YYYY in the
account's order, a time of day, and clear refusals."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from copper_desktop.domain.formats import DateOrder, FormatError, date_to_unix, datetime_to_unix
from copper_desktop.domain.parsing import parse_day, parse_day_time


@pytest.mark.parametrize(
    ("text", "order", "day"),
    [
        ("2024-03-07", DateOrder.MDY, date(2024, 3, 7)),
        (" 2024-3-7 ", DateOrder.MDY, date(2024, 3, 7)),
        ("3/7/2024", DateOrder.MDY, date(2024, 3, 7)),
        ("3/7/2024", DateOrder.DMY, date(2024, 7, 3)),
        ("23/1/2024", DateOrder.MDY, date(2024, 1, 23)),  # only readable day-first
    ],
)
def test_parse_day(text: str, order: DateOrder, day: date) -> None:
    assert parse_day(text, order) == day


@pytest.mark.parametrize("text", ["2024-02-30", "tomorrow", "2024/03/07", "13/13/2024", ""])
def test_parse_day_refuses(text: str) -> None:
    with pytest.raises(FormatError):
        parse_day(text)


@pytest.mark.parametrize(
    ("text", "moment"),
    [
        ("2024-03-07 09:30", datetime(2024, 3, 7, 9, 30)),
        ("2024-3-7 9:30:15", datetime(2024, 3, 7, 9, 30, 15)),
        ("3/7/2024T23:59", datetime(2024, 3, 7, 23, 59)),
    ],
)
def test_parse_day_time_reads_local_time(text: str, moment: datetime) -> None:
    assert parse_day_time(text) == datetime_to_unix(moment)


def test_parse_day_time_without_a_time_is_local_midnight_and_blank_is_none() -> None:
    assert parse_day_time("2024-03-07") == date_to_unix(date(2024, 3, 7))
    assert parse_day_time("   ") is None


def test_parse_day_time_takes_iso_with_an_offset() -> None:
    assert parse_day_time("2024-03-07T09:30:00+00:00") == 1709803800


@pytest.mark.parametrize("text", ["2024-03-07 24:00", "2024-03-07 12:60", "soon"])
def test_parse_day_time_refuses(text: str) -> None:
    with pytest.raises(FormatError):
        parse_day_time(text)
