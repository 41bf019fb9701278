"""Reads of the audit trail, for admins and auditors (resource `audit_event`). Read-only."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from veracity.accounts.access import access_require
from veracity.accounts.models import Action, Resource
from veracity.audit.models import AuditEvent


@dataclass(frozen=True)
class AuditFilters:
    actor: str = ""  # username (exact or partial) or user id
    action: str = ""
    object_type: str = ""
    object_id: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def audit_event_list(*, user, filters: AuditFilters = AuditFilters()) -> QuerySet[AuditEvent]:
    access_require(user, Resource.AUDIT_EVENT, Action.VIEW)
    queryset = AuditEvent.objects.select_related("actor")
    if filters.actor:
        actor = filters.actor.strip()
        condition = Q(actor_username__icontains=actor)
        if actor.isdigit():
            condition |= Q(actor_id=int(actor))
        queryset = queryset.filter(condition)
    if filters.action:
        queryset = queryset.filter(action=filters.action)
    if filters.object_type:
        queryset = queryset.filter(object_type__icontains=filters.object_type.strip())
    if filters.object_id:
        queryset = queryset.filter(object_id=filters.object_id.strip())
    if filters.date_from:
        queryset = queryset.filter(occurred_at__gte=_day_start(filters.date_from))
    if filters.date_to:
        queryset = queryset.filter(occurred_at__lt=_day_start(filters.date_to + dt.timedelta(days=1)))
    return queryset.order_by("-occurred_at", "-id")


def audit_object_types() -> list[str]:
    return list(AuditEvent.objects.order_by().values_list("object_type", flat=True).distinct()[:200])
