"""Every parser and formatter, with round trips, edge cases and the user-facing messages."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from copper_desktop.domain import formats as f
from copper_desktop.domain.catalog import Choice
from copper_desktop.domain.custom_fields import field_for, parse_definition
from tests.helpers.data import example

BERLIN = ZoneInfo("Europe/Berlin")
PLUS_TWO = timezone(timedelta(hours=2))


# --- unix seconds ---------------------------------------------------------------------------


def test_unix_to_datetime_is_aware_and_in_the_zone_given() -> None:
    moment = f.unix_to_datetime(1490045413, UTC)
    assert moment == datetime(2017, 3, 20, 21, 30, 13, tzinfo=UTC)
    assert f.unix_to_datetime(1490045413).tzinfo is not None  # local, still aware
    assert f.unix_to_datetime(1490045413, PLUS_TWO).hour == 23


def test_local_offset_follows_daylight_saving_at_that_instant() -> None:
    winter = f.unix_to_datetime(1483988828, BERLIN)  # January
    summer = f.unix_to_datetime(1496712856, BERLIN)  # June
    assert winter.utcoffset() == timedelta(hours=1)
    assert summer.utcoffset() == timedelta(hours=2)


@pytest.mark.parametrize("seconds", [0, 1496799000, f.UNIX_MAX, f.UNIX_MIN, 1754031600])
def test_datetime_round_trip(seconds: int) -> None:
    assert f.datetime_to_unix(f.unix_to_datetime(seconds)) == seconds
    assert f.datetime_to_unix(f.unix_to_datetime(seconds, BERLIN)) == seconds


def test_naive_datetimes_are_read_in_the_zone_given() -> None:
    assert f.datetime_to_unix(datetime(2017, 3, 20, 23, 30, 13), PLUS_TWO) == 1490045413


def test_dates_are_local_midnights() -> None:
    assert f.date_to_unix(date(2025, 8, 1), UTC) == 1754006400
    assert f.date_to_unix(date(2025, 8, 1), UTC, end_of_day=True) == 1754006400 + 86399
    assert f.unix_to_date(1754031600, UTC) == date(2025, 8, 1)
    assert f.unix_to_date(f.date_to_unix(date(2024, 2, 29), BERLIN), BERLIN) == date(2024, 2, 29)


@pytest.mark.parametrize("bad", [2**31, -(2**31) - 1, "1490045413", None, True, 1.5])
def test_unix_seconds_out_of_range_or_wrong_type(bad: object) -> None:
    with pytest.raises(f.FormatError):
        f.check_unix_seconds(bad)


def test_unix_limits() -> None:
    assert f.check_unix_seconds(f.UNIX_MAX) == 2147483647
    assert f.check_unix_seconds(1490045413.0) == 1490045413
    assert f.clamp_unix_seconds(2**40) == 2147483647
    assert f.clamp_unix_seconds(-(2**40)) == -(2**31)
    assert f.clamp_unix_seconds(5) == 5
    with pytest.raises(ValueError, match="between 1901 and 2038"):
        f.unix_to_datetime(2**31)


def test_dates_no_calendar_holds_show_as_numbers() -> None:
    assert f.format_datetime(2**33, UTC) == "2242-03-16 12:56"  # beyond 2038: still a date
    assert f.format_date(-(10**9), UTC) == "1938-04-24"
    assert f.format_datetime(1_700_000_000_000) == "1700000000000"  # milliseconds
    assert f.format_date(math.nan) == "NaN"
    assert f.format_datetime(-math.inf) == "-Infinity"
    assert f.format_datetime(1.5e9, UTC) == "2017-07-14 02:40"


def test_format_and_parse_datetime() -> None:
    assert f.format_datetime(1490045413, UTC) == "2017-03-20 21:30"
    assert f.format_datetime(None) == ""
    assert f.format_date(1490045413, PLUS_TWO) == "2017-03-20"
    assert f.format_date(None) == ""
    assert f.parse_datetime("2017-03-20 21:30", UTC) == 1490045400
    assert f.parse_datetime("2017-03-20T21:30:13", UTC) == 1490045413
    assert f.parse_datetime("2017-03-20 23:30:13+02:00") == 1490045413
    assert f.parse_datetime("2017-03-20", UTC) == 1489968000
    assert f.parse_datetime(" 1490045413 ") == 1490045413
    assert f.parse_datetime("  ") is None
    assert f.parse_date("2017-03-20", UTC) == 1489968000
    assert f.parse_date("") is None
    seconds = f.parse_datetime(f.format_datetime(1496799000, BERLIN), BERLIN)
    assert seconds == 1496799000


@pytest.mark.parametrize("text", ["20/03/2017", "2017-13-01", "tomorrow", "2017-02-30 10:00"])
def test_bad_datetimes_explain_the_format(text: str) -> None:
    with pytest.raises(f.FormatError, match="YYYY-MM-DD"):
        f.parse_datetime(text)


def test_bad_dates_explain_the_format() -> None:
    with pytest.raises(f.FormatError, match="use YYYY-MM-DD"):
        f.parse_date("3/20/2017")
    with pytest.raises(f.FormatError, match="between 1901 and 2038"):
        f.parse_date("2100-01-01")


# --- close_date -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "order", "expected"),
    [
        ("1/23/2017", f.DateOrder.MDY, date(2017, 1, 23)),
        ("11/10/2018", f.DateOrder.MDY, date(2018, 11, 10)),
        ("11/10/2018", f.DateOrder.DMY, date(2018, 10, 11)),
        ("01/05/2018", f.DateOrder.MDY, date(2018, 1, 5)),
        ("01/05/2018", f.DateOrder.DMY, date(2018, 5, 1)),
        ("23/1/2017", f.DateOrder.MDY, date(2017, 1, 23)),  # only readable as D/M
        (" 1/15/2018 ", f.DateOrder.DMY, date(2018, 1, 15)),  # only readable as M/D
    ],
)
def test_parse_close_date(text: str, order: f.DateOrder, expected: date) -> None:
    assert f.parse_close_date(text, order) == expected


@pytest.mark.parametrize("text", ["2017-01-23", "1/23/17", "13/13/2017", "2/30/2017", "", "a/b/c"])
def test_bad_close_dates(text: str) -> None:
    with pytest.raises(f.FormatError, match=r"close date|valid date"):
        f.parse_close_date(text)


def test_format_close_date_is_not_zero_padded() -> None:
    assert f.format_close_date(date(2017, 1, 5)) == "1/5/2017"
    assert f.format_close_date(date(2017, 1, 5), f.DateOrder.DMY) == "5/1/2017"


def test_detect_order() -> None:
    assert f.detect_date_order("23/1/2017") is f.DateOrder.DMY
    assert f.detect_date_order("1/23/2017") is f.DateOrder.MDY
    assert f.detect_date_order("1/2/2017") is None
    assert f.detect_date_order("13/12/2017") is f.DateOrder.DMY
    assert f.detect_date_order("12/13/2017") is f.DateOrder.MDY
    assert f.detect_date_order("12/12/2017") is None


def test_codec_remembers_and_sends_back_the_order_it_read() -> None:
    codec = f.CloseDateCodec()
    codec.observe_all([None, "garbage", "1/2/2017"])  # nothing conclusive
    assert (codec.order, codec.confirmed) == (f.DateOrder.MDY, False)
    codec.observe("23/1/2017")
    assert (codec.order, codec.confirmed) == (f.DateOrder.DMY, True)
    codec.observe("1/23/2017")  # the first unambiguous answer wins
    assert codec.order is f.DateOrder.DMY
    assert codec.parse("5/1/2017") == date(2017, 1, 5)
    assert codec.format(date(2017, 1, 5)) == "5/1/2017"
    assert codec.parse(None) is None and codec.parse(" ") is None
    assert codec.format(None) is None


def test_codec_round_trips_the_example_opportunities() -> None:
    codec = f.CloseDateCodec()
    values = [example("opportunity.json")["close_date"]]
    values += [r["close_date"] for r in example("opportunities_search_response.json")]
    codec.observe_all(values)
    assert codec.order is f.DateOrder.MDY and codec.confirmed
    for value in values:
        assert codec.format(codec.parse(value)) == value


# --- numbers, money, percentages ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,234.5", 1234.5),
        ("1234", 1234),
        ("-3", -3),
        (".5", 0.5),
        ("+7.25", 7.25),
        ("1 234.50", 1234.5),
        ("1,000,000", 1000000),
        ("2.0", 2),
    ],
)
def test_parse_number(text: str, expected: float) -> None:
    value = f.parse_number(text)
    assert value == expected
    assert type(value) is type(expected)


@pytest.mark.parametrize("text", ["1,23", "12,5", "1.2.3", "abc", "1e5", "-", "1,2345"])
def test_bad_numbers(text: str) -> None:
    with pytest.raises(f.FormatError, match="not a number"):
        f.parse_number(text)


def test_integers() -> None:
    assert f.parse_integer("1,200") == 1200
    assert f.parse_integer("") is None
    with pytest.raises(f.FormatError, match="whole number"):
        f.parse_integer("1.5")
    assert f.parse_number("  ") is None


@pytest.mark.parametrize(
    ("value", "text"),
    [(1234.5, "1,234.5"), (3.0, "3"), (100000, "100,000"), (0.1, "0.1"), (-2, "-2"),
     (Decimal("1.50"), "1.5"), (1e20, "100,000,000,000,000,000,000"), (None, ""),
     (1e28, "1E+28"), (10**40, "1E+40"), (-1.5e300, "-1.5E+300"), (1e-30, "1E-30"),
     (math.nan, "NaN"), (math.inf, "Infinity"), (-math.inf, "-Infinity")],
)  # fmt: skip
def test_format_number(value: float | None, text: str) -> None:
    assert f.format_number(value) == text


def test_format_number_round_trip_and_no_grouping() -> None:
    assert f.format_number(1234.5, grouping=False) == "1234.5"
    for value in (0, 1, 1234.5, 999999.99, -0.25):
        assert f.parse_number(f.format_number(value)) == value


@pytest.mark.parametrize(
    ("value", "currency", "text"),
    [
        (1234.5, "USD", "$1,234.50 USD"),
        (250000, "USD", "$250,000.00 USD"),
        (2.0, "CAD", "$2.00 CAD"),
        (-1234.5, "EUR", "-€1,234.50 EUR"),
        (1234.5, "JPY", "¥1,235 JPY"),
        (10, "UAH", "₴10.00 UAH"),
        (10, "CHF", "10.00 CHF"),
        (10, "XYZ", "10.00 XYZ"),
        (10, None, "10.00"),
        (0.005, "usd", "$0.01 USD"),
        (None, "USD", ""),
        (1e26, "USD", "$1.00E+26 USD"),
        (-(10**30), "JPY", "-¥1E+30 JPY"),
        (1e-30, "EUR", "€0.00 EUR"),
        (math.nan, "USD", "NaN USD"),
        (math.inf, None, "Infinity"),
    ],
)
def test_format_money(value: float | None, currency: str | None, text: str) -> None:
    assert f.format_money(value, currency) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,234.5", 1234.5),
        ("$1,234.50 USD", 1234.5),
        ("-$1,234.50 USD", -1234.5),
        ("EUR 12", 12),
        ("R$ 3.5", 3.5),
        ("", None),
    ],
)
def test_parse_money(text: str, expected: float | None) -> None:
    assert f.parse_money(text) == expected


@pytest.mark.parametrize("text", ["USD", "$", "twelve", "1,2 USD"])
def test_bad_money(text: str) -> None:
    with pytest.raises(f.FormatError, match="not an amount"):
        f.parse_money(text)


def test_money_round_trip() -> None:
    for value, currency in ((1234.5, "USD"), (75000, "USD"), (-0.5, "GBP"), (99, "JPY")):
        assert f.parse_money(f.format_money(value, currency)) == value


def test_percentages() -> None:
    assert f.format_percent(95) == "95%"
    assert f.format_percent(12.5) == "12.5%"
    assert f.format_percent(None) == ""
    assert f.parse_percent("95") == 95
    assert f.parse_percent("12.5 %") == 12.5
    assert f.parse_percent("") is None
    assert f.parse_percent(f.format_percent(40)) == 40
    with pytest.raises(f.FormatError, match="not a percentage"):
        f.parse_percent("%")
    with pytest.raises(f.FormatError, match="not a percentage"):
        f.parse_percent("lots")


def test_booleans() -> None:
    assert [f.parse_boolean(t) for t in ("Yes", "no", "TRUE", "0", " ")] == [
        True, False, True, False, None,
    ]  # fmt: skip
    assert [f.format_boolean(v) for v in (True, False, None)] == ["Yes", "No", ""]
    assert [f.format_boolean(v) for v in (1, "true")] == ["1", "true"]  # as sent, no KeyError
    with pytest.raises(f.FormatError, match="yes or no"):
        f.parse_boolean("maybe")


# --- choices ----------------------------------------------------------------------------------


def _color_choices() -> tuple[Choice, ...]:
    return field_for(parse_definition(example("custom_field_definition.json"))).choices


def test_dropdown_ids_and_names() -> None:
    choices = _color_choices()
    assert f.choice_label(choices, 167773) == "Green"
    assert f.choice_label(choices, 1) == "#1"  # unknown id stays visible
    assert f.choice_label(choices, None) == ""
    assert f.parse_choice(choices, " green ") == 167773
    assert f.parse_choice(choices, "167776") == 167776
    assert f.parse_choice(choices, "") is None
    with pytest.raises(f.FormatError, match="not one of: Red, Green, Blue, Orange, Yellow"):
        f.parse_choice(choices, "Purple")


def test_multi_select_ids_and_names() -> None:
    choices = _color_choices()
    assert f.format_choices(choices, [167776, 167772]) == "Yellow, Red"
    assert f.format_choices(choices, None) == ""
    assert f.parse_choices(choices, "Yellow, red, Yellow,") == [167776, 167772]
    assert f.parse_choices(choices, "") == []
    ids = [167774, 167773]
    assert f.parse_choices(choices, f.format_choices(choices, ids)) == ids


def test_enum_choices_keep_value_types_apart() -> None:
    choices = (Choice(0, "Open"), Choice(1, "Won"))
    assert f.choice_label(choices, True) == "#True"
    assert f.parse_choice(choices, "won") == 1


# --- categories and e-mail --------------------------------------------------------------------


def test_categories() -> None:
    assert f.parse_category(f.ListKind.EMAILS, "Work") == "work"
    assert f.parse_category(f.ListKind.SOCIALS, "linkedin") == "linkedin"
    assert f.parse_category(f.ListKind.WEBSITES, None) is None
    assert f.parse_category(f.ListKind.WEBSITES, "") is None
    with pytest.raises(f.FormatError, match="Choose a category: mobile, work, home, other"):
        f.parse_category(f.ListKind.PHONE_NUMBERS, None)
    with pytest.raises(f.FormatError, match="“mobile” is not a category; use work, personal"):
        f.parse_category(f.ListKind.EMAILS, "mobile")


@pytest.mark.parametrize(
    "text", ["mycontact_123@noemail.com", "a.b+c@sub.example.co.uk", " x@y.io "]
)
def test_valid_emails(text: str) -> None:
    assert f.is_valid_email(text)
    assert f.parse_email(text) == text.strip()


@pytest.mark.parametrize("text", ["", "plain", "a@b", "a@@b.com", "a b@c.com", "@b.com", "a@.com"])
def test_invalid_emails(text: str) -> None:
    assert not f.is_valid_email(text)
    with pytest.raises(f.FormatError, match="not an e-mail address"):
        f.parse_email(text)


def test_make_entry() -> None:
    assert f.make_entry(f.ListKind.EMAILS, " a@b.test ", "Work") == {
        "email": "a@b.test",
        "category": "work",
    }
    assert f.make_entry(f.ListKind.WEBSITES, "x.test", None) == {"url": "x.test", "category": None}
    assert f.make_entry(f.ListKind.PHONE_NUMBERS, "415", "home") == {
        "number": "415",
        "category": "home",
    }
    with pytest.raises(f.FormatError, match="Enter a value"):
        f.make_entry(f.ListKind.SOCIALS, " ", "other")


def test_entries_round_trip_on_example_lists() -> None:
    lead = example("lead.json")
    company = example("company.json")
    for kind, entries in (
        (f.ListKind.PHONE_NUMBERS, lead["phone_numbers"]),
        (f.ListKind.SOCIALS, lead["socials"]),
        (f.ListKind.WEBSITES, company["websites"]),
        (f.ListKind.EMAILS, example("person.json")["emails"]),
    ):
        assert f.parse_entries(kind, f.format_entries(kind, entries)) == entries
    assert f.format_entries(f.ListKind.PHONE_NUMBERS, lead["phone_numbers"]) == (
        "415-999-4321 (mobile); 415-555-1234 (work)"
    )


def test_parse_entries_defaults_and_null_website_category() -> None:
    websites = [{"url": "a.test", "category": None}, {"url": "b.test", "category": "work"}]
    assert f.format_entries(f.ListKind.WEBSITES, websites) == "a.test; b.test (work)"
    assert f.parse_entries(f.ListKind.WEBSITES, "a.test; b.test (work)") == websites
    assert f.parse_entries(f.ListKind.EMAILS, "a@b.test") == [
        {"email": "a@b.test", "category": "other"}
    ]
    assert f.parse_entries(f.ListKind.EMAILS, "a@b.test;", "work")[0]["category"] == "work"
    assert f.parse_entries(f.ListKind.EMAILS, " ; ") == []
    with pytest.raises(f.FormatError, match="not an e-mail"):
        f.parse_entries(f.ListKind.EMAILS, "nope (work)")
    with pytest.raises(f.FormatError, match="not a category"):
        f.parse_entries(f.ListKind.PHONE_NUMBERS, "555 (fax)")


def test_format_error_is_a_value_error() -> None:
    assert issubclass(f.FormatError, ValueError)


def test_summary_text() -> None:
    assert f.summary_text(1, 200, 12_345) == "1–200 of 12,345"
    assert f.summary_text(0, 0, 0) == "No records"
