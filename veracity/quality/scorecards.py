"""Per-rep scorecards for a month, computed from the data (nothing is stored but the awards).

- completeness: mean completeness (0–100) of the customers the rep owns now;
- timeliness: share of the rep's tasks due in the month that were done by their due time;
- duplicates: customers the rep created in the month that duplicate an older one (uniqueness module);
- validation errors: saves the entry rules rejected for the rep in the month, from forms and the API
  (EntryRejection, one per rejected request), plus the error rows of the imports the rep started;
- review pass rate: approved / decided change requests the rep made in the month.

score = 50% completeness + 30% timeliness + 20% review pass rate (a missing rate counts as 100),
minus 2 points per duplicate (at most 10) and 1 point per 10 validation errors (at most 10)."""

import calendar
import datetime as dt
import re
from dataclasses import asdict, dataclass

from django.apps import apps
from django.db.models import F, Q
from django.utils import timezone

from veracity.activities.models import Activity, ActivityKind
from veracity.customers.models import Customer
from veracity.quality import uniqueness
from veracity.quality.models import ChangeRequest, ChangeStatus, EntryRejection
from veracity.quality.services.scores import COMPANY_ONLY, COMPLETENESS_FIELDS, completeness_of

PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def period_bounds(period: str) -> tuple[dt.date, dt.date]:
    match = PERIOD.match(period or "")
    if not match:
        raise ValueError(period)
    year, month = int(match.group(1)), int(match.group(2))
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def current_period() -> str:
    today = timezone.localdate()
    return f"{today.year:04d}-{today.month:02d}"


def previous_period(period: str) -> str:
    start, _end = period_bounds(period)
    last = start - dt.timedelta(days=1)
    return f"{last.year:04d}-{last.month:02d}"


@dataclass
class Scorecard:
    rep_id: int
    rep: str
    team: str
    period: str
    completeness: float
    tasks_due: int
    tasks_on_time: int
    timeliness: float | None
    overdue_tasks: int
    duplicates: int
    validation_errors: int
    changes_decided: int
    changes_approved: int
    review_pass_rate: float | None
    score: float
    rank: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


def _import_row_errors(rep, start: dt.date, end: dt.date) -> int:
    """Imports live above quality in the layers, so their model is looked up by name."""
    try:
        model = apps.get_model("imports", "ImportRowError")
    except LookupError:
        return 0
    return (model.objects.filter(run__created_by=rep, run__created_at__date__gte=start,
                                 run__created_at__date__lte=end, level="error")
            .values("run_id", "row_number").distinct().count())


def validation_errors_of(rep, start: dt.date, end: dt.date) -> int:
    """Rejected saves: forms and API (EntryRejection) and rejected import rows."""
    rejected = EntryRejection.objects.filter(actor=rep, created_at__date__gte=start, created_at__date__lte=end).count()
    return rejected + _import_row_errors(rep, start, end)


def scorecard_compute(rep, period: str) -> Scorecard:
    start, end = period_bounds(period)
    customers = Customer.objects.filter(owner=rep).values("kind", *COMPLETENESS_FIELDS["customer"], *COMPANY_ONLY)
    values = [completeness_of("customer", row) * 100 for row in customers]
    completeness = sum(values) / len(values) if values else 0.0
    tasks = Activity.all_objects.filter(Q(assignee=rep) | Q(assignee__isnull=True, owner=rep), kind=ActivityKind.TASK,
                                        deleted_at__isnull=True, due_at__date__gte=start, due_at__date__lte=end)
    due = tasks.count()
    on_time = tasks.filter(done=True, done_at__lte=F("due_at")).count()
    month_end = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=timezone.get_current_timezone())
    overdue = tasks.filter(Q(done=False) | Q(done_at__gt=F("due_at"))).filter(due_at__lt=min(month_end, timezone.now())).count()
    timeliness = on_time / due * 100 if due else None
    requests = ChangeRequest.objects.filter(requested_by=rep, created_at__date__gte=start, created_at__date__lte=end)
    decided = requests.exclude(status=ChangeStatus.PENDING).count()
    approved = requests.filter(status=ChangeStatus.APPROVED).count()
    pass_rate = approved / decided * 100 if decided else None
    duplicates = uniqueness.duplicates_created_by(rep, start, end)
    errors = validation_errors_of(rep, start, end)
    score = (0.5 * completeness + 0.3 * (100 if timeliness is None else timeliness)
             + 0.2 * (100 if pass_rate is None else pass_rate))
    score -= min(10, 2 * duplicates) + min(10, errors // 10)
    return Scorecard(
        rep_id=rep.pk, rep=str(rep), team=str(rep.team) if rep.team_id else "", period=period,
        completeness=round(completeness, 1), tasks_due=due, tasks_on_time=on_time,
        timeliness=None if timeliness is None else round(timeliness, 1), overdue_tasks=overdue,
        duplicates=duplicates, validation_errors=errors, changes_decided=decided, changes_approved=approved,
        review_pass_rate=None if pass_rate is None else round(pass_rate, 1), score=round(max(0.0, min(100.0, score)), 1),
    )


def ranked(cards: list[Scorecard]) -> list[Scorecard]:
    """Highest score first; equal scores share a rank."""
    cards = sorted(cards, key=lambda card: (-card.score, card.rep))
    previous, rank = None, 0
    for index, card in enumerate(cards, 1):
        if card.score != previous:
            rank, previous = index, card.score
        card.rank = rank
    return cards
