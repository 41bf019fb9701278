"""Dashboard figures equal hand-computed values, and every figure, drill-down and export stays inside
what the user may see."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.http import QueryDict
from django.urls import reverse

from veracity.analytics import selectors
from veracity.analytics.selectors import dashboard_filters_parse
from veracity.analytics.selectors.base import RowsOnDemand
from veracity.analytics.selectors.sales import orders_url
from veracity.analytics.services import customer_rfm_refresh, rollups_refresh
from veracity.analytics.tests.factories import book, customer, product
from veracity.core.errors import PermissionDenied

pytestmark = pytest.mark.django_db
MARCH = QueryDict("date_from=2026-03-01&date_to=2026-03-31")


@pytest.fixture
def sales(rep_li, rep_bob):
    """Li: 2 × 100 + 1 × 50 CNY on two days; Bob: 1 × 1000. Every unit costs 60."""
    item, other = product(name="Widget"), product(name="=HYPERLINK(\"http://x\")")
    li_customer, bob_customer = customer(rep_li, industry="manufacturing"), customer(rep_bob, industry="retail")
    orders = {
        "li1": book(li_customer, dt.date(2026, 3, 2), [(item, 2, "100.00")]),
        "li2": book(li_customer, dt.date(2026, 3, 3), [(other, 1, "50.00")]),
        "bob": book(bob_customer, dt.date(2026, 3, 3), [(item, 1, "1000.00")], channel="online"),
        "draft": book(bob_customer, dt.date(2026, 3, 4), [(item, 9, "9.00")], status="draft"),
        "feb": book(li_customer, dt.date(2026, 2, 10), [(item, 1, "80.00")]),
    }
    rollups_refresh()
    return orders


def test_overview_figures_equal_hand_computed_values(admin, sales):
    figures = selectors.sales_figures(user=admin, filters=dashboard_filters_parse(MARCH))
    assert figures.revenue_cents == 125000          # 200 + 50 + 1000; the draft does not count
    assert figures.orders == 3
    assert figures.aov_cents == 41667               # 1250 / 3
    assert figures.customers == 2
    assert figures.new_customers == 1               # Li's customer first bought in February
    assert figures.returning_customers == 1
    assert figures.margin_cents == 125000 - 24000   # 4 units × 60
    previous = selectors.sales_figures(user=admin, filters=dashboard_filters_parse(MARCH).previous())
    assert (previous.revenue_cents, previous.orders) == (8000, 1)


def test_rep_sees_only_figures_of_own_customers(rep_li, rep_bob, sales):
    li = selectors.sales_figures(user=rep_li, filters=dashboard_filters_parse(MARCH))
    bob = selectors.sales_figures(user=rep_bob, filters=dashboard_filters_parse(MARCH))
    assert (li.revenue_cents, li.orders, li.customers) == (25000, 2, 1)
    assert (bob.revenue_cents, bob.orders, bob.customers) == (100000, 1, 1)


def test_manager_sees_her_team_and_not_the_other(manager_mei, sales):
    mei = selectors.sales_figures(user=manager_mei, filters=dashboard_filters_parse(MARCH))
    assert mei.revenue_cents == 25000


def test_user_without_report_permission_is_refused(service_sam, sales):
    with pytest.raises(PermissionDenied):
        selectors.sales_figures(user=service_sam, filters=dashboard_filters_parse(MARCH))


def test_gross_margin_is_shown_only_to_roles_that_may_see_cost(web_client_for, rep_li, manager_mei, sales):
    rep_page = web_client_for(rep_li).get(reverse("analytics:overview") + "?" + MARCH.urlencode())
    manager_page = web_client_for(manager_mei).get(reverse("analytics:overview") + "?" + MARCH.urlencode())
    assert rep_page.status_code == manager_page.status_code == 200
    assert "Gross margin" not in rep_page.content.decode()
    assert "Gross margin" in manager_page.content.decode()
    export = web_client_for(rep_li).get(reverse("analytics:export", args=["overview", "kpis"]) + "?" + MARCH.urlencode())
    assert "margin" not in b"".join(export.streaming_content).decode()


def test_filters_round_trip_through_the_url(admin, rep_bob, web_client_for, sales):
    params = QueryDict(f"date_from=2026-03-01&date_to=2026-03-31&rep={rep_bob.pk}&channel=online&region=north"
                       "&currency=cny")
    filters = dashboard_filters_parse(params)
    assert dashboard_filters_parse(QueryDict(filters.query())) == filters
    assert filters.currency == "CNY"
    page = web_client_for(admin).get(reverse("analytics:products") + "?" + params.urlencode())
    assert page.status_code == 200
    assert filters.query().replace("&", "&amp;") in page.content.decode()


def test_a_bad_filter_is_reported_and_the_default_period_shown(admin, web_client_for, sales):
    page = web_client_for(admin).get(reverse("analytics:overview") + "?date_from=2026-13-01")
    assert page.status_code == 200
    assert "Enter a date such as 2026-03-05." in page.content.decode()


def test_drill_down_shows_only_the_orders_the_rep_may_see(rep_li, web_client_for, sales):
    client = web_client_for(rep_li)
    tables = selectors.sales_overview(user=rep_li, filters=dashboard_filters_parse(MARCH))
    link = tables["channels"].links[0]
    assert link.startswith(reverse("sales:order_list"))
    page = client.get(link).content.decode()
    assert sales["li1"].number in page and sales["li2"].number in page
    assert sales["bob"].number not in page and sales["feb"].number not in page
    product_link = selectors.products_dashboard(user=rep_li, filters=dashboard_filters_parse(MARCH))["best"].links[0]
    page = client.get(product_link).content.decode()
    assert sales["li1"].number in page and sales["li2"].number not in page


def test_export_writes_the_table_with_formulas_neutralised(admin, web_client_for, sales):
    response = web_client_for(admin).get(
        reverse("analytics:export", args=["products", "best"]) + "?format=csv&" + MARCH.urlencode())
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:3] == ["SKU", "Product", "Revenue"]
    by_name = {row[1]: row for row in rows[1:]}
    assert by_name["Widget"][2] == "1200.00"
    assert "'=HYPERLINK(\"http://x\")" in by_name
    xlsx = web_client_for(admin).get(
        reverse("analytics:export", args=["products", "best"]) + "?format=xlsx&" + MARCH.urlencode())
    assert b"".join(xlsx.streaming_content)[:2] == b"PK"


def test_rep_cannot_export_beyond_own_scope(rep_li, web_client_for, sales):
    response = web_client_for(rep_li).get(
        reverse("analytics:export", args=["overview", "channels"]) + "?format=csv&" + MARCH.urlencode())
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "250.00" in body and "1000.00" not in body


def test_products_best_sellers_abc_and_bought_together(admin, rep_li, sales):
    widget = sales["li1"].lines.get().product
    extra = product(name="Gadget")
    book(sales["li1"].customer, dt.date(2026, 3, 2), [(extra, 1, "10.00")])
    rollups_refresh()
    tables = selectors.products_dashboard(user=admin, filters=dashboard_filters_parse(MARCH))
    assert tables["best"].rows[0][1] == "Widget" and tables["best"].rows[0][2] == Decimal("1200.00")
    assert [row[0] for row in tables["abc"].rows] == ["A", "B", "C"]
    assert tables["together"].rows == [("Widget", "Gadget", 1)] or tables["together"].rows == [("Gadget", "Widget", 1)]
    assert widget.name == "Widget"
    # Each product row links to the order list filtered by the period and that product.
    filters = dashboard_filters_parse(MARCH)
    assert tables["best"].links[0] == orders_url(filters, product=widget.pk)


def test_products_show_summed_fractional_quantities_as_entered(admin, rep_li, web_client_for, sales):
    """SQLite sums decimals as floats: 2.2 + 1.1 must read 3.3 on the page, not 3.30000000000000."""
    cable = product(name="Cable")
    book(sales["li1"].customer, dt.date(2026, 3, 5), [(cable, "2.2", "10.00")])
    book(sales["li1"].customer, dt.date(2026, 3, 6), [(cable, "1.1", "10.00")])
    rollups_refresh()
    tables = selectors.products_dashboard(user=admin, filters=dashboard_filters_parse(MARCH))
    row = next(row for row in tables["all"].rows if row[1] == "Cable")
    assert str(row[3]) == "3.3"
    page = web_client_for(admin).get(reverse("analytics:products") + "?" + MARCH.urlencode())
    assert "3.3<" in page.content.decode() and "3.30000" not in page.content.decode()


def test_customers_dashboard_segments_and_industry(admin, rep_li, sales):
    customer_rfm_refresh(today=dt.date(2026, 3, 31))
    tables = selectors.customers_dashboard(user=admin, filters=dashboard_filters_parse(MARCH))
    industries = {row[0]: row[1] for row in tables["industry"].rows}
    assert industries == {"Manufacturing": Decimal("250.00"), "Retail": Decimal("1000.00")}
    assert sum(row[1] for row in tables["segments"].rows) == 2
    li_tables = selectors.customers_dashboard(user=rep_li, filters=dashboard_filters_parse(MARCH))
    assert sum(row[1] for row in li_tables["segments"].rows) == 1


def test_cohort_retention_counts_repeat_buyers(admin, sales):
    filters = dashboard_filters_parse(QueryDict("date_from=2026-02-01&date_to=2026-03-31"))
    table = selectors.customers_dashboard(user=admin, filters=filters)["cohorts"]
    february = next(row for row in table.rows if row[0] == "2026-02")
    assert february[1] == 1 and february[2] == Decimal("100.0")   # Li's customer bought again in March


def test_every_dashboard_page_renders_for_a_rep(rep_li, web_client_for, sales):
    client = web_client_for(rep_li)
    for name in ("overview", "pipeline", "people", "products", "customers"):
        response = client.get(reverse(f"analytics:{name}") + "?" + MARCH.urlencode())
        assert response.status_code == 200, name
        assert "data-chart" in response.content.decode() or name == "pipeline"


def test_long_tables_format_only_the_rows_that_are_read():
    built = []
    rows = RowsOnDemand([3, 1, 2], lambda key: built.append(key) or (key, f"row {key}"))
    assert rows[:2] == [(3, "row 3"), (1, "row 1")] and built == [3, 1]   # the page reads the first rows
    assert rows[0] == (3, "row 3") and built == [3, 1]                    # each row is built once
    assert list(rows) == [(3, "row 3"), (1, "row 1"), (2, "row 2")] and len(rows) == 3   # the export reads all
    assert rows == [(3, "row 3"), (1, "row 1"), (2, "row 2")] and built == [3, 1, 2]
