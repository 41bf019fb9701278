"""Scanning for problems and fixing them.

`issue_scan` runs the enabled rules and reconciles their findings with the open issues. Suggested
fixes are applied only through the domain services (so entry rules, versions, approvals and the
audit trail all apply), and only after `issue_fix_preview` showed what would change."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from veracity.accounts.access import scoped
from veracity.accounts.models import Action, Resource
from veracity.audit.models import AuditAction
from veracity.audit.services import audit_event_record
from veracity.core.errors import DomainError, NotFound, ValidationFailed
from veracity.customers import services as customer_services
from veracity.customers.models import Contact, Customer
from veracity.quality.models import QualityIssue, Resolution, RuleSetting
from veracity.quality.rules import RULES, Rule

ENTITY_MODELS = {"customer": Customer, "contact": Contact}
FIXERS: dict[str, Callable[..., Any]] = {
    "customer": lambda *, actor, record, values: customer_services.customer_update(
        actor=actor, customer=record, values=values, expected_version=record.version),
    "contact": lambda *, actor, record, values: customer_services.contact_update(
        actor=actor, contact=record, values=values, expected_version=record.version),
}


def rule_threshold(rule: Rule, settings: dict[str, RuleSetting]) -> int | None:
    setting = settings.get(rule.code)
    if setting is not None and setting.threshold is not None:
        return setting.threshold
    return rule.default_threshold


def enabled_rules() -> list[tuple[Rule, int | None]]:
    settings = {setting.rule: setting for setting in RuleSetting.objects.all()}
    return [(rule, rule_threshold(rule, settings)) for rule in RULES.values()
            if settings.get(rule.code) is None or settings[rule.code].enabled]


@transaction.atomic
def _reconcile(rule: Rule, findings: Iterable, now) -> dict[str, int]:
    open_issues = {(issue.content_type_id, issue.object_id, issue.field): issue
                   for issue in QualityIssue.objects.select_for_update().filter(rule=rule.code, resolved_at__isnull=True)}
    dismissed = {(ct, obj, field): value for ct, obj, field, value in QualityIssue.objects.filter(
        rule=rule.code, resolution=Resolution.DISMISSED).values_list("content_type_id", "object_id", "field",
                                                                      "current_value")}
    content_types: dict[type, ContentType] = {}
    seen: set[tuple[int, int, str]] = set()
    created = 0
    new_rows = []
    for finding in findings:
        model = type(finding.record)
        content_type = content_types.get(model) or content_types.setdefault(
            model, ContentType.objects.get_for_model(model))
        key = (content_type.pk, finding.record.pk, finding.field)
        if key in seen or dismissed.get(key, None) == str(finding.current_value or "")[:300]:
            continue
        seen.add(key)
        values = {
            "entity": finding.entity, "record_label": str(finding.record)[:200], "message": finding.message[:300],
            "owner_id": finding.owner_id, "current_value": str(finding.current_value or "")[:300],
            "suggested_value": (finding.suggested_value or "")[:300], "has_fix": finding.suggested_value is not None,
        }
        issue = open_issues.get(key)
        if issue is None:
            new_rows.append(QualityIssue(rule=rule.code, content_type=content_type, object_id=finding.record.pk,
                                         field=finding.field, detected_at=now, last_seen_at=now, **values))
            created += 1
        else:
            changed = [name for name, value in values.items() if getattr(issue, name) != value]
            for name in changed:
                setattr(issue, name, values[name])
            issue.last_seen_at = now
            issue.save(update_fields=[*changed, "last_seen_at"])
    QualityIssue.objects.bulk_create(new_rows, batch_size=500)
    gone = [issue.pk for key, issue in open_issues.items() if key not in seen]
    QualityIssue.objects.filter(pk__in=gone).update(resolved_at=now, resolution=Resolution.GONE)
    return {"found": len(seen), "new": created, "resolved": len(gone)}


def issue_scan(*, actor=None, rules: list[str] | None = None, progress: Callable[[int, int, str], None] | None = None,
               ) -> dict[str, dict[str, int]]:
    """Run the enabled rules (or the named ones) over the whole base: {rule: {found, new, resolved}}.
    Issues of a disabled rule are resolved (as "no longer found"), so they leave everyone's list."""
    if actor is not None:
        from veracity.accounts.access import access_require
        access_require(actor, Resource.ENTRY_RULE, Action.EDIT)
    now = timezone.now()
    chosen = [(rule, threshold) for rule, threshold in enabled_rules() if rules is None or rule.code in rules]
    results: dict[str, dict[str, int]] = {}
    for index, (rule, threshold) in enumerate(chosen, 1):
        results[rule.code] = _reconcile(rule, rule.find(threshold), now)
        if progress:
            progress(index, len(chosen), rule.code)
    enabled = {rule.code for rule, _threshold in enabled_rules()}
    if rules is None:
        QualityIssue.objects.filter(resolved_at__isnull=True).exclude(rule__in=enabled).update(
            resolved_at=now, resolution=Resolution.GONE)
    return results


# ---------------------------------------------------------------------------------------------
# Fixes

@dataclass(frozen=True)
class FixPreview:
    issue: QualityIssue
    record: Any
    field: str
    current: str
    new: str
    problem: str = ""   # why it cannot be applied (the record changed since the scan …)


def _fixable_issues(*, actor, issue_ids: list[int]) -> list[QualityIssue]:
    issues = scoped(QualityIssue.objects.filter(pk__in=issue_ids, resolved_at__isnull=True),
                    user=actor, resource=Resource.QUALITY_ISSUE, action=Action.EDIT)
    return list(issues.select_related("content_type").order_by("id"))


def issue_fix_preview(*, actor, issue_ids: list[int]) -> list[FixPreview]:
    """What applying the suggested fixes would change, record by record. Changes nothing."""
    previews = []
    for issue in _fixable_issues(actor=actor, issue_ids=issue_ids):
        model = ENTITY_MODELS.get(issue.entity)
        record = model.objects.filter(pk=issue.object_id).first() if model else None
        problem = ""
        if not issue.has_fix or model is None:
            problem = _("No automatic fix: correct the record by hand.")
        elif record is None:
            problem = _("The record no longer exists.")
        elif str(getattr(record, issue.field, "")) != issue.current_value:
            problem = _("The value changed since the scan; run the scan again.")
        previews.append(FixPreview(issue, record, issue.field, issue.current_value, issue.suggested_value, problem))
    return previews


def issue_fix_apply(*, actor, issue_ids: list[int]) -> dict[str, Any]:
    """Apply the suggested fixes of these issues through the domain services, each in its own
    transaction: {"fixed": [ids], "failed": {id: message}}. A fix held for approval counts as fixed
    once approved; its issue stays open until then."""
    fixed, failed = [], {}
    for preview in issue_fix_preview(actor=actor, issue_ids=issue_ids):
        issue = preview.issue
        if preview.problem:
            failed[issue.pk] = preview.problem
            continue
        try:
            with transaction.atomic():
                record = FIXERS[issue.entity](actor=actor, record=preview.record, values={issue.field: preview.new})
                if getattr(record, "pending_change_request", None) is not None:
                    failed[issue.pk] = _("The change waits for a manager's approval.")
                    continue
                QualityIssue.objects.filter(pk=issue.pk).update(resolved_at=timezone.now(),
                                                                resolution=Resolution.FIXED, resolved_by=actor)
                audit_event_record(actor=actor, action=AuditAction.UPDATE, obj=issue,
                                   changes={"resolution": ["", Resolution.FIXED]},
                                   extra={"rule": issue.rule, "record": issue.record_label})
        except ValidationFailed as error:
            failed[issue.pk] = "; ".join(message for messages in error.fields.values() for message in messages)
        except DomainError as error:
            failed[issue.pk] = error.message
        else:
            fixed.append(issue.pk)
    return {"fixed": fixed, "failed": failed}


@transaction.atomic
def issue_dismiss(*, actor, issue_id: int) -> QualityIssue:
    """Mark a finding as accepted (e.g. a deliberate future order date). Later scans skip it while the
    flagged value stays the same; a different value is a new problem."""
    issue = _fixable_issues(actor=actor, issue_ids=[issue_id])
    if not issue:
        raise NotFound()
    issue = issue[0]
    QualityIssue.objects.filter(pk=issue.pk).update(resolved_at=timezone.now(), resolution=Resolution.DISMISSED,
                                                    resolved_by=actor)
    audit_event_record(actor=actor, action=AuditAction.UPDATE, obj=issue,
                       changes={"resolution": ["", Resolution.DISMISSED]})
    issue.refresh_from_db()
    return issue
