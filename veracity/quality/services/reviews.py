"""Scheduled data audits (each rep confirms their top accounts once a month; overdue audits escalate
to the manager) and the daily reminders: stale records, overdue tasks and follow-ups, pending reviews,
audits due. Reminders are notifications, so each user's digest frequency decides when they are emailed."""

import datetime as dt

from django.db import transaction
from django.db.models import Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from veracity.accounts.access import scoped
from veracity.accounts.models import Action, Resource, RoleCode, User
from veracity.activities.models import Activity, ActivityKind
from veracity.audit.models import AuditAction
from veracity.audit.services import audit_event_record
from veracity.core.errors import NotFound, ValidationFailed
from veracity.customers.models import Customer
from veracity.notifications.services import notify, recipient_language
from veracity.quality.models import (
    AuditItemOutcome,
    AuditStatus,
    ChangeRequest,
    ChangeStatus,
    DataAudit,
    DataAuditItem,
    QualityIssue,
)
from veracity.quality.services.approvals import reviewers_of
from veracity.quality.services.settings import quality_settings_get


def period_of(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def reps() -> list[User]:
    return list(User.objects.filter(is_active=True, roles__code=RoleCode.SALES_REP).select_related(
        "team__manager").distinct().order_by("pk"))


def top_accounts(rep, count: int) -> list[Customer]:
    """The rep's most valuable customers: by order totals over the last year, then most recently changed."""
    since = timezone.localdate() - dt.timedelta(days=365)
    return list(Customer.objects.filter(owner=rep)
                .annotate(order_value=Sum("orders__total_amount", filter=Q(orders__order_date__gte=since,
                                                                      orders__deleted_at__isnull=True)))
                .order_by("-order_value", "-updated_at", "pk")[:count])


@transaction.atomic
def data_audit_open(*, rep, day: dt.date | None = None) -> DataAudit | None:
    """This month's audit for `rep` (created once, with their top accounts); None if they own none."""
    day = day or timezone.localdate()
    settings = quality_settings_get()
    existing = DataAudit.objects.filter(rep=rep, period=period_of(day)).first()
    if existing is not None:
        return existing
    customers = top_accounts(rep, settings.audit_top_accounts)
    if not customers:
        return None
    audit = DataAudit.objects.create(rep=rep, period=period_of(day),
                                     due_on=day + dt.timedelta(days=settings.audit_days_to_complete))
    DataAuditItem.objects.bulk_create([DataAuditItem(audit=audit, customer=customer) for customer in customers])
    audit_event_record(actor=None, action=AuditAction.CREATE, obj=audit,
                       changes={"customers": [None, [customer.pk for customer in customers]]})
    with recipient_language(rep):
        notify(rep, kind="quality.audit", url=reverse("quality:audit_detail", args=[audit.pk]),
               title=_("Please confirm your top %(count)d accounts by %(due)s") % {
                   "count": len(customers), "due": audit.due_on.isoformat()},
               body=_("Check that each account's name, phone, credit code and address are still correct."))
    return audit


def data_audits_escalate(*, day: dt.date | None = None) -> int:
    """Tell the managers about audits past their due date (once per audit)."""
    day = day or timezone.localdate()
    overdue = DataAudit.objects.filter(status=AuditStatus.OPEN, due_on__lt=day, escalated_at__isnull=True).select_related(
        "rep__team__manager")
    count = 0
    for audit in overdue:
        for manager in reviewers_of(audit.rep):
            with recipient_language(manager):
                notify(manager, kind="quality.audit", url=reverse("quality:audit_detail", args=[audit.pk]),
                       title=_("%(rep)s has not finished the data audit for %(period)s (due %(due)s)") % {
                           "rep": audit.rep, "period": audit.period, "due": audit.due_on.isoformat()})
        DataAudit.objects.filter(pk=audit.pk).update(escalated_at=timezone.now())
        audit_event_record(actor=None, action=AuditAction.UPDATE, obj=audit, changes={"escalated": [False, True]})
        count += 1
    return count


def _audit_item(*, actor, item_id: int) -> DataAuditItem:
    item = (DataAuditItem.objects.select_related("audit", "customer")
            .filter(pk=item_id, audit__in=scoped(DataAudit.objects.all(), user=actor, resource=Resource.DATA_AUDIT,
                                                 action=Action.EDIT)).first())
    if item is None:
        raise NotFound()
    if item.audit.status != AuditStatus.OPEN:
        raise ValidationFailed({"audit": [_("This audit is already completed.")]})
    return item


@transaction.atomic
def data_audit_item_check(*, actor, item_id: int, outcome: str, note: str = "") -> DataAuditItem:
    """The rep confirms an account is still correct, or says they corrected it. The audit completes
    when every account is checked."""
    if outcome not in (AuditItemOutcome.CONFIRMED, AuditItemOutcome.CORRECTED):
        raise ValidationFailed({"outcome": [_("Choose confirmed or corrected.")]})
    item = _audit_item(actor=actor, item_id=item_id)
    item.outcome, item.checked_at, item.note = outcome, timezone.now(), " ".join((note or "").split())[:300]
    item.save(update_fields=["outcome", "checked_at", "note"])
    audit_event_record(actor=actor, action=AuditAction.UPDATE, obj=item.audit,
                       changes={f"customer:{item.customer_id}": ["", outcome]})
    audit = item.audit
    if not audit.items.filter(outcome="").exists():
        audit.status, audit.completed_at = AuditStatus.COMPLETED, timezone.now()
        audit.save(update_fields=["status", "completed_at"])
        audit_event_record(actor=actor, action=AuditAction.UPDATE, obj=audit,
                           changes={"status": [AuditStatus.OPEN, AuditStatus.COMPLETED]})
    return item


def overdue_tasks(user, now: dt.datetime | None = None):
    """Tasks and follow-ups past due and not done, assigned to `user` (or logged by them, unassigned)."""
    now = now or timezone.now()
    return Activity.objects.filter(Q(assignee=user) | Q(assignee__isnull=True, owner=user), done=False,
                                   due_at__lt=now).exclude(kind=ActivityKind.NOTE)


def reminder_lines(user, now: dt.datetime | None = None) -> list[str]:
    """What `user` should look at today, one line each (empty: nothing)."""
    lines = []
    stale = QualityIssue.objects.filter(owner=user, rule="stale_record", resolved_at__isnull=True).count()
    if stale:
        lines.append(_("%(count)d of your customers have not been touched for a long time.") % {"count": stale})
    other = QualityIssue.objects.filter(owner=user, resolved_at__isnull=True).exclude(rule="stale_record").count()
    if other:
        lines.append(_("%(count)d data-quality problems in your records.") % {"count": other})
    tasks = overdue_tasks(user, now).count()
    if tasks:
        lines.append(_("%(count)d tasks and follow-ups are overdue.") % {"count": tasks})
    managed = list(user.managed_teams.values_list("id", flat=True))
    if managed:
        pending = ChangeRequest.objects.filter(status=ChangeStatus.PENDING,
                                               requested_by__team_id__in=managed).exclude(requested_by=user).count()
        if pending:
            lines.append(_("%(count)d change requests wait for your review.") % {"count": pending})
    audits = DataAudit.objects.filter(rep=user, status=AuditStatus.OPEN).count()
    if audits:
        lines.append(_("Your data audit is open: confirm your top accounts."))
    return lines


def reminders_send(*, now: dt.datetime | None = None) -> int:
    """One reminder notification per user who has something to look at. Returns how many were sent."""
    sent = 0
    for user in User.objects.filter(is_active=True).order_by("pk"):
        with recipient_language(user):
            lines = reminder_lines(user, now)
            if not lines:
                continue
            notify(user, kind="quality.reminder", title=_("Your data-quality reminders"), body="\n".join(lines),
                   url=reverse("quality:issue_list"))
        sent += 1
    return sent


def reviews_run(*, day: dt.date | None = None) -> dict[str, int]:
    """The daily job: open this month's audits, escalate overdue ones, send the reminders."""
    opened = sum(1 for rep in reps() if data_audit_open(rep=rep, day=day) is not None)
    return {"audits": opened, "escalated": data_audits_escalate(day=day), "reminders": reminders_send()}
