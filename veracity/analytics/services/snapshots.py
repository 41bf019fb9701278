"""The daily snapshot of the open pipeline (value by stage and owner), for the pipeline trend."""

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from veracity.analytics.models import PipelineSnapshotDaily
from veracity.analytics.services.rollups import cents
from veracity.pipeline.models import Opportunity, StageKind
from veracity.sales.selectors import rate_for


@transaction.atomic
def pipeline_snapshot_take(*, today: dt.date | None = None) -> int:
    today = today or timezone.localdate()
    cells: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0, 0])
    rates: dict[str, object] = {}
    for stage_id, owner_id, amount, currency, probability in Opportunity.objects.filter(
            stage__kind=StageKind.OPEN).values_list("stage_id", "owner_id", "amount", "currency", "stage__probability"):
        if currency not in rates:
            rates[currency] = rate_for(currency, today)
        rate = rates[currency]
        if rate is None:  # no rate for this currency: left out rather than guessed
            continue
        value = cents(amount, rate)
        cell = cells[(stage_id, owner_id)]
        cell[0] += 1
        cell[1] += value
        cell[2] += value * probability // 100
    PipelineSnapshotDaily.objects.filter(day=today).delete()
    PipelineSnapshotDaily.objects.bulk_create([
        PipelineSnapshotDaily(day=today, stage_id=stage, owner_id=owner, opportunities=count, amount_cents=amount,
                              weighted_cents=weighted)
        for (stage, owner), (count, amount, weighted) in cells.items()
    ])
    return len(cells)
