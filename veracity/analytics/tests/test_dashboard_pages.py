"""What the dashboard pages show a person (the figures themselves are tested in test_dashboards): period
presets that carry their range in the URL, key figures named in words, drill-down criteria in words."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from veracity.analytics.selectors import dashboard_filters_parse
from veracity.analytics.tests.factories import book, customer, product
from veracity.analytics.views import period_presets

pytestmark = pytest.mark.django_db


def test_period_presets_set_the_range_and_keep_the_other_filters():
    filters = dashboard_filters_parse({"region": "east", "date_from": "2026-10-01", "date_to": "2026-11-18"},
                                      today=dt.date(2026, 11, 18))
    presets = {preset["key"]: preset for preset in period_presets(filters, dt.date(2026, 11, 18))}
    assert presets["this_quarter"]["query"] == "date_from=2026-10-01&date_to=2026-11-18&region=east"
    assert presets["this_quarter"]["active"] and not presets["this_month"]["active"]
    assert "date_from=2026-07-01&date_to=2026-09-30" in presets["last_quarter"]["query"]
    assert "date_from=2026-11-01&date_to=2026-11-18" in presets["this_month"]["query"]
    assert "date_from=2026-01-01&date_to=2026-11-18" in presets["this_year"]["query"]
    assert "date_from=2026-10-20&date_to=2026-11-18" in presets["last_30_days"]["query"]
    assert "date_from=2025-11-19&date_to=2026-11-18" in presets["last_365_days"]["query"]


def test_last_quarter_in_january_is_the_previous_years_fourth_quarter():
    filters = dashboard_filters_parse({}, today=dt.date(2027, 1, 5))
    presets = {preset["key"]: preset for preset in period_presets(filters, dt.date(2027, 1, 5))}
    assert "date_from=2026-10-01&date_to=2026-12-31" in presets["last_quarter"]["query"]


def test_key_figures_show_translated_names_not_metric_keys(manager_mei, rep_li, web_client_for):
    book(customer(rep_li), timezone.localdate(), [(product(), 1, "100.00")])
    page = web_client_for(manager_mei).get("/analytics/").content.decode()
    table = page[page.index('id="block-kpis"'):]
    table = table[:table.index("</table>")]
    cells = re.findall(r"<td[^>]*>(?:<a [^>]*>)?([^<]*)", table)
    assert "Average order value" in cells and "Revenue" in cells
    assert not {"revenue", "aov", "orders", "new_customers"} & set(cells)
    assert 'data-kpi="revenue"' in page and "vs same period last year" in page


def test_customer_drill_names_its_criteria_in_words(manager_mei, web_client_for):
    page = web_client_for(manager_mei).get("/analytics/customers/list/?segment=at_risk&industry=-").content.decode()
    assert "Segment: At risk" in page and "Industry: Unknown" in page
    assert "segment: at_risk" not in page


def test_product_names_with_markup_are_shown_as_text_in_dashboard_tables(manager_mei, rep_li, web_client_for):
    book(customer(rep_li), timezone.localdate(), [(product(name='<script>alert("x")</script> & Co'), 1, "100.00")])
    page = web_client_for(manager_mei).get("/analytics/products/").content.decode()
    best = page[page.index('id="block-best"'):]
    best = best[:best.index("</table>")]
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co" in best
    assert "<script>alert" not in page
    assert re.search(r'<td><a href="/orders/\?date_from=[^"]*&amp;counted=on&amp;product=\d+">SKU-', best)  # escaped once
