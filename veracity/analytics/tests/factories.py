"""Orders booked through the sales services, for analytics tests (figures are computed by hand)."""

import datetime as dt
from decimal import Decimal

from veracity.catalog.tests.factories import ProductFactory
from veracity.customers.tests.factories import CustomerFactory
from veracity.sales import services as sales_services
from veracity.sales.models import ExchangeRate


def usd_rate(on: dt.date = dt.date(2020, 1, 1), rate: str = "7.10000000") -> ExchangeRate:
    return ExchangeRate.objects.get_or_create(currency="USD", rate_date=on, defaults={"rate": Decimal(rate)})[0]


def product(**extra):
    return ProductFactory(**extra)


def customer(owner, **extra):
    return CustomerFactory(owner=owner, **extra)


def book(customer, day: dt.date, lines: list[tuple], *, salesperson=None, status="confirmed", **values):
    """lines: (product, quantity, unit_price[, discount]) in the order's currency."""
    return sales_services.order_create(actor=None, values={
        "customer": customer, "order_date": day, "salesperson": salesperson or customer.owner, "status": status,
        **values,
    }, lines=[{"product": p, "quantity": str(q), "unit_price": str(price),
               **({"discount_percent": str(rest[0])} if rest else {})} for p, q, price, *rest in lines])
