import datetime as dt
from decimal import Decimal

import pytest

from veracity.standards.normalisers import (
    MDY,
    normalise_url,
    parse_amount,
    parse_date,
    parse_datetime,
    parse_integer,
)


@pytest.mark.parametrize("raw", [
    "2026-03-05", "2026/3/5", "2026.3.5", "2026年3月5日", "2026 年 3 月 5 日", "２０２６－０３－０５", "05/03/2026",
    "5.3.2026", "20260305", 46086, "46086", 46086.0, "2026-03-05T09:30:00", "2026-03-05 09:30:00+08:00",
    dt.date(2026, 3, 5), dt.datetime(2026, 3, 5, 12, 0),
])
def test_dates_written_many_ways_become_one_date(raw):
    assert parse_date(raw) == dt.date(2026, 3, 5)


def test_ambiguous_dates_follow_the_date_order_setting():
    assert parse_date("05/03/2026") == dt.date(2026, 3, 5)
    assert parse_date("05/03/2026", date_order=MDY) == dt.date(2026, 5, 3)
    assert parse_date("2026/05/03", date_order=MDY) == dt.date(2026, 5, 3)  # year first is never ambiguous


@pytest.mark.parametrize("raw", ["20260-03-05", "20260年3月5日", "1899-12-31", "2101-01-01", "3000/1/1"])
def test_years_outside_1900_to_2100_are_refused(raw):
    with pytest.raises(ValueError, match="1900–2100"):
        parse_date(raw)


@pytest.mark.parametrize("raw", ["2026-02-30", "31/04/2026", "next tuesday", "2026-13-01", 999999])
def test_impossible_dates_are_refused(raw):
    with pytest.raises(ValueError):
        parse_date(raw)


def test_excel_serials_are_days_since_1899_12_30():
    assert parse_date(46086) == dt.date(2026, 3, 5)
    assert parse_date(45658) == dt.date(2025, 1, 1)


def test_datetimes_are_timezone_aware():
    moment = parse_datetime("2026-03-05 14:30")
    assert moment.tzinfo is not None and (moment.hour, moment.minute) == (14, 30)
    assert parse_datetime("2026年3月5日").date() == dt.date(2026, 3, 5)


@pytest.mark.parametrize(("raw", "amount", "currency"), [
    ("¥1,234.50", "1234.50", "CNY"),
    ("￥1，234.50", "1234.50", "CNY"),
    ("１，２３４．５０", "1234.50", ""),
    ("1234.5元", "1234.5", "CNY"),
    ("RMB 1 234.50", "1234.50", "CNY"),
    ("CNY1234", "1234", "CNY"),
    ("US$12", "12", "USD"),
    ("$ 3.00", "3.00", "USD"),
    ("1,234.50 USD", "1234.50", "USD"),
    ("€99", "99", "EUR"),
    (" 1234 ", "1234", ""),
    (Decimal("5.5"), "5.5", ""),
    (12, "12", ""),
])
def test_amounts_with_signs_codes_and_separators(raw, amount, currency):
    assert parse_amount(raw) == (Decimal(amount), currency)


@pytest.mark.parametrize("raw", ["abc", "1,23", "12.3.4", "", "RMB US$5", "NaN"])
def test_bad_amounts_say_what_is_expected(raw):
    with pytest.raises(ValueError):
        parse_amount(raw)


def test_integers_and_urls():
    assert parse_integer("1,200") == 1200 and parse_integer("１２") == 12
    with pytest.raises(ValueError):
        parse_integer("1.5")
    assert normalise_url("www.example.com") == "https://www.example.com"
    with pytest.raises(ValueError):
        normalise_url("not a url")
