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
    ("EXPO-SZ", "深圳安防展 Security expo", CampaignChannel.EXHIBITION, 120, 90, "1200000", "1186500"),
    ("WECHAT-Q", "微信公众号推广 WeChat push", CampaignChannel.WECHAT, 100, 60, "250000", "238200"),
    ("SEARCH-BD", "百度搜索广告 Search ads", CampaignChannel.SEARCH, 200, 180, "600000", "612300"),
    ("WEBINAR-LOCK", "智能锁网络研讨会 Smart-lock webinar", CampaignChannel.WEBINAR, 70, 1, "80000", "76400"),
    ("EMAIL-NEWS", "客户通讯 Customer newsletter", CampaignChannel.EMAIL, 300, 270, "40000", "39800"),
]
# A campaign is credited with leads created while it runs (and a week after), and with opportunities
# and orders from its start to a month after its end: the share of those it brought in.
LEAD_SHARE, OPPORTUNITY_SHARE, ORDER_SHARE = 0.25, 0.3, 0.05


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
        Segment.objects.create(name="流失风险客户 At risk (churn risk ≥ 0.5)", owner=owner,
                               criteria={"lifecycle": ["customer"], "churn_risk__min": "0.5"}),
    ]
    campaigns = []
    for index, (code, name, channel, start_days, end_days, budget, cost) in enumerate(CAMPAIGNS):
        campaigns.append(Campaign.objects.create(
            code=code, name=name, channel=channel, start_date=today - dt.timedelta(days=start_days),
            end_date=today - dt.timedelta(days=end_days), budget=Decimal(budget), actual_cost=Decimal(cost),
            owner=owner, target_segment=segments[index % len(segments)]))
    counts = {"campaigns": len(campaigns), "segments": len(segments), "leads": 0, "opportunities": 0, "orders": 0}
    for campaign in campaigns:
        lead_until = campaign.end_date + dt.timedelta(days=7)
        follow_until = campaign.end_date + dt.timedelta(days=30)
        attributed = [
            ("leads", Customer, Customer.objects.filter(created_at__date__range=(campaign.start_date, lead_until),
                                                        campaign__isnull=True), LEAD_SHARE),
            ("opportunities", Opportunity, Opportunity.objects.filter(
                created_at__date__range=(campaign.start_date, follow_until), campaign__isnull=True), OPPORTUNITY_SHARE),
            ("orders", Order, Order.objects.filter(order_date__range=(campaign.start_date, follow_until),
                                                   campaign__isnull=True), ORDER_SHARE),
        ]
        for key, model, candidates, share in attributed:
            picked = [pk for pk in candidates.order_by("pk").values_list("pk", flat=True) if rng.random() < share]
            model.objects.filter(pk__in=picked).update(campaign=campaign)
            counts[key] += len(picked)
    return counts
