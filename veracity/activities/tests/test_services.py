import datetime as dt

import pytest
from django.utils import timezone

from veracity.activities import services
from veracity.activities.models import Activity, ActivityKind
from veracity.activities.tests.factories import make_activity, make_contact, make_customer, make_opportunity
from veracity.audit.models import AuditAction, AuditEvent
from veracity.core.errors import PermissionDenied, ValidationFailed, VersionConflict

pytestmark = pytest.mark.django_db


def test_rep_logs_call_on_own_customer_and_becomes_owner(rep_li):
    customer = make_customer(rep_li)
    activity = services.activity_create(actor=rep_li, values={"kind": "call", "subject": " Called  about renewal ",
                                                              "customer": customer.pk})
    assert activity.owner == rep_li
    assert activity.subject == "Called about renewal"
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="activities.activity",
                                     object_id=str(activity.pk)).exists()


def test_rep_cannot_log_on_other_reps_customer_and_nothing_is_written(rep_li, rep_bob):
    customer = make_customer(rep_li)
    with pytest.raises(ValidationFailed) as error:
        services.activity_create(actor=rep_bob, values={"kind": "call", "subject": "x", "customer": customer.pk})
    assert "customer" in error.value.fields
    assert not Activity.objects.exists()


def test_service_staff_may_log_on_any_customer(service_sam, rep_bob):
    customer = make_customer(rep_bob)
    activity = services.activity_create(actor=service_sam, values={"kind": "note", "subject": "Complaint",
                                                                   "customer": customer.pk})
    assert activity.owner == service_sam


def test_marketing_cannot_log_activities(marketing_ana, rep_li):
    customer = make_customer(rep_li)
    with pytest.raises(PermissionDenied):
        services.activity_create(actor=marketing_ana, values={"kind": "call", "subject": "x", "customer": customer.pk})
    assert not Activity.objects.exists()


def test_task_needs_due_date(rep_li):
    customer = make_customer(rep_li)
    with pytest.raises(ValidationFailed) as error:
        services.activity_create(actor=rep_li, values={"kind": "task", "subject": "Send quote", "customer": customer.pk})
    assert error.value.code == "task_needs_due_date"
    assert not Activity.objects.exists()


def test_contact_must_belong_to_the_customer(rep_li):
    customer, other = make_customer(rep_li), make_customer(rep_li)
    stranger = make_contact(other)
    with pytest.raises(ValidationFailed) as error:
        services.activity_create(actor=rep_li, values={"kind": "call", "subject": "x", "customer": customer.pk,
                                                       "contact": stranger.pk})
    assert "contact" in error.value.fields
    opportunity = make_opportunity(other)
    with pytest.raises(ValidationFailed):
        services.activity_create(actor=rep_li, values={"kind": "call", "subject": "x", "customer": customer.pk,
                                                       "opportunity": opportunity.pk})
    assert not Activity.objects.exists()


def test_manager_assigns_task_within_team_but_not_outside(manager_mei, rep_li, rep_bob):
    customer = make_customer(rep_li)
    due = timezone.now() + dt.timedelta(days=2)
    task = services.activity_create(actor=manager_mei, values={"kind": "task", "subject": "Visit", "due_at": due,
                                                               "customer": customer.pk, "assignee": rep_li.pk})
    assert task.assignee == rep_li
    with pytest.raises(ValidationFailed) as error:
        services.activity_create(actor=manager_mei, values={"kind": "task", "subject": "Visit", "due_at": due,
                                                            "customer": customer.pk, "assignee": rep_bob.pk})
    assert "assignee" in error.value.fields
    assert Activity.objects.count() == 1


def test_rep_cannot_assign_to_teammate(rep_li, rep_lin):
    customer = make_customer(rep_li)
    with pytest.raises(ValidationFailed):
        services.activity_create(actor=rep_li, values={"kind": "task", "subject": "x", "customer": customer.pk,
                                                       "due_at": timezone.now(), "assignee": rep_lin.pk})


def test_owner_and_done_cannot_be_set(rep_li, rep_lin):
    customer = make_customer(rep_li)
    with pytest.raises(ValidationFailed):
        services.activity_create(actor=rep_li, values={"kind": "call", "subject": "x", "customer": customer.pk,
                                                       "owner": rep_lin.pk})
    with pytest.raises(ValidationFailed):
        services.activity_create(actor=rep_li, values={"kind": "call", "subject": "x", "customer": customer.pk,
                                                       "done": True})
    assert not Activity.objects.exists()


def test_update_with_stale_version_changes_nothing(rep_li):
    activity = make_activity(make_customer(rep_li), subject="Before")
    with pytest.raises(VersionConflict):
        services.activity_update(actor=rep_li, activity=activity, values={"subject": "After"}, expected_version=99)
    activity.refresh_from_db()
    assert activity.subject == "Before" and activity.version == 1


def test_update_audits_old_and_new_values(rep_li):
    activity = make_activity(make_customer(rep_li), subject="Before")
    services.activity_update(actor=rep_li, activity=activity, values={"subject": "After"}, expected_version=1)
    event = AuditEvent.objects.get(action=AuditAction.UPDATE)
    assert event.changes == {"subject": ["Before", "After"]}


def test_complete_and_reopen_are_audited(rep_li):
    task = make_activity(make_customer(rep_li), kind=ActivityKind.TASK)
    services.activity_complete(actor=rep_li, activity=task)
    task.refresh_from_db()
    assert task.done and task.done_at is not None
    services.activity_reopen(actor=rep_li, activity=task)
    task.refresh_from_db()
    assert not task.done and task.done_at is None
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE, object_id=str(task.pk)).count() == 2


def test_delete_is_soft(rep_li):
    activity = make_activity(make_customer(rep_li))
    services.activity_delete(actor=rep_li, activity=activity)
    assert not Activity.objects.exists()
    assert Activity.all_objects.get().deletion_id is not None


def test_service_staff_cannot_delete(service_sam, rep_li):
    activity = make_activity(make_customer(rep_li), owner=service_sam)
    with pytest.raises(PermissionDenied):
        services.activity_delete(actor=service_sam, activity=activity)
    assert Activity.objects.count() == 1
