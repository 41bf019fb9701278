import datetime as dt
from decimal import Decimal

import factory

from veracity.customers.models import Customer
from veracity.sales.models import ExchangeRate


def customer_for(owner, *, code: str | None = None, name: str | None = None, **extra) -> Customer:
    """A customer owned by `owner` (customers has its own factories; sales only needs a row)."""
    code = code or f"C-{Customer.all_objects.count() + 1:05d}"
    return Customer.objects.create(code=code, name=name or f"Customer {code}", owner=owner, **extra)


class ExchangeRateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExchangeRate

    currency = "USD"
    rate_date = dt.date(2026, 3, 1)
    rate = Decimal("7.20000000")
