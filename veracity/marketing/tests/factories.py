import datetime as dt
from decimal import Decimal

import factory

from veracity.accounts.tests.factories import UserFactory
from veracity.marketing.models import Campaign, CampaignChannel, Segment


class SegmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Segment

    name = factory.Sequence(lambda n: f"Segment {n}")
    owner = factory.SubFactory(UserFactory)
    criteria = factory.LazyFunction(dict)


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    code = factory.Sequence(lambda n: f"CMP-{n:03d}")
    name = factory.Sequence(lambda n: f"Campaign {n}")
    channel = CampaignChannel.EMAIL
    start_date = dt.date(2026, 1, 1)
    actual_cost = Decimal("1000.00")
    owner = factory.SubFactory(UserFactory)
