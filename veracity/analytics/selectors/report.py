"""`veracity report sales`: sales grouped by a period or a dimension, from the rollups, scoped."""

import datetime as dt
from decimal import Decimal

from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils.translation import gettext as _

from veracity.analytics.errors import InvalidReportFilter
from veracity.analytics.selectors.base import DashboardFilters, money, rollup_rows

REPORT_GROUPS = ("month", "week", "product", "customer", "region", "rep", "category")
REPORT_COLUMNS = ("key", "label", "revenue", "orders", "quantity", "customers")


def sales_report(*, user, by: str, filters: DashboardFilters) -> list[dict]:
    """One row per group: revenue (reporting currency), orders, quantity, distinct customers.

    Orders are counted per order for periods, regions and reps; per product and category they count
    orders containing that product (an order with two products counts once for each)."""
    if by not in REPORT_GROUPS:
        raise InvalidReportFilter("by", _("Choose one of: %(choices)s.") % {"choices": ", ".join(REPORT_GROUPS)})
    lines = by in ("product", "category")
    rows = rollup_rows(user=user, filters=filters, lines=lines)
    group, label = {
        "month": ("period", None), "week": ("period", None), "product": ("product_id", "product__name"),
        "customer": ("customer_id", "customer__name"), "region": ("region", None),
        "rep": ("salesperson_id", "salesperson__username"), "category": ("product__category_id",
                                                                         "product__category__name"),
    }[by]
    if by == "month":
        rows = rows.annotate(period=TruncMonth("day"))
    elif by == "week":
        rows = rows.annotate(period=TruncWeek("day"))
    fields = [group] + ([label] if label else [])
    grouped = rows.values(*fields).annotate(revenue=Sum("revenue_cents"), orders=Sum("orders"),
                                            quantity=Sum("quantity"),
                                            customers=Count("customer_id", distinct=True)).order_by(*fields)
    result = []
    for row in grouped:
        key = row[group]
        if isinstance(key, dt.datetime):
            key = key.date()
        result.append({"key": key.isoformat() if isinstance(key, dt.date) else key,
                       "label": row[label] if label else (key.isoformat() if isinstance(key, dt.date) else key),
                       "revenue": money(row["revenue"] or 0), "orders": row["orders"] or 0,
                       "quantity": Decimal(str(row["quantity"] or 0)).quantize(Decimal("0.001")), "customers": row["customers"] or 0})
    return result


