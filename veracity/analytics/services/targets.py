"""Writes for sales targets: managers set them for the reps they manage."""

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from veracity.accounts.access import access_require, user_can_reach_owner
from veracity.accounts.models import Action, Resource
from veracity.analytics.errors import SalesTargetTaken
from veracity.analytics.models import SalesTarget
from veracity.core.errors import ValidationFailed
from veracity.core.services import record_create, record_soft_delete, record_update

SALES_TARGET_WRITABLE_FIELDS = ("user", "period_start", "period_end", "revenue", "orders", "activities", "notes")


def _date(raw, errors, key):
    if isinstance(raw, dt.date):
        return raw
    try:
        return dt.date.fromisoformat(str(raw).strip())
    except ValueError:
        errors[key] = [_("Enter a date such as 2026-03-05.")]
        return None


def _clean(*, actor, values: dict[str, Any], instance: SalesTarget | None) -> dict[str, Any]:
    unknown = set(values) - set(SALES_TARGET_WRITABLE_FIELDS)
    if unknown:
        raise ValidationFailed({name: [_("This field cannot be set.")] for name in sorted(unknown)})
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    if instance is None:
        for name in ("user", "period_start", "period_end", "revenue"):
            if values.get(name) in (None, ""):
                errors[name] = [_("This field is required.")]
    if values.get("user") not in (None, ""):
        user = get_user_model().objects.filter(pk=getattr(values["user"], "pk", values["user"]),
                                               is_active=True).first()
        if user is None:
            errors["user"] = [_("Choose an active user.")]
        elif actor is not None:
            scope = access_require(actor, Resource.SALES_TARGET, Action.EDIT if instance else Action.CREATE)
            if not user_can_reach_owner(actor, scope, user):
                errors["user"] = [_("You may not set targets for this salesperson.")]
        cleaned["user"] = user
    for name in ("period_start", "period_end"):
        if values.get(name) not in (None, ""):
            cleaned[name] = _date(values[name], errors, name)
    if values.get("revenue") not in (None, ""):
        try:
            revenue = Decimal(str(values["revenue"]).strip())
            if not revenue.is_finite() or revenue < 0 or revenue >= Decimal("1e14"):
                raise InvalidOperation
            cleaned["revenue"] = revenue.quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError):
            errors["revenue"] = [_("Enter an amount of zero or more, such as 150000.00.")]
    for name in ("orders", "activities"):
        if name in values:
            raw = values[name]
            if raw in (None, ""):
                cleaned[name] = None
            else:
                try:
                    cleaned[name] = int(str(raw).strip())
                    if cleaned[name] < 0:
                        raise ValueError
                except ValueError:
                    errors[name] = [_("Enter a whole number of zero or more.")]
    if "notes" in values:
        cleaned["notes"] = str(values["notes"] or "").strip()[:255]
    start = cleaned.get("period_start", instance.period_start if instance else None)
    end = cleaned.get("period_end", instance.period_end if instance else None)
    if start and end and end < start and "period_end" not in errors:
        errors["period_end"] = [_("The period must end on or after its first day.")]
    if errors:
        raise ValidationFailed(errors)
    user = cleaned.get("user", instance.user if instance else None)
    clash = SalesTarget.objects.filter(user=user, period_start=start, period_end=end)
    if instance is not None:
        clash = clash.exclude(pk=instance.pk)
    if clash.exists():
        raise SalesTargetTaken()
    return cleaned


@transaction.atomic
def sales_target_create(*, actor, values: dict[str, Any]) -> SalesTarget:
    if actor is not None:
        access_require(actor, Resource.SALES_TARGET, Action.CREATE)
    cleaned = _clean(actor=actor, values=values, instance=None)
    return record_create(instance=SalesTarget(**cleaned), actor=actor)


@transaction.atomic
def sales_target_update(*, actor, target: SalesTarget, values: dict[str, Any], expected_version: int | None,
                        from_if_match: bool = False) -> SalesTarget:
    if actor is not None:
        access_require(actor, Resource.SALES_TARGET, Action.EDIT)
    cleaned = _clean(actor=actor, values=values, instance=target)
    return record_update(instance=target, actor=actor, values=cleaned, expected_version=expected_version,
                         from_if_match=from_if_match)


@transaction.atomic
def sales_target_delete(*, actor, target: SalesTarget) -> None:
    if actor is not None:
        access_require(actor, Resource.SALES_TARGET, Action.DELETE)
    record_soft_delete(instance=target, actor=actor)
