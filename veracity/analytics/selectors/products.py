"""The products dashboard: best and worst sellers, growth, ABC (Pareto) classes and products bought
together (by the same customer on the same day)."""

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Sum
from django.utils.translation import gettext as _

from veracity.analytics.selectors.base import (
    Column,
    DashboardFilters,
    Table,
    cell_sums,
    change,
    money,
    percent,
    quantity_value,
    rollup_rows,
)
from veracity.analytics.selectors.sales import orders_url
from veracity.catalog.models import Product

A_SHARE, B_SHARE = 0.80, 0.95
TOP = 10


def abc_classes(revenues: list[tuple[int, int]]) -> dict[int, str]:
    """Pareto classes from (product id, revenue) pairs: A up to 80 % of revenue, B to 95 %, then C."""
    total = sum(max(revenue, 0) for _pk, revenue in revenues)
    classes, running = {}, 0
    for pk, revenue in sorted(revenues, key=lambda item: (-item[1], item[0])):
        share_before = running / total if total else 1
        classes[pk] = "A" if share_before < A_SHARE else "B" if share_before < B_SHARE else "C"
        running += max(revenue, 0)
    return classes


def _by_product(user, filters: DashboardFilters) -> dict[int, dict]:
    sums = {"revenue": Sum("revenue_cents"), "quantity": Sum("quantity"), "orders": Sum("orders")}
    rows = cell_sums(user=user, filters=filters, group=("product",), by=("product_id",), lines=True, sums=sums)
    if rows is None:
        rows = rollup_rows(user=user, filters=filters, lines=True).values("product_id").annotate(**sums)
    return {row["product_id"]: row for row in rows}


def products_dashboard(*, user, filters: DashboardFilters) -> dict[str, Table]:
    current = _by_product(user, filters)
    previous = _by_product(user, filters.previous())
    names = dict(Product.all_objects.filter(pk__in=set(current) | set(previous)).values_list("pk", "name"))
    skus = dict(Product.all_objects.filter(pk__in=set(current) | set(previous)).values_list("pk", "sku"))
    classes = abc_classes([(pk, row["revenue"] or 0) for pk, row in current.items()])
    columns = [Column("sku", _("SKU")), Column("product", _("Product")), Column("revenue", _("Revenue"), "decimal"),
               Column("quantity", _("Quantity"), "decimal"), Column("orders", _("Orders"), "int"),
               Column("growth", _("Growth vs previous %"), "percent"), Column("abc", _("ABC class"))]

    def table(key, title, product_ids, chart=None):
        result = Table(key, title, list(columns), chart=chart)
        for pk in product_ids:
            row = current.get(pk) or {"revenue": 0, "quantity": 0, "orders": 0}
            before = (previous.get(pk) or {}).get("revenue")
            result.rows.append((skus.get(pk, ""), names.get(pk, ""), money(row["revenue"] or 0), quantity_value(row["quantity"]),
                                row["orders"] or 0, percent(change(row["revenue"] or 0, before)), classes.get(pk, "")))
            result.links.append(orders_url(filters, product=pk))
        return result

    ranked = sorted(current, key=lambda pk: (-(current[pk]["revenue"] or 0), pk))
    growth = sorted((pk for pk in current if (previous.get(pk) or {}).get("revenue")),
                    key=lambda pk: -(change(current[pk]["revenue"] or 0, previous[pk]["revenue"]) or 0))
    abc = Table("abc", _("ABC classes"), [Column("class", _("Class")), Column("products", _("Products"), "int"),
                                          Column("revenue", _("Revenue"), "decimal")],
                chart={"type": "pie", "x": "class", "y": ["revenue"]})
    for label in ("A", "B", "C"):
        members = [pk for pk, value in classes.items() if value == label]
        abc.rows.append((label, len(members), money(sum(current[pk]["revenue"] or 0 for pk in members))))
        abc.links.append(None)
    return {
        "best": table("best", _("Best sellers"), ranked[:TOP], chart={"type": "bar", "x": "product", "y": ["revenue"]}),
        "worst": table("worst", _("Worst sellers"), list(reversed(ranked[-TOP:])) if ranked else []),
        "growth": table("growth", _("Fastest growing"), growth[:TOP]),
        "abc": abc,
        "all": table("all", _("All products sold"), ranked),
        "together": _bought_together(user, filters, names),
    }


def _bought_together(user, filters: DashboardFilters, names: dict[int, str]) -> Table:
    """Pairs of products bought by the same customer on the same day, most frequent first."""
    rows = rollup_rows(user=user, filters=filters, lines=True).values("day", "customer_id", "product_id").distinct()
    try:
        sql, params = rows.query.sql_with_params()
    except EmptyResultSet:   # nothing can match (a team with no members)
        sql, params = None, ()
    pairs = []
    if sql is not None:
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH basket AS ({sql}) SELECT a.product_id, b.product_id, COUNT(*) AS times FROM basket a "
                "JOIN basket b ON a.day = b.day AND a.customer_id = b.customer_id AND a.product_id < b.product_id "
                "GROUP BY a.product_id, b.product_id ORDER BY times DESC, a.product_id, b.product_id LIMIT 15",
                params)
            pairs = cursor.fetchall()
    missing = {pk for pair in pairs for pk in pair[:2]} - set(names)
    names = {**names, **dict(Product.all_objects.filter(pk__in=missing).values_list("pk", "name"))}
    table = Table("together", _("Bought together"), [
        Column("product_a", _("Product")), Column("product_b", _("Bought with")), Column("times", _("Times"), "int")])
    for first, second, times in pairs:
        table.rows.append((names.get(first, ""), names.get(second, ""), times))
        table.links.append(orders_url(filters, product=first))
    return table
