"""Reads of analytics, every one scoped to what the user may see (resource `report`)."""

from veracity.analytics.selectors.base import (
    DashboardFilters,
    Table,
    dashboard_filters_parse,
    margin_visible,
    preset_ranges,
    report_scope,
)
from veracity.analytics.selectors.customers import (
    customer_drill_list,
    customers_dashboard,
    customers_figures,
    rfm_rows,
)
from veracity.analytics.selectors.people import people_dashboard, rep_choices, team_choices
from veracity.analytics.selectors.pipeline import pipeline_dashboard
from veracity.analytics.selectors.products import products_dashboard, products_figures
from veracity.analytics.selectors.report import REPORT_COLUMNS, REPORT_GROUPS, sales_report
from veracity.analytics.selectors.sales import overview_figures, sales_figures, sales_overview
from veracity.analytics.selectors.targets import sales_target_get, sales_target_list

# name -> builder(user=, filters=) -> {block key: Table}
DASHBOARDS = {
    "overview": sales_overview,
    "pipeline": pipeline_dashboard,
    "people": people_dashboard,
    "products": products_dashboard,
    "customers": customers_dashboard,
}
# The dashboards whose costly figures are stored per date range and reach (StoredFigures): name ->
# figures(user, filters) -> JSON, computed from the user's report scope alone.
STORED_DASHBOARDS = {
    "overview": overview_figures,
    "products": products_figures,
    "customers": customers_figures,
}

__all__ = [
    "DASHBOARDS", "REPORT_COLUMNS", "STORED_DASHBOARDS", "REPORT_GROUPS", "DashboardFilters", "Table", "customer_drill_list",
    "customers_dashboard", "dashboard_filters_parse", "margin_visible", "people_dashboard", "preset_ranges", "pipeline_dashboard",
    "products_dashboard", "rep_choices", "report_scope", "rfm_rows", "sales_figures", "sales_overview",
    "sales_report", "sales_target_get", "sales_target_list", "team_choices",
]
