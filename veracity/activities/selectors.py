"""Reads for activities, a person's task list and the customer timeline. Everything here is
permission-scoped through accounts.access.scoped."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from veracity.accounts.access import can, scoped
from veracity.accounts.models import Action, Resource
from veracity.activities.models import Activity, ActivityKind
from veracity.core.errors import NotFound
from veracity.customers.models import Customer
from veracity.pipeline.models import Opportunity, OpportunityStageChange
from veracity.sales.models import Order

ACTIVITY_SORTS = {"occurred_at", "-occurred_at", "due_at", "-due_at", "subject", "-subject", "kind", "-kind"}
DUE_WINDOWS = ("overdue", "today", "week")
TIMELINE_LIMIT = 200  # per source; the timeline is a history panel, not an export


@dataclass(frozen=True)
class ActivityFilters:
    q: str = ""
    kind: str = ""
    customer: int | None = None
    assignee: int | None = None
    done: bool | None = None
    due: str = ""  # overdue | today | week
    sort: str = "-occurred_at"


def _today_bounds(now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    local = timezone.localtime(now)
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + dt.timedelta(days=1)


def activity_list(*, user, filters: ActivityFilters = ActivityFilters(), action: str = Action.VIEW) -> QuerySet[Activity]:
    queryset = scoped(
        Activity.objects.select_related("customer", "owner", "assignee", "contact"),
        user=user, resource=Resource.ACTIVITY, action=action,
    )
    if filters.q:
        term = filters.q.strip()
        queryset = queryset.filter(
            Q(subject__icontains=term) | Q(body__icontains=term) | Q(customer__name__icontains=term)
            | Q(outcome__icontains=term)
        )
    if filters.kind in ActivityKind.values:
        queryset = queryset.filter(kind=filters.kind)
    if filters.customer:
        queryset = queryset.filter(customer_id=filters.customer)
    if filters.assignee:
        queryset = queryset.filter(assignee_id=filters.assignee)
    if filters.done is not None:
        queryset = queryset.filter(done=filters.done)
    if filters.due in DUE_WINDOWS:
        now = timezone.now()
        start, end = _today_bounds(now)
        if filters.due == "overdue":
            queryset = queryset.filter(done=False, due_at__lt=now)
        elif filters.due == "today":
            queryset = queryset.filter(due_at__gte=start, due_at__lt=end)
        else:
            queryset = queryset.filter(due_at__gte=start, due_at__lt=start + dt.timedelta(days=7))
    sort = filters.sort if filters.sort in ACTIVITY_SORTS else "-occurred_at"
    return queryset.order_by(sort, "-id")


def activity_get(*, user, pk: int, action: str = Action.VIEW) -> Activity:
    activity = activity_list(user=user, action=action).filter(pk=pk).first()
    if activity is None:
        raise NotFound()
    return activity


def my_tasks(*, user) -> QuerySet[Activity]:
    """Open tasks assigned to or owned by the user, overdue first (earliest due date first)."""
    return (
        activity_list(user=user)
        .filter(kind=ActivityKind.TASK, done=False)
        .filter(Q(assignee=user) | Q(owner=user))
        .order_by("due_at", "id")
    )


def my_follow_ups(*, user, days: int = 7) -> QuerySet[Activity]:
    """Calls, visits and meetings the user has scheduled from now on (not yet held)."""
    now = timezone.now()
    return (
        activity_list(user=user)
        .filter(kind__in=[ActivityKind.CALL, ActivityKind.VISIT, ActivityKind.MEETING], done=False)
        .filter(Q(owner=user) | Q(assignee=user))
        .filter(Q(occurred_at__gte=now, occurred_at__lt=now + dt.timedelta(days=days))
                | Q(due_at__gte=now, due_at__lt=now + dt.timedelta(days=days)))
        .order_by("occurred_at", "id")
    )


@dataclass
class TimelineEntry:
    """One row of the customer timeline, whatever it came from."""

    type: str  # activity | order | opportunity | stage_change
    when: dt.datetime
    title: str
    icon: str
    obj: Any = None
    meta: dict[str, Any] = field(default_factory=dict)


_KIND_ICONS = {
    ActivityKind.CALL: "telephone", ActivityKind.VISIT: "geo-alt", ActivityKind.MEETING: "people",
    ActivityKind.EMAIL: "envelope", ActivityKind.NOTE: "sticky", ActivityKind.TASK: "check2-square",
}


def _order_moment(order: Order) -> dt.datetime:
    """Orders carry a booking date; use the creation time when it was booked the same day, so a
    fresh order sorts among today's activities."""
    created = timezone.localtime(order.created_at)
    if created.date() == order.order_date:
        return order.created_at
    return timezone.make_aware(dt.datetime.combine(order.order_date, dt.time(12, 0)))


def customer_timeline(*, user, customer_pk: int) -> list[TimelineEntry]:
    """Everything that happened with a customer, newest first: activities, orders, opportunities
    created and their stage changes — each only if the user may view that kind of record, and only
    the records within their scope. NotFound when the customer is not visible to the user."""
    customer = scoped(Customer.objects.all(), user=user, resource=Resource.CUSTOMER).filter(pk=customer_pk).first()
    if customer is None:
        raise NotFound()
    entries: list[TimelineEntry] = []
    if can(user, Resource.ACTIVITY, Action.VIEW):
        activities = activity_list(user=user).filter(customer=customer).order_by("-occurred_at", "-id")
        for activity in activities[:TIMELINE_LIMIT]:
            entries.append(TimelineEntry(
                type="activity", when=activity.occurred_at, title=activity.subject,
                icon=_KIND_ICONS.get(activity.kind, "dot"), obj=activity,
            ))
    if can(user, Resource.ORDER, Action.VIEW):
        orders = scoped(Order.objects.filter(customer=customer), user=user, resource=Resource.ORDER)
        for order in orders.order_by("-order_date", "-id")[:TIMELINE_LIMIT]:
            entries.append(TimelineEntry(
                type="order", when=_order_moment(order), title=order.number, icon="receipt", obj=order,
                meta={"total": order.total_amount, "currency": order.currency,
                      "status": order.get_status_display()},
            ))
    if can(user, Resource.OPPORTUNITY, Action.VIEW):
        opportunities = scoped(
            Opportunity.objects.filter(customer=customer).select_related("stage", "owner"),
            user=user, resource=Resource.OPPORTUNITY,
        )
        for opportunity in opportunities.order_by("-created_at", "-id")[:TIMELINE_LIMIT]:
            entries.append(TimelineEntry(
                type="opportunity", when=opportunity.created_at, title=opportunity.name, icon="bullseye",
                obj=opportunity, meta={"amount": opportunity.amount, "currency": opportunity.currency,
                                       "stage": opportunity.stage.display_name},
            ))
        changes = (
            OpportunityStageChange.objects
            .filter(opportunity__in=opportunities.values("pk"), from_stage__isnull=False)
            .select_related("opportunity", "from_stage", "to_stage", "changed_by")
            .order_by("-changed_at", "-id")
        )
        for change in changes[:TIMELINE_LIMIT]:
            entries.append(TimelineEntry(
                type="stage_change", when=change.changed_at, title=change.opportunity.name, icon="arrow-right-circle",
                obj=change, meta={"from": change.from_stage.display_name, "to": change.to_stage.display_name},
            ))
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return entries
