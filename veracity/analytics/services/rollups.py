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
from django.db.models import Exists, Min, OuterRef, Q
from django.utils import timezone

from veracity.analytics.models import (
    CustomerFirstPurchase,
    RollupCursor,
    RollupOrderState,
    SalesLineDaily,
    SalesOrderDaily,
)
from veracity.sales.models import Order, OrderLine
from veracity.sales.selectors import COUNTED_STATUSES

# Orders that count as sales: everything booked and not voided (the order list's `counted` filter).
SALE_STATUSES = COUNTED_STATUSES
# A write stamped before a scan but committed after it is still found by the next scan.
SCAN_OVERLAP = dt.timedelta(minutes=10)
CHUNK = 500
ONE = Decimal("1")


def cents(amount: Decimal, rate: Decimal) -> int:
    """An amount in the order's currency as whole cents of the reporting currency (half-up)."""
    return int((amount * rate * 100).quantize(ONE, rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class RefreshResult:
    orders: int
    keys: int


LINE_FIELDS = ("order_id", "order__order_date", "order__customer_id", "product_id", "order__salesperson_id",
               "order__channel", "order__region", "order__currency", "order__exchange_rate",
               "net_amount", "quantity", "unit_cost")


def aggregate_lines(rows: Iterable[tuple]) -> tuple[dict, dict]:
    """Order-line tuples (LINE_FIELDS) -> ({line grain: sums}, {order grain: sums}). Pure, so the
    rebuild, the incremental refresh and the tests' direct computation share one definition."""
    line_cells: dict[tuple, list] = {}
    order_cells: dict[tuple, list] = {}
    orders_in_line_cell: dict[tuple, set] = defaultdict(set)
    orders_in_order_cell: dict[tuple, set] = defaultdict(set)
    for (order_id, day, customer_id, product_id, salesperson_id, channel, region, currency, rate,
         net_amount, quantity, unit_cost) in rows:
        revenue = cents(net_amount, rate)
        if unit_cost is None:
            cost, costed = 0, 0
        else:
            cost, costed = cents(quantity * unit_cost, rate), revenue
        region = region or ""
        line_key = (day, customer_id, product_id, salesperson_id, channel, region, currency)
        cell = line_cells.get(line_key)
        if cell is None:
            cell = line_cells[line_key] = [0, 0, 0, Decimal("0"), 0]
        cell[0] += revenue
        cell[1] += cost
        cell[2] += costed
        cell[3] += quantity
        cell[4] += 1
        orders_in_line_cell[line_key].add(order_id)
        order_key = (day, customer_id, salesperson_id, channel, region, currency)
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


LINE_COLUMNS = ("day", "customer_id", "product_id", "salesperson_id", "channel", "region", "currency",
                "revenue_cents", "cost_cents", "costed_revenue_cents", "quantity", "lines", "orders")
ORDER_COLUMNS = ("day", "customer_id", "salesperson_id", "channel", "region", "currency",
                 "revenue_cents", "cost_cents", "costed_revenue_cents", "quantity", "orders")


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


def _insert_cells(lines: dict, orders: dict) -> None:
    _insert(SalesLineDaily, LINE_COLUMNS, (key + values for key, values in lines.items()))
    _insert(SalesOrderDaily, ORDER_COLUMNS, (key + values for key, values in orders.items()))


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


def _recompute_keys(keys: set[tuple[dt.date, int]]) -> None:
    keys = sorted(keys)
    for start in range(0, len(keys), CHUNK):
        chunk = set(keys[start:start + CHUNK])
        SalesLineDaily.objects.filter(_keys_q(chunk, day="day", customer="customer_id")).delete()
        SalesOrderDaily.objects.filter(_keys_q(chunk, day="day", customer="customer_id")).delete()
        rows = [row for row in sale_lines().filter(_keys_q(chunk, day="order__order_date",
                                                            customer="order__customer_id"))
                if (row[1], row[2]) in chunk]
        _insert_cells(*aggregate_lines(rows))
    _first_purchases_refresh({customer for _day, customer in keys})


def _first_purchases_refresh(customer_ids: set[int]) -> None:
    ids = sorted(customer_ids)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        firsts = dict(SalesOrderDaily.objects.filter(customer_id__in=chunk).values("customer_id")
                      .annotate(first=Min("day")).values_list("customer_id", "first"))
        CustomerFirstPurchase.objects.filter(customer_id__in=chunk).delete()
        CustomerFirstPurchase.objects.bulk_create(
            [CustomerFirstPurchase(customer_id=customer, first_day=day) for customer, day in firsts.items()])


@transaction.atomic
def rollups_refresh_for_orders(order_ids: Iterable[int], *, only_changed: bool = False) -> RefreshResult:
    """Bring the rollups up to date for these orders (created, changed, deleted, restored or gone).

    Public: an import that writes orders through a fast path calls this with the ids it wrote, after
    its batch commits (`transaction.on_commit`). Safe to call twice; unknown ids are ignored."""
    ids = sorted({int(pk) for pk in order_ids})
    keys: set[tuple[dt.date, int]] = set()
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


def _cursor() -> RollupCursor:
    cursor, _created = RollupCursor.objects.select_for_update().get_or_create(pk=1)
    return cursor


@transaction.atomic
def rollups_refresh(*, now: dt.datetime | None = None) -> RefreshResult:
    """Find the orders changed since the last scan and recompute what they touch. Rebuilds from
    scratch when the rollups were never built."""
    now = now or timezone.now()
    cursor = _cursor()
    if cursor.scanned_until is None:
        return rollups_rebuild(now=now)
    since = cursor.scanned_until - SCAN_OVERLAP
    # Stamped since the scan and not yet counted at this version: one indexed query, so a refresh with
    # nothing to do costs a few milliseconds even right after a large import.
    # Two range queries, one per index: SQLite would scan the whole table for the OR of the two.
    counted = RollupOrderState.objects.filter(order_id=OuterRef("pk"), version=OuterRef("version"))
    changed: set[int] = set()
    for stamped in (Q(updated_at__gt=since), Q(deleted_at__gt=since)):
        changed.update(Order.all_objects.filter(stamped).filter(~Exists(counted)).order_by().values_list(
            "pk", flat=True))  # no ORDER BY: the default one would make SQLite walk the order_date index
    result = rollups_refresh_for_orders(sorted(changed), only_changed=True)
    cursor.scanned_until, cursor.refreshed_at = now, timezone.now()
    cursor.save(update_fields=["scanned_until", "refreshed_at"])
    return result


def _months(first: dt.date, last: dt.date) -> list[tuple[dt.date, dt.date]]:
    months, start = [], first.replace(day=1)
    while start <= last:
        following = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        months.append((start, following - dt.timedelta(days=1)))
        start = following
    return months


@transaction.atomic
def rollups_rebuild(*, now: dt.datetime | None = None,
                    progress: Callable[[int, int, str], None] | None = None) -> RefreshResult:
    """Throw the rollups away and compute them again from every order line, one month at a time
    (bounded memory), then record every order's counted key."""
    now = now or timezone.now()
    cursor = _cursor()
    for model in (SalesLineDaily, SalesOrderDaily, CustomerFirstPurchase, RollupOrderState):
        model.objects.all().delete()  # no relations or signals: one DELETE each
    bounds = Order.objects.filter(status__in=SALE_STATUSES).aggregate(first=Min("order_date"))
    last = Order.objects.order_by("-order_date").values_list("order_date", flat=True).first()
    months = _months(bounds["first"], last) if bounds["first"] else []
    for index, (start, end) in enumerate(months, 1):
        _insert_cells(*aggregate_lines(sale_lines().filter(order__order_date__range=(start, end)).iterator(
            chunk_size=5000)))
        if progress:
            progress(index, len(months) + 1, f"{start:%Y-%m}")
    firsts = SalesOrderDaily.objects.values("customer_id").annotate(first=Min("day")).values_list("customer_id", "first")
    _insert(CustomerFirstPurchase, ("customer_id", "first_day"), firsts.iterator(chunk_size=5000))
    count = Order.all_objects.count()

    def states():
        for pk, version, day, customer, deleted, status in Order.all_objects.values_list(
                "pk", "version", "order_date", "customer_id", "deleted_at", "status").iterator(chunk_size=5000):
            counted = deleted is None and status in SALE_STATUSES
            yield pk, version, day if counted else None, customer if counted else None

    _insert(RollupOrderState, ("order_id", "version", "day", "customer_id"), states())
    if progress:
        progress(len(months) + 1, len(months) + 1, "done")
    cursor.scanned_until, cursor.rebuilt_at, cursor.refreshed_at = now, timezone.now(), timezone.now()
    cursor.save()
    return RefreshResult(orders=count, keys=SalesOrderDaily.objects.count())
