"""The products dashboard: best and worst sellers, growth, ABC (Pareto) classes and products bought
together (by the same customer on the same day)."""

import datetime as dt

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Sum
from django.utils.translation import gettext as _

from veracity.accounts.models import Scope
from veracity.analytics.models import ProductPairCell, SalesLineDaily
from veracity.analytics.selectors.base import (
    ORDER_ATTRIBUTE_FILTERS,
    Column,
    DashboardFilters,
    RowsOnDemand,
    Table,
    cell_sums,
    change,
    money,
    percent,
    quantity_value,
    report_scope,
    rollup_rows,
    rollup_scope_q,
    scope_people,
    stored_figures,
    stored_note,
    whole_months,
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


def products_figures(user, filters: DashboardFilters) -> dict:
    """What the page is drawn from, as stored (JSON): per product [revenue cents, quantity, orders] in the
    period and the one before, and the top pairs bought together."""
    def by_product(period):
        return {str(pk): [row["revenue"] or 0, str(quantity_value(row["quantity"])), row["orders"] or 0]
                for pk, row in _by_product(user, period).items()}

    return {"current": by_product(filters), "previous": by_product(filters.previous()),
            "pairs": [list(pair) for pair in bought_together_pairs(user, filters)]}


def _product_labels(ids) -> dict[int, tuple[str, str]]:
    """(SKU, name) of each product id. The ids are written into the statement as integers: bound one by
    one through the ORM's `pk__in`, the thousands a product list holds cost more than reading them."""
    ids = sorted({int(pk) for pk in ids})
    if not ids:
        return {}
    table = connection.ops.quote_name(Product._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, sku, name FROM {table} WHERE id IN ({','.join(map(str, ids))})")
        return {pk: (sku, name) for pk, sku, name in cursor.fetchall()}


def products_dashboard(*, user, filters: DashboardFilters) -> dict[str, Table]:
    stored = stored_figures(user, "products", filters)
    figures = stored.figures if stored is not None else products_figures(user, filters)
    # [revenue cents, quantity as text, orders] per product id; a row is formatted only when shown.
    current = {int(pk): values for pk, values in figures["current"].items()}
    previous = {int(pk): values[0] for pk, values in figures["previous"].items()}
    labels = _product_labels(current.keys() | {pk for pair in figures["pairs"] for pk in pair[:2]})
    classes = abc_classes([(pk, values[0] or 0) for pk, values in current.items()])
    columns = [Column("sku", _("SKU")), Column("product", _("Product")), Column("revenue", _("Revenue"), "decimal"),
               Column("quantity", _("Quantity"), "decimal"), Column("orders", _("Orders"), "int"),
               Column("growth", _("Growth vs previous %"), "percent"), Column("abc", _("ABC class"))]

    # One reverse() for every row's link (the list of all products sold has thousands): the product goes
    # last, as orders_url(filters, product=pk) would put it.
    orders_base = orders_url(filters)

    def row(pk) -> tuple:
        revenue, quantity, orders = current.get(pk) or (0, "0", 0)
        sku, name = labels.get(pk, ("", ""))
        return (sku, name, money(revenue or 0), quantity_value(quantity), orders or 0,
                percent(change(revenue or 0, previous.get(pk))), classes.get(pk, ""))

    def table(key, title, product_ids, chart=None):
        return Table(key, title, list(columns), rows=RowsOnDemand(product_ids, row),
                     links=RowsOnDemand(product_ids, lambda pk: f"{orders_base}&product={pk}"),  # an id needs no quoting
                     chart=chart)

    ranked = sorted(current, key=lambda pk: (-(current[pk][0] or 0), pk))
    growth = sorted((pk for pk in current if previous.get(pk)),
                    key=lambda pk: -(change(current[pk][0] or 0, previous[pk]) or 0))
    abc = Table("abc", _("ABC classes"), [Column("class", _("Class")), Column("products", _("Products"), "int"),
                                          Column("revenue", _("Revenue"), "decimal")],
                chart={"type": "pie", "x": "class", "y": ["revenue"]})
    for label in ("A", "B", "C"):
        members = [pk for pk, value in classes.items() if value == label]
        abc.rows.append((label, len(members), money(sum(current[pk][0] or 0 for pk in members))))
        abc.links.append(None)
    tables = {
        "best": table("best", _("Best sellers"), ranked[:TOP], chart={"type": "bar", "x": "product", "y": ["revenue"]}),
        "worst": table("worst", _("Worst sellers"), list(reversed(ranked[-TOP:])) if ranked else []),
        "growth": table("growth", _("Fastest growing"), growth[:TOP]),
        "abc": abc,
        "all": table("all", _("All products sold"), ranked),
        "together": _bought_together(filters, labels, [tuple(pair) for pair in figures["pairs"]]),
    }
    return stored_note(tables, stored)


PAIRS_TOP = 15


def _sql(queryset) -> tuple[str, tuple] | None:
    try:
        return queryset.query.sql_with_params()
    except EmptyResultSet:   # nothing can match (a team with no members)
        return None


def _basket_rows(user, filters: DashboardFilters) -> tuple[list, list[tuple[str, tuple]]]:
    """Where bought-together pairs come from: ([pair-cell querysets], [basket-row SQL parts]).

    Without an order-attribute filter, the range's whole months read the pair cells (of the scope's owners)
    and the basket rows are the ragged ends' daily line rows plus, for an own or team scope, the whole
    months' rows reached only as salesperson (their owner is outside the scope, so no cell of theirs is
    read). Each basket (one customer and day) is in exactly one part. With such a filter, every basket row
    of the range (the filter is on the rows, not on baskets)."""
    whole = whole_months(filters.date_from, filters.date_to)
    if whole is None or any(getattr(filters, name) for name in ORDER_ATTRIBUTE_FILTERS):
        rows = rollup_rows(user=user, filters=filters, lines=True)
        sql = _sql(rows.values("day", "customer_id", "product_id").distinct())
        return [], [sql] if sql else []
    scope = report_scope(user)
    cells = ProductPairCell.objects.filter(month__gte=whole[0], month__lt=whole[1])
    parts = []
    if scope != Scope.ALL:
        people = scope_people(user, scope)
        cells = cells.filter(owner_id__in=people)
        parts.append(SalesLineDaily.objects.filter(day__gte=whole[0], day__lt=whole[1], salesperson_id__in=people)
                     .exclude(owner_id__in=people))
    for edge in ((filters.date_from, whole[0] - dt.timedelta(days=1)), (whole[1], filters.date_to)):
        if edge[0] <= edge[1]:
            parts.append(SalesLineDaily.objects.filter(rollup_scope_q(user, scope, edge), day__range=edge))
    sqls = [sql for sql in (_sql(part.values("day", "customer_id", "product_id").distinct()) for part in parts) if sql]
    return [cells], sqls


BASKET_TABLE = "veracity_basket_rows"


def bought_together_pairs(user, filters: DashboardFilters, *, top: int = PAIRS_TOP) -> list[tuple[int, int, int]]:
    """The `top` pairs of products bought by the same customer on the same day in the range, within the
    user's report scope: (product a, product b, baskets), most frequent first, ties by product id. Whole
    months read ProductPairCell, the rest is a self-join over the basket rows; one statement adds them.

    The basket rows go into an indexed temporary table first (this connection's own): joined as a CTE,
    SQLite's planner sometimes skipped its automatic index and compared every row with every other one
    (10 s for a rep's 10,000 rows at 10M lines, after an ANALYZE)."""
    cells, baskets = _basket_rows(user, filters)
    unions, params = [], []
    for queryset in cells:
        sql = _sql(queryset.values_list("product_a", "product_b", "baskets"))
        if sql:
            unions.append(f"SELECT product_a, product_b, baskets AS times FROM ({sql[0]}) cells")
            params.extend(sql[1])
    if not unions and not baskets:
        return []
    with connection.cursor() as cursor:
        if baskets:
            cursor.execute(f"DROP TABLE IF EXISTS {BASKET_TABLE}")
            cursor.execute(f"CREATE TEMPORARY TABLE {BASKET_TABLE} (day date, customer_id bigint, product_id bigint)")
            for sql, part_params in baskets:
                cursor.execute(f"INSERT INTO {BASKET_TABLE} (day, customer_id, product_id) {sql}", part_params)
            cursor.execute(f"CREATE INDEX {BASKET_TABLE}_key ON {BASKET_TABLE} (day, customer_id, product_id)")
            unions.insert(0, f"SELECT a.product_id AS product_a, b.product_id AS product_b, COUNT(*) AS times"
                             f" FROM {BASKET_TABLE} a JOIN {BASKET_TABLE} b ON a.day = b.day"
                             " AND a.customer_id = b.customer_id AND a.product_id < b.product_id"
                             " GROUP BY a.product_id, b.product_id")
        try:
            cursor.execute(
                f"SELECT product_a, product_b, SUM(times) AS total FROM ({' UNION ALL '.join(unions)}) pairs"
                " GROUP BY product_a, product_b ORDER BY total DESC, product_a, product_b LIMIT %s", [*params, top])
            return [(first, second, int(times)) for first, second, times in cursor.fetchall()]
        finally:
            if baskets:
                cursor.execute(f"DROP TABLE IF EXISTS {BASKET_TABLE}")


def _bought_together(filters: DashboardFilters, labels: dict[int, tuple[str, str]],
                     pairs: list[tuple[int, int, int]]) -> Table:
    """Pairs of products bought by the same customer on the same day, most frequent first."""
    table = Table("together", _("Bought together"), [
        Column("product_a", _("Product")), Column("product_b", _("Bought with")), Column("times", _("Times"), "int")])
    for first, second, times in pairs:
        table.rows.append((labels.get(first, ("", ""))[1], labels.get(second, ("", ""))[1], times))
        table.links.append(orders_url(filters, product=first))
    return table
