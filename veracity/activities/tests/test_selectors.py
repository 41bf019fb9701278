import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from veracity.activities import selectors
from veracity.activities.models import ActivityKind
from veracity.activities.tests.factories import (
    make_activity,
    make_customer,
    make_opportunity,
    make_order,
    make_stage,
    make_stage_change,
)
from veracity.core.errors import NotFound

pytestmark = pytest.mark.django_db


def test_rep_lists_only_own_activities(rep_li, rep_bob):
    mine = make_activity(make_customer(rep_li), subject="Mine")
    make_activity(make_customer(rep_bob), subject="Bob's")
    assert list(selectors.activity_list(user=rep_li)) == [mine]


def test_manager_sees_team_but_not_other_team(manager_mei, rep_li, rep_bob):
    north = make_activity(make_customer(rep_li))
    make_activity(make_customer(rep_bob))
    assert list(selectors.activity_list(user=manager_mei)) == [north]


def test_due_window_filters(rep_li):
    customer = make_customer(rep_li)
    now = timezone.now()
    overdue = make_activity(customer, kind=ActivityKind.TASK, due_at=now - dt.timedelta(days=2))
    later = make_activity(customer, kind=ActivityKind.TASK, due_at=now + dt.timedelta(days=30))
    make_activity(customer, kind=ActivityKind.TASK, due_at=now - dt.timedelta(days=3), done=True)
    assert list(selectors.activity_list(user=rep_li, filters=selectors.ActivityFilters(due="overdue"))) == [overdue]
    assert later not in selectors.activity_list(user=rep_li, filters=selectors.ActivityFilters(due="week"))


def test_my_tasks_are_open_and_overdue_first(rep_li, manager_mei):
    customer = make_customer(rep_li)
    now = timezone.now()
    soon = make_activity(customer, kind=ActivityKind.TASK, due_at=now + dt.timedelta(hours=3))
    overdue = make_activity(customer, kind=ActivityKind.TASK, due_at=now - dt.timedelta(days=1))
    assigned = make_activity(customer, owner=manager_mei, kind=ActivityKind.TASK, assignee=rep_li,
                             due_at=now + dt.timedelta(days=1))
    make_activity(customer, kind=ActivityKind.TASK, due_at=now - dt.timedelta(days=5), done=True)
    make_activity(customer, kind=ActivityKind.CALL)
    assert list(selectors.my_tasks(user=rep_li)) == [overdue, soon, assigned]


def test_timeline_mixes_sources_newest_first(rep_li):
    customer = make_customer(rep_li)
    now = timezone.now()
    qualify, propose = make_stage("Qualify", position=1), make_stage("Propose", position=2)
    opportunity = make_opportunity(customer, stage=qualify, name="Big deal")
    opportunity.created_at = now - dt.timedelta(days=3)
    opportunity.save()
    make_stage_change(opportunity, qualify, propose, when=now - dt.timedelta(days=1))
    order = make_order(customer, number="SO-1", total=Decimal("999.00"), order_date=(now - dt.timedelta(days=2)).date())
    call = make_activity(customer, subject="Latest call", occurred_at=now - dt.timedelta(hours=1))
    entries = selectors.customer_timeline(user=rep_li, customer_pk=customer.pk)
    assert [(e.type, e.title) for e in entries] == [
        ("activity", "Latest call"), ("stage_change", "Big deal"), ("order", "SO-1"), ("opportunity", "Big deal"),
    ]
    assert entries[0].obj == call
    assert entries[1].meta == {"from": "Qualify", "to": "Propose"}
    assert entries[2].meta["total"] == Decimal("999.00") and entries[2].obj == order


def test_timeline_of_another_teams_customer_is_not_found(rep_bob, rep_li):
    customer = make_customer(rep_li)
    with pytest.raises(NotFound):
        selectors.customer_timeline(user=rep_bob, customer_pk=customer.pk)


def test_timeline_scopes_each_record(rep_li, manager_mei, rep_lin):
    """Mei (North manager) sees everything on Li's customer; Lin's note there stays hidden from nobody
    in scope, but the customer is not Lin's so Lin gets NotFound."""
    customer = make_customer(rep_li)
    make_activity(customer, owner=manager_mei, subject="Manager visit")
    assert [e.title for e in selectors.customer_timeline(user=manager_mei, customer_pk=customer.pk)] == ["Manager visit"]
    with pytest.raises(NotFound):
        selectors.customer_timeline(user=rep_lin, customer_pk=customer.pk)


def test_timeline_query_count_does_not_grow(rep_li):
    customer = make_customer(rep_li)
    stages = [make_stage(f"S{i}", position=i) for i in range(3)]
    for i in range(5):
        make_activity(customer, subject=f"Call {i}")
        make_order(customer)
        opportunity = make_opportunity(customer, stage=stages[0], name=f"Deal {i}")
        make_stage_change(opportunity, stages[0], stages[1])
    selectors.customer_timeline(user=rep_li, customer_pk=customer.pk)  # warm the permission cache
    with CaptureQueriesContext(connection) as queries:
        entries = selectors.customer_timeline(user=rep_li, customer_pk=customer.pk)
        for entry in entries:  # everything the template touches
            str(getattr(entry.obj, "owner", ""))
    assert len(entries) == 20
    assert len(queries) <= 6
