"""Service tickets, their notes and replies, the SLA targets per priority, and the repeat-purchase
prompts already raised (so the prompt job never raises one twice)."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from veracity.core.models import CrmRecord


class TicketType(models.TextChoices):
    QUESTION = "question", _("Question")
    PROBLEM = "problem", _("Problem")
    COMPLAINT = "complaint", _("Complaint")
    RETURN = "return", _("Return or exchange")
    REQUEST = "request", _("Service request")


class TicketPriority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class TicketStatus(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    PENDING = "pending", _("Pending")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


# Statuses in which the resolution clock still runs.
OPEN_STATUSES = (TicketStatus.NEW, TicketStatus.OPEN, TicketStatus.PENDING)


# Used until an administrator saves targets of their own (minutes).
DEFAULT_SLA_MINUTES: dict[str, tuple[int, int]] = {
    TicketPriority.URGENT: (60, 8 * 60),
    TicketPriority.HIGH: (4 * 60, 24 * 60),
    TicketPriority.NORMAL: (8 * 60, 3 * 24 * 60),
    TicketPriority.LOW: (24 * 60, 7 * 24 * 60),
}


class SlaState(models.TextChoices):
    OK = "ok", _("On track")
    DUE_SOON = "due_soon", _("Due soon")
    BREACHED = "breached", _("Breached")
    MET = "met", _("Met")


class SlaPolicy(models.Model):
    """The service targets for one priority, in minutes from the ticket's creation. Administrators
    change them; a change applies to tickets created afterwards (a ticket keeps the promise it got)."""

    priority = models.CharField(_("priority"), max_length=16, choices=TicketPriority.choices, unique=True)
    first_response_minutes = models.PositiveIntegerField(_("first response within (minutes)"))
    resolution_minutes = models.PositiveIntegerField(_("resolution within (minutes)"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["priority"]
        verbose_name = _("SLA target")
        verbose_name_plural = _("SLA targets")
        constraints = [
            models.CheckConstraint(condition=Q(first_response_minutes__gt=0) & Q(resolution_minutes__gt=0),
                                   name="sla_policy_positive"),
        ]

    def __str__(self) -> str:
        return self.get_priority_display()


class Ticket(CrmRecord):
    number = models.CharField(_("ticket number"), max_length=32, editable=False)
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="tickets"
    )
    contact = models.ForeignKey(
        "customers.Contact", verbose_name=_("contact"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="tickets",
    )
    order = models.ForeignKey(
        "sales.Order", verbose_name=_("order"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="tickets",
    )
    product = models.ForeignKey(
        "catalog.Product", verbose_name=_("product"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="tickets",
    )
    type = models.CharField(_("type"), max_length=16, choices=TicketType.choices, default=TicketType.QUESTION)
    priority = models.CharField(_("priority"), max_length=16, choices=TicketPriority.choices,
                                default=TicketPriority.NORMAL)
    status = models.CharField(_("status"), max_length=16, choices=TicketStatus.choices, default=TicketStatus.NEW,
                              db_index=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("assignee"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="assigned_tickets",
    )
    # The SLA promise, fixed when the ticket is created (or its priority changes). The warn-at
    # moments mark when "due soon" starts, so lists can filter on them in the database.
    first_response_due_at = models.DateTimeField(_("first response due"), null=True, blank=True)
    first_response_warn_at = models.DateTimeField(null=True, blank=True, editable=False)
    resolution_due_at = models.DateTimeField(_("resolution due"), null=True, blank=True)
    resolution_warn_at = models.DateTimeField(null=True, blank=True, editable=False)
    first_responded_at = models.DateTimeField(_("first response"), null=True, blank=True, editable=False)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False, db_index=True)
    # Set by the SLA check job the first time it sees the ticket past a target.
    sla_breached_at = models.DateTimeField(_("SLA breach flagged"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        constraints = [
            models.UniqueConstraint(fields=["number"], name="ticket_number_unique"),
        ]
        indexes = [
            models.Index(fields=["status", "resolution_due_at"]),
            models.Index(fields=["assignee", "status"]),
            models.Index(fields=["customer", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"

    def get_absolute_url(self) -> str:
        return reverse("service:ticket_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def sla_state(self, now: dt.datetime | None = None) -> str:
        """Where the ticket stands against its next SLA target: the first response while nobody has
        answered, then the resolution while the ticket is open."""
        now = now or timezone.now()
        if self.first_responded_at is None and self.is_open and self.first_response_due_at:
            due, warn = self.first_response_due_at, self.first_response_warn_at
        elif self.is_open and self.resolution_due_at:
            due, warn = self.resolution_due_at, self.resolution_warn_at
        else:
            breached = bool(self.resolution_due_at and self.resolved_at and self.resolved_at > self.resolution_due_at)
            return SlaState.BREACHED if breached else SlaState.MET
        if now >= due:
            return SlaState.BREACHED
        if warn and now >= warn:
            return SlaState.DUE_SOON
        return SlaState.OK


class MessageKind(models.TextChoices):
    NOTE = "note", _("Internal note")
    REPLY = "reply", _("Reply to customer")


class TicketMessage(models.Model):
    """An internal note (staff only) or a reply the customer sees. Each is also logged on the
    customer's timeline as an activity."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(_("kind"), max_length=8, choices=MessageKind.choices)
    body = models.TextField(_("message"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT,
                               related_name="+")
    activity = models.ForeignKey("activities.Activity", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("ticket message")
        verbose_name_plural = _("ticket messages")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.ticket.number}"


class RepeatPurchasePrompt(models.Model):
    """One prompt per customer and purchase cycle (identified by the date of the last order): the
    job that raises them runs daily and must never raise the same one twice."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    last_order_date = models.DateField()
    expected_on = models.DateField()
    median_interval_days = models.PositiveIntegerField()
    activity = models.ForeignKey("activities.Activity", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["customer", "last_order_date"], name="repeat_prompt_once_per_cycle"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} due {self.expected_on}"


# Which status a ticket may move to next (the service enforces it; pages offer only these).
STATUS_CHOICES_AFTER: dict[str, tuple[str, ...]] = {
    TicketStatus.NEW: (TicketStatus.OPEN, TicketStatus.PENDING, TicketStatus.RESOLVED, TicketStatus.CLOSED),
    TicketStatus.OPEN: (TicketStatus.PENDING, TicketStatus.RESOLVED, TicketStatus.CLOSED),
    TicketStatus.PENDING: (TicketStatus.OPEN, TicketStatus.RESOLVED, TicketStatus.CLOSED),
    TicketStatus.RESOLVED: (TicketStatus.OPEN, TicketStatus.CLOSED),
    TicketStatus.CLOSED: (TicketStatus.OPEN,),
}
