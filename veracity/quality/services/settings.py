"""Administrators' settings of data quality: rules on or off and their thresholds, which fields need
approval, review SLA and audit sizes. Each change is audited with old -> new values."""

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from veracity.accounts.access import access_require
from veracity.accounts.models import Action, Resource
from veracity.audit.models import AuditAction
from veracity.audit.services import audit_event_record
from veracity.core.errors import ValidationFailed
from veracity.quality.errors import UnknownRule
from veracity.quality.models import QualitySettings, RuleSetting
from veracity.quality.rules import RULES

# Approval candidates: customer fields a rep may change (owner through a transfer) and contacts' key
# fields (a contact's owner is its company's: customer.owner covers it; moving a contact to another
# company is contact.customer).
APPROVABLE_FIELDS = ("customer.name", "customer.phone", "customer.email", "customer.credit_code",
                     "customer.code", "customer.owner", "contact.name", "contact.mobile", "contact.phone",
                     "contact.email", "contact.customer")
# Off until an administrator chooses fields (the demo turns on these), so nothing changes for
# existing deployments; KEY_FIELDS is what the settings page suggests.
DEFAULT_APPROVAL_FIELDS: list[str] = []
KEY_FIELDS = ["customer.name", "customer.phone", "customer.credit_code", "customer.owner", "contact.name",
              "contact.mobile", "contact.phone"]
SETTINGS_WRITABLE = ("review_sla_hours", "audit_top_accounts", "audit_days_to_complete", "approval_fields")


def _require_admin(actor) -> None:
    """Quality settings are part of the data standards: whoever may change the entry rules may change them."""
    if actor is not None:
        access_require(actor, Resource.ENTRY_RULE, Action.EDIT)


def quality_settings_get() -> QualitySettings:
    return QualitySettings.objects.filter(pk=1).first() or QualitySettings(pk=1, approval_fields=list(
        DEFAULT_APPROVAL_FIELDS))


def approval_fields(entity: str) -> set[str]:
    prefix = f"{entity}."
    return {name.removeprefix(prefix) for name in quality_settings_get().approval_fields if name.startswith(prefix)}


def _save_with_audit(*, actor, instance, cleaned: dict[str, Any], created: bool) -> None:
    changes = {}
    for name, new in cleaned.items():
        old = getattr(instance, name)
        if old != new:
            changes[name] = [old, new]
            setattr(instance, name, new)
    if changes or created:
        instance.updated_at = timezone.now()
        instance.save()
    if changes:
        audit_event_record(actor=actor, action=AuditAction.CREATE if created else AuditAction.UPDATE,
                           obj=instance, changes=changes)


@transaction.atomic
def rule_setting_update(*, actor, rule: str, values: dict[str, Any]) -> RuleSetting:
    """Turn a rule on or off, or change its threshold (None restores the default)."""
    _require_admin(actor)
    definition = RULES.get(rule)
    if definition is None:
        raise UnknownRule({"rule": [_("No data-quality rule is called %(rule)s.") % {"rule": rule}]})
    unknown = set(values) - {"enabled", "threshold"}
    if unknown:
        raise ValidationFailed({name: [_("This field cannot be set.")] for name in sorted(unknown)})
    cleaned: dict[str, Any] = {}
    if "enabled" in values:
        if not isinstance(values["enabled"], bool):
            raise ValidationFailed({"enabled": [_("Answer yes or no.")]})
        cleaned["enabled"] = values["enabled"]
    if "threshold" in values:
        threshold = values["threshold"]
        if threshold in (None, ""):
            cleaned["threshold"] = None
        elif definition.threshold_label is None:
            raise ValidationFailed({"threshold": [_("This rule has no threshold.")]})
        else:
            try:
                threshold = int(threshold)
            except (TypeError, ValueError):
                threshold = -1
            if not definition.threshold_min <= threshold <= definition.threshold_max:
                raise ValidationFailed({"threshold": [_("Enter a whole number from %(min)d to %(max)d.") % {
                    "min": definition.threshold_min, "max": definition.threshold_max}]})
            cleaned["threshold"] = threshold
    setting, created = RuleSetting.objects.select_for_update().get_or_create(rule=rule)
    _save_with_audit(actor=actor, instance=setting, cleaned=cleaned, created=created)
    return setting


@transaction.atomic
def quality_settings_update(*, actor, values: dict[str, Any]) -> QualitySettings:
    _require_admin(actor)
    unknown = set(values) - set(SETTINGS_WRITABLE)
    if unknown:
        raise ValidationFailed({name: [_("This field cannot be set.")] for name in sorted(unknown)})
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    limits = {"review_sla_hours": (1, 24 * 30), "audit_top_accounts": (1, 50), "audit_days_to_complete": (1, 31)}
    for name, (low, high) in limits.items():
        if name in values:
            try:
                number = int(values[name])
            except (TypeError, ValueError):
                number = low - 1
            if not low <= number <= high:
                errors[name] = [_("Enter a whole number from %(min)d to %(max)d.") % {"min": low, "max": high}]
            cleaned[name] = number
    if "approval_fields" in values:
        chosen = list(values["approval_fields"] or [])
        wrong = [name for name in chosen if name not in APPROVABLE_FIELDS]
        if wrong:
            errors["approval_fields"] = [_("These fields cannot need approval: %(fields)s.") % {
                "fields": ", ".join(map(str, wrong))}]
        cleaned["approval_fields"] = sorted(set(chosen))
    if errors:
        raise ValidationFailed(errors)
    current = QualitySettings.objects.select_for_update().filter(pk=1).first()
    created = current is None
    if created:
        current = QualitySettings(pk=1, approval_fields=list(DEFAULT_APPROVAL_FIELDS))
    _save_with_audit(actor=actor, instance=current, cleaned=cleaned, created=created)
    return current
