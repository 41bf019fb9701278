import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.http import QueryDict
from django.utils import timezone

from veracity.activities.tests.factories import make_activity, make_opportunity, make_stage
from veracity.analytics import selectors
from veracity.analytics.models import SalesTarget
from veracity.analytics.selectors import dashboard_filters_parse
from veracity.analytics.services import rollups_refresh, sales_target_create
from veracity.analytics.services.rfm import quintile_scores, rfm_segment
from veracity.analytics.tests.factories import book, customer, product
from veracity.core.errors import PermissionDenied, ValidationFailed

pytestmark = pytest.mark.django_db


def test_pipeline_win_rate_cycle_and_lost_reasons(admin, rep_li):
    today = timezone.localdate()
    buyer = customer(rep_li)
    open_stage = make_stage("Propose", position=1, probability=50)
    won, lost = make_stage("Won!", position=8, kind="won", probability=100), make_stage("Lost!", position=9,
                                                                                          kind="lost", probability=0)
    make_opportunity(buyer, rep_li, stage=open_stage, amount=Decimal("1000"),
                     expected_close_date=today - dt.timedelta(days=3))
    for days in (10, 20):
        opportunity = make_opportunity(buyer, rep_li, stage=won, amount=Decimal("500"), closed_on=today)
        type(opportunity).all_objects.filter(pk=opportunity.pk).update(
            created_at=timezone.now() - dt.timedelta(days=days))
    make_opportunity(buyer, rep_li, stage=lost, amount=Decimal("100"), closed_on=today, lost_reason="price")
    tables = selectors.pipeline_dashboard(user=admin, filters=dashboard_filters_parse(QueryDict()))
    summary = {row[0]: row[2] for row in tables["summary"].rows}
    assert summary["open_value"] >= Decimal("1000.00")
    assert summary["weighted_value"] >= Decimal("500.00")
    assert summary["won"] == 2 and summary["lost"] == 1
    assert summary["win_rate"] == Decimal("66.7")
    assert summary["cycle_days"] == 15.0
    assert tables["lost_reasons"].rows == [("Price", 1)]
    assert [row[0] for row in tables["slipping"].rows] == ["Deal"]


def test_people_revenue_activities_and_target_attainment(admin, manager_mei, rep_li, rep_bob):
    buyer = customer(rep_li)
    book(buyer, dt.date(2026, 3, 2), [(product(), 3, "100.00")])
    make_activity(buyer, rep_li, occurred_at=timezone.make_aware(dt.datetime(2026, 3, 5, 10)))
    rollups_refresh()
    sales_target_create(actor=manager_mei, values={"user": rep_li, "period_start": "2026-03-01",
                                                   "period_end": "2026-03-31", "revenue": "600"})
    tables = selectors.people_dashboard(user=manager_mei, filters=dashboard_filters_parse(
        QueryDict("date_from=2026-03-01&date_to=2026-03-31")))
    li = next(row for row in tables["reps"].rows if row[0] == str(rep_li))
    assert li[2:5] == (Decimal("300.00"), 1, 1)
    assert li[6] == Decimal("600.00") and li[7] == Decimal("50.0")
    assert all(row[1] == "North" for row in tables["reps"].rows)


def test_a_range_cutting_through_target_periods_counts_their_prorated_share(manager_mei, rep_li):
    """The dashboard opens on the last 30 days: a March target of 3,100 over 17–31 March is 15/31 of it,
    and 1–10 April of a 3,000 April target is 1,000."""
    for start, end, revenue in (("2026-03-01", "2026-03-31", "3100"), ("2026-04-01", "2026-04-30", "3000")):
        sales_target_create(actor=manager_mei, values={"user": rep_li, "period_start": start, "period_end": end,
                                                       "revenue": revenue, "orders": 30})
    tables = selectors.people_dashboard(user=manager_mei, filters=dashboard_filters_parse(
        QueryDict("date_from=2026-03-17&date_to=2026-04-10")))
    li = next(row for row in tables["reps"].rows if row[0] == str(rep_li))
    assert li[6] == Decimal("2500.00")   # 1,500 of March + 1,000 of April


def test_manager_sets_targets_for_her_team_only(manager_mei, rep_li, rep_bob):
    with pytest.raises(ValidationFailed) as refused:
        sales_target_create(actor=manager_mei, values={"user": rep_bob, "period_start": "2026-03-01",
                                                       "period_end": "2026-03-31", "revenue": "1"})
    assert "user" in refused.value.fields
    assert not SalesTarget.objects.exists()
    with pytest.raises(PermissionDenied):
        sales_target_create(actor=rep_li, values={"user": rep_li, "period_start": "2026-03-01",
                                                  "period_end": "2026-03-31", "revenue": "1"})


def test_target_period_must_be_ordered_and_unique(manager_mei, rep_li):
    values = {"user": rep_li, "period_start": "2026-03-01", "period_end": "2026-03-31", "revenue": "10"}
    sales_target_create(actor=manager_mei, values=values)
    with pytest.raises(ValidationFailed) as taken:
        sales_target_create(actor=manager_mei, values=values)
    assert taken.value.code == "sales_target_taken"
    with pytest.raises(ValidationFailed) as reversed_period:
        sales_target_create(actor=manager_mei, values={**values, "period_end": "2026-02-01"})
    assert "period_end" in reversed_period.value.fields


def test_rep_sees_only_own_targets_through_the_api(api_client_for, manager_mei, rep_li, rep_lin):
    for person in (rep_li, rep_lin):
        sales_target_create(actor=manager_mei, values={"user": person, "period_start": "2026-03-01",
                                                       "period_end": "2026-03-31", "revenue": "10"})
    body = api_client_for(rep_li).get("/api/v1/sales-targets").json()
    assert [item["username"] for item in body["items"]] == [rep_li.username]


def test_rfm_quintiles_and_segment_names():
    assert quintile_scores([10, 20, 30, 40, 50]) == [1, 2, 3, 4, 5]
    assert quintile_scores([1, 2, 3, 4, 5], higher_is_better=False) == [5, 4, 3, 2, 1]
    assert rfm_segment(5, 5, 5) == "champions"
    assert rfm_segment(1, 1, 1) == "lost"
    assert rfm_segment(2, 4, 4) == "at_risk"
    assert rfm_segment(5, 1, 1) == "new"


def test_report_sales_command_as_a_user_and_as_the_system(rep_li, rep_bob, capsys):
    book(customer(rep_li), dt.date(2026, 3, 2), [(product(), 2, "10.00")])
    book(customer(rep_bob), dt.date(2026, 3, 2), [(product(), 1, "99.00")])
    call_command("report", "sales", "--by", "month", "--from", "2026-03-01", "--to", "2026-03-31",
                 "--format", "json", "--user", rep_li.username)
    rows = json.loads(capsys.readouterr().out)
    assert rows == [{"key": "2026-03-01", "label": "2026-03-01", "revenue": "20.00", "orders": 1,
                     "quantity": "2.000", "customers": 1}]
    call_command("report", "sales", "--by", "rep", "--from", "2026-03-01", "--to", "2026-03-31",
                 "--format", "csv", "--system")
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == "key,label,revenue,orders,quantity,customers"
    assert len(lines) == 3
