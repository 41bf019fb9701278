"""Small local factories: the customers, sales and pipeline apps are built in parallel, so tests here
create their records directly through the models."""

import datetime as dt
import itertools
from decimal import Decimal

from django.utils import timezone

from veracity.activities.models import Activity, ActivityKind
from veracity.customers.models import Contact, Customer
from veracity.pipeline.models import Opportunity, OpportunityStageChange, PipelineStage
from veracity.sales.models import Order

_numbers = itertools.count(1)


def make_customer(owner, *, name="客户", code=None, **extra) -> Customer:
    return Customer.objects.create(code=code or f"C-{next(_numbers):05d}", name=name, owner=owner, **extra)


def make_contact(customer, *, name="联系人", **extra) -> Contact:
    return Contact.objects.create(customer=customer, name=name, **extra)


def make_stage(name="Qualify", *, position=1, kind="open", probability=20) -> PipelineStage:
    return PipelineStage.objects.create(name=name, position=position, kind=kind, probability=probability)


def make_opportunity(customer, owner=None, *, name="Deal", stage=None, amount=Decimal("1000"), **extra) -> Opportunity:
    return Opportunity.objects.create(
        customer=customer, owner=owner or customer.owner, name=name, stage=stage or make_stage(),
        amount=amount, **extra,
    )


def make_stage_change(opportunity, from_stage, to_stage, *, when=None, by=None) -> OpportunityStageChange:
    return OpportunityStageChange.objects.create(
        opportunity=opportunity, from_stage=from_stage, to_stage=to_stage,
        changed_at=when or timezone.now(), changed_by=by,
    )


def make_order(customer, salesperson=None, *, number=None, total=Decimal("100.00"), order_date=None, **extra) -> Order:
    return Order.objects.create(
        number=number or f"SO-{next(_numbers):05d}", customer=customer, salesperson=salesperson or customer.owner,
        order_date=order_date or timezone.localdate(), total_amount=total, **extra,
    )


def make_activity(customer, owner=None, *, kind=ActivityKind.CALL, subject="Call", **extra) -> Activity:
    if kind == ActivityKind.TASK:
        extra.setdefault("due_at", timezone.now() + dt.timedelta(days=1))
    return Activity.objects.create(customer=customer, owner=owner or customer.owner, kind=kind, subject=subject, **extra)
