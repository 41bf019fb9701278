"""Keeping the sales rollups equal to the order lines they summarise.

How changes are found (docs/decisions/0003-analytics-rollups-change-scan.md): every write to an order —
create, update, status change, soft delete (also a customer's cascade), restore — stamps `updated_at`
or `deleted_at` and bumps `version`. `rollups_refresh()` scans orders stamped since the last scan
(minus an overlap for transactions that committed late), keeps those whose version differs from the
one last counted (`RollupOrderState`), and recomputes every (day, customer) key they touch — old key
and new — from the order lines. So sales (a lower layer) needs no hook into analytics, and a fast-path
import that bulk-inserts orders is picked up too; it can also call `rollups_refresh_for_orders()`."""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from itertools import islice

from django.db import connection, transaction
from django.db.models import Count, Exists, F, Min, OuterRef, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from veracity.analytics.models import (
    CellGrain,
    CohortCell,
    CustomerBuyingDay,
    CustomerFirstPurchase,
    CustomerMonthCell,
    RollupCursor,
    RollupOrderState,
    SalesCell,
    SalesLineDaily,
    SalesOrderDaily,
)
from veracity.analytics.services.pairs import basket_pairs, pair_cells_apply
from veracity.analytics.services.value_cells import value_cells_apply, value_cells_for
from veracity.customers.models import Customer
from veracity.sales.models import Order, OrderLine
from veracity.sales.selectors import COUNTED_STATUSES

# Orders that count as sales: everything booked and not voided (the order list's `counted` filter).
SALE_STATUSES = COUNTED_STATUSES
# A write stamped before a scan but committed after it is still found by the next scan.
SCAN_OVERLAP = dt.timedelta(minutes=10)
# A refresh that finds nothing to do leaves the cursor alone (no write, no transaction) unless it is older
# than this: dashboards call rollups_refresh() on every request.
CURSOR_REST = dt.timedelta(minutes=5)
CHUNK = 500
ONE = Decimal("1")


def cents(amount: Decimal, rate: Decimal) -> int:
    """An amount in the order's currency as whole cents of the reporting currency (half-up)."""
    return int((amount * rate * 100).quantize(ONE, rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class RefreshResult:
    orders: int
    keys: int
    incomplete: bool = False   # a rebuild is running or was killed: the rollups hold only part of the orders


LINE_FIELDS = ("order_id", "order__order_date", "order__customer_id", "product_id", "order__salesperson_id",
               "order__customer__owner_id", "order__channel", "order__region", "order__currency",
               "order__exchange_rate", "net_amount", "quantity", "unit_cost", "order__customer__industry",
               "order__customer__size", "order__customer__source")


def aggregate_lines(rows: Iterable[tuple]) -> tuple[dict, dict]:
    """Order-line tuples (LINE_FIELDS) -> ({line grain: sums}, {order grain: sums}). Pure, so the
    rebuild, the incremental refresh and the tests' direct computation share one definition."""
    line_cells: dict[tuple, list] = {}
    order_cells: dict[tuple, list] = {}
    orders_in_line_cell: dict[tuple, set] = defaultdict(set)
    orders_in_order_cell: dict[tuple, set] = defaultdict(set)
    for (order_id, day, customer_id, product_id, salesperson_id, owner_id, channel, region, currency, rate,
         net_amount, quantity, unit_cost, industry, size, source) in rows:
        revenue = cents(net_amount, rate)
        if unit_cost is None:
            cost, costed = 0, 0
        else:
            cost, costed = cents(quantity * unit_cost, rate), revenue
        region = region or ""
        line_key = (day, customer_id, product_id, salesperson_id, owner_id, channel, region, currency)
        cell = line_cells.get(line_key)
        if cell is None:
            cell = line_cells[line_key] = [0, 0, 0, Decimal("0"), 0]
        cell[0] += revenue
        cell[1] += cost
        cell[2] += costed
        cell[3] += quantity
        cell[4] += 1
        orders_in_line_cell[line_key].add(order_id)
        order_key = (day, customer_id, salesperson_id, owner_id, channel, region, currency, industry or "", size or "",
                     source or "")
        cell = order_cells.get(order_key)
        if cell is None:
            cell = order_cells[order_key] = [0, 0, 0, Decimal("0")]
        cell[0] += revenue
        cell[1] += cost
        cell[2] += costed
        cell[3] += quantity
        orders_in_order_cell[order_key].add(order_id)
    lines = {key: (*values, len(orders_in_line_cell[key])) for key, values in line_cells.items()}
    orders = {key: (*values, len(orders_in_order_cell[key])) for key, values in order_cells.items()}
    return lines, orders


LINE_COLUMNS = ("day", "customer_id", "product_id", "salesperson_id", "owner_id", "channel", "region", "currency",
                "revenue_cents", "cost_cents", "costed_revenue_cents", "quantity", "lines", "orders")
ORDER_COLUMNS = ("day", "customer_id", "salesperson_id", "owner_id", "channel", "region", "currency", "industry",
                 "size", "source", "revenue_cents", "cost_cents", "costed_revenue_cents", "quantity", "orders", "customer_first_day")

# The shapes of SalesCell: which dimensions each keeps, and whether it counts order lines (per product)
# or orders. Readers pick the smallest shape holding every dimension they filter, group or scope by.
ORDER_SHAPES: dict[int, tuple[str, ...]] = {
    1: ("channel", "region", "currency"),
    2: ("salesperson", "owner"),
    3: ("salesperson", "owner", "channel"),
    4: ("salesperson", "owner", "region"),
    5: ("salesperson", "owner", "channel", "region", "currency"),
}
# (A seventh shape, product × salesperson × owner, held as many cells as line rows on uniform data and
# was dropped: scoped product figures read the daily line rows.)
LINE_SHAPES: dict[int, tuple[str, ...]] = {
    6: ("product",),
}
CELL_SHAPES = {**ORDER_SHAPES, **LINE_SHAPES}
CELL_DIMENSIONS = ("salesperson", "owner", "product", "channel", "region", "currency")
CELL_COLUMNS = ("shape", "grain", "period", "salesperson_id", "owner_id", "product_id", "channel", "region", "currency",
                "revenue_cents", "cost_cents", "costed_revenue_cents", "quantity", "lines", "orders")
_BLANK = {"salesperson": 0, "owner": 0, "product": 0, "channel": "", "region": "", "currency": ""}


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _shape_key(shape_dims: tuple[str, ...], values: dict) -> tuple:
    return tuple(values[name] if name in shape_dims else _BLANK[name] for name in CELL_DIMENSIONS)


def cells_from(lines: dict, orders: dict, *, sign: int = 1, into: dict | None = None) -> dict:
    """Daily line and order rows ({key: sums} as aggregate_lines returns them) summed into SalesCell keys
    (shape, grain, period, *CELL_DIMENSIONS) -> [revenue, cost, costed revenue, quantity, lines, orders].
    `sign=-1` subtracts (the old rows of a recomputed key). Pure, shared with the tests."""
    cells = into if into is not None else {}

    def add(shape, grain, period, dims, revenue, cost, costed, quantity, line_count, order_count):
        key = (shape, grain, period, *dims)
        cell = cells.get(key)
        if cell is None:
            cell = cells[key] = [0, 0, 0, Decimal("0"), 0, 0]
        cell[0] += sign * revenue
        cell[1] += sign * cost
        cell[2] += sign * costed
        cell[3] += sign * quantity
        cell[4] += sign * line_count
        cell[5] += sign * order_count

    for (day, _customer, salesperson, owner, channel, region, currency, *_customer_attrs), values in orders.items():
        revenue, cost, costed, quantity, order_count = values[:5]
        named = {"salesperson": salesperson, "owner": owner or 0, "product": 0, "channel": channel,
                 "region": region, "currency": currency}
        for shape, dims in ORDER_SHAPES.items():
            key = _shape_key(dims, named)
            add(shape, CellGrain.DAY.value, day, key, revenue, cost, costed, quantity, 0, order_count)
            add(shape, CellGrain.MONTH.value, month_start(day), key, revenue, cost, costed, quantity, 0, order_count)
    for (day, _customer, product, salesperson, owner, channel, region, currency), values in lines.items():
        revenue, cost, costed, quantity, line_count, order_count = values
        named = {"salesperson": salesperson, "owner": owner or 0, "product": product, "channel": channel,
                 "region": region, "currency": currency}
        for shape, dims in LINE_SHAPES.items():
            key = _shape_key(dims, named)
            add(shape, CellGrain.DAY.value, day, key, revenue, cost, costed, quantity, line_count, order_count)
            add(shape, CellGrain.MONTH.value, month_start(day), key, revenue, cost, costed, quantity, line_count,
                order_count)
    return cells


def _insert(model, columns: tuple[str, ...], rows: Iterable[tuple], *, batch: int = 5000) -> None:
    """Plain INSERTs with executemany: the ORM's bulk_create costs more than the aggregation itself when
    a rebuild writes millions of cells (bench/dashboards.py)."""
    sql = (f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} "
           f"({', '.join(connection.ops.quote_name(column) for column in columns)}) "
           f"VALUES ({', '.join(['%s'] * len(columns))})")
    rows = iter(rows)
    with connection.cursor() as cursor:
        while chunk := list(islice(rows, batch)):
            cursor.executemany(sql, chunk)


def _insert_cells(lines: dict, orders: dict, first_days: dict[int, dt.date]) -> None:
    _insert(SalesLineDaily, LINE_COLUMNS, (key + values for key, values in lines.items()))
    _insert(SalesOrderDaily, ORDER_COLUMNS,
            (key + values + (first_days.get(key[1]),) for key, values in orders.items()))


def _cell_rows(cells: dict):
    for key, values in cells.items():
        yield (key[0], key[1], key[2], *key[3:], *values)


def _insert_sales_cells(cells: dict) -> None:
    _insert(SalesCell, CELL_COLUMNS, _cell_rows(cells))


def _apply_cell_changes(changes: dict) -> None:
    """Add the differences to SalesCell: one UPDATE per changed cell, an INSERT for a new one, then
    drop cells left with no orders."""
    table = connection.ops.quote_name(SalesCell._meta.db_table)
    key_columns = CELL_COLUMNS[:9]
    where = " AND ".join(f"{column} = %s" for column in key_columns)
    update = (f"UPDATE {table} SET revenue_cents = revenue_cents + %s, cost_cents = cost_cents + %s,"
              f" costed_revenue_cents = costed_revenue_cents + %s, quantity = quantity + %s, lines = lines + %s,"
              f" orders = orders + %s WHERE {where}")
    missing, periods = {}, set()
    with connection.cursor() as cursor:
        for key, values in changes.items():
            if not any(values):
                continue
            periods.add((key[0], key[1], key[2]))
            cursor.execute(update, [*values, *key])
            if cursor.rowcount == 0:
                missing[key] = values
    _insert_sales_cells(missing)
    for shape, grain, period in periods:
        SalesCell.objects.filter(shape=shape, grain=grain, period=period, orders__lte=0).delete()


def sale_lines():
    """The order lines that count as sales, as LINE_FIELDS tuples (no permission scope: rollups hold
    everything; dashboards scope what they read)."""
    return OrderLine.objects.filter(
        order__deleted_at__isnull=True, order__status__in=SALE_STATUSES).values_list(*LINE_FIELDS)


def _keys_q(keys: Iterable[tuple[dt.date, int]], *, day: str, customer: str) -> Q:
    by_customer: dict[int, set] = defaultdict(set)
    for on_day, customer_id in keys:
        by_customer[customer_id].add(on_day)
    condition = Q(pk__in=[])
    for customer_id, days in by_customer.items():
        condition |= Q(**{customer: customer_id, f"{day}__in": sorted(days)})
    return condition


def _stored(model, condition: Q, keys: set) -> dict:
    """The daily rows of these keys as aggregate_lines returns them ({key: sums})."""
    key_width, value_width = (8, 6) if model is SalesLineDaily else (10, 5)
    columns = (LINE_COLUMNS if model is SalesLineDaily else ORDER_COLUMNS)[:key_width + value_width]
    rows = {}
    for row in model.objects.filter(condition).values_list(*columns):
        if (row[0], row[1]) in keys:
            rows[tuple(row[:key_width])] = tuple(row[key_width:])
    return rows


def _cohort_memberships(customer_ids: set[int]) -> dict[tuple[dt.date, dt.date, int], int]:
    """{(cohort month, month bought in, owner): customers} over these customers' daily rows."""
    counts: dict[tuple[dt.date, dt.date, int], int] = defaultdict(int)
    ids = sorted(customer_ids)
    for start in range(0, len(ids), CHUNK):
        seen = set()
        for customer, first, day, owner in SalesOrderDaily.objects.filter(
                customer_id__in=ids[start:start + CHUNK], customer_first_day__isnull=False).values_list(
                "customer_id", "customer_first_day", "day", "owner_id"):
            membership = (customer, month_start(first), month_start(day), owner or 0)
            if membership not in seen:
                seen.add(membership)
                counts[membership[1:]] += 1
    return counts


def _apply_cohort_changes(before: dict, after: dict) -> None:
    for key in set(before) | set(after):
        change = after.get(key, 0) - before.get(key, 0)
        if not change:
            continue
        cohort, month, owner = key
        updated = CohortCell.objects.filter(cohort=cohort, month=month, owner_id=owner).update(
            customers=F("customers") + change)
        if not updated:
            CohortCell.objects.create(cohort=cohort, month=month, owner_id=owner, customers=change)
    CohortCell.objects.filter(customers__lte=0).delete()


def _recompute_keys(keys: set[tuple[dt.date, int]]) -> None:
    if keys:   # results stored from the rollups are now behind
        RollupCursor.objects.filter(pk=1).update(data_version=F("data_version") + 1)
    keys = sorted(keys)
    customers = {customer for _day, customer in keys}
    cohorts_before = _cohort_memberships(customers)
    pairs_before = basket_pairs(keys)
    values_before = value_cells_for(customers)
    changes: dict = {}
    for start in range(0, len(keys), CHUNK):
        chunk = set(keys[start:start + CHUNK])
        condition = _keys_q(chunk, day="day", customer="customer_id")
        old_lines = _stored(SalesLineDaily, condition, chunk)
        old_orders = _stored(SalesOrderDaily, condition, chunk)
        SalesLineDaily.objects.filter(condition).delete()
        SalesOrderDaily.objects.filter(condition).delete()
        rows = [row for row in sale_lines().filter(_keys_q(chunk, day="order__order_date",
                                                            customer="order__customer_id"))
                if (row[1], row[2]) in chunk]
        lines, orders = aggregate_lines(rows)
        _insert_cells(lines, orders, {})
        cells_from(old_lines, old_orders, sign=-1, into=changes)
        cells_from(lines, orders, into=changes)
    _apply_cell_changes(changes)
    _first_purchases_refresh(customers)
    _buying_days_refresh(customers)
    _apply_cohort_changes(cohorts_before, _cohort_memberships(customers))
    pair_cells_apply(pairs_before, basket_pairs(keys))
    value_cells_apply(values_before, value_cells_for(customers))


def _first_purchases_refresh(customer_ids: set[int]) -> None:
    ids = sorted(customer_ids)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        firsts = dict(SalesOrderDaily.objects.filter(customer_id__in=chunk).values("customer_id")
                      .annotate(first=Min("day")).values_list("customer_id", "first"))
        CustomerFirstPurchase.objects.filter(customer_id__in=chunk).delete()
        CustomerFirstPurchase.objects.bulk_create(
            [CustomerFirstPurchase(customer_id=customer, first_day=day) for customer, day in firsts.items()])
        for customer, day in firsts.items():
            SalesOrderDaily.objects.filter(customer_id=customer).exclude(customer_first_day=day).update(
                customer_first_day=day)


def buying_days_from(orders: dict) -> dict[tuple[int, dt.date], tuple]:
    """Daily order rows ({key: sums} as aggregate_lines returns them) -> CustomerBuyingDay rows
    {(customer, day): (previous day, next day, owner, industry, size, source, revenue, orders)}. Pure,
    shared with the tests; `orders` must hold every row of the customers it covers."""
    days: dict[tuple[int, dt.date], list] = {}
    for (day, customer, _rep, owner, _channel, _region, _currency, industry, size, source), values in orders.items():
        row = days.get((customer, day))
        if row is None:
            row = days[(customer, day)] = [owner or 0, industry, size, source, 0, 0]
        row[4] += values[0]
        row[5] += values[4]
    result, last = {}, {}
    for customer, day in sorted(days):
        previous = last.get(customer)
        result[(customer, day)] = [previous, None, *days[(customer, day)]]
        if previous is not None:
            result[(customer, previous)][1] = day
        last[customer] = day
    return {key: tuple(values) for key, values in result.items()}


BUYING_DAY_COLUMNS = ("customer_id", "day", "previous_day", "next_day", "owner_id", "industry", "size", "source",
                      "revenue_cents", "orders")


def month_cells_from(days: Iterable[tuple]) -> dict[tuple, int]:
    """(day, previous day, owner) of buying days -> {(month, previous month or None, owner): days}. Pure."""
    cells: dict[tuple, int] = defaultdict(int)
    for day, previous, owner in days:
        cells[(month_start(day), month_start(previous) if previous else None, owner or 0)] += 1
    return cells


def _apply_month_cell_changes(changes: dict[tuple, int]) -> None:
    for (month, previous, owner), change in changes.items():
        if not change:
            continue
        updated = CustomerMonthCell.objects.filter(month=month, previous_month=previous, owner_id=owner).update(
            days=F("days") + change)
        if not updated:
            CustomerMonthCell.objects.create(month=month, previous_month=previous, owner_id=owner, days=change)
    CustomerMonthCell.objects.filter(days__lte=0).delete()


def _buying_days_refresh(customer_ids: set[int]) -> None:
    """Rewrite the buying days of these customers from their daily order rows (a customer has few), and
    add the difference to the month cells."""
    ids = sorted(customer_ids)
    changes: dict[tuple, int] = defaultdict(int)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        orders = {tuple(row[:10]): tuple(row[10:]) for row in SalesOrderDaily.objects.filter(
            customer_id__in=chunk).values_list(*ORDER_COLUMNS[:15])}
        old = CustomerBuyingDay.objects.filter(customer_id__in=chunk)
        for key, count in month_cells_from(old.values_list("day", "previous_day", "owner_id")).items():
            changes[key] -= count
        old.delete()
        days = buying_days_from(orders)
        for key, count in month_cells_from((day, values[0], values[2]) for (_customer, day), values in
                                           days.items()).items():
            changes[key] += count
        _insert(CustomerBuyingDay, BUYING_DAY_COLUMNS, (key + values for key, values in days.items()))
    _apply_month_cell_changes(changes)


def _buying_days_rebuild() -> None:
    """All buying days from the daily order rows in one statement (window functions)."""
    table = connection.ops.quote_name(CustomerBuyingDay._meta.db_table)
    source = connection.ops.quote_name(SalesOrderDaily._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(BUYING_DAY_COLUMNS)}) SELECT customer_id, day,"
            " LAG(day) OVER w, LEAD(day) OVER w, owner_id, industry, size, source, revenue_cents, orders FROM ("
            " SELECT customer_id, day, COALESCE(MAX(owner_id), 0) AS owner_id, MAX(industry) AS industry,"
            " MAX(size) AS size, MAX(source) AS source, SUM(revenue_cents) AS revenue_cents, SUM(orders) AS orders"
            f" FROM {source} GROUP BY customer_id, day) days WINDOW w AS (PARTITION BY customer_id ORDER BY day)")
    month_cells_rebuild()


def month_cells_rebuild() -> None:
    """CustomerMonthCell from all buying days (part of the rebuild): month_cells_from() summed by the
    database (a Python pass over every buying day cost minutes at 10M lines)."""
    CustomerMonthCell.objects.all().delete()
    cells = CustomerBuyingDay.objects.annotate(
        month=TruncMonth("day"), previous_month=TruncMonth("previous_day")).values(
        "month", "previous_month", "owner_id").annotate(days=Count("*")).values_list(
        "month", "previous_month", "owner_id", "days").order_by()
    _insert(CustomerMonthCell, ("month", "previous_month", "owner_id", "days"), cells.iterator(chunk_size=5000))


CUSTOMER_COPIED = ("owner_id", "industry", "size", "source")


def _transferred_customers(since: dt.datetime) -> set[tuple[dt.date, int]]:
    """Keys of customers stamped since `since` whose rollup rows carry another owner (transferred), industry,
    size or source (edited)."""
    stamped = {row[0]: row[1:] for row in Customer.all_objects.filter(updated_at__gt=since).order_by().values_list(
        "pk", *CUSTOMER_COPIED)}
    keys: set[tuple[dt.date, int]] = set()
    ids = sorted(stamped)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        moved = {row[0] for row in SalesOrderDaily.objects.filter(customer_id__in=chunk).values_list(
            "customer_id", *CUSTOMER_COPIED).distinct() if tuple(row[1:]) != stamped[row[0]]}
        keys.update(SalesOrderDaily.objects.filter(customer_id__in=moved).values_list("day", "customer_id")
                    .distinct())
    return keys


@transaction.atomic
def rollups_refresh_for_orders(order_ids: Iterable[int], *, only_changed: bool = False,
                               also: set[tuple[dt.date, int]] | None = None) -> RefreshResult:
    """Bring the rollups up to date for these orders (created, changed, deleted, restored or gone).

    Public: an import that writes orders through a fast path calls this with the ids it wrote, after
    its batch commits (`transaction.on_commit`). Safe to call twice; unknown ids are ignored. Does
    nothing while a rebuild runs (the scan after it finds these orders by their stamps)."""
    if rebuild_in_progress(RollupCursor.objects.filter(pk=1).first()):
        return RefreshResult(orders=0, keys=0, incomplete=True)
    ids = sorted({int(pk) for pk in order_ids})
    keys: set[tuple[dt.date, int]] = set(also or ())
    touched = 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        current = {pk: (version, day, customer, deleted, status) for pk, version, day, customer, deleted, status in
                   Order.all_objects.filter(pk__in=chunk).values_list(
                       "pk", "version", "order_date", "customer_id", "deleted_at", "status")}
        states = {state.order_id: state for state in RollupOrderState.objects.filter(order_id__in=chunk)}
        new_states = []
        for pk in chunk:
            state, row = states.get(pk), current.get(pk)
            if only_changed and state is not None and row is not None and state.version == row[0]:
                continue
            touched += 1
            if state is not None and state.day is not None:
                keys.add((state.day, state.customer_id))
            if row is None:
                continue
            version, day, customer, deleted, status = row
            counted = deleted is None and status in SALE_STATUSES
            if counted:
                keys.add((day, customer))
            new_states.append(RollupOrderState(order_id=pk, version=version, day=day if counted else None,
                                               customer_id=customer if counted else None))
        RollupOrderState.objects.filter(order_id__in=[pk for pk in chunk if pk not in current]).delete()
        RollupOrderState.objects.bulk_create(
            new_states, update_conflicts=True, unique_fields=["order_id"],
            update_fields=["version", "day", "customer_id"])
    if keys:
        _recompute_keys(keys)
    return RefreshResult(orders=touched, keys=len(keys))


def rebuild_in_progress(cursor: RollupCursor | None) -> bool:
    """A rebuild has started and not finished (or was killed): the rollups are incomplete until the next
    `rollups rebuild` finishes (services/rebuild.py). Refreshes leave them alone meanwhile: the
    rebuild counts every order as of its start, and the first refresh after it finds what changed since."""
    return cursor is not None and cursor.scanned_until is None and cursor.rebuilt_at is not None


def _cursor() -> RollupCursor:
    cursor, _created = RollupCursor.objects.select_for_update().get_or_create(pk=1)
    return cursor


def _changed_orders(since: dt.datetime) -> set[int]:
    """Orders stamped since `since` and not yet counted at this version: indexed, so a refresh with
    nothing to do costs a few milliseconds even right after a large import. Two range queries, one per
    index: SQLite would scan the whole table for the OR of the two."""
    counted = RollupOrderState.objects.filter(order_id=OuterRef("pk"), version=OuterRef("version"))
    changed: set[int] = set()
    for stamped in (Q(updated_at__gt=since), Q(deleted_at__gt=since)):
        changed.update(Order.all_objects.filter(stamped).filter(~Exists(counted)).order_by().values_list(
            "pk", flat=True))  # no ORDER BY: the default one would make SQLite walk the order_date index
    return changed


def rollups_refresh(*, now: dt.datetime | None = None) -> RefreshResult:
    """Find the orders changed since the last scan and recompute what they touch. Rebuilds from
    scratch when the rollups were never built.

    Nothing changed (the usual case: every dashboard request calls this) costs two index lookups and
    no transaction: on SQLite every transaction begins IMMEDIATE (a write lock) and a commit syncs the
    log. The cursor then stays where it was (a later scan just looks at a few more counted rows) until
    it is CURSOR_REST old."""
    now = now or timezone.now()
    cursor = RollupCursor.objects.filter(pk=1).first()
    if rebuild_in_progress(cursor):
        return RefreshResult(orders=0, keys=0, incomplete=True)
    if cursor is not None and cursor.scanned_until is not None and now - cursor.scanned_until < CURSOR_REST:
        since = cursor.scanned_until - SCAN_OVERLAP
        if not _changed_orders(since) and not _transferred_customers(
                (cursor.customers_scanned_until or cursor.scanned_until) - SCAN_OVERLAP):
            return RefreshResult(orders=0, keys=0)
    return _refresh(now=now)


@transaction.atomic
def _refresh(*, now: dt.datetime) -> RefreshResult:
    cursor = _cursor()
    if rebuild_in_progress(cursor):
        return RefreshResult(orders=0, keys=0)
    if cursor.scanned_until is None:
        return rollups_rebuild(now=now)
    changed = _changed_orders(cursor.scanned_until - SCAN_OVERLAP)
    transferred = _transferred_customers((cursor.customers_scanned_until or cursor.scanned_until) - SCAN_OVERLAP)
    result = rollups_refresh_for_orders(sorted(changed), only_changed=True, also=transferred)
    cursor.scanned_until, cursor.customers_scanned_until, cursor.refreshed_at = now, now, timezone.now()
    cursor.save(update_fields=["scanned_until", "customers_scanned_until", "refreshed_at"])
    return result


def _months(first: dt.date, last: dt.date) -> list[tuple[dt.date, dt.date]]:
    months, start = [], first.replace(day=1)
    while start <= last:
        following = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        months.append((start, following - dt.timedelta(days=1)))
        start = following
    return months


def rollups_rebuild(*, now: dt.datetime | None = None,
                    progress: Callable[[int, int, str], None] | None = None) -> RefreshResult:
    """Throw the rollups away and compute them again from every order line, one month at a time
    (bounded memory), set-based (services/rebuild.py, which also says what a killed rebuild
    leaves), and record every order's counted key."""
    from veracity.analytics.services.rebuild import rebuild  # it builds on this module's definitions

    if connection.vendor != "sqlite":
        return rebuild(now=now, progress=progress)
    # A month's lines, orders and customers are read in index order, i.e. scattered over the file: with
    # SQLite's default 2 MB page cache a 10M-line rebuild re-read ~80 GB through system calls. A
    # larger cache and memory-mapped reads for this connection only, put back afterwards. The cache also
    # bounds how much of each index build (CREATE INDEX sorts the table) SQLite sorts in memory.
    # secure_delete FAST: Debian's SQLite is built with secure_delete on, which zeroes every page the
    # rebuild frees (emptying 10M-line rollups wrote a 4.7 GB write-ahead log in one transaction); FAST
    # still clears deleted content inside pages that stay in use, but does not rewrite freed pages
    # (the rollups only repeat what the order tables hold anyway).
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        cache_size = cursor.fetchone()[0]
        cursor.execute("PRAGMA mmap_size")
        mmap_size = (cursor.fetchone() or [0])[0]
        cursor.execute("PRAGMA secure_delete")
        secure_delete = cursor.fetchone()[0]
        cursor.execute("PRAGMA cache_size=-524288")
        cursor.execute("PRAGMA mmap_size=8589934592")
        cursor.execute("PRAGMA secure_delete=FAST")
    try:
        return rebuild(now=now, progress=progress)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size={int(cache_size)}")
            cursor.execute(f"PRAGMA mmap_size={int(mmap_size)}")
            cursor.execute(f"PRAGMA secure_delete={ {0: 'OFF', 2: 'FAST'}.get(secure_delete, 'ON') }")
