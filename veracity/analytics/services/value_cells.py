"""Month cells for the customers dashboard's figures by industry, size, source and region
(`CustomerValueMonthCell`, docs/decisions/0007-analytics-cells.md, the later amendment of 2026-12-01).

They are a function of each customer's daily order rows alone, so the refresh takes a touched customer's
share before and after it recomputes the keys (`value_cells_for`) and adds the difference
(`value_cells_apply`); the rebuild reads every customer's rows once, in customer order."""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator

from django.db import connection

from veracity.analytics.models import CustomerValueMonthCell, SalesOrderDaily

CHUNK = 500
ALL_OWNERS = -1
CUSTOMER_VALUE_FIELDS = ("industry", "size", "source")
# day, customer, owner, region, industry, size, source, revenue, orders
ROW_COLUMNS = ("day", "customer_id", "owner_id", "region", "industry", "size", "source", "revenue_cents", "orders")
CELL_COLUMNS = ("field", "value", "month", "previous_month", "owner_id", "days", "revenue_cents", "orders")


def _month(day: dt.date | None) -> dt.date | None:
    return day.replace(day=1) if day else None


def _add_days(cells: dict, field: str, days: dict, owner: int) -> None:
    """days: {(value, day): [revenue, orders]} of one customer -> cells, with the previous day per value."""
    last: dict[str, dt.date] = {}
    for value, day in sorted(days):
        revenue, orders = days[(value, day)]
        previous = last.get(value)
        last[value] = day
        for holder in (owner, ALL_OWNERS):
            cell = cells[(field, value, _month(day), _month(previous), holder)]
            cell[0] += 1
            cell[1] += revenue
            cell[2] += orders


def value_cells_from(rows: Iterable[tuple]) -> dict[tuple, list]:
    """Daily order rows (ROW_COLUMNS) holding *every* row of the customers they cover -> {(field, value,
    month, previous month or None, owner): [days, revenue, orders]}; owner -1 is the sum over owners.
    Per customer: each day bought counts once under its industry, size and source (the customer's, the
    same on all its rows), and each (region, day) once under that region, with the previous day the
    customer bought in that region. Pure, shared with the tests."""
    by_customer: dict[int, list] = defaultdict(list)
    for row in rows:
        by_customer[row[1]].append(row)
    cells: dict[tuple, list] = defaultdict(lambda: [0, 0, 0])
    for customer_rows in by_customer.values():
        _customer_cells(cells, customer_rows)
    return cells


def _customer_cells(cells: dict, rows: list[tuple]) -> None:
    owner = 0
    fields: dict[str, dict] = {name: {} for name in CUSTOMER_VALUE_FIELDS}
    regions: dict[tuple, list] = {}
    for day, _customer, row_owner, region, industry, size, source, revenue, orders in rows:
        owner = row_owner or 0
        for name, value in zip(CUSTOMER_VALUE_FIELDS, (industry, size, source), strict=True):
            figures = fields[name].setdefault((value or "", day), [0, 0])
            figures[0] += revenue or 0
            figures[1] += orders or 0
        figures = regions.setdefault((region or "", day), [0, 0])
        figures[0] += revenue or 0
        figures[1] += orders or 0
    for name, days in fields.items():
        # A customer has one value of each field (all its rows carry the customer's current one).
        _add_days(cells, name, days, owner)
    _add_days(cells, "region", regions, owner)


def value_cells_for(customer_ids: Iterable[int]) -> dict[tuple, list]:
    """These customers' share of the cells, from their daily order rows as stored now."""
    ids = sorted(set(customer_ids))
    cells: dict[tuple, list] = defaultdict(lambda: [0, 0, 0])
    for start in range(0, len(ids), CHUNK):
        for key, values in value_cells_from(SalesOrderDaily.objects.filter(
                customer_id__in=ids[start:start + CHUNK]).values_list(*ROW_COLUMNS)).items():
            cell = cells[key]
            for index in range(3):
                cell[index] += values[index]
    return cells


def value_cells_apply(before: dict, after: dict) -> None:
    """Add `after − before`: an UPDATE per changed cell, an INSERT for a new one, empty cells deleted."""
    table = connection.ops.quote_name(CustomerValueMonthCell._meta.db_table)
    missing, shrunk = [], set()
    with connection.cursor() as cursor:
        for key in set(before) | set(after):
            old, new = before.get(key, (0, 0, 0)), after.get(key, (0, 0, 0))
            change = [new[index] - old[index] for index in range(3)]
            if not any(change):
                continue
            field, value, month, previous, owner = key
            if change[0] < 0:
                shrunk.add((owner, month))
            previous_sql = "previous_month IS NULL" if previous is None else "previous_month = %s"
            cursor.execute(
                f"UPDATE {table} SET days = days + %s, revenue_cents = revenue_cents + %s, orders = orders + %s"
                f" WHERE owner_id = %s AND month = %s AND field = %s AND value = %s AND {previous_sql}",
                [*change, owner, month, field, value, *([] if previous is None else [previous])])
            if cursor.rowcount == 0:
                missing.append(CustomerValueMonthCell(field=field, value=value, month=month, previous_month=previous,
                                                      owner_id=owner, days=change[0], revenue_cents=change[1],
                                                      orders=change[2]))
    CustomerValueMonthCell.objects.bulk_create(missing, batch_size=1000)
    for owner, month in shrunk:
        CustomerValueMonthCell.objects.filter(owner_id=owner, month=month, days__lte=0).delete()


def _customers_in_order(order_model, batch: int = 20000) -> Iterator[list[tuple]]:
    """Every customer's daily order rows, one customer at a time (read in customer order)."""
    current, rows = None, []
    for row in order_model.objects.order_by("customer_id", "day").values_list(*ROW_COLUMNS).iterator(
            chunk_size=batch):
        if row[1] != current and rows:
            yield rows
            rows = []
        current = row[1]
        rows.append(row)
    if rows:
        yield rows


def value_cells_rebuild(*, order_model=SalesOrderDaily, cell_model=CustomerValueMonthCell) -> int:
    """Every cell again from the daily order rows (part of the rollup rebuild; the models are parameters
    so migration 0011 can fill the table with its own). Returns the number of cells."""
    cell_model.objects.all().delete()
    cells: dict[tuple, list] = defaultdict(lambda: [0, 0, 0])
    for rows in _customers_in_order(order_model):
        _customer_cells(cells, rows)
    cell_model.objects.bulk_create(
        (cell_model(field=field, value=value, month=month, previous_month=previous, owner_id=owner,
                                days=days, revenue_cents=revenue, orders=orders)
         for (field, value, month, previous, owner), (days, revenue, orders) in cells.items()), batch_size=5000)
    return len(cells)
