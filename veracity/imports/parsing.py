"""Turning spreadsheet cells into the values the domain services accept: dates in the forms people
type or Excel stores, numbers with thousands separators and currency signs, choice labels in English
or Chinese, users by username or name. Pure functions; invalid input raises ValueError."""

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import translation

from veracity.core.normalisation import clean_text, to_half_width
from veracity.imports.mapping import header_key

_EXCEL_EPOCH = dt.date(1899, 12, 30)
_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T].*)?$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?.*$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
_MONEY_NOISE = re.compile(r"[,\s¥$€£]|RMB|CNY|元", re.IGNORECASE)


def text(value: Any) -> str:
    """A cell as trimmed text ("" for empty); whole floats lose their ".0"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value).strip()


def parse_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and 20000 < value < 80000:  # an Excel serial day number
        return _EXCEL_EPOCH + dt.timedelta(days=int(value))
    raw = to_half_width(text(value))
    for pattern in _DATE_PATTERNS:
        match = pattern.match(raw)
        if match:
            year, month, day = (int(part) for part in match.groups())
            return dt.date(year, month, day)  # ValueError for 2026-02-30
    raise ValueError(raw)


def parse_datetime(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    raw = to_half_width(text(value))
    try:
        return dt.datetime.fromisoformat(raw.replace("/", "-"))
    except ValueError:
        day = parse_date(value)
        return dt.datetime.combine(day, dt.time(9, 0))


def parse_number(value: Any) -> str:
    """"1,299.00", "¥1299", "１２９９" -> "1299.00"; "15%" -> "15". Returned as text for the services,
    which own the rules on ranges and decimal places; text that is no number is returned as is."""
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, float):
        return str(Decimal(repr(value)))
    raw = _MONEY_NOISE.sub("", to_half_width(text(value))).rstrip("%")
    try:
        Decimal(raw)
    except InvalidOperation:
        return text(value)
    return raw


def choice_value(choices, value: Any) -> str:
    """The stored value of a TextChoices member named by its value or its English or Chinese label;
    unknown text is returned unchanged so the service reports it."""
    raw = text(value)
    if not raw:
        return ""
    key = header_key(raw)
    for member in choices:
        keys = {header_key(member.value), header_key(str(member.label))}
        with translation.override("zh-hans"):
            keys.add(header_key(str(member.label)))
        if key in keys:
            return member.value
    return raw


def clean(value: Any) -> str:
    return clean_text(text(value))
