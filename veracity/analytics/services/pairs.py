"""Products bought together, kept as pair cells (docs/decisions/0009-bought-together-pair-cells.md).

A basket is one customer's products on one day (the daily line rows of one (day, customer) key). Every
pair of distinct products in a basket counts once, in `ProductPairCell` under the basket's month and
owner (the customer's owner, which all of a customer's rows carry). The refresh recomputes whole
(day, customer) keys, so it reads the keys' baskets before and after (`basket_pairs`) and adds the
difference (`pair_cells_apply`); the rebuild fills every month with one statement each."""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from itertools import combinations

from django.db import connection

from veracity.analytics.models import ProductPairCell, SalesLineDaily

CHUNK = 500
PAIR_KEY_COLUMNS = ("month", "owner_id", "product_a", "product_b")


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _month_after(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def pairs_from(rows: Iterable[tuple]) -> dict[tuple, int]:
    """(day, customer, product, owner) line rows -> {(month, owner, product a, product b): baskets}, a < b.
    Pure, shared with the tests' direct computation."""
    baskets: dict[tuple, set] = defaultdict(set)
    owners: dict[tuple, int] = {}
    for day, customer, product, owner in rows:
        baskets[(day, customer)].add(product)
        owners[(day, customer)] = owner or 0
    pairs: dict[tuple, int] = defaultdict(int)
    for (day, customer), products in baskets.items():
        month, owner = _month_start(day), owners[(day, customer)]
        for first, second in combinations(sorted(products), 2):
            pairs[(month, owner, first, second)] += 1
    return dict(pairs)


def basket_pairs(keys: Iterable[tuple[dt.date, int]]) -> dict[tuple, int]:
    """The pair cells' share of these (day, customer) keys, from their daily line rows as stored now."""
    keys = set(keys)
    customers = sorted({customer for _day, customer in keys})
    rows = []
    for start in range(0, len(customers), CHUNK):
        rows.extend(row for row in SalesLineDaily.objects.filter(customer_id__in=customers[start:start + CHUNK])
                    .values_list("day", "customer_id", "product_id", "owner_id") if (row[0], row[1]) in keys)
    return pairs_from(rows)


def pair_cells_apply(before: dict[tuple, int], after: dict[tuple, int]) -> None:
    """Add `after − before` to the pair cells: one UPDATE per changed cell, an INSERT for a new one, and
    cells left with no basket deleted (only where a count went down)."""
    table = connection.ops.quote_name(ProductPairCell._meta.db_table)
    update = (f"UPDATE {table} SET baskets = baskets + %s WHERE month = %s AND owner_id = %s AND product_a = %s"
              " AND product_b = %s")
    missing, shrunk = [], set()
    with connection.cursor() as cursor:
        for key in set(before) | set(after):
            change = after.get(key, 0) - before.get(key, 0)
            if not change:
                continue
            if change < 0:
                shrunk.add(key[:2])
            cursor.execute(update, [change, *key])
            if cursor.rowcount == 0:
                missing.append(ProductPairCell(month=key[0], owner_id=key[1], product_a=key[2], product_b=key[3],
                                               baskets=change))
    ProductPairCell.objects.bulk_create(missing, batch_size=1000)
    for month, owner in shrunk:
        ProductPairCell.objects.filter(month=month, owner_id=owner, baskets__lte=0).delete()


def pair_cells_rebuild(*, line_model=SalesLineDaily, pair_model=ProductPairCell) -> int:
    """Every pair cell again from the daily line rows, one month per statement (a self-join of that
    month's baskets). The models are parameters so migration 0009 can fill the table with its own.
    Returns the number of cells."""
    pair_model.objects.all().delete()
    bounds = line_model.objects.order_by("day").values_list("day", flat=True)
    first, last = bounds.first(), line_model.objects.order_by("-day").values_list("day", flat=True).first()
    if first is None:
        return 0
    lines = connection.ops.quote_name(line_model._meta.db_table)
    pairs = connection.ops.quote_name(pair_model._meta.db_table)
    basket = (f"(SELECT DISTINCT day, customer_id, product_id, COALESCE(owner_id, 0) AS owner_id FROM {lines}"
              " WHERE day >= %s AND day < %s)")
    sql = (f"INSERT INTO {pairs} (month, owner_id, product_a, product_b, baskets)"
           f" SELECT %s, a.owner_id, a.product_id, b.product_id, COUNT(*) FROM {basket} a JOIN {basket} b"
           " ON a.day = b.day AND a.customer_id = b.customer_id AND a.product_id < b.product_id"
           " GROUP BY a.owner_id, a.product_id, b.product_id")
    month = _month_start(first)
    with connection.cursor() as cursor:
        while month <= last:
            following = _month_after(month)
            cursor.execute(sql, [month, month, following, month, following])
            month = following
    return pair_model.objects.count()
