from decimal import Decimal

import factory

from veracity.customers.models import Customer
from veracity.pipeline.models import Opportunity, PipelineStage


def customer_for(owner, *, code: str | None = None, name: str = "") -> Customer:
    """A minimal customer (the customers app owns the real factory)."""
    code = code or f"C-{Customer.all_objects.count() + 1:05d}"
    return Customer.objects.create(code=code, name=name or f"Customer {code}", owner=owner)


def stage(name: str) -> PipelineStage:
    """One of the default stages seeded by migration 0002 (Qualification … Won, Lost)."""
    return PipelineStage.objects.get(name=name)


class OpportunityFactory(factory.django.DjangoModelFactory):
    """Writes rows directly (no service): set `owner`, and `customer` or let it be made for the owner."""

    class Meta:
        model = Opportunity

    name = factory.Sequence(lambda n: f"Deal {n}")
    customer = factory.LazyAttribute(lambda o: customer_for(o.owner))
    stage = factory.LazyFunction(lambda: stage("Qualification"))
    amount = Decimal("1000.00")
    currency = "CNY"
    position = factory.Sequence(lambda n: n)
