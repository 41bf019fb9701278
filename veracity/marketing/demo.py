"""Demo campaigns and segments: called by `veracity demo` after customers, opportunities and orders
exist, so the marketing pages show attributed leads, deals and revenue."""

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from veracity.customers.models import Customer
from veracity.marketing.models import Campaign, CampaignChannel, Segment
from veracity.pipeline.models import Opportunity
from veracity.sales.models import Order

CAMPAIGNS = [
    ("EXPO-SZ", "深圳安防展 Security expo", CampaignChannel.EXHIBITION, 120, 90, "80000", "76500"),
    ("WECHAT-Q", "微信公众号推广 WeChat push", CampaignChannel.WECHAT, 100, 60, "20000", "18200"),
    ("SEARCH-BD", "百度搜索广告 Search ads", CampaignChannel.SEARCH, 200, 180, "50000", "52300"),
    ("WEBINAR-LOCK", "智能锁网络研讨会 Smart-lock webinar", CampaignChannel.WEBINAR, 70, 1, "8000", "6400"),
    ("EMAIL-NEWS", "客户通讯 Customer newsletter", CampaignChannel.EMAIL, 300, 270, "3000", "2800"),
]


def demo_marketing_load(*, owner, seed: int = 42) -> dict[str, int]:
    """Campaigns across channels (costs in the reporting currency), attributed to a share of the demo's
    customers, opportunities and orders, plus a few saved segments."""
    rng = random.Random(seed)
    today = timezone.localdate()
    segments = [
        Segment.objects.create(name="零售行业 Retail", owner=owner, criteria={"industry": ["retail"]}),
        Segment.objects.create(name="华南大客户 South, big spenders", owner=owner,
                               criteria={"region": ["south"], "total_spend__min": "50000"}),
        Segment.objects.create(name="半年未购 Lapsed 6 months", owner=owner,
                               criteria={"lifecycle": ["customer"],
                                         "last_purchase__before": (today - dt.timedelta(days=182)).isoformat()}),
    ]
    campaigns = []
    for index, (code, name, channel, start_days, end_days, budget, cost) in enumerate(CAMPAIGNS):
        campaigns.append(Campaign.objects.create(
            code=code, name=name, channel=channel, start_date=today - dt.timedelta(days=start_days),
            end_date=today - dt.timedelta(days=end_days), budget=Decimal(budget), actual_cost=Decimal(cost),
            owner=owner, target_segment=segments[index % len(segments)]))
    customers = list(Customer.objects.order_by("pk").values_list("pk", flat=True))
    counts = {"campaigns": len(campaigns), "segments": len(segments), "leads": 0, "opportunities": 0, "orders": 0}
    for pk in rng.sample(customers, k=min(len(customers), max(1, len(customers) // 4))):
        Customer.objects.filter(pk=pk).update(campaign=rng.choice(campaigns))
        counts["leads"] += 1
    for pk in Opportunity.objects.order_by("pk").values_list("pk", flat=True):
        if rng.random() < 0.3:
            Opportunity.objects.filter(pk=pk).update(campaign=rng.choice(campaigns))
            counts["opportunities"] += 1
    since = today - dt.timedelta(days=200)
    for pk in Order.objects.filter(order_date__gte=since).order_by("pk").values_list("pk", flat=True):
        if rng.random() < 0.2:
            Order.objects.filter(pk=pk).update(campaign=rng.choice(campaigns))
            counts["orders"] += 1
    return counts
