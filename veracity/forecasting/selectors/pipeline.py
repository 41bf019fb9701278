"""The pipeline forecast: expected revenue from open opportunities, weighted by the win probability
typed on each stage and by the win rate learned from history.

A stage's learned win rate is the share of closed opportunities (won or lost) that passed through
that stage and were won, read from the stage-change history (`pipeline.OpportunityStageChange`).
Few closed deals say little, so the rate is shrunk towards the typed probability as if
`PRIOR_WEIGHT` more deals had closed at exactly that probability: (wins + k·p) / (closed + k)."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from veracity.accounts.access import access_require, scoped
from veracity.accounts.models import Action, Resource, User
from veracity.pipeline.models import Opportunity, OpportunityStageChange, PipelineStage, StageKind
from veracity.sales.selectors import rate_for

PRIOR_WEIGHT = 5
CENT = Decimal("0.01")


@dataclass(frozen=True)
class StageWinRate:
    stage: PipelineStage
    typed: float      # the probability typed on the stage, 0–1
    closed: int       # closed opportunities that passed through the stage
    won: int
    learned: float    # shrunk learned rate, 0–1

    @property
    def observed(self) -> float | None:
        return self.won / self.closed if self.closed else None


def stage_win_rates(*, prior_weight: int = PRIOR_WEIGHT) -> list[StageWinRate]:
    """Learned stage-to-won conversion for every active open stage (company-wide: a rate, not records)."""
    stages = list(PipelineStage.objects.filter(kind=StageKind.OPEN, is_active=True).order_by("position", "id"))
    closed = Opportunity.objects.filter(stage__kind__in=(StageKind.WON, StageKind.LOST))
    outcome = dict(closed.values_list("pk", "stage__kind"))
    visited: dict[int, set[int]] = defaultdict(set)  # stage id -> closed opportunity ids
    changes = OpportunityStageChange.objects.filter(opportunity_id__in=list(outcome)).filter(
        Q(to_stage__kind=StageKind.OPEN) | Q(from_stage__kind=StageKind.OPEN))
    for opportunity_id, from_stage, to_stage in changes.values_list("opportunity_id", "from_stage_id", "to_stage_id"):
        for stage_id in (from_stage, to_stage):
            if stage_id is not None:
                visited[stage_id].add(opportunity_id)
    rates = []
    for stage in stages:
        members = visited.get(stage.pk, set())
        won = sum(1 for pk in members if outcome[pk] == StageKind.WON)
        typed = stage.probability / 100
        learned = (won + prior_weight * typed) / (len(members) + prior_weight) if prior_weight or members else typed
        rates.append(StageWinRate(stage=stage, typed=typed, closed=len(members), won=won, learned=learned))
    return rates


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT)


def pipeline_forecast(*, user: User, today: dt.date | None = None) -> dict:
    """Open opportunities the user may see, converted to the reporting currency at today's rate,
    with their value weighted by typed and learned win rates, per stage and per expected close
    month. Opportunities in a currency without a rate are counted in `unconverted` and left out."""
    access_require(user, Resource.FORECAST, Action.VIEW)
    today = today or timezone.localdate()
    rates = {rate.stage.pk: rate for rate in stage_win_rates()}
    opportunities = scoped(Opportunity.objects.filter(stage__kind=StageKind.OPEN), user=user,
                           resource=Resource.OPPORTUNITY).values_list("stage_id", "amount", "currency",
                                                                      "expected_close_date")
    per_stage = {pk: {"stage": rate.stage, "win_rate": rate, "count": 0, "amount": Decimal(0),
                      "typed_weighted": Decimal(0), "learned_weighted": Decimal(0)} for pk, rate in rates.items()}
    per_month: dict[str, dict] = {}
    currency_rates: dict[str, Decimal | None] = {}
    unconverted = 0
    for stage_id, amount, currency, close_date in opportunities:
        if stage_id not in per_stage:
            continue  # an inactive stage
        if currency not in currency_rates:
            currency_rates[currency] = rate_for(currency, today)
        rate = currency_rates[currency]
        if rate is None:
            unconverted += 1
            continue
        value = amount * rate
        row = per_stage[stage_id]
        win = row["win_rate"]
        row["count"] += 1
        row["amount"] += value
        row["typed_weighted"] += value * Decimal(str(win.typed))
        row["learned_weighted"] += value * Decimal(str(round(win.learned, 6)))
        month = "overdue" if close_date and close_date < today.replace(day=1) else (
            close_date.strftime("%Y-%m") if close_date else "undated")
        bucket = per_month.setdefault(month, {"month": month, "amount": Decimal(0), "typed_weighted": Decimal(0),
                                              "learned_weighted": Decimal(0)})
        bucket["amount"] += value
        bucket["typed_weighted"] += value * Decimal(str(win.typed))
        bucket["learned_weighted"] += value * Decimal(str(round(win.learned, 6)))
    stages = []
    for row in per_stage.values():
        win = row["win_rate"]
        stages.append({
            "stage_id": row["stage"].pk, "stage": row["stage"].display_name, "count": row["count"],
            "amount": _money(row["amount"]), "typed_probability": round(win.typed, 4),
            "learned_win_rate": round(win.learned, 4), "closed_through_stage": win.closed, "won_through_stage": win.won,
            "typed_weighted": _money(row["typed_weighted"]), "learned_weighted": _money(row["learned_weighted"]),
        })
    months = sorted(per_month.values(), key=lambda b: (b["month"] in ("overdue", "undated"), b["month"]))
    for bucket in months:
        for field in ("amount", "typed_weighted", "learned_weighted"):
            bucket[field] = _money(bucket[field])
    return {
        "stages": stages,
        "months": months,
        "total_amount": _money(sum((s["amount"] for s in stages), Decimal(0))),
        "total_typed_weighted": _money(sum((s["typed_weighted"] for s in stages), Decimal(0))),
        "total_learned_weighted": _money(sum((s["learned_weighted"] for s in stages), Decimal(0))),
        "unconverted": unconverted,
        "prior_weight": PRIOR_WEIGHT,
    }
