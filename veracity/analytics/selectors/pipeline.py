"""The pipeline dashboard: value by stage, weighted pipeline, win rate, sales-cycle length, lost
reasons, the stage funnel and deals slipping past their close date. Opportunities are read live
(they are few next to order lines); the daily snapshot gives the trend."""

from collections import defaultdict
from urllib.parse import urlencode

from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from veracity.analytics.models import PipelineSnapshotDaily
from veracity.analytics.selectors.base import (
    OPPORTUNITY_OWNERS,
    Column,
    DashboardFilters,
    Table,
    money,
    percent,
    ratio,
    scoped_rows,
)
from veracity.analytics.services.rollups import cents
from veracity.pipeline.models import LostReason, Opportunity, OpportunityStageChange, PipelineStage, StageKind
from veracity.sales.selectors import rate_for


def opportunities_url(**params) -> str:
    return reverse("pipeline:list") + "?" + urlencode({k: v for k, v in params.items() if v not in (None, "")})


def _opportunities(user, filters: DashboardFilters):
    queryset = scoped_rows(Opportunity.objects.all(), user=user, owners=OPPORTUNITY_OWNERS)
    if filters.team:
        queryset = queryset.filter(owner__team_id=filters.team)
    if filters.rep:
        queryset = queryset.filter(owner_id=filters.rep)
    if filters.currency:
        queryset = queryset.filter(currency=filters.currency)
    return queryset


class _Converter:
    """Opportunity amounts to reporting-currency cents at today's rate (they have no booked rate)."""

    def __init__(self):
        self.rates, self.today = {}, timezone.localdate()

    def __call__(self, amount, currency) -> int:
        if currency not in self.rates:
            self.rates[currency] = rate_for(currency, self.today)
        rate = self.rates[currency]
        return cents(amount, rate) if rate is not None else 0


def pipeline_dashboard(*, user, filters: DashboardFilters) -> dict[str, Table]:
    opportunities = _opportunities(user, filters)
    convert = _Converter()
    stages = list(PipelineStage.objects.order_by("position", "id"))
    by_stage: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    for stage_id, amount, currency, probability in opportunities.filter(stage__kind=StageKind.OPEN).values_list(
            "stage_id", "amount", "currency", "stage__probability"):
        value = convert(amount, currency)
        cell = by_stage[stage_id]
        cell[0] += 1
        cell[1] += value
        cell[2] += value * probability // 100
    stage_table = Table("stages", _("Open pipeline by stage"), [
        Column("stage", _("Stage")), Column("opportunities", _("Opportunities"), "int"),
        Column("value", _("Value"), "decimal"), Column("weighted", _("Weighted value"), "decimal")],
        chart={"type": "bar", "x": "stage", "y": ["value", "weighted"]})
    for stage in stages:
        if stage.kind != StageKind.OPEN:
            continue
        count, value, weighted = by_stage.get(stage.pk, (0, 0, 0))
        stage_table.rows.append((stage.display_name, count,
                                 money(value), money(weighted)))
        stage_table.links.append(opportunities_url(stage=stage.pk, owner=filters.rep))
    total_value = sum(cell[1] for cell in by_stage.values())
    total_weighted = sum(cell[2] for cell in by_stage.values())

    closed = opportunities.filter(closed_on__range=(filters.date_from, filters.date_to))
    won = list(closed.filter(stage__kind=StageKind.WON).values_list("created_at", "closed_on", "amount", "currency"))
    lost_count = closed.filter(stage__kind=StageKind.LOST).count()
    cycle_days = [(closed_on - timezone.localtime(created).date()).days for created, closed_on, _a, _c in won]
    summary = Table("summary", _("Pipeline health"), [
        Column("metric", _("Metric")), Column("label", _("Figure")), Column("value", _("Value"), "decimal")])
    summary.rows = [
        ("open_value", _("Open pipeline value"), money(total_value)),
        ("weighted_value", _("Weighted pipeline"), money(total_weighted)),
        ("won", _("Won in period"), len(won)),
        ("won_value", _("Won value"), money(sum(convert(a, c) for _c1, _c2, a, c in won))),
        ("lost", _("Lost in period"), lost_count),
        ("win_rate", _("Win rate %"), percent(ratio(len(won), len(won) + lost_count))),
        ("cycle_days", _("Average sales cycle (days)"),
         round(sum(cycle_days) / len(cycle_days), 1) if cycle_days else None),
    ]
    summary.links = [opportunities_url(status="open"), opportunities_url(status="open"),
                     opportunities_url(status="won"), opportunities_url(status="won"),
                     opportunities_url(status="lost"), None, None]

    reasons = Table("lost_reasons", _("Lost reasons"), [
        Column("reason", _("Reason")), Column("opportunities", _("Opportunities"), "int")],
        chart={"type": "pie", "x": "reason", "y": ["opportunities"]})
    labels = dict(LostReason.choices)
    counts: dict[str, int] = defaultdict(int)
    for reason in closed.filter(stage__kind=StageKind.LOST).values_list("lost_reason", flat=True):
        counts[reason or ""] += 1
    for reason, count in sorted(counts.items(), key=lambda item: -item[1]):
        reasons.rows.append((str(labels.get(reason, _("Not given"))), count))
        reasons.links.append(opportunities_url(status="lost"))

    funnel = _funnel(opportunities.filter(created_at__date__range=(filters.date_from, filters.date_to)), stages)
    today = timezone.localdate()
    slipping_rows = opportunities.filter(stage__kind=StageKind.OPEN, expected_close_date__lt=today).select_related(
        "customer", "owner", "stage").order_by("expected_close_date")[:50]
    slipping = Table("slipping", _("Deals past their close date"), [
        Column("opportunity", _("Opportunity")), Column("customer", _("Customer")), Column("owner", _("Owner")),
        Column("stage", _("Stage")), Column("expected_close_date", _("Expected close"), "date"),
        Column("days_late", _("Days late"), "int"), Column("value", _("Value"), "decimal")])
    for opportunity in slipping_rows:
        slipping.rows.append((opportunity.name, opportunity.customer.name, str(opportunity.owner),
                              str(opportunity.stage), opportunity.expected_close_date,
                              (today - opportunity.expected_close_date).days,
                              money(convert(opportunity.amount, opportunity.currency))))
        slipping.links.append(reverse("pipeline:detail", args=[opportunity.pk]))
    trend = Table("trend", _("Open pipeline over time"), [
        Column("day", _("Day"), "date"), Column("value", _("Value"), "decimal"),
        Column("weighted", _("Weighted value"), "decimal")], chart={"type": "line", "x": "day", "y": ["value", "weighted"]})
    snapshots = scoped_rows(PipelineSnapshotDaily.objects.filter(day__range=(filters.date_from, filters.date_to)),
                            user=user, owners=("owner",))
    if filters.team:
        snapshots = snapshots.filter(owner__team_id=filters.team)
    if filters.rep:
        snapshots = snapshots.filter(owner_id=filters.rep)
    for row in snapshots.values("day").annotate(value=Sum("amount_cents"), weighted=Sum("weighted_cents")).order_by("day"):
        trend.rows.append((row["day"], money(row["value"]), money(row["weighted"])))
        trend.links.append(None)
    return {"summary": summary, "stages": stage_table, "funnel": funnel, "lost_reasons": reasons,
            "slipping": slipping, "trend": trend}


def _funnel(opportunities, stages: list[PipelineStage]) -> Table:
    """How many opportunities created in the period reached each open stage (or went past it)."""
    position = {stage.pk: stage.position for stage in stages}
    kinds = {stage.pk: stage.kind for stage in stages}
    reached: dict[int, int] = {}
    rows = list(opportunities.values_list("pk", "stage_id"))
    for pk, stage_id in rows:
        reached[pk] = position.get(stage_id, 0) if kinds.get(stage_id) != StageKind.LOST else 0
    for pk, to_stage in OpportunityStageChange.objects.filter(opportunity_id__in=[pk for pk, _s in rows]).values_list(
            "opportunity_id", "to_stage_id"):
        if kinds.get(to_stage) != StageKind.LOST:
            reached[pk] = max(reached.get(pk, 0), position.get(to_stage, 0))
    table = Table("funnel", _("Stage conversion funnel"), [
        Column("stage", _("Stage")), Column("reached", _("Opportunities that reached it"), "int"),
        Column("conversion", _("Conversion from previous %"), "percent")],
        chart={"type": "funnel", "x": "stage", "y": ["reached"]})
    previous = None
    for stage in stages:
        if stage.kind == StageKind.LOST:
            continue
        count = sum(1 for value in reached.values() if value >= stage.position)
        table.rows.append((str(stage), count, percent(ratio(count, previous)) if previous is not None else None))
        table.links.append(opportunities_url(stage=stage.pk))
        previous = count
    return table
