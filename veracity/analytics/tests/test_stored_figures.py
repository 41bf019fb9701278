"""Stored dashboard figures (decision 0010): the overview, products and customers pages show the same figures from a
stored copy as computed fresh, per reach; outdated copies are shown only briefly and say so; the
scheduled jobs bring them up to date and prepare the preset ranges."""

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from veracity.analytics import selectors
from veracity.analytics.models import RollupCursor, StoredFigures
from veracity.analytics.selectors import DashboardFilters
from veracity.analytics.selectors.base import STALE_SHOWN, rollups_data_version, stored_figures
from veracity.analytics.services import customer_rfm_refresh, rollups_rebuild, rollups_refresh
from veracity.analytics.services.stored_figures import (
    stored_figures_ensure,
    stored_figures_prepare,
    stored_figures_refresh,
)
from veracity.analytics.tests.factories import book, customer, product

pytestmark = pytest.mark.django_db
MARCH = DashboardFilters(date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 3, 31))
RAGGED = DashboardFilters(date_from=dt.date(2026, 2, 20), date_to=dt.date(2026, 3, 10))


@pytest.fixture
def sales(rep_li, rep_bob):
    widget, gadget = product(name="Widget"), product(name="Gadget")
    li_customer, bob_customer = customer(rep_li, industry="manufacturing"), customer(rep_bob, industry="retail")
    book(li_customer, dt.date(2026, 3, 2), [(widget, 2, "100.00"), (gadget, 1, "30.00")])
    book(li_customer, dt.date(2026, 2, 25), [(gadget, 1, "50.00")])
    book(bob_customer, dt.date(2026, 3, 3), [(widget, 1, "1000.00"), (gadget, 3, "10.00")], region="east")
    book(bob_customer, dt.date(2026, 3, 9), [(widget, 1, "500.00")], salesperson=rep_li)
    rollups_refresh()
    customer_rfm_refresh(today=dt.date(2026, 3, 31))
    return {"widget": widget, "gadget": gadget, "li": li_customer, "bob": bob_customer}


def _rows(tables: dict) -> dict:
    return {key: (table.rows, table.links) for key, table in tables.items()}


@pytest.mark.parametrize("dashboard", ["overview", "products", "customers"])
@pytest.mark.parametrize("filters", [MARCH, RAGGED], ids=["whole-month", "ragged"])
def test_stored_figures_draw_the_same_tables_as_computed_ones(dashboard, filters, admin, manager_mei, rep_li,
                                                              rep_bob, sales):
    for user in (admin, manager_mei, rep_li, rep_bob):
        computed = _rows(selectors.DASHBOARDS[dashboard](user=user, filters=filters))
        stored = stored_figures_ensure(user=user, dashboard=dashboard, filters=filters)
        assert stored is not None and stored.is_current
        assert stored_figures(user, dashboard, filters) is not None
        assert _rows(selectors.DASHBOARDS[dashboard](user=user, filters=filters)) == computed


def test_stored_overview_shows_margin_only_to_those_who_may_see_cost(admin, marketing_ana, web_client_for, sales):
    stored = stored_figures_ensure(user=admin, dashboard="overview", filters=MARCH)
    assert StoredFigures.key_for(selectors.base.report_people(marketing_ana)) == stored.reach_key == "all"
    assert not selectors.margin_visible(marketing_ana)
    marketing_kpis = selectors.sales_overview(user=marketing_ana, filters=MARCH)["kpis"].rows
    admin_kpis = selectors.sales_overview(user=admin, filters=MARCH)["kpis"].rows
    assert [row[0] for row in marketing_kpis] == [row[0] for row in admin_kpis if not row[0].startswith("margin")]
    assert marketing_kpis[0] == admin_kpis[0] and admin_kpis[0][2] == Decimal("1760.00")
    url = reverse("analytics:overview") + "?" + MARCH.query()
    assert "Gross margin" not in web_client_for(marketing_ana).get(url).content.decode()
    assert "Gross margin" in web_client_for(admin).get(url).content.decode()
    assert StoredFigures.objects.filter(dashboard="overview").count() == 1   # both read the one stored copy


def test_each_reach_gets_its_own_figures_and_same_reach_users_share_them(rep_li, rep_bob, sales):
    li = stored_figures_ensure(user=rep_li, dashboard="products", filters=MARCH)
    bob = stored_figures_ensure(user=rep_bob, dashboard="products", filters=MARCH)
    assert li.reach_key != bob.reach_key and StoredFigures.objects.count() == 2
    # Bob's customer bought widgets for 1,500 (1,000 sold by Bob, 500 by Li); Li reaches only the 500 she sold.
    li_best = selectors.products_dashboard(user=rep_li, filters=MARCH)["best"].rows
    bob_best = selectors.products_dashboard(user=rep_bob, filters=MARCH)["best"].rows
    assert [row[2] for row in li_best if row[1] == "Widget"] == [700]
    assert [row[2] for row in bob_best if row[1] == "Widget"] == [1500]
    assert stored_figures_ensure(user=rep_li, dashboard="products", filters=MARCH).pk == li.pk


def test_filters_beyond_the_dates_and_other_dashboards_are_never_stored(rep_li, sales):
    filters = DashboardFilters(date_from=MARCH.date_from, date_to=MARCH.date_to, region="east")
    assert stored_figures_ensure(user=rep_li, dashboard="products", filters=filters) is None
    assert stored_figures_ensure(user=rep_li, dashboard="overview", filters=filters) is None
    assert stored_figures_ensure(user=rep_li, dashboard="pipeline", filters=MARCH) is None
    assert not StoredFigures.objects.exists()


def test_outdated_figures_are_shown_briefly_with_their_time_then_computed_again(rep_li, web_client_for, sales):
    query = f"?date_from={MARCH.date_from}&date_to={MARCH.date_to}"
    client = web_client_for(rep_li)
    assert client.get("/analytics/products/" + query).status_code == 200
    stored = StoredFigures.objects.get()
    assert stored.read_at is not None and "data-as-of" not in client.get("/analytics/products/" + query).content.decode()
    book(sales["li"], dt.date(2026, 3, 20), [(sales["gadget"], 5, "20.00")])
    page = client.get("/analytics/products/" + query).content.decode()   # the refresh moves the data on
    assert rollups_data_version() > stored.data_version
    assert "data-as-of" in page and "As of" in page
    StoredFigures.objects.update(computed_at=timezone.now() - STALE_SHOWN - dt.timedelta(minutes=1))
    page = client.get("/analytics/products/" + query).content.decode()
    assert "data-as-of" not in page
    assert StoredFigures.objects.get().data_version == rollups_data_version()
    gadget = [row for row in selectors.products_dashboard(user=rep_li, filters=MARCH)["best"].rows
              if row[1] == "Gadget"]
    assert gadget[0][2] == 130   # 30 + the 100 booked later


def test_exports_never_write_outdated_stored_figures(rep_li, web_client_for, sales):
    client, query = web_client_for(rep_li), "?format=csv&" + MARCH.query()
    assert "data-as-of" not in client.get("/analytics/products/" + query).content.decode()
    book(sales["li"], dt.date(2026, 3, 20), [(sales["gadget"], 5, "20.00")])
    assert "data-as-of" in client.get("/analytics/products/" + query).content.decode()   # the page says so
    export = b"".join(client.get(reverse("analytics:export", args=["products", "best"]) + query).streaming_content)
    gadget = next(row for row in export.decode("utf-8-sig").splitlines() if ",Gadget," in row)
    assert ",130.00," in gadget   # the booking after the stored figures is in the file
    assert StoredFigures.objects.get().data_version == rollups_data_version()


def test_overview_says_as_of_until_its_stored_figures_catch_up(rep_li, web_client_for, sales):
    client, url = web_client_for(rep_li), "/analytics/?" + MARCH.query()
    before = client.get(url).content.decode()
    book(sales["li"], dt.date(2026, 3, 20), [(sales["gadget"], 5, "20.00")])
    stale = client.get(url).content.decode()
    assert "data-as-of" not in before and "data-as-of" in stale
    revenue = selectors.sales_overview(user=rep_li, filters=MARCH)["kpis"].rows[0][2]
    assert stored_figures_refresh() == 1
    assert selectors.sales_overview(user=rep_li, filters=MARCH)["kpis"].rows[0][2] == revenue + 100
    assert "data-as-of" not in client.get(url).content.decode()


def test_scheduled_refresh_recomputes_figures_read_lately_and_drops_old_ones(rep_li, rep_bob, sales):
    li = stored_figures_ensure(user=rep_li, dashboard="customers", filters=MARCH)
    old = stored_figures_ensure(user=rep_bob, dashboard="customers", filters=MARCH)
    StoredFigures.objects.filter(pk=old.pk).update(read_at=timezone.now() - dt.timedelta(days=8))
    book(sales["li"], dt.date(2026, 3, 21), [(sales["widget"], 1, "10.00")])
    rollups_refresh()
    assert stored_figures_refresh() == 1
    li.refresh_from_db()
    assert li.data_version == rollups_data_version()
    assert not StoredFigures.objects.filter(pk=old.pk).exists()
    assert stored_figures_refresh() == 0   # nothing behind any more


def test_refresh_leaves_figures_of_a_reach_that_changed(manager_mei, rep_li, sales, team_south):
    stored = stored_figures_ensure(user=manager_mei, dashboard="products", filters=MARCH)
    rep_li.team = team_south   # Mei's team scope now reaches other people: a new reach, new figures
    rep_li.save()
    book(sales["li"], dt.date(2026, 3, 21), [(sales["widget"], 1, "10.00")])
    rollups_refresh()
    assert stored_figures_refresh() == 0
    assert StoredFigures.objects.get(pk=stored.pk).data_version == stored.data_version


def test_nightly_job_prepares_the_preset_ranges_for_reaches_read_lately(rep_li, sales):
    stored_figures_ensure(user=rep_li, dashboard="products", filters=MARCH)
    today = dt.date(2026, 3, 31)   # "this month" is March, stored already; "this year" is "this quarter"
    assert stored_figures_prepare(today=today) == 4
    ranges = set(StoredFigures.objects.filter(read_at__isnull=True).values_list("date_from", "date_to"))
    assert (dt.date(2026, 3, 2), today) in ranges and (dt.date(2026, 1, 1), today) in ranges
    assert stored_figures_prepare(today=today) == 0   # all current


def test_data_version_moves_with_every_change_dashboards_read(rep_li, sales):
    version = rollups_data_version()
    rollups_refresh()
    assert rollups_data_version() == version          # nothing changed
    book(sales["li"], dt.date(2026, 3, 22), [(sales["widget"], 1, "10.00")])
    rollups_refresh()
    assert rollups_data_version() == version + 1
    customer_rfm_refresh(today=dt.date(2026, 3, 31))
    assert rollups_data_version() == version + 2
    rollups_rebuild()
    assert rollups_data_version() > version + 2
    assert RollupCursor.objects.get(pk=1).data_version == rollups_data_version()


def test_rollups_command_prepares_and_refreshes_stored_figures(rep_li, sales):
    stored_figures_ensure(user=rep_li, dashboard="customers", filters=MARCH)
    out = StringIO()
    call_command("rollups", "prepare", stdout=out)
    assert "stored dashboard figures computed" in out.getvalue()
    assert StoredFigures.objects.filter(read_at__isnull=True).count() >= 4
    book(sales["li"], dt.date(2026, 3, 23), [(sales["widget"], 1, "10.00")])
    call_command("rollups", "refresh", stdout=out)
    assert "1 stored dashboard figures recomputed" in out.getvalue()


def test_api_says_when_the_figures_it_returns_are_behind(rep_li, api_client_for, sales):
    url = f"/api/v1/analytics/dashboards/customers?date_from={MARCH.date_from}&date_to={MARCH.date_to}"
    client = api_client_for(rep_li)
    first = client.get(url).json()
    assert first["as_of"] is None and StoredFigures.objects.count() == 1
    book(sales["li"], dt.date(2026, 3, 24), [(sales["widget"], 1, "10.00")])
    behind = client.get(url).json()
    assert behind["as_of"] is not None and behind["blocks"] == first["blocks"]
