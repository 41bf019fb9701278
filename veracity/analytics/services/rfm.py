"""RFM scores and named segments per customer, from the order rollups."""

import datetime as dt

from django.db import transaction
from django.db.models import F, Max, Sum
from django.utils import timezone

from veracity.analytics.models import CustomerRfm, RfmSegment, RollupCursor, SalesOrderDaily


def quintile_scores(values: list, *, higher_is_better: bool = True) -> list[int]:
    """1–5 by rank: the top fifth scores 5. Ties share the score of their first rank."""
    count = len(values)
    if count == 0:
        return []
    order = sorted(range(count), key=lambda index: values[index], reverse=not higher_is_better)
    scores = [0] * count
    previous, previous_score = object(), 0
    for rank, index in enumerate(order):
        value = values[index]
        score = previous_score if value == previous else 1 + (5 * rank) // count
        scores[index], previous, previous_score = score, value, score
    return scores


def rfm_segment(r: int, f: int, m: int) -> str:
    """The usual RFM segment names, from recency and the mean of frequency and monetary scores."""
    fm = (f + m) / 2
    if r >= 4 and fm >= 4:
        return RfmSegment.CHAMPIONS
    if r >= 3 and fm >= 3:
        return RfmSegment.LOYAL
    if r >= 4 and fm >= 2:
        return RfmSegment.POTENTIAL_LOYALIST
    if r == 5:
        return RfmSegment.NEW
    if r == 4:
        return RfmSegment.PROMISING
    if r == 3:
        return RfmSegment.NEED_ATTENTION
    if r == 2 and fm >= 3:
        return RfmSegment.AT_RISK
    if r == 1 and fm >= 4:
        return RfmSegment.CANNOT_LOSE
    if r == 1 and fm >= 3:
        return RfmSegment.AT_RISK
    if r == 2:
        return RfmSegment.HIBERNATING
    return RfmSegment.LOST


@transaction.atomic
def customer_rfm_refresh(*, today: dt.date | None = None) -> int:
    """Recompute every customer's RFM row (customers without sales have none)."""
    today = today or timezone.localdate()
    rows = list(SalesOrderDaily.objects.filter(day__lte=today).values("customer_id").annotate(
        last=Max("day"), frequency=Sum("orders"), monetary=Sum("revenue_cents")).values_list(
        "customer_id", "last", "frequency", "monetary"))
    recency = [(today - last).days for _c, last, _f, _m in rows]
    r_scores = quintile_scores(recency, higher_is_better=False)
    f_scores = quintile_scores([row[2] for row in rows])
    m_scores = quintile_scores([row[3] for row in rows])
    CustomerRfm.objects.all().delete()
    CustomerRfm.objects.bulk_create([
        CustomerRfm(customer_id=customer, last_order_day=last, recency_days=days, frequency=frequency,
                    monetary_cents=monetary, r_score=r, f_score=f, m_score=m, segment=rfm_segment(r, f, m),
                    computed_on=today)
        for (customer, last, frequency, monetary), days, r, f, m in zip(rows, recency, r_scores, f_scores, m_scores,
                                                                       strict=True)
    ], batch_size=2000)
    # The customers dashboard's stored figures hold RFM segments: they are behind now.
    RollupCursor.objects.filter(pk=1).update(data_version=F("data_version") + 1)
    return len(rows)
