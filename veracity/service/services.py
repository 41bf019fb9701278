"""Writes for tickets, their notes and replies, SLA targets, the SLA check and repeat-purchase
prompts. Every path (page, API, CLI, scheduled job, demo) calls these."""

import datetime as dt
from typing import Any

import polars as pl
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from veracity.accounts.access import access_require, scoped, user_can_reach_owner
from veracity.accounts.models import Action, Resource, Scope, User
from veracity.activities.models import ActivityKind
from veracity.activities.services import activity_create
from veracity.audit.models import AuditAction
from veracity.audit.services import audit_event_record
from veracity.catalog.models import Product
from veracity.core.errors import ValidationFailed
from veracity.core.normalisation import clean_text
from veracity.core.services import record_create, record_soft_delete, record_update
from veracity.customers.models import Contact, Customer
from veracity.sales.models import Order, OrderStatus
from veracity.service.errors import TicketClosed, TicketStatusInvalid, UnknownTicketField
from veracity.service.models import (
    DEFAULT_SLA_MINUTES,
    OPEN_STATUSES,
    STATUS_CHOICES_AFTER,
    MessageKind,
    RepeatPurchasePrompt,
    SlaPolicy,
    Ticket,
    TicketMessage,
    TicketPriority,
    TicketStatus,
    TicketType,
)
from veracity.service.rhythm import due_for_repurchase, purchase_rhythm

TICKET_WRITABLE_FIELDS = (
    "subject", "description", "customer", "contact", "order", "product", "type", "priority", "assignee",
)
# "Due soon" starts when this share of the time allowed is left.
SLA_WARNING_SHARE = 0.25
REPEAT_LEAD_DAYS = 7
TICKET_NUMBER_PREFIX = "T"


def _pk_of(value) -> Any:
    return value.pk if isinstance(value, models.Model) else value


# ---------------------------------------------------------------------------------------------
# SLA targets

def sla_targets(priority: str) -> tuple[int, int]:
    """(first response, resolution) minutes for a priority: the administrators' or the default."""
    policy = SlaPolicy.objects.filter(priority=priority).first()
    if policy is not None:
        return policy.first_response_minutes, policy.resolution_minutes
    return DEFAULT_SLA_MINUTES[priority]


def _sla_moments(priority: str, start: dt.datetime) -> dict[str, dt.datetime]:
    first, resolution = sla_targets(priority)
    return {
        "first_response_due_at": start + dt.timedelta(minutes=first),
        "first_response_warn_at": start + dt.timedelta(minutes=first * (1 - SLA_WARNING_SHARE)),
        "resolution_due_at": start + dt.timedelta(minutes=resolution),
        "resolution_warn_at": start + dt.timedelta(minutes=resolution * (1 - SLA_WARNING_SHARE)),
    }


@transaction.atomic
def sla_policy_set(*, actor, priority: str, first_response_minutes: int, resolution_minutes: int) -> SlaPolicy:
    """Administrators set the targets of one priority. New tickets get them; open ones keep theirs."""
    if actor is not None:
        access_require(actor, Resource.USER, Action.EDIT)  # the administration permission
    errors: dict[str, list[str]] = {}
    if priority not in TicketPriority.values:
        errors["priority"] = [_("Unknown priority.")]
    for name, value in (("first_response_minutes", first_response_minutes),
                        ("resolution_minutes", resolution_minutes)):
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 365 * 24 * 60:
            errors[name] = [_("Enter a number of minutes between 1 and 525600.")]
    if not errors and resolution_minutes < first_response_minutes:
        errors["resolution_minutes"] = [_("Resolution cannot be due before the first response.")]
    if errors:
        raise ValidationFailed(errors)
    policy = SlaPolicy.objects.filter(priority=priority).first()
    old = (policy.first_response_minutes, policy.resolution_minutes) if policy else DEFAULT_SLA_MINUTES[priority]
    policy, _created = SlaPolicy.objects.update_or_create(
        priority=priority, defaults={"first_response_minutes": first_response_minutes,
                                     "resolution_minutes": resolution_minutes})
    audit_event_record(actor=actor, action=AuditAction.UPDATE, obj=policy, changes={
        "first_response_minutes": [old[0], first_response_minutes],
        "resolution_minutes": [old[1], resolution_minutes],
    })
    return policy


# ---------------------------------------------------------------------------------------------
# Tickets

def ticket_number_next() -> str:
    last = Ticket.all_objects.filter(number__startswith=TICKET_NUMBER_PREFIX).order_by("-id").values_list(
        "number", flat=True).first()
    try:
        number = int(last[len(TICKET_NUMBER_PREFIX):]) + 1 if last else 1
    except ValueError:
        number = Ticket.all_objects.count() + 1
    while Ticket.all_objects.filter(number=f"{TICKET_NUMBER_PREFIX}{number:06d}").exists():
        number += 1
    return f"{TICKET_NUMBER_PREFIX}{number:06d}"


def _ticket_scope(actor, action: str) -> Scope:
    return Scope.ALL if actor is None else access_require(actor, Resource.TICKET, action)


def _clean_ticket_values(*, actor, values: dict[str, Any], instance: Ticket | None) -> dict[str, Any]:
    unknown = set(values) - set(TICKET_WRITABLE_FIELDS)
    if unknown:
        raise UnknownTicketField(unknown)
    scope = _ticket_scope(actor, Action.EDIT if instance is not None else Action.CREATE)
    cleaned: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    if "subject" in values or instance is None:
        subject = clean_text(str(values.get("subject") or ""))
        if not subject:
            errors["subject"] = [_("Give the ticket a subject.")]
        elif len(subject) > 200:
            errors["subject"] = [_("Keep the subject under 200 characters.")]
        cleaned["subject"] = subject
    if "description" in values:
        cleaned["description"] = str(values.get("description") or "").strip()
    for name, choices, default in (("type", TicketType, TicketType.QUESTION),
                                   ("priority", TicketPriority, TicketPriority.NORMAL)):
        if name in values or instance is None:
            value = values.get(name) or default
            if value not in choices.values:
                errors[name] = [_("Choose one of the listed values.")]
            cleaned[name] = value

    customer = instance.customer if instance is not None else None
    if "customer" in values or instance is None:
        pk = _pk_of(values.get("customer"))
        customers = Customer.objects.all()
        if actor is not None:
            customers = scoped(customers, user=actor, resource=Resource.CUSTOMER, action=Action.VIEW)
        customer = customers.filter(pk=pk).first() if pk else None
        if customer is None or (actor is not None and scope != Scope.ALL
                                and not user_can_reach_owner(actor, scope, customer.owner)):
            errors["customer"] = [_("Choose a customer you may work with.")]
            customer = None
        cleaned["customer"] = customer
    related = {"contact": Contact.objects.all(), "order": Order.objects.all()}
    for name, queryset in related.items():
        if name in values or ("customer" in cleaned and instance is not None):
            pk = _pk_of(values.get(name, getattr(instance, f"{name}_id", None) if instance else None))
            if not pk:
                cleaned[name] = None
                continue
            record = queryset.filter(pk=pk, customer=customer).first() if customer else None
            if record is None:
                errors[name] = [_("This does not belong to the chosen customer.")]
            cleaned[name] = record
    if "product" in values:
        pk = _pk_of(values.get("product"))
        product = Product.objects.filter(pk=pk).first() if pk else None
        if pk and product is None:
            errors["product"] = [_("No such product.")]
        cleaned["product"] = product
    if "assignee" in values:
        pk = _pk_of(values.get("assignee"))
        assignee = User.objects.filter(pk=pk, is_active=True).first() if pk else None
        if pk and assignee is None:
            errors["assignee"] = [_("No such user.")]
        elif assignee is not None and actor is not None and not user_can_reach_owner(actor, scope, assignee):
            errors["assignee"] = [_("You may only assign tickets to people in your scope.")]
        cleaned["assignee"] = assignee
    if errors:
        raise ValidationFailed(errors)
    return cleaned


@transaction.atomic
def ticket_create(*, actor, values: dict[str, Any], created_at: dt.datetime | None = None) -> Ticket:
    """Open a ticket for a customer. The SLA clock starts now (or at `created_at`, for imports and
    the demo, which replay history)."""
    cleaned = _clean_ticket_values(actor=actor, values=values, instance=None)
    start = created_at or timezone.now()
    ticket = Ticket(number=ticket_number_next(), created_at=start, updated_at=start, **cleaned,
                    **_sla_moments(cleaned["priority"], start))
    return record_create(instance=ticket, actor=actor)


@transaction.atomic
def ticket_update(*, actor, ticket: Ticket, values: dict[str, Any], expected_version: int | None,
                  from_if_match: bool = False) -> Ticket:
    cleaned = _clean_ticket_values(actor=actor, values=values, instance=ticket)
    if "priority" in cleaned and cleaned["priority"] != ticket.priority:
        # A new priority is a new promise, counted from when the ticket came in.
        cleaned.update(_sla_moments(cleaned["priority"], ticket.created_at))
    return record_update(instance=ticket, actor=actor, values=cleaned, expected_version=expected_version,
                         from_if_match=from_if_match)


@transaction.atomic
def ticket_status_change(*, actor, ticket: Ticket, status: str, expected_version: int | None = None,
                         from_if_match: bool = False) -> Ticket:
    """Move a ticket along new → open → pending → resolved → closed (or reopen it). Resolving and
    closing stamp the time; reopening clears it and the resolution clock runs again."""
    _ticket_scope(actor, Action.EDIT)
    if status not in TicketStatus.values:
        raise TicketStatusInvalid(_("Unknown status."))
    if status == ticket.status:
        return ticket
    if status not in STATUS_CHOICES_AFTER[ticket.status]:
        raise TicketStatusInvalid(_("A %(old)s ticket cannot become %(new)s.") % {
            "old": ticket.get_status_display(), "new": TicketStatus(status).label})
    now = timezone.now()
    values: dict[str, Any] = {"status": status}
    if status == TicketStatus.RESOLVED:
        values["resolved_at"] = now
    elif status == TicketStatus.CLOSED:
        values["closed_at"] = now
        values["resolved_at"] = ticket.resolved_at or now
    else:
        values.update(resolved_at=None, closed_at=None)
    version = ticket.version if expected_version is None else expected_version
    return record_update(instance=ticket, actor=actor, values=values, expected_version=version,
                         from_if_match=from_if_match)


@transaction.atomic
def ticket_message_add(*, actor, ticket: Ticket, kind: str, body: str) -> TicketMessage:
    """Add an internal note or a reply to the customer, and log it on the customer's timeline
    (a note activity for internal notes, an email activity for replies). The first reply is the
    first response the SLA measures; it also moves a new ticket to open."""
    if actor is None:
        raise ValidationFailed({"author": [_("A message needs an author.")]})
    _ticket_scope(actor, Action.EDIT)
    if kind not in MessageKind.values:
        raise ValidationFailed({"kind": [_("Choose a note or a reply.")]})
    text = str(body or "").strip()
    if not text:
        raise ValidationFailed({"body": [_("Write something first.")]})
    if len(text) > 20000:
        raise ValidationFailed({"body": [_("Keep it under 20,000 characters.")]})
    if ticket.status == TicketStatus.CLOSED:
        raise TicketClosed()
    label = _("Internal note") if kind == MessageKind.NOTE else _("Reply to customer")
    # The ticket permission was checked; the timeline entry is the system's record of it.
    activity = activity_create(actor=None, owner=actor, values={
        "kind": ActivityKind.NOTE if kind == MessageKind.NOTE else ActivityKind.EMAIL,
        "subject": f"{ticket.number} · {label}: {ticket.subject}"[:200],
        "body": text, "customer": ticket.customer_id, "order": ticket.order_id,
    })
    message = TicketMessage.objects.create(ticket=ticket, kind=kind, body=text, author=actor, activity=activity)
    audit_event_record(actor=actor, action=AuditAction.CREATE, obj=ticket,
                       changes={"message": [None, kind]}, extra={"message_id": message.pk})
    if kind == MessageKind.REPLY:
        values: dict[str, Any] = {}
        if ticket.first_responded_at is None:
            values["first_responded_at"] = message.created_at
        if ticket.status == TicketStatus.NEW:
            values["status"] = TicketStatus.OPEN
        if values:
            record_update(instance=ticket, actor=actor, values=values, expected_version=ticket.version)
    return message


@transaction.atomic
def ticket_delete(*, actor, ticket: Ticket) -> None:
    _ticket_scope(actor, Action.DELETE)
    record_soft_delete(instance=ticket, actor=actor)


def ticket_sla_check(*, now: dt.datetime | None = None) -> dict[str, int]:
    """The scheduled SLA check: flag every open ticket that has just gone past a target (once per
    ticket), so the breach shows in lists and on the service home even for tickets nobody opened.
    Returns {"flagged": n, "breached_open": m}."""
    now = now or timezone.now()
    breached = Ticket.objects.filter(status__in=OPEN_STATUSES).filter(
        models.Q(first_responded_at__isnull=True, first_response_due_at__lte=now)
        | models.Q(resolution_due_at__lte=now)
    )
    flagged = 0
    for ticket in breached.filter(sla_breached_at__isnull=True).order_by("id"):
        with transaction.atomic():
            updated = Ticket.objects.filter(pk=ticket.pk, sla_breached_at__isnull=True).update(sla_breached_at=now)
            if updated:
                flagged += 1
                audit_event_record(actor=None, action=AuditAction.UPDATE, obj=ticket,
                                   changes={"sla_breached_at": [None, now.isoformat()]})
    return {"flagged": flagged, "breached_open": breached.count()}


# ---------------------------------------------------------------------------------------------
# Repeat-purchase prompts

def _order_frame() -> pl.LazyFrame:
    rows = (
        Order.objects.filter(customer__deleted_at__isnull=True)
        .exclude(status__in=[OrderStatus.DRAFT, OrderStatus.CANCELLED])
        .values_list("customer_id", "order_date")
    )
    return pl.LazyFrame(list(rows), schema={"customer_id": pl.Int64, "order_date": pl.Date}, orient="row")


def repeat_purchase_prompts_run(*, today: dt.date | None = None, lead_days: int = REPEAT_LEAD_DAYS) -> dict[str, int]:
    """Raise a task for the owner of each customer due to buy again (by their own median interval
    between purchases, with at least three purchases), once per purchase cycle: running it again
    the same day, or every day until the customer orders, creates nothing new."""
    today = today or timezone.localdate()
    due = due_for_repurchase(purchase_rhythm(_order_frame()), today=today, lead_days=lead_days).collect()
    created = skipped = 0
    customers = Customer.objects.in_bulk(due.get_column("customer_id").to_list()) if due.height else {}
    for row in due.iter_rows(named=True):
        customer = customers.get(row["customer_id"])
        if customer is None or not customer.owner.is_active:
            skipped += 1
            continue
        if RepeatPurchasePrompt.objects.filter(customer=customer, last_order_date=row["last_order_date"]).exists():
            skipped += 1
            continue
        try:
            with transaction.atomic():
                prompt = RepeatPurchasePrompt.objects.create(
                    customer=customer, last_order_date=row["last_order_date"], expected_on=row["expected_on"],
                    median_interval_days=row["median_interval_days"])
                due_at = timezone.make_aware(dt.datetime.combine(max(row["expected_on"], today), dt.time(10, 0)))
                activity = activity_create(actor=None, owner=customer.owner, values={
                    "kind": ActivityKind.TASK, "customer": customer.pk, "assignee": customer.owner.pk,
                    "due_at": due_at,
                    "subject": _("Due to buy again: %(name)s") % {"name": customer.name},
                    "body": _("%(name)s usually orders every %(days)s days; the last order was on %(last)s, so the "
                              "next one is expected around %(expected)s.") % {
                        "name": customer.name, "days": row["median_interval_days"],
                        "last": row["last_order_date"].isoformat(), "expected": row["expected_on"].isoformat()},
                })
                prompt.activity = activity
                prompt.save(update_fields=["activity"])
        except IntegrityError:  # another run raised it at the same moment
            skipped += 1
            continue
        created += 1
    return {"due": due.height, "created": created, "skipped": skipped}

