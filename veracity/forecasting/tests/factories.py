"""Rows for forecasting tests: orders written directly (the sales services are tested in sales)."""

import datetime as dt
from decimal import Decimal

from veracity.catalog.tests.factories import ProductFactory
from veracity.customers.models import Customer
from veracity.pipeline.models import OpportunityStageChange, PipelineStage
from veracity.sales.models import Order, OrderLine


def customer_for(owner, *, name: str = "") -> Customer:
    code = f"C-F{Customer.all_objects.count() + 1:05d}"
    return Customer.objects.create(code=code, name=name or f"Customer {code}", owner=owner)


def order_for(customer, *, day: dt.date, amount: str, salesperson=None, product=None, currency: str = "CNY",
              rate: str = "1", status: str = "confirmed", region: str = "north") -> Order:
    """A one-line order of `amount` in `currency`, booked at `rate`."""
    order = Order.objects.create(
        number=f"SO-F-{Order.all_objects.count() + 1:06d}", customer=customer, order_date=day, status=status,
        salesperson=salesperson or customer.owner, currency=currency, exchange_rate=Decimal(rate),
        total_amount=Decimal(amount), region=region)
    OrderLine.objects.create(order=order, line_no=1, product=product or ProductFactory(), quantity=Decimal("1"),
                             unit_price=Decimal(amount), currency=currency, net_amount=Decimal(amount))
    return order


def stage_path(opportunity, names: list[str]) -> None:
    """Record that `opportunity` moved through the stages `names`, in order (the first is where it began)."""
    previous = None
    for name in names:
        current = PipelineStage.objects.get(name=name)
        OpportunityStageChange.objects.create(opportunity=opportunity, from_stage=previous, to_stage=current)
        previous = current
    opportunity.stage = previous
    opportunity.save(update_fields=["stage"])
