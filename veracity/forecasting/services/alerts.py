"""Anomaly alerts: regions whose weekly revenue left its normal range, steady weekly buyers whose
week was far off, and big customers who stopped ordering at their usual rhythm.

`alerts_detect` returns only the alerts it created, so notifying is one line at the call site, e.g.
`for alert in alerts_detect(): notify(owner_of(alert), kind="anomaly", title=alert.message, ...)`."""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import DecimalField, ExpressionWrapper, F, Sum
from django.db.models.functions import TruncWeek
from django.utils import timezone
from django.utils.translation import gettext as _

from veracity.accounts.models import Action
from veracity.audit.models import AuditAction
from veracity.audit.services import audit_event_record
from veracity.customers.models import Customer
from veracity.forecasting.engine.anomaly import Z_CRITICAL, rhythm_break, robust_z
from veracity.forecasting.models import AlertMetric, AlertScope, AnomalyAlert, Frequency, Severity
from veracity.forecasting.periods import last_complete_period, period_range, period_shift
from veracity.forecasting.selectors.alerts import anomaly_alert_get
from veracity.forecasting.selectors.series import REVENUE_STATUSES
from veracity.sales.models import Order, Region

HISTORY_WEEKS = 26
# A customer's weekly revenue is only scored if they bought in at least this share of past weeks:
# for occasional buyers most weeks are zero and "unusual" means nothing.
STEADY_SHARE = 0.5
# Big customers: the top share by revenue over the last year, with at least RHYTHM_MIN_ORDERS order days.
BIG_CUSTOMER_SHARE = 0.2
RHYTHM_MIN_ORDERS = 4
CENT = Decimal("0.01")


def _money(value: float) -> Decimal:
    return Decimal(str(round(float(value), 2))).quantize(CENT)


def _amount():
    return ExpressionWrapper(F("total_amount") * F("exchange_rate"), output_field=DecimalField(max_digits=30, decimal_places=10))


def _weekly(group_field: str, first: dt.date, last: dt.date) -> dict:
    rows = (Order.objects.filter(status__in=REVENUE_STATUSES, order_date__gte=first,
                                 order_date__lt=last + dt.timedelta(days=7))
            .exclude(**{f"{group_field}__isnull": True})
            .annotate(week=TruncWeek("order_date")).values(group_field, "week").annotate(revenue=Sum(_amount()))
            .order_by())
    weekly: dict = defaultdict(dict)
    for row in rows:
        week = row["week"].date() if isinstance(row["week"], dt.datetime) else row["week"]
        weekly[row[group_field]][week] = float(row["revenue"] or 0)
    return weekly


def _revenue_alert(*, scope, key, label, customer_id, week, value, history) -> AnomalyAlert | None:
    score = robust_z(value, history)
    if score is None or not score.is_anomaly:
        return None
    direction = _("above") if score.z > 0 else _("below")
    return AnomalyAlert(
        scope=scope, scope_key=key, scope_label=label[:200], customer_id=customer_id,
        metric=AlertMetric.WEEKLY_REVENUE, period_start=week, expected=_money(score.expected),
        actual=_money(value), low=_money(max(score.low, 0)), high=_money(score.high), score=round(score.z, 2),
        severity=Severity.CRITICAL if abs(score.z) >= Z_CRITICAL else Severity.WARNING,
        message=_("%(what)s: revenue in the week of %(week)s was %(actual)s, far %(direction)s the usual %(expected)s")
        % {"what": label, "week": week.isoformat(), "actual": f"{value:,.0f}", "direction": direction,
           "expected": f"{score.expected:,.0f}"},
    )


def _weekly_candidates(today: dt.date) -> list[AnomalyAlert]:
    week = last_complete_period(today, Frequency.WEEK)
    first = period_shift(week, Frequency.WEEK, -HISTORY_WEEKS)
    past_weeks = period_range(first, period_shift(week, Frequency.WEEK, -1), Frequency.WEEK)
    found = []
    regions = dict(Region.choices)
    for region, values in _weekly("region", first, week).items():
        if not region:
            continue
        history = [values.get(w, 0.0) for w in past_weeks]
        alert = _revenue_alert(scope=AlertScope.REGION, key=f"region:{region}", label=str(regions.get(region, region)),
                               customer_id=None, week=week, value=values.get(week, 0.0), history=history)
        if alert:
            found.append(alert)
    names = {}
    customer_weeks = _weekly("customer_id", first, week)
    steady = {pk: values for pk, values in customer_weeks.items()
              if sum(1 for w in past_weeks if values.get(w, 0) > 0) >= STEADY_SHARE * len(past_weeks)}
    if steady:
        names = dict(Customer.objects.filter(pk__in=list(steady)).values_list("pk", "name"))
    for pk, values in steady.items():
        history = [values.get(w, 0.0) for w in past_weeks]
        alert = _revenue_alert(scope=AlertScope.CUSTOMER, key=f"customer:{pk}", label=names.get(pk, str(pk)),
                               customer_id=pk, week=week, value=values.get(week, 0.0), history=history)
        if alert:
            found.append(alert)
    return found


def _rhythm_candidates(today: dt.date) -> list[AnomalyAlert]:
    year_ago = today - dt.timedelta(days=365)
    revenue = list(Order.objects.filter(status__in=REVENUE_STATUSES, order_date__gte=year_ago, order_date__lte=today,
                                        customer__deleted_at__isnull=True)
                   .values("customer_id").annotate(revenue=Sum(_amount())).order_by("-revenue"))
    big = [row["customer_id"] for row in revenue[:max(1, int(len(revenue) * BIG_CUSTOMER_SHARE))]]
    if not big:
        return []
    days = defaultdict(list)
    for pk, day in (Order.objects.filter(customer_id__in=big, status__in=REVENUE_STATUSES, order_date__lte=today)
                    .values_list("customer_id", "order_date").distinct()):
        days[pk].append(day.toordinal())
    names = dict(Customer.objects.filter(pk__in=big).values_list("pk", "name"))
    found = []
    for pk in big:
        gap = rhythm_break(days[pk], today.toordinal(), min_orders=RHYTHM_MIN_ORDERS)
        if gap is None:
            continue
        last_order = dt.date.fromordinal(max(days[pk]))
        found.append(AnomalyAlert(
            scope=AlertScope.CUSTOMER, scope_key=f"customer:{pk}", scope_label=names.get(pk, str(pk))[:200],
            customer_id=pk, metric=AlertMetric.ORDER_RHYTHM, period_start=last_order,
            expected=_money(gap.typical_gap_days), actual=_money(gap.days_since_last), low=_money(0),
            high=_money(gap.typical_gap_days * 3), score=round(gap.overdue_factor, 2),
            severity=Severity.CRITICAL if gap.overdue_factor >= 6 else Severity.WARNING,
            message=_("%(what)s usually orders every %(gap)s days but has not ordered for %(silent)s days")
            % {"what": names.get(pk, str(pk)), "gap": f"{gap.typical_gap_days:.0f}", "silent": gap.days_since_last},
        ))
    return found


def alerts_detect(*, actor=None, today: dt.date | None = None) -> list[AnomalyAlert]:
    """Score the latest complete week and every big customer's order rhythm; store and return the
    alerts not raised before (one per metric, subject and period)."""
    today = today or timezone.localdate()
    candidates = _weekly_candidates(today) + _rhythm_candidates(today)
    if not candidates:
        return []
    existing = set(AnomalyAlert.objects.filter(
        scope_key__in={alert.scope_key for alert in candidates}).values_list("metric", "scope_key", "period_start"))
    new = [alert for alert in candidates if (alert.metric, alert.scope_key, alert.period_start) not in existing]
    created = []
    for alert in new:
        alert.save()
        created.append(alert)
    if created:
        audit_event_record(actor=actor, action=AuditAction.CREATE, object_type="forecasting.anomalyalert",
                           object_repr=f"{len(created)} anomaly alerts", extra={"ids": [a.pk for a in created]})
    return created


def anomaly_alert_acknowledge(*, actor, pk: int) -> AnomalyAlert:
    """Mark an alert seen. Anyone who may see the alert may acknowledge it: it records who looked,
    and changes no business data."""
    alert = anomaly_alert_get(user=actor, pk=pk, action=Action.VIEW)
    if alert.acknowledged_at is None:
        alert.acknowledged_at = timezone.now()
        alert.acknowledged_by = actor
        alert.save(update_fields=["acknowledged_at", "acknowledged_by"])
        audit_event_record(actor=actor, action=AuditAction.UPDATE, obj=alert,
                           changes={"acknowledged_at": [None, alert.acknowledged_at.isoformat()]})
    return alert



def alerts_notify(alerts: list[AnomalyAlert]) -> int:
    """Tell the people who act on new alerts: a customer's owner and their team's manager for a
    customer alert; sales managers and admins for a region alert. Returns notifications sent."""
    from django.urls import reverse

    from veracity.accounts.models import RoleCode, User
    from veracity.notifications.services import notify, recipient_language

    leads = list(User.objects.filter(is_active=True, roles__code__in=[RoleCode.ADMIN, RoleCode.SALES_MANAGER])
                 .distinct())
    sent = 0
    for alert in alerts:
        if alert.customer_id:
            owner = alert.customer.owner
            recipients = {owner}
            if owner.team_id and owner.team.manager_id:
                recipients.add(owner.team.manager)
        else:
            recipients = set(leads)
        for recipient in recipients:
            if not recipient.is_active:
                continue
            with recipient_language(recipient):
                notify(recipient, kind="forecasting.anomaly", title=alert.message,
                       url=reverse("forecasting:alert_list"), email_now=alert.severity == "critical")
            sent += 1
    return sent
