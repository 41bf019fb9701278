"""Writes to the audit trail. Every domain action calls `audit_event_record`."""

from typing import Any

from django.db import models

from veracity.audit.context import current_request_context
from veracity.audit.models import AuditAction, AuditEvent


def object_type_of(obj: models.Model | type[models.Model]) -> str:
    return obj._meta.label_lower


def audit_event_record(
    *,
    actor,
    action: AuditAction | str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    object_repr: str = "",
    changes: dict[str, list[Any]] | None = None,
    extra: dict[str, Any] | None = None,
) -> AuditEvent:
    context = current_request_context()
    if obj is not None:
        object_type = object_type or object_type_of(obj)
        object_id = object_id or obj.pk
        object_repr = object_repr or str(obj)
    user = actor if getattr(actor, "pk", None) else None
    return AuditEvent.objects.create(
        actor=user,
        actor_username=getattr(actor, "username", "") or "system",
        action=str(action),
        object_type=object_type,
        object_id=str(object_id),
        object_repr=object_repr[:255],
        changes=changes or {},
        extra=extra or {},
        ip_address=context.ip_address,
        request_id=context.request_id,
    )
