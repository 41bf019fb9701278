"""The figures on each role's home page. Every number comes from a permission-scoped queryset, so a
home page can never show more than the lists behind it."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from veracity.accounts.access import can, scoped, team_ids
from veracity.accounts.models import Action, Resource, RoleCode, User
from veracity.activities import selectors as activity_selectors
from veracity.activities.models import Activity, ActivityKind
from veracity.customers.models import Customer, LifecycleStatus
from veracity.pipeline.models import Opportunity, StageKind
from veracity.sales.models import Order, OrderStatus

Totals = list[tuple[str, Decimal]]  # [(currency, amount)], sorted by currency


def _totals(rows, key: str = "total") -> Totals:
    return sorted((row["currency"], row[key] or Decimal("0")) for row in rows)


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def period_starts(now: dt.datetime | None = None) -> dict[str, object]:
    today = timezone.localdate(now)
    return {
        "today": today,
        "tomorrow": _local_midnight(today + dt.timedelta(days=1)),
        "week": _local_midnight(today - dt.timedelta(days=today.weekday())),
        "month": today.replace(day=1),
    }


def home_kind(user) -> str:
    """Which home page a user gets: the first of their roles that has one."""
    codes = set(user.roles.values_list("code", flat=True))
    for code in (RoleCode.SALES_MANAGER, RoleCode.SALES_REP, RoleCode.SERVICE, RoleCode.ADMIN,
                 RoleCode.AUDITOR, RoleCode.MARKETING):
        if code in codes:
            return str(code)
    return "overview"


def open_pipeline_totals(*, user, owner=None) -> Totals:
    if not can(user, Resource.OPPORTUNITY, Action.VIEW):
        return []
    queryset = scoped(Opportunity.objects.filter(stage__kind=StageKind.OPEN), user=user, resource=Resource.OPPORTUNITY)
    if owner is not None:
        queryset = queryset.filter(owner=owner)
    return _totals(queryset.order_by().values("currency").annotate(total=Sum("amount")))


def orders_this_month(*, user) -> tuple[int, Totals]:
    if not can(user, Resource.ORDER, Action.VIEW):
        return 0, []
    month = period_starts()["month"]
    queryset = scoped(Order.objects.filter(order_date__gte=month).exclude(status=OrderStatus.CANCELLED),
                      user=user, resource=Resource.ORDER)
    rows = list(queryset.order_by().values("currency").annotate(total=Sum("total_amount"), count=Count("id")))
    return sum(row["count"] for row in rows), _totals(rows)


@dataclass
class RepHome:
    tasks: list[Activity]
    follow_ups: list[Activity]
    recent_customers: list[Customer]
    pipeline: Totals


def rep_home(*, user) -> RepHome:
    """Tasks due today or overdue, scheduled calls/visits, recently touched customers, own pipeline."""
    starts = period_starts()
    tasks = follow_ups = []
    if can(user, Resource.ACTIVITY, Action.VIEW):
        tasks = list(activity_selectors.my_tasks(user=user).filter(due_at__lt=starts["tomorrow"])[:20])
        follow_ups = list(activity_selectors.my_follow_ups(user=user)[:10])
    recent = []
    if can(user, Resource.CUSTOMER, Action.VIEW):
        recent = list(scoped(Customer.objects.all(), user=user, resource=Resource.CUSTOMER)
                      .order_by("-updated_at", "-id")[:6])
    return RepHome(tasks, follow_ups, recent, open_pipeline_totals(user=user, owner=user))


@dataclass
class RepRow:
    rep: User
    pipeline: Totals = field(default_factory=list)
    orders_count: int = 0
    orders_totals: Totals = field(default_factory=list)
    overdue_tasks: int = 0
    activities_this_week: int = 0


def team_summary(*, user) -> list[RepRow]:
    """Per person in the manager's team(s): open pipeline and this month's orders per currency,
    overdue tasks and activities logged this week. A fixed number of queries whatever the team size."""
    starts = period_starts()
    reps = list(User.objects.filter(team_id__in=list(team_ids(user)), is_active=True).order_by("username"))
    rows = {rep.pk: RepRow(rep) for rep in reps}
    if not rows:
        return []
    pks = list(rows)
    if can(user, Resource.OPPORTUNITY, Action.VIEW):
        opportunities = scoped(Opportunity.objects.filter(stage__kind=StageKind.OPEN, owner_id__in=pks),
                               user=user, resource=Resource.OPPORTUNITY)
        pipeline = defaultdict(list)
        for row in opportunities.order_by().values("owner_id", "currency").annotate(total=Sum("amount")):
            pipeline[row["owner_id"]].append(row)
        for pk, items in pipeline.items():
            rows[pk].pipeline = _totals(items)
    if can(user, Resource.ORDER, Action.VIEW):
        orders = scoped(Order.objects.filter(salesperson_id__in=pks, order_date__gte=starts["month"])
                        .exclude(status=OrderStatus.CANCELLED), user=user, resource=Resource.ORDER)
        per_rep = defaultdict(list)
        for row in orders.order_by().values("salesperson_id", "currency").annotate(
                total=Sum("total_amount"), count=Count("id")):
            per_rep[row["salesperson_id"]].append(row)
        for pk, items in per_rep.items():
            rows[pk].orders_count = sum(item["count"] for item in items)
            rows[pk].orders_totals = _totals(items)
    if can(user, Resource.ACTIVITY, Action.VIEW):
        activities = scoped(Activity.objects.all(), user=user, resource=Resource.ACTIVITY)
        overdue = (activities.filter(kind=ActivityKind.TASK, done=False, due_at__lt=timezone.now())
                   .annotate(responsible=Coalesce("assignee_id", "owner_id"))
                   .filter(responsible__in=pks).order_by().values("responsible").annotate(n=Count("id")))
        for row in overdue:
            rows[row["responsible"]].overdue_tasks = row["n"]
        logged = (activities.exclude(kind=ActivityKind.TASK).filter(owner_id__in=pks, created_at__gte=starts["week"])
                  .order_by().values("owner_id").annotate(n=Count("id")))
        for row in logged:
            rows[row["owner_id"]].activities_this_week = row["n"]
    return list(rows.values())


@dataclass
class Overview:
    customers_by_status: list[tuple[str, int]] = field(default_factory=list)
    new_customers_this_month: int = 0
    orders_count: int = 0
    orders_totals: Totals = field(default_factory=list)
    pipeline: Totals = field(default_factory=list)
    activities_this_week: int = 0
    open_tasks: int = 0


def overview(*, user) -> Overview:
    """Company-wide (or scope-wide) figures for marketing, service, auditors and admins."""
    starts = period_starts()
    result = Overview()
    if can(user, Resource.CUSTOMER, Action.VIEW):
        customers = scoped(Customer.objects.all(), user=user, resource=Resource.CUSTOMER)
        counts = dict(customers.order_by().values_list("lifecycle_status").annotate(n=Count("id")))
        result.customers_by_status = [(str(label), counts.get(value, 0)) for value, label in LifecycleStatus.choices]
        result.new_customers_this_month = customers.filter(created_at__gte=_local_midnight(starts["month"])).count()
    result.orders_count, result.orders_totals = orders_this_month(user=user)
    result.pipeline = open_pipeline_totals(user=user)
    if can(user, Resource.ACTIVITY, Action.VIEW):
        activities = scoped(Activity.objects.all(), user=user, resource=Resource.ACTIVITY)
        figures = activities.aggregate(
            week=Count("id", filter=Q(created_at__gte=starts["week"]) & ~Q(kind=ActivityKind.TASK)),
            tasks=Count("id", filter=Q(kind=ActivityKind.TASK, done=False)),
        )
        result.activities_this_week, result.open_tasks = figures["week"], figures["tasks"]
    return result
