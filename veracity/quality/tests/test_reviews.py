import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from veracity.activities.models import Activity
from veracity.core.errors import PermissionDenied
from veracity.customers import services as customer_services
from veracity.customers.models import Customer
from veracity.notifications.models import Notification
from veracity.notifications.services import digest_send_due
from veracity.quality.models import AuditStatus, ChangeRequest, ChangeStatus, DataAudit
from veracity.quality.scorecards import scorecard_compute
from veracity.quality.selectors import quality_trend, scorecard_list
from veracity.quality.services import approvals, reviews, scores
from veracity.quality.services.incentives import award_rule_create, awards_give
from veracity.quality.services.settings import KEY_FIELDS, quality_settings_update


@pytest.fixture(autouse=True)
def key_fields_need_approval(db):
    quality_settings_update(actor=None, values={"approval_fields": KEY_FIELDS})


@pytest.fixture
def customer(rep_li):
    return Customer.objects.create(code="A1", name="旧名称公司", owner=rep_li, phone="+8613800138000")


def test_rep_name_change_waits_for_approval_and_manager_applies_it(customer, rep_li, manager_mei):
    updated = customer_services.customer_update(actor=rep_li, customer=customer,
                                                values={"name": "新名称公司", "city": "北京"}, expected_version=1)
    customer.refresh_from_db()
    assert customer.name == "旧名称公司" and customer.city == "北京"   # only the key field waits
    request = updated.pending_change_request
    assert request.changes == {"name": ["旧名称公司", "新名称公司"]} and request.status == ChangeStatus.PENDING
    assert Notification.objects.filter(recipient=manager_mei, kind="quality.review").count() == 1
    with pytest.raises(PermissionDenied):  # reps cannot approve, not even their own
        approvals.change_request_approve(actor=rep_li, change_request_id=request.pk)
    approvals.change_request_approve(actor=manager_mei, change_request_id=request.pk)
    customer.refresh_from_db()
    assert customer.name == "新名称公司" and customer.updated_by == manager_mei
    assert Notification.objects.filter(recipient=rep_li, kind="quality.review").count() == 1


def test_reformatting_a_phone_needs_no_approval(rep_li):
    customer = Customer.objects.create(code="A2", name="X", owner=rep_li, phone="138 0013 8000")
    customer_services.customer_update(actor=rep_li, customer=customer, values={"phone": "13800138000"},
                                      expected_version=1)
    customer.refresh_from_db()
    assert customer.phone == "+8613800138000" and not ChangeRequest.objects.exists()


def test_managers_change_key_fields_directly(customer, manager_mei):
    customer_services.customer_update(actor=manager_mei, customer=customer, values={"name": "经理改名"},
                                      expected_version=1)
    customer.refresh_from_db()
    assert customer.name == "经理改名" and not ChangeRequest.objects.exists()


def test_rejection_needs_a_reason_and_tells_the_rep(customer, rep_li, manager_mei, rep_bob):
    customer_services.customer_transfer(actor=rep_li, customer=customer, new_owner=rep_li)
    updated = customer_services.customer_update(actor=rep_li, customer=customer, values={"credit_code": ""},
                                                expected_version=1)
    assert updated.pending_change_request is None  # credit code was empty already: nothing to hold
    updated = customer_services.customer_update(actor=rep_li, customer=customer,
                                                values={"phone": "+8613900139000"}, expected_version=1)
    request = updated.pending_change_request
    from veracity.core.errors import ValidationFailed
    with pytest.raises(ValidationFailed):
        approvals.change_request_reject(actor=manager_mei, change_request_id=request.pk, reason="  ")
    with pytest.raises(PermissionDenied):  # another rep cannot decide
        approvals.change_request_reject(actor=rep_bob, change_request_id=request.pk, reason="no")
    approvals.change_request_reject(actor=manager_mei, change_request_id=request.pk, reason="Wrong number")
    customer.refresh_from_db()
    assert customer.phone == "+8613800138000"
    assert Notification.objects.get(recipient=rep_li, kind="quality.review").body == "Wrong number"


def test_review_queue_shows_overdue_requests(customer, rep_li, manager_mei, web_client_for):
    updated = customer_services.customer_update(actor=rep_li, customer=customer, values={"name": "新"},
                                                expected_version=1)
    ChangeRequest.objects.filter(pk=updated.pending_change_request.pk).update(
        created_at=timezone.now() - dt.timedelta(hours=72))
    page = web_client_for(manager_mei).get("/quality/reviews/").content.decode()
    assert "table-danger" in page and "Overdue" in page


def test_monthly_audit_escalates_to_the_manager_when_overdue(customer, rep_li, manager_mei):
    today = timezone.localdate()
    audit = reviews.data_audit_open(rep=rep_li, day=today)
    assert [item.customer for item in audit.items.all()] == [customer]
    assert reviews.data_audit_open(rep=rep_li, day=today) == audit  # once a month
    assert reviews.data_audits_escalate(day=today) == 0
    assert reviews.data_audits_escalate(day=audit.due_on + dt.timedelta(days=1)) == 1
    assert reviews.data_audits_escalate(day=audit.due_on + dt.timedelta(days=2)) == 0
    assert Notification.objects.filter(recipient=manager_mei, kind="quality.audit").count() == 1


def test_rep_completes_audit_by_checking_each_account(customer, rep_li, rep_bob):
    audit = reviews.data_audit_open(rep=rep_li)
    item = audit.items.get()
    from veracity.core.errors import NotFound
    with pytest.raises(NotFound):
        reviews.data_audit_item_check(actor=rep_bob, item_id=item.pk, outcome="confirmed")
    reviews.data_audit_item_check(actor=rep_li, item_id=item.pk, outcome="confirmed")
    assert DataAudit.objects.get(pk=audit.pk).status == AuditStatus.COMPLETED


def test_reminder_digest_lists_overdue_tasks(customer, rep_li):
    Activity.objects.create(kind="task", subject="Call back", customer=customer, owner=rep_li, assignee=rep_li,
                            due_at=timezone.now() - dt.timedelta(days=2))
    assert reviews.reminders_send() >= 1
    digest_send_due()
    message = next(m for m in mail.outbox if rep_li.email in m.to)
    assert "1 tasks and follow-ups are overdue." in message.body


def test_scorecard_metrics_from_known_data(customer, rep_li):
    now = timezone.now()
    customer.email, customer.industry = "a@example.com", "retail"
    customer.save()
    Activity.objects.create(kind="task", subject="On time", customer=customer, owner=rep_li, assignee=rep_li,
                            due_at=now - dt.timedelta(hours=1), done=True, done_at=now - dt.timedelta(hours=2))
    Activity.objects.create(kind="task", subject="Late", customer=customer, owner=rep_li, assignee=rep_li,
                            due_at=now - dt.timedelta(hours=1))
    duplicate = Customer.objects.create(code="D1", name="重复", owner=rep_li, phone="+8613800138000",
                                        created_by=rep_li)
    # The dedup matcher put it in a cluster with the older customer (its scan is tested in dedup).
    from veracity.dedup.models import ClusterMember, DuplicateCluster, ScanRun
    cluster = DuplicateCluster.objects.create(scan=ScanRun.objects.create(status="done"), entity="company",
                                              score=0.97)
    ClusterMember.objects.bulk_create([ClusterMember(cluster=cluster, customer=customer),
                                       ClusterMember(cluster=cluster, customer=duplicate)])
    period = f"{timezone.localdate():%Y-%m}"
    card = scorecard_compute(rep_li, period)
    # customer: phone, email, industry of 6 fields + credit code (company) = 3/7; the duplicate 1/7.
    assert card.completeness == pytest.approx((3 / 7 + 1 / 7) / 2 * 100, abs=0.1)
    assert (card.tasks_due, card.tasks_on_time, card.timeliness, card.overdue_tasks) == (2, 1, 50.0, 1)
    assert card.duplicates == 1 and card.review_pass_rate is None


def test_scorecards_are_scoped(rep_li, rep_lin, rep_bob, manager_mei):
    period = f"{timezone.localdate():%Y-%m}"
    assert [card.rep_id for card in scorecard_list(user=rep_li, period=period)] == [rep_li.pk]
    assert {card.rep_id for card in scorecard_list(user=manager_mei, period=period)} == {rep_li.pk, rep_lin.pk}


def test_award_rules_give_badges_once_and_announce_them(customer, rep_li, rep_lin, admin):
    period = f"{timezone.localdate():%Y-%m}"
    award_rule_create(actor=admin, values={"name": "Zero overdue", "metric": "overdue_tasks", "operator": "lte",
                                           "value": Decimal("0")})
    award_rule_create(actor=admin, values={"name": "Score 90+", "metric": "score", "operator": "gte",
                                           "value": Decimal("90")})
    awards = awards_give(period=period)
    assert sorted((a.rule.name, a.rep.username) for a in awards) == [("Zero overdue", "rep_li"),
                                                                     ("Zero overdue", "rep_lin")]
    assert awards_give(period=period) == []
    assert Notification.objects.filter(recipient=rep_li, kind="quality.award").count() == 2  # own + teammate's


def test_quality_trend_is_scoped(customer, rep_li, rep_bob, manager_mei):
    Customer.objects.create(code="B9", name="Bob's", owner=rep_bob)
    scores.score_snapshot_take()
    li = quality_trend(user=rep_li)
    assert [(point["entity"]) for point in li] == ["customer"]
    from veracity.quality.models import QualitySnapshot
    assert QualitySnapshot.objects.filter(owner=rep_bob).exists()
    assert all(point["day"] == timezone.localdate() for point in quality_trend(user=manager_mei))


def test_without_approval_fields_reps_change_key_fields_directly(customer, rep_li):
    quality_settings_update(actor=None, values={"approval_fields": []})
    customer_services.customer_update(actor=rep_li, customer=customer, values={"name": "直接改"}, expected_version=1)
    customer.refresh_from_db()
    assert customer.name == "直接改" and not ChangeRequest.objects.exists()
