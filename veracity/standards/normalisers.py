"""Parsers for what people type or paste from spreadsheets, built on `core.normalisation`: dates in
the many ways they are written in China and abroad, Excel serial numbers, amounts with currency signs
and thousands separators. Every function is pure and raises ValueError with a message fit to show.

Phones, emails, credit codes and plain text reuse `core.normalisation` unchanged."""

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.translation import gettext as _

from veracity.core.money import SUPPORTED_CURRENCIES
from veracity.core.normalisation import clean_text, to_half_width

DMY, MDY = "DMY", "MDY"
MIN_YEAR, MAX_YEAR = 1900, 2100
_EXCEL_EPOCH = dt.date(1899, 12, 30)  # Excel's day 0 (it believes 1900 was a leap year)
_EXCEL_MIN, _EXCEL_MAX = 1, 73050     # 1900-01-01 … 2099-12-31

_YMD = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_AMBIGUOUS = re.compile(r"^(\d{1,2})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{4})$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_url_validator = URLValidator()
_SERIAL = re.compile(r"^\d{1,5}(\.0+)?$")


def _date_message(text: str) -> str:
    return _("%(value)s is not a date. Write it as 2026-03-05 (year-month-day) or 2026年3月5日.") % {"value": text}


def _checked(year: int, month: int, day: int, text: str) -> dt.date:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(
            _("%(value)s is outside the years %(min)d–%(max)d. Check the year for a typing mistake.")
            % {"value": text, "min": MIN_YEAR, "max": MAX_YEAR}
        )
    try:
        return dt.date(year, month, day)
    except ValueError as error:
        raise ValueError(_("%(value)s is not a real calendar date.") % {"value": text}) from error


def excel_serial_to_date(serial: int | float) -> dt.date:
    """Excel's day number (46086 -> 2026-03-05), as it arrives when a date cell is read as a number."""
    return _EXCEL_EPOCH + dt.timedelta(days=int(serial))


def parse_date(raw, *, date_order: str = DMY) -> dt.date:
    """A date from "2026-03-05", "2026/3/5", "2026.3.5", "2026年3月5日", "20260305", "05/03/2026"
    (day first unless `date_order` is MDY), an Excel serial (46086) or an ISO datetime. Years outside
    1900–2100 are refused, so "20260-03-05" is a mistake, not a date."""
    if isinstance(raw, dt.datetime):
        raw = raw.date()
    if isinstance(raw, dt.date):
        return _checked(raw.year, raw.month, raw.day, raw.isoformat())
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        if not _EXCEL_MIN <= raw <= _EXCEL_MAX:
            raise ValueError(_date_message(str(raw)))
        return excel_serial_to_date(raw)
    text = clean_text(str(raw or ""))
    if not text:
        raise ValueError(_("Enter a date."))
    match = _YMD.match(text)
    if match:
        return _checked(*(int(part) for part in match.groups()), text)
    match = _AMBIGUOUS.match(text)
    if match:
        first, second, year = (int(part) for part in match.groups())
        day, month = (first, second) if date_order == DMY else (second, first)
        return _checked(year, month, day, text)
    match = _COMPACT.match(text)
    if match:
        return _checked(*(int(part) for part in match.groups()), text)
    if _SERIAL.match(text):
        serial = int(float(text))
        if _EXCEL_MIN <= serial <= _EXCEL_MAX:
            return excel_serial_to_date(serial)
        raise ValueError(_date_message(text))
    try:
        moment = dt.datetime.fromisoformat(text.replace(" ", "T", 1))
    except ValueError:
        if re.match(r"^\d{5,}\s*[-/.年]", text):
            raise ValueError(
                _("%(value)s is outside the years %(min)d–%(max)d. Check the year for a typing mistake.")
                % {"value": text, "min": MIN_YEAR, "max": MAX_YEAR}
            ) from None
        raise ValueError(_date_message(text)) from None
    return _checked(moment.year, moment.month, moment.day, text)


def parse_datetime(raw, *, date_order: str = DMY) -> dt.datetime:
    """A timezone-aware moment: an ISO datetime ("2026-03-05T14:30", "2026-03-05 14:30+08:00") or any
    date `parse_date` accepts (taken as midnight, local time)."""
    if isinstance(raw, dt.datetime):
        moment = raw
    else:
        text = clean_text(str(raw or "")) if not isinstance(raw, dt.date) else ""
        moment = None
        if text and ("T" in text or ":" in text):
            try:
                moment = dt.datetime.fromisoformat(text.replace(" ", "T", 1))
            except ValueError:
                moment = None
        if moment is None:
            day = parse_date(raw, date_order=date_order)
            moment = dt.datetime.combine(day, dt.time())
    _checked(moment.year, moment.month, moment.day, moment.isoformat())
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


# ---------------------------------------------------------------------------------------------
# Amounts

# Longest first, so "US$" wins over "$" and "RMB" is taken whole.
CURRENCY_MARKS: tuple[tuple[str, str], ...] = (
    ("US$", "USD"), ("HK$", "HKD"), ("S$", "SGD"), ("A$", "AUD"), ("C$", "CAD"), ("NT$", "TWD"),
    ("RMB", "CNY"), ("人民币", "CNY"), ("美元", "USD"), ("欧元", "EUR"), ("港币", "HKD"), ("日元", "JPY"),
    ("元", "CNY"), ("¥", "CNY"), ("$", "USD"), ("€", "EUR"), ("£", "GBP"), ("₩", "KRW"),
)
_NUMBER = re.compile(r"^[+-]?(\d+|\d{1,3}(,\d{3})+)(\.\d+)?$")


def parse_amount(raw, *, default_currency: str = "") -> tuple[Decimal, str]:
    """(amount, currency) from "¥1,234.50", "￥1，234.50", "1234.5元", "RMB 1 234.50", "US$12",
    "1,234.50 USD". The currency is "" when none was written (then `default_currency`)."""
    if isinstance(raw, Decimal | int | float) and not isinstance(raw, bool):
        amount = Decimal(str(raw))
        if not amount.is_finite():
            raise ValueError(_("Enter an amount such as 1234.50."))
        return amount, default_currency
    original = str(raw or "").strip()
    text = to_half_width(original).replace("\uffe5", "¥").replace("，", ",").strip()
    if not text:
        raise ValueError(_("Enter an amount such as 1234.50."))
    currency = ""
    upper = text.upper()
    for code in SUPPORTED_CURRENCIES:
        if upper.startswith(code) or upper.endswith(code):
            currency = code
            upper = upper.removeprefix(code) if upper.startswith(code) else upper.removesuffix(code)
            break
    text = upper
    for mark, code in CURRENCY_MARKS:
        if mark in text:
            if currency and currency != code:
                raise ValueError(
                    _("%(value)s names two currencies. Write one, e.g. ¥1234.50 or 1234.50 CNY.")
                    % {"value": original}
                )
            currency = code
            text = text.replace(mark, "", 1)
            break
    text = re.sub(r"\s+", "", text)
    if not _NUMBER.match(text):
        raise ValueError(
            _("%(value)s is not an amount. Write digits with an optional decimal point, e.g. ¥1,234.50.")
            % {"value": original}
        )
    try:
        amount = Decimal(text.replace(",", ""))
    except InvalidOperation as error:  # pragma: no cover - the pattern already guarantees a number
        raise ValueError(_("Enter an amount such as 1234.50.")) from error
    return amount, currency or default_currency


def parse_integer(raw) -> int:
    """A whole number from "1,200", "１２", 12.0."""
    if isinstance(raw, bool):
        raise ValueError(_("Enter a whole number."))
    if isinstance(raw, int):
        return raw
    text = re.sub(r"[\s,，]", "", to_half_width(str(raw or "")))
    try:
        number = Decimal(text)
    except InvalidOperation as error:
        raise ValueError(_("%(value)s is not a whole number.") % {"value": raw}) from error
    if not number.is_finite() or number != number.to_integral_value():
        raise ValueError(_("%(value)s is not a whole number.") % {"value": raw})
    return int(number)


def normalise_url(raw: str) -> str:
    """"www.example.com" -> "https://www.example.com"; half-width, no spaces."""
    text = clean_text(raw).replace(" ", "")
    if text and "://" not in text:
        text = f"https://{text}"
    if text:
        try:
            _url_validator(text)
        except DjangoValidationError as error:
            raise ValueError(_("%(value)s is not a web address such as https://example.com.") % {"value": raw}) from error
    return text
