"""Entry standards: the validation gate other apps call, and the administrator's changes to the rules.

Domain services call `validate_record`; imports call `validate_frame` (both in standards.validation,
re-exported here). Every rule or settings change is audited with old -> new values."""

import re
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from veracity.accounts.access import access_require
from veracity.accounts.models import Action, Resource
from veracity.audit.models import AuditAction, AuditEvent
from veracity.audit.services import audit_event_record
from veracity.core.errors import ValidationFailed
from veracity.core.normalisation import clean_text
from veracity.standards import rules
from veracity.standards.models import DateOrder, FieldRule, StandardsSettings
from veracity.standards.validation import (
    EffectiveField,
    RuleSet,
    entity_spec,
    rule_set,
    settings_get,
    validate_frame,
    validate_record,
)

__all__ = [
    "EffectiveField", "RuleSet", "field_rule_update", "rule_changes", "rule_set", "rule_sets",
    "settings_get", "settings_update", "validate_frame", "validate_record",
]

FIELD_RULE_WRITABLE = ("required", "picklist_values", "help_text")
SETTINGS_WRITABLE = ("default_region", "date_order")
RULE_OBJECT_TYPES = ("standards.fieldrule", "standards.standardssettings")


def rule_sets() -> list[RuleSet]:
    return [rule_set(name) for name in rules.ENTITIES]


def picklist_parse(raw: Any) -> list[dict[str, str]] | None:
    """Picklist values from a list of {"value", "label"} dicts, a list of strings, or text with one
    value per line written "value" or "value | label". None or "" restores the default list."""
    if raw is None:
        return None
    if isinstance(raw, str):
        if not raw.strip():
            return None
        items: list[Any] = [line for line in raw.splitlines() if line.strip()]
    else:
        items = list(raw)
    parsed: list[dict[str, str]] = []
    for item in items:
        if isinstance(item, dict):
            value, label = item.get("value"), item.get("label")
        else:
            value, _sep, label = str(item).partition("|")
        value = clean_text(str(value or ""))
        label = clean_text(str(label or "")) or value
        if value and value not in {entry["value"] for entry in parsed}:
            parsed.append({"value": value, "label": label})
    return parsed


def _clean_field_rule(field: EffectiveField, values: dict[str, Any]) -> dict[str, Any]:
    unknown = set(values) - set(FIELD_RULE_WRITABLE)
    if unknown:
        raise ValidationFailed({name: [_("This field cannot be set.")] for name in sorted(unknown)})
    cleaned: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    if "required" in values:
        required = values["required"]
        if required is not None and not isinstance(required, bool):
            errors["required"] = [_("Answer yes or no.")]
        elif required is False and (field.db_required or field.spec.required):
            errors["required"] = [_("%(field)s cannot be optional: records cannot be stored without it.")
                                  % {"field": field.label}]
        cleaned["required"] = required
    if "picklist_values" in values:
        try:
            picklist = picklist_parse(values["picklist_values"])
        except (TypeError, AttributeError):
            picklist, errors["picklist_values"] = None, [_("Give a list of values.")]
        if picklist is not None:
            if field.type not in (rules.CHOICE, rules.TEXT):
                errors["picklist_values"] = [_("Only text and choice fields can have a picklist.")]
            elif not picklist:
                errors["picklist_values"] = [_("A picklist needs at least one value.")]
            elif field.db_choices is not None:
                allowed = {value for value, _label in field.db_choices}
                extra = [item["value"] for item in picklist if item["value"] not in allowed]
                if extra:
                    errors["picklist_values"] = [
                        _("The database accepts only %(allowed)s here; %(extra)s cannot be added. You can remove "
                          "values or rename their labels.") % {"allowed": ", ".join(sorted(allowed)),
                                                                 "extra": ", ".join(extra)}]
            elif field.max_length:
                too_long = [item["value"] for item in picklist if len(item["value"]) > field.max_length]
                if too_long:
                    errors["picklist_values"] = [_("At most %(limit)d characters: %(values)s.")
                                                 % {"limit": field.max_length, "values": ", ".join(too_long)}]
        cleaned["picklist_values"] = picklist
    if "help_text" in values:
        cleaned["help_text"] = clean_text(str(values["help_text"] or ""))
        if len(cleaned["help_text"]) > 255:
            errors["help_text"] = [_("At most %(limit)d characters (this has %(count)d).")
                                   % {"limit": 255, "count": len(cleaned["help_text"])}]
    if errors:
        raise ValidationFailed(errors)
    return cleaned


@transaction.atomic
def field_rule_update(*, actor, entity: str, field: str, values: dict[str, Any]) -> EffectiveField:
    """Override one field's required flag, picklist or help text (None/"" restores the default)."""
    if actor is not None:
        access_require(actor, Resource.ENTRY_RULE, Action.EDIT)
    spec = entity_spec(entity)
    if spec.field(field) is None:
        raise ValidationFailed({"field": [_("%(entity)s has no field %(field)s with entry rules.")
                                          % {"entity": entity, "field": field}]}, code="unknown_field")
    current = rule_set(entity).fields[field]
    cleaned = _clean_field_rule(current, values)
    rule, created = FieldRule.objects.select_for_update().get_or_create(entity=entity, field=field)
    changes = {}
    for name, new in cleaned.items():
        old = getattr(rule, name)
        if old != new:
            changes[name] = [old, new]
            setattr(rule, name, new)
    if changes:
        rule.save()
        audit_event_record(actor=actor, action=AuditAction.CREATE if created else AuditAction.UPDATE, obj=rule,
                           changes=changes)
    elif created:
        rule.delete()
    return rule_set(entity).fields[field]


@transaction.atomic
def settings_update(*, actor, values: dict[str, Any]) -> StandardsSettings:
    """Change the default country for phone numbers or the order of ambiguous dates."""
    if actor is not None:
        access_require(actor, Resource.ENTRY_RULE, Action.EDIT)
    unknown = set(values) - set(SETTINGS_WRITABLE)
    if unknown:
        raise ValidationFailed({name: [_("This field cannot be set.")] for name in sorted(unknown)})
    cleaned: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    if "default_region" in values:
        region = clean_text(str(values["default_region"] or "")).upper()
        if not re.fullmatch(r"[A-Z]{2}", region):
            errors["default_region"] = [_("Use a two-letter country code such as CN.")]
        cleaned["default_region"] = region
    if "date_order" in values:
        order = clean_text(str(values["date_order"] or "")).upper()
        if order not in DateOrder.values:
            errors["date_order"] = [_("Choose DMY (day first) or MDY (month first).")]
        cleaned["date_order"] = order
    if errors:
        raise ValidationFailed(errors)
    settings = StandardsSettings.objects.select_for_update().filter(pk=1).first()
    created = settings is None
    if created:
        settings = StandardsSettings.objects.create(pk=1)
    changes = {}
    for name, new in cleaned.items():
        old = getattr(settings, name)
        if old != new:
            changes[name] = [old, new]
            setattr(settings, name, new)
    if changes:
        settings.save()
        audit_event_record(actor=actor, action=AuditAction.UPDATE, obj=settings, changes=changes)
    return settings


def rule_changes(*, actor, limit: int = 200):
    """The history of rule and settings changes, newest first."""
    if actor is not None:
        access_require(actor, Resource.ENTRY_RULE, Action.VIEW)
    return AuditEvent.objects.filter(object_type__in=RULE_OBJECT_TYPES).select_related("actor")[:limit]
