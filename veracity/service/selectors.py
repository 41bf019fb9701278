"""Reads for tickets, SLA targets and the service home, already limited to what the user may see."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from veracity.accounts.access import access_require, scoped
from veracity.accounts.models import Action, Resource
from veracity.core.errors import NotFound
from veracity.service.models import (
    DEFAULT_SLA_MINUTES,
    OPEN_STATUSES,
    SlaPolicy,
    Ticket,
    TicketMessage,
    TicketPriority,
)

TICKET_SORTS = {
    "created_at": "created_at", "number": "number", "priority": "priority", "status": "status",
    "customer": "customer__name", "resolution_due_at": "resolution_due_at", "updated_at": "updated_at",
}
SLA_FILTERS = ("due_soon", "breached", "at_risk")


@dataclass(frozen=True)
class TicketFilters:
    q: str = ""
    status: str = ""          # one status, or "open" for new/open/pending
    priority: str = ""
    type: str = ""
    sla: str = ""             # due_soon | breached | at_risk (either)
    assignee: int | None = None
    customer: int | None = None
    order: int | None = None
    sort: str = "-created_at"


def breached_q(now: dt.datetime) -> Q:
    """Open tickets past a target: no first response by its due time, or not resolved by theirs."""
    return Q(status__in=OPEN_STATUSES) & (
        Q(first_responded_at__isnull=True, first_response_due_at__lte=now) | Q(resolution_due_at__lte=now)
    )


def due_soon_q(now: dt.datetime) -> Q:
    """Open tickets inside the warning window of their next target and not yet past any."""
    first = Q(first_responded_at__isnull=True, first_response_warn_at__lte=now, first_response_due_at__gt=now)
    resolution = Q(resolution_warn_at__lte=now, resolution_due_at__gt=now)
    return Q(status__in=OPEN_STATUSES) & (first | resolution) & ~breached_q(now)


def ticket_list(*, user, filters: TicketFilters = TicketFilters(), action: str = Action.VIEW) -> QuerySet[Ticket]:
    queryset = scoped(
        Ticket.objects.select_related("customer", "customer__owner", "assignee", "order", "product", "contact"),
        user=user, resource=Resource.TICKET, action=action,
    )
    if filters.q.strip():
        term = filters.q.strip()
        queryset = queryset.filter(Q(number__icontains=term) | Q(subject__icontains=term)
                                   | Q(customer__name__icontains=term) | Q(description__icontains=term))
    if filters.status == "open":
        queryset = queryset.filter(status__in=OPEN_STATUSES)
    elif filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.priority:
        queryset = queryset.filter(priority=filters.priority)
    if filters.type:
        queryset = queryset.filter(type=filters.type)
    if filters.assignee:
        queryset = queryset.filter(assignee_id=filters.assignee)
    if filters.customer:
        queryset = queryset.filter(customer_id=filters.customer)
    if filters.order:
        queryset = queryset.filter(order_id=filters.order)
    if filters.sla in SLA_FILTERS:
        now = timezone.now()
        condition = {"due_soon": due_soon_q(now), "breached": breached_q(now),
                     "at_risk": due_soon_q(now) | breached_q(now)}[filters.sla]
        queryset = queryset.filter(condition)
    sort = filters.sort or "-created_at"
    field = TICKET_SORTS.get(sort.lstrip("-"), "created_at")
    descending = sort.startswith("-") if sort.lstrip("-") in TICKET_SORTS else True
    return queryset.order_by(f"-{field}" if descending else field, "-id")


def ticket_get(*, user, pk: int, action: str = Action.VIEW) -> Ticket:
    ticket = ticket_list(user=user, action=action).filter(pk=pk).first()
    if ticket is None:
        raise NotFound()
    return ticket


def ticket_messages(*, user, ticket: Ticket) -> QuerySet[TicketMessage]:
    """The notes and replies of a ticket the user may see (the ticket was read through ticket_get)."""
    access_require(user, Resource.TICKET, Action.VIEW)
    return ticket.messages.select_related("author").order_by("created_at", "id")


def customer_tickets(*, user, customer_id: int) -> QuerySet[Ticket]:
    return ticket_list(user=user, filters=TicketFilters(customer=customer_id))


@dataclass
class ServiceHome:
    open: int
    due_soon: int
    breached: int
    unassigned: int
    mine: list[Ticket]
    at_risk: list[Ticket]


def service_home(*, user, limit: int = 10) -> ServiceHome:
    """The figures and lists of the service home page, all within the user's ticket scope."""
    now = timezone.now()
    tickets = ticket_list(user=user)
    open_tickets = tickets.filter(status__in=OPEN_STATUSES)
    return ServiceHome(
        open=open_tickets.count(),
        due_soon=tickets.filter(due_soon_q(now)).count(),
        breached=tickets.filter(breached_q(now)).count(),
        unassigned=open_tickets.filter(assignee__isnull=True).count(),
        mine=list(open_tickets.filter(assignee=user).order_by("resolution_due_at", "id")[:limit]),
        at_risk=list(tickets.filter(due_soon_q(now) | breached_q(now)).order_by("resolution_due_at", "id")[:limit]),
    )


def sla_policy_rows(*, user) -> list[dict]:
    """Each priority with its targets (saved or default), for the SLA page and API."""
    access_require(user, Resource.TICKET, Action.VIEW)
    saved = {policy.priority: policy for policy in SlaPolicy.objects.all()}
    rows = []
    for priority in reversed(TicketPriority.values):
        policy = saved.get(priority)
        first, resolution = ((policy.first_response_minutes, policy.resolution_minutes) if policy
                             else DEFAULT_SLA_MINUTES[priority])
        rows.append({"priority": priority, "label": str(TicketPriority(priority).label),
                     "first_response_minutes": first, "resolution_minutes": resolution,
                     "is_default": policy is None})
    return rows
