"""Rebuilding the sales rollups from every order line, set-based (issue 5).

The row-by-row rebuild (aggregate_lines and cells_from over every line, executemany into fully indexed
tables, one transaction) took 341 s for 1M lines and did not finish 10M in 27 minutes (a 5.2 GB WAL).
py-spy on 1M lines: 40 % in executemany (SQLite keeping five to six secondary indexes per table current
row by row), 25 % in the pure-Python sums. So:

- each month's counted lines are read with one plain SQL query into Polars and summed there (group_by);
- amounts stay exact: every distinct (net amount, rate) pair and (quantity, unit cost, rate) triple of the
  month goes through `cents()` — the same Decimal half-up rounding at the booked rate as the incremental
  refresh — on the Decimal Django itself would read (its own column converters), and is joined back, so
  the per-line cents equal the reference's by construction; Polars then sums integers and Decimal
  quantities, both exact;
- the secondary indexes of the big rollup tables are dropped first and built once at the end (one sort
  each instead of millions of random inserts); unique keys stay;
- every month commits on its own, and so does each index build: one transaction over 10M lines kept
  every page it touched in the write-ahead log (5.2 GB, never checkpointed while it was open); committed
  batches let SQLite's automatic checkpoint reuse the log, so it stays about one month's rows big.

Crash safety: the first transaction marks the cursor as rebuilding (scanned_until empty, rebuilt_at =
start) together with emptying the tables and recording every order's counted key. A rebuild killed
anywhere after that leaves partial rollups marked incomplete: refreshes leave them alone (they would
add to rows a month insert later repeats) and the next `veracity rollups rebuild` starts over, dropping
whatever indexes exist and building them all again. Killed before that commit, the old rollups stay."""

import datetime as dt
from collections.abc import Callable

import polars as pl
from django.db import connection, transaction
from django.db.models import Count, Min
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
from veracity.analytics.services.pairs import pair_cells_rebuild
from veracity.analytics.services.rollups import (
    _BLANK,
    CELL_COLUMNS,
    CELL_DIMENSIONS,
    LINE_COLUMNS,
    LINE_SHAPES,
    ORDER_COLUMNS,
    ORDER_SHAPES,
    SALE_STATUSES,
    RefreshResult,
    _buying_days_rebuild,
    _insert,
    _months,
    cents,
    sale_lines,
)
from veracity.analytics.services.value_cells import value_cells_rebuild
from veracity.sales.models import Order, OrderLine

ROLLUP_MODELS = (SalesLineDaily, SalesOrderDaily, SalesCell, CohortCell, CustomerFirstPurchase, CustomerBuyingDay,
                 CustomerMonthCell, RollupOrderState)
# Tables whose secondary indexes are dropped for the rebuild and built once at its end.
DEFERRED_INDEX_MODELS = (SalesLineDaily, SalesOrderDaily, SalesCell, CustomerBuyingDay, CustomerFirstPurchase)
FETCH = 50_000
INSERT_BATCH = 20_000

# Columns of sale_lines() (rollups.LINE_FIELDS), in order, as the frame names them.
FRAME_COLUMNS = ("order_id", "day", "customer_id", "product_id", "salesperson_id", "owner_id", "channel", "region",
                 "currency", "rate", "net_amount", "quantity", "unit_cost", "industry", "size", "source")
DECIMAL_FIELDS = {"rate": (Order, "exchange_rate"), "net_amount": (OrderLine, "net_amount"),
                  "quantity": (OrderLine, "quantity"), "unit_cost": (OrderLine, "unit_cost")}
LINE_KEYS = list(LINE_COLUMNS[:8])
ORDER_KEYS = list(ORDER_COLUMNS[:10])
QUANTITY = pl.Decimal(38, 3)


def _decimal_reader(model, name: str) -> Callable:
    """A raw column value -> the Decimal the ORM would read for it (Django's own converters: on SQLite
    a float cut to 15 significant digits and quantized to the field's places; PostgreSQL's are exact)."""
    field = model._meta.get_field(name)
    column = field.get_col(model._meta.db_table)
    converters = connection.ops.get_db_converters(column) + column.get_db_converters(connection)

    def read(value):
        for converter in converters:
            value = converter(value, column, connection)
        return value

    return read


def _schema() -> dict:
    sqlite = connection.vendor == "sqlite"

    def money(model, name):
        return pl.Float64 if sqlite else pl.Decimal(38, model._meta.get_field(name).decimal_places)

    schema = dict.fromkeys(FRAME_COLUMNS, pl.String)
    schema.update(dict.fromkeys(("order_id", "customer_id", "product_id", "salesperson_id", "owner_id"), pl.Int64))
    schema.update({column: money(*field) for column, field in DECIMAL_FIELDS.items()})
    schema["day"] = pl.Date
    return schema


def month_lines(start: dt.date, end: dt.date) -> pl.DataFrame:
    """The counted order lines of [start, end] (sale_lines(), one SQL query) as a Polars frame with exact
    per-line cents (revenue_cents, cost_cents, costed_revenue_cents) and Decimal quantities."""
    sql, params = sale_lines().filter(order__order_date__range=(start, end)).order_by().query.sql_with_params()
    schema, frames = _schema(), []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(FETCH):
            frames.append(pl.DataFrame(rows, schema=schema, orient="row"))   # a value that does not fit raises
    frame = pl.concat(frames) if frames else pl.DataFrame(schema=schema)
    return _with_cents(frame).with_columns(pl.col(name).fill_null("") for name in ("region", "industry", "size",
                                                                                   "source"))


def _with_cents(frame: pl.DataFrame) -> pl.DataFrame:
    read = {column: _decimal_reader(*field) for column, field in DECIMAL_FIELDS.items()}
    pairs = frame.select("net_amount", "rate").unique()
    pairs = pairs.with_columns(pl.Series("revenue_cents", [
        cents(read["net_amount"](amount), read["rate"](rate)) for amount, rate in pairs.iter_rows()], dtype=pl.Int64))
    costs = frame.filter(pl.col("unit_cost").is_not_null()).select("quantity", "unit_cost", "rate").unique()
    costs = costs.with_columns(pl.Series("cost_cents", [
        cents(read["quantity"](quantity) * read["unit_cost"](cost), read["rate"](rate))
        for quantity, cost, rate in costs.iter_rows()], dtype=pl.Int64))
    quantities = frame.select("quantity").unique()
    quantities = quantities.with_columns(pl.Series("quantity_exact", [
        read["quantity"](quantity) for (quantity,) in quantities.iter_rows()], dtype=QUANTITY))
    frame = (frame.join(pairs, on=["net_amount", "rate"], how="left", nulls_equal=True)
             .join(costs, on=["quantity", "unit_cost", "rate"], how="left")
             .join(quantities, on="quantity", how="left"))
    return frame.with_columns(
        pl.col("cost_cents").fill_null(0),
        pl.when(pl.col("unit_cost").is_null()).then(0).otherwise(pl.col("revenue_cents")).alias(
            "costed_revenue_cents"))


SUMS = ("revenue_cents", "cost_cents", "costed_revenue_cents")


def line_rows(lines: pl.DataFrame) -> pl.DataFrame:
    """SalesLineDaily rows (LINE_COLUMNS) of a frame of lines: what aggregate_lines() returns, set-based."""
    return lines.group_by(LINE_KEYS).agg(
        *(pl.col(name).sum() for name in SUMS), pl.col("quantity_exact").sum().alias("quantity"),
        pl.len().cast(pl.Int64).alias("lines"), pl.col("order_id").n_unique().cast(pl.Int64).alias("orders"),
    ).select(LINE_COLUMNS)


def order_rows(lines: pl.DataFrame) -> pl.DataFrame:
    """SalesOrderDaily rows (ORDER_COLUMNS less customer_first_day) of a frame of lines."""
    return lines.group_by(ORDER_KEYS).agg(
        *(pl.col(name).sum() for name in SUMS), pl.col("quantity_exact").sum().alias("quantity"),
        pl.col("order_id").n_unique().cast(pl.Int64).alias("orders"),
    ).select(ORDER_COLUMNS[:-1])


def cell_rows(lines: pl.DataFrame, orders: pl.DataFrame, month: dt.date) -> pl.DataFrame:
    """SalesCell rows (CELL_COLUMNS) of one month's daily rows: what cells_from() returns, set-based."""
    dimensions = {"salesperson": pl.col("salesperson_id"), "owner": pl.col("owner_id").fill_null(0),
                  "product": pl.col("product_id"), "channel": pl.col("channel"), "region": pl.col("region"),
                  "currency": pl.col("currency")}
    names = list(CELL_COLUMNS[3:9])
    parts = []
    for shapes, source, counts_lines in ((ORDER_SHAPES, orders, False), (LINE_SHAPES, lines, True)):
        for shape, dims in shapes.items():
            keyed = source.select(
                "day", *(
                    (dimensions[name] if name in dims else pl.lit(_BLANK[name])).cast(
                        pl.String if isinstance(_BLANK[name], str) else pl.Int64).alias(column)
                    for name, column in zip(CELL_DIMENSIONS, names, strict=True)),
                *SUMS, "quantity", (pl.col("lines") if counts_lines else pl.lit(0)).cast(pl.Int64).alias("lines"),
                "orders")
            sums = [pl.col(name).sum() for name in (*SUMS, "quantity", "lines", "orders")]
            for grain, period in ((CellGrain.DAY.value, pl.col("day")), (CellGrain.MONTH.value, pl.lit(month))):
                parts.append(keyed.group_by(period.alias("period"), *names).agg(*sums).select(
                    pl.lit(shape).cast(pl.Int64).alias("shape"), pl.lit(grain).alias("grain"), "period", *names,
                    *CELL_COLUMNS[9:]))
    return pl.concat(parts).sort(list(CELL_COLUMNS[:9]))


def _insert_frame(model, frame: pl.DataFrame, columns) -> None:
    frame = frame.select(columns)
    if connection.vendor == "sqlite":
        # The text Django's SQLite adapters would make of a date and a Decimal (ISO date, str()), made by
        # Polars for the whole column instead of by a Python adapter per value.
        frame = frame.with_columns(
            *(pl.col(name).dt.to_string("%Y-%m-%d") for name, kind in frame.schema.items() if kind == pl.Date),
            *(pl.col(name).cast(pl.String) for name, kind in frame.schema.items() if isinstance(kind, pl.Decimal)))
    _insert(model, tuple(columns), frame.iter_rows(), batch=INSERT_BATCH)


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _index_statements() -> list[str]:
    """CREATE INDEX statements of every non-unique index of the deferred tables, as migrations create them:
    Meta.indexes and the foreign keys' own indexes (each a prefix of a Meta index, but there)."""
    editor = connection.schema_editor()   # only to render the statements, nothing is run through it
    return [str(statement) for model in DEFERRED_INDEX_MODELS for statement in editor._model_indexes_sql(model)]


def _indexes_drop() -> None:
    """Drop whatever non-unique indexes the deferred tables have now (all of them, or what a killed
    rebuild left): unique keys and primary keys stay."""
    with connection.cursor() as cursor:
        for model in DEFERRED_INDEX_MODELS:
            for name, about in connection.introspection.get_constraints(cursor, model._meta.db_table).items():
                if about["index"] and not about["unique"] and not about["primary_key"]:
                    cursor.execute(f"DROP INDEX IF EXISTS {_quote(name)}")


def _indexes_build(token: dt.datetime, progress: Callable[[str], None]) -> None:
    """Each index in its own transaction (the write-ahead log holds one index, not all of them)."""
    for statement in _index_statements():
        with transaction.atomic():
            _still_ours(token)
            with connection.cursor() as cursor:
                cursor.execute(statement)
        progress(statement.split(" ON ")[0].rsplit(" ", 1)[-1].strip('"'))


class RebuildSuperseded(RuntimeError):
    """Another rebuild started while this one ran: this one stops and leaves the tables to it."""


def _still_ours(token: dt.datetime) -> None:
    cursor = RollupCursor.objects.select_for_update().get(pk=1)
    if cursor.rebuilt_at != token or cursor.scanned_until is not None:
        raise RebuildSuperseded(f"rollups rebuild started at {token} was superseded")


def _start(now: dt.datetime) -> dt.datetime:
    """Mark the rebuild, empty the tables, drop the deferred indexes and record every order's counted key
    (as of now: orders changed later are found by the next refresh's scan), all in one transaction."""
    token = timezone.now()
    with transaction.atomic():
        cursor, _created = RollupCursor.objects.select_for_update().get_or_create(pk=1)
        cursor.scanned_until = cursor.customers_scanned_until = None
        cursor.rebuilt_at = token
        cursor.data_version += 1
        cursor.save()
        tables = [_quote(model._meta.db_table) for model in ROLLUP_MODELS]
        with connection.cursor() as db:
            if connection.vendor == "postgresql":
                db.execute(f"TRUNCATE {', '.join(tables)}")
            else:
                for table in tables:
                    db.execute(f"DELETE FROM {table}")   # no WHERE: SQLite drops the pages wholesale
        _indexes_drop()
        _order_states_rebuild()
    return token


def _order_states_rebuild() -> None:
    """RollupOrderState for every order in one INSERT … SELECT: its version, and its key when it counts."""
    counted = f"o.deleted_at IS NULL AND o.status IN ({', '.join(['%s'] * len(SALE_STATUSES))})"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_quote(RollupOrderState._meta.db_table)} (order_id, version, day, customer_id)"
            f" SELECT o.id, o.version, CASE WHEN {counted} THEN o.order_date END,"
            f" CASE WHEN {counted} THEN o.customer_id END FROM {_quote(Order._meta.db_table)} o ORDER BY o.id",
            [*SALE_STATUSES, *SALE_STATUSES])


def _cohorts_rebuild() -> None:
    cohorts = SalesOrderDaily.objects.filter(customer_first_day__isnull=False).annotate(
        cohort=TruncMonth("customer_first_day"), month=TruncMonth("day")).values("cohort", "month", "owner_id").annotate(
        customers=Count("customer_id", distinct=True)).values_list("cohort", "month", "owner_id", "customers").order_by()
    _insert(CohortCell, ("cohort", "month", "owner_id", "customers"),
            ((cohort, month, owner or 0, count) for cohort, month, owner, count in cohorts.iterator(chunk_size=5000)))


def rebuild(*, now: dt.datetime | None, progress: Callable[[int, int, str], None] | None) -> RefreshResult:
    now = now or timezone.now()
    first = Order.objects.filter(status__in=SALE_STATUSES).aggregate(first=Min("order_date"))["first"]
    last = Order.objects.order_by("-order_date").values_list("order_date", flat=True).first()
    months = _months(first, last) if first else []
    steps = len(months) + 3 + len(_index_statements())
    done = 0

    def step(message: str) -> None:
        nonlocal done
        done += 1
        if progress:
            progress(done, steps, message)

    token = _start(now)
    firsts = pl.DataFrame(schema={"customer_id": pl.Int64, "customer_first_day": pl.Date})
    for start, end in months:
        lines = month_lines(start, end)
        orders = order_rows(lines)
        # Months go in order, so a customer's first month sets its first day.
        month_firsts = orders.group_by("customer_id").agg(pl.col("day").min().alias("customer_first_day"))
        firsts = pl.concat([firsts, month_firsts.join(firsts, on="customer_id", how="anti")], rechunk=False)
        orders = orders.join(firsts, on="customer_id", how="left")
        daily_lines = line_rows(lines)
        del lines
        with transaction.atomic():
            _still_ours(token)
            _insert_frame(SalesLineDaily, daily_lines.sort(["day", "customer_id"]), LINE_COLUMNS)
            _insert_frame(SalesOrderDaily, orders.sort(["day", "customer_id"]), ORDER_COLUMNS)
            _insert_frame(SalesCell, cell_rows(daily_lines, orders, start), CELL_COLUMNS)
        step(f"{start:%Y-%m}")
    with transaction.atomic():
        _still_ours(token)
        _insert_frame(CustomerFirstPurchase, firsts.sort("customer_id").rename(
            {"customer_first_day": "first_day"}), ["customer_id", "first_day"])
        del firsts
        _buying_days_rebuild()   # window functions, then month cells: both set-based
        _cohorts_rebuild()
    step("customers")
    _indexes_build(token, step)
    # Pairs and value cells are read off the daily rows with their indexes back (a basket self-join).
    with transaction.atomic():
        _still_ours(token)
        pair_cells_rebuild()
        value_cells_rebuild()
    step("pairs and value cells")
    with transaction.atomic():
        _still_ours(token)
        cursor = RollupCursor.objects.get(pk=1)
        cursor.scanned_until = cursor.customers_scanned_until = now
        cursor.rebuilt_at = cursor.refreshed_at = timezone.now()
        cursor.data_version += 1
        cursor.save()
    step("done")
    return RefreshResult(orders=Order.all_objects.count(), keys=SalesOrderDaily.objects.count())
