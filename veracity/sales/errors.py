"""Stable error codes of the sales domain."""

import datetime as dt

from django.utils.translation import gettext as _

from veracity.core.errors import ValidationFailed
from veracity.sales.models import OrderStatus


class OrderNumberTaken(ValidationFailed):
    code = "order_number_taken"

    def __init__(self, number: str):
        text = _("Order number %(number)s is already used by another order.") % {"number": number}
        super().__init__({"number": [text]}, code=self.code)


class InvalidStatusTransition(ValidationFailed):
    code = "invalid_status_transition"

    def __init__(self, current: str, target: str):
        text = _("An order cannot go from %(current)s to %(target)s.") % {
            "current": OrderStatus(current).label, "target": OrderStatus(target).label}
        super().__init__({"status": [text]}, message=text, code=self.code)


class ExchangeRateMissing(ValidationFailed):
    code = "exchange_rate_missing"

    def __init__(self, *, reporting: str, currency: str, on_date: dt.date):
        text = _("No %(reporting)s rate for %(currency)s on or before %(date)s: add one under Exchange rates.") % {
            "reporting": reporting, "currency": currency, "date": on_date.isoformat()}
        super().__init__({"currency": [text]}, message=text, code=self.code)


class ExchangeRateTaken(ValidationFailed):
    code = "exchange_rate_exists"

    def __init__(self, currency: str, on_date: dt.date):
        super().__init__(
            {"rate_date": [_("There is already a %(currency)s rate for %(date)s: change that one.") % {
                "currency": currency, "date": on_date.isoformat()}]},
            code=self.code,
        )
