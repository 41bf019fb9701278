"""Generic audited writes that every domain service builds on.

Domain services (customer_create, order_update, …) check permissions and business rules, then call
these to persist: one place for versioning, soft delete, bookkeeping and the audit trail."""

import datetime as dt
import uuid
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from veracity.audit.models import AuditAction
from veracity.audit.services import audit_event_record
from veracity.core.errors import (
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
    ValidationFailed,
    VersionConflict,
)
from veracity.core.models import CrmRecord


def audit_value(value: Any) -> Any:
    """A JSON-safe form of a field value for the audit trail."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple | set):
        return [audit_value(item) for item in value]
    return value


def _auditable_fields(instance: CrmRecord) -> list[models.Field]:
    return [
        field for field in instance._meta.concrete_fields
        if field.name not in CrmRecord.BOOKKEEPING_FIELDS
    ]


def _actor_or_none(actor):
    return actor if getattr(actor, "pk", None) else None


def validation_failed_from_django(error: DjangoValidationError) -> ValidationFailed:
    if hasattr(error, "error_dict"):
        return ValidationFailed({
            field: [str(message) for item in errors for message in item.messages]
            for field, errors in error.error_dict.items()
        })
    return ValidationFailed({"__all__": [str(message) for message in error.messages]})


def record_full_clean(instance: models.Model, *, exclude: Iterable[str] = ()) -> None:
    """Model-level validation (lengths, choices, database constraints) as a ValidationFailed."""
    try:
        instance.full_clean(exclude=list(exclude), validate_unique=True, validate_constraints=True)
    except DjangoValidationError as error:
        raise validation_failed_from_django(error) from error


@transaction.atomic
def record_create(*, instance: CrmRecord, actor, extra: dict | None = None) -> CrmRecord:
    user = _actor_or_none(actor)
    instance.created_by = user
    instance.updated_by = user
    record_full_clean(instance)
    instance.save(force_insert=True)
    audit_event_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=instance,
        changes={
            field.name: [None, audit_value(getattr(instance, field.attname))]
            for field in _auditable_fields(instance)
            if getattr(instance, field.attname) not in (None, "")
        },
        extra=extra,
    )
    return instance


def check_version(instance: CrmRecord, expected_version: int | None, *, from_if_match: bool = False) -> None:
    """Optimistic locking: the writer must name the version it read (SECURITY.md R18)."""
    if expected_version is None:
        raise PreconditionRequired()
    if int(expected_version) != instance.version:
        error = PreconditionFailed if from_if_match else VersionConflict
        raise error(current_version=instance.version)


@transaction.atomic
def record_update(
    *,
    instance: CrmRecord,
    actor,
    values: dict[str, Any],
    expected_version: int | None,
    from_if_match: bool = False,
    audit_action: AuditAction = AuditAction.UPDATE,
    extra: dict | None = None,
) -> CrmRecord:
    """Apply `values` (field name -> new value) if `expected_version` is still current.

    The version check is repeated inside the UPDATE's WHERE clause, so two writers racing past the
    first check still cannot both win."""
    check_version(instance, expected_version, from_if_match=from_if_match)
    model = type(instance)
    diffs: dict[str, list[Any]] = {}
    for name, new_value in values.items():
        field = instance._meta.get_field(name)
        old_value = getattr(instance, field.name)
        if old_value != new_value:
            diffs[name] = [audit_value(old_value), audit_value(new_value)]
            setattr(instance, field.name, new_value)
    if not diffs:
        return instance
    record_full_clean(instance)
    now = timezone.now()
    user = _actor_or_none(actor)
    updated = model.objects.filter(pk=instance.pk, version=expected_version).update(
        **{name: getattr(instance, instance._meta.get_field(name).attname) for name in diffs},
        version=F("version") + 1,
        updated_at=now,
        updated_by=user,
    )
    if updated == 0:
        current = model.all_objects.filter(pk=instance.pk).values_list("version", flat=True).first()
        if current is None:
            raise NotFound()
        error = PreconditionFailed if from_if_match else VersionConflict
        raise error(current_version=current)
    instance.version = int(expected_version) + 1
    instance.updated_at = now
    instance.updated_by = user
    audit_event_record(actor=actor, action=audit_action, obj=instance, changes=diffs, extra=extra)
    return instance


@transaction.atomic
def record_soft_delete(
    *, instance: CrmRecord, actor, cascade: Iterable[models.QuerySet] = ()
) -> uuid.UUID:
    """Move a record and the children it owns to the trash under one deletion id."""
    deletion_id = uuid.uuid4()
    now = timezone.now()
    user = _actor_or_none(actor)
    stamp = {"deleted_at": now, "deleted_by": user, "deletion_id": deletion_id, "version": F("version") + 1}
    updated = type(instance).objects.filter(pk=instance.pk).update(**stamp)
    if updated == 0:
        raise NotFound()
    children: dict[str, int] = {}
    for queryset in cascade:
        count = queryset.filter(deleted_at__isnull=True).update(**stamp)
        if count:
            children[queryset.model._meta.label_lower] = children.get(queryset.model._meta.label_lower, 0) + count
    instance.deleted_at, instance.deleted_by, instance.deletion_id = now, user, deletion_id
    instance.version += 1
    audit_event_record(
        actor=actor, action=AuditAction.DELETE, obj=instance,
        extra={"deletion_id": str(deletion_id), "children": children},
    )
    return deletion_id


def reference_resolve(*, model: type[models.Model], field: str, value) -> models.Model | None:
    """The live record that `model.field` (a foreign key) would point to for `value` (a pk or a record),
    None for an empty value. Lets a lower app accept a reference to a higher app's model (a campaign
    on an order) without importing that app. Raises LookupError when there is no such record."""
    if value in (None, ""):
        return None
    related = model._meta.get_field(field).related_model
    try:
        pk = int(getattr(value, "pk", value))
    except (TypeError, ValueError):
        raise LookupError(value) from None
    found = related._default_manager.filter(pk=pk).first()
    if found is None:
        raise LookupError(value)
    return found
