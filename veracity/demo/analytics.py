"""Demo analytics: rollups, RFM segments, today's pipeline snapshot, sales targets for every rep, and an
archived weekly and monthly review, so the dashboards and the review archive show real figures."""

import datetime as dt
import random
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from veracity.accounts.models import RoleCode, User
from veracity.analytics.models import SalesOrderDaily, SalesTarget
from veracity.analytics.services import customer_rfm_refresh, pipeline_snapshot_take, rollups_rebuild
from veracity.analytics.services.reviews import periodic_review_create

TARGET_MONTHS_BACK, TARGET_MONTHS_AHEAD = 6, 2


def _month(start: dt.date, offset: int) -> tuple[dt.date, dt.date]:
    index = start.year * 12 + start.month - 1 + offset
    first = dt.date(index // 12, index % 12 + 1, 1)
    following = dt.date((index + 1) // 12, (index + 1) % 12 + 1, 1)
    return first, following - dt.timedelta(days=1)


def demo_analytics_load(*, seed: int = 42) -> dict[str, int]:
    rollups_rebuild()
    rfm = customer_rfm_refresh()
    pipeline_snapshot_take()
    rng = random.Random(seed)
    today = timezone.localdate()
    year_ago = today - dt.timedelta(days=365)
    targets = []
    for rep in User.objects.filter(roles__code=RoleCode.SALES_REP).distinct():
        yearly = SalesOrderDaily.objects.filter(salesperson=rep, day__gte=year_ago).aggregate(
            revenue=Sum("revenue_cents"), orders=Sum("orders"))
        monthly_cents, monthly_orders = (yearly["revenue"] or 0) / 12, (yearly["orders"] or 0) / 12
        if not monthly_cents:
            continue
        for offset in range(-TARGET_MONTHS_BACK, TARGET_MONTHS_AHEAD + 1):
            first, last = _month(today.replace(day=1), offset)
            factor = Decimal(str(round(rng.uniform(0.9, 1.25), 2)))
            targets.append(SalesTarget(
                user=rep, period_start=first, period_end=last,
                revenue=(Decimal(int(monthly_cents)) / 100 * factor).quantize(Decimal("1000")),
                orders=max(1, round(monthly_orders * float(factor))), activities=40))
    SalesTarget.objects.bulk_create(targets)
    periodic_review_create(actor=None, period="weekly")
    periodic_review_create(actor=None, period="monthly")
    return {"rfm_customers": rfm, "sales_targets": len(targets), "reviews": 2}
