"""Calls, visits, meetings, emails, notes and tasks: everything that happened or must happen with a
customer. Every activity belongs to a customer, so the customer page can show one timeline."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from veracity.core.models import CrmRecord


class ActivityKind(models.TextChoices):
    CALL = "call", _("Call")
    VISIT = "visit", _("Visit")
    MEETING = "meeting", _("Meeting")
    EMAIL = "email", _("Email")
    NOTE = "note", _("Note")
    TASK = "task", _("Task")


class Activity(CrmRecord):
    kind = models.CharField(_("kind"), max_length=16, choices=ActivityKind.choices)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("details"), blank=True)
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="activities"
    )
    contact = models.ForeignKey(
        "customers.Contact", verbose_name=_("contact"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="activities",
    )
    opportunity = models.ForeignKey(
        "pipeline.Opportunity", verbose_name=_("opportunity"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="activities",
    )
    order = models.ForeignKey(
        "sales.Order", verbose_name=_("order"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="activities",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("logged by"), on_delete=models.PROTECT, related_name="activities"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("assignee"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="assigned_activities",
    )
    occurred_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True, db_index=True)
    done = models.BooleanField(_("done"), default=False)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), null=True, blank=True)
    location = models.CharField(_("location"), max_length=200, blank=True)
    outcome = models.CharField(_("outcome"), max_length=200, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        indexes = [
            models.Index(fields=["customer", "occurred_at"]),
            models.Index(fields=["assignee", "done", "due_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="task") | Q(due_at__isnull=False), name="activity_task_has_due_date"
            ),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def is_overdue(self) -> bool:
        return bool(self.kind == ActivityKind.TASK and not self.done and self.due_at and self.due_at < timezone.now())
