import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from veracity.activities.models import ActivityKind
from veracity.activities.tests.factories import (
    make_activity,
    make_customer,
    make_opportunity,
    make_order,
    make_stage,
)
from veracity.workspace import selectors

pytestmark = pytest.mark.django_db


@pytest.fixture
def north_data(rep_li, rep_lin, rep_bob):
    stage = make_stage("Qualify")
    li_customer, bob_customer = make_customer(rep_li, name="李的客户"), make_customer(rep_bob, name="Bob Co")
    make_opportunity(li_customer, stage=stage, amount=Decimal("1000"))
    make_opportunity(li_customer, stage=stage, amount=Decimal("50"), currency="USD")
    make_opportunity(bob_customer, stage=stage, amount=Decimal("99999"))
    make_order(li_customer, total=Decimal("300.00"))
    make_order(li_customer, total=Decimal("200.00"))
    make_order(bob_customer, total=Decimal("7777.00"))
    make_activity(li_customer, kind=ActivityKind.TASK, subject="Overdue quote", due_at=timezone.now() - dt.timedelta(days=1))
    make_activity(li_customer, subject="Call today")
    make_activity(bob_customer, kind=ActivityKind.TASK, subject="Bob task", due_at=timezone.now() - dt.timedelta(days=1))
    return li_customer


def test_team_summary_per_rep(manager_mei, rep_li, rep_lin, north_data, django_assert_max_num_queries):
    with django_assert_max_num_queries(7):  # grants, teams, people, 4 aggregates
        rows = {row.rep.username: row for row in selectors.team_summary(user=manager_mei)}
    assert set(rows) == {"manager_mei", "rep_li", "rep_lin"}
    li = rows["rep_li"]
    assert li.pipeline == [("CNY", Decimal("1000.00")), ("USD", Decimal("50.00"))]
    assert li.orders_count == 2 and li.orders_totals == [("CNY", Decimal("500.00"))]
    assert li.overdue_tasks == 1 and li.activities_this_week == 1
    assert rows["rep_lin"].orders_count == 0


def test_rep_home_shows_own_figures_only(web_client_for, rep_li, north_data):
    html = web_client_for(rep_li).get(reverse("workspace:home")).content.decode()
    assert "Overdue quote" in html and "李的客户" in html and "1,000.00 CNY" in html
    assert "Bob task" not in html and "99,999.00" not in html


def test_manager_home_shows_team_table(web_client_for, manager_mei, north_data):
    html = web_client_for(manager_mei).get(reverse("workspace:home")).content.decode()
    assert "李雷" in html and "500.00 CNY" in html and "Bob" not in html


@pytest.mark.parametrize("persona", ["admin", "marketing_ana", "service_sam", "auditor_aud"])
def test_other_roles_get_an_overview(web_client_for, request, persona, north_data):
    user = request.getfixturevalue(persona)
    response = web_client_for(user).get(reverse("workspace:home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Orders this month" in html and "8,277.00 CNY" in html


def test_overview_figures(marketing_ana, north_data):
    figures = selectors.overview(user=marketing_ana)
    assert figures.orders_count == 3
    assert figures.pipeline == [("CNY", Decimal("100999.00")), ("USD", Decimal("50.00"))]
    assert figures.open_tasks == 2


def test_home_speaks_chinese(web_client_for, manager_mei, settings):
    client = web_client_for(manager_mei)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    html = client.get(reverse("workspace:home")).content.decode()
    assert "本周活动" in html and "我的团队" in html
