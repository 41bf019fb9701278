"""Money rules shared by every app: supported currencies and rounding. Amounts are Decimal, always
with a currency; different currencies are never added together."""

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

SUPPORTED_CURRENCIES = ("CNY", "USD", "EUR", "HKD", "JPY", "GBP", "SGD", "KRW", "AUD", "CAD", "CHF", "TWD")
CENT = Decimal("0.01")


def currency_choices() -> list[tuple[str, str]]:
    return [(code, code) for code in SUPPORTED_CURRENCIES]


def reporting_currency() -> str:
    return settings.REPORTING_CURRENCY


def normalise_currency(raw: str | None) -> str:
    return (raw or "").strip().upper()


def is_supported_currency(code: str) -> bool:
    return code in SUPPORTED_CURRENCIES


def round_money(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)
