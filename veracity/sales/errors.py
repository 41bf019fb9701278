"""Stable error codes of the sales domain."""

import datetime as dt

from veracity.core.errors import ValidationFailed


class OrderNumberTaken(ValidationFailed):
    code = "order_number_taken"

    def __init__(self, number: str):
        super().__init__({"number": [f"Order number {number!r} is already used by another order."]}, code=self.code)


class InvalidStatusTransition(ValidationFailed):
    code = "invalid_status_transition"

    def __init__(self, current: str, target: str):
        super().__init__(
            {"status": [f"An order cannot go from {current} to {target}."]},
            message=f"An order cannot go from {current} to {target}.", code=self.code,
        )


class ExchangeRateMissing(ValidationFailed):
    code = "exchange_rate_missing"

    def __init__(self, *, reporting: str, currency: str, on_date: dt.date):
        text = (f"No {reporting} rate for {currency} on or before {on_date.isoformat()}: "
                "add one under Exchange rates.")
        super().__init__({"currency": [text]}, message=text, code=self.code)


class ExchangeRateTaken(ValidationFailed):
    code = "exchange_rate_exists"

    def __init__(self, currency: str, on_date: dt.date):
        super().__init__(
            {"rate_date": [f"There is already a {currency} rate for {on_date.isoformat()}: change that one."]},
            code=self.code,
        )
