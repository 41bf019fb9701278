"""Demo data for data quality: a few flagged problems, a pending change request, a due audit, a
fortnight of score history, badge rules and this month's awards — so the quality pages show real
data after `make run`."""

import datetime as dt

from django.db.models import Count
from django.utils import timezone

from veracity.accounts.models import User
from veracity.customers import services as customer_services
from veracity.customers.models import Customer
from veracity.quality.scorecards import current_period
from veracity.quality.services.incentives import award_rule_create, awards_give
from veracity.quality.services.issues import issue_scan
from veracity.quality.services.reviews import data_audit_open
from veracity.quality.services.scores import score_snapshot_take
from veracity.quality.services.settings import KEY_FIELDS, quality_settings_update

BADGES = (
    {"name": "数据之星 Data star", "icon": "star-fill", "metric": "score", "operator": "gte", "value": 90},
    {"name": "零逾期 Zero overdue", "icon": "alarm", "metric": "overdue_tasks", "operator": "lte", "value": 0},
    {"name": "榜首 Top of the board", "icon": "trophy", "metric": "rank", "operator": "lte", "value": 1},
)


def demo_quality_load(users: dict[str, User]) -> dict[str, int]:
    rep = users["rep"]
    # Not the demo's duplicate pairs (customers sharing a phone): the duplicates page shows them.
    shared_phones = Customer.objects.values("phone").annotate(count=Count("pk")).filter(count__gt=1).values("phone")
    mine = list(Customer.objects.filter(owner=rep).exclude(phone__in=shared_phones).order_by("pk")[:6])
    if len(mine) >= 6:
        # Older records typed before the entry standards: unformatted phones, upper-case emails.
        Customer.objects.filter(pk=mine[0].pk).update(phone="138 0013 8000")
        Customer.objects.filter(pk=mine[1].pk).update(phone="010-6255 1234")
        Customer.objects.filter(pk=mine[2].pk).update(email="Sales@Example.COM")
        Customer.objects.filter(pk=mine[3].pk).update(updated_at=timezone.now() - dt.timedelta(days=400))
    quality_settings_update(actor=None, values={"approval_fields": KEY_FIELDS})
    results = issue_scan()
    today = timezone.localdate()
    for days_ago in range(13, -1, -1):
        score_snapshot_take(day=today - dt.timedelta(days=days_ago))
    if len(mine) >= 6:
        customer = Customer.objects.get(pk=mine[4].pk)
        customer_services.customer_update(actor=rep, customer=customer, values={"name": f"{customer.name}(新)"},
                                          expected_version=customer.version)
    data_audit_open(rep=rep)
    for badge in BADGES:
        award_rule_create(actor=None, values=badge)
    awards = awards_give(period=current_period())
    return {"issues": sum(counts["found"] for counts in results.values()), "awards": len(awards)}
