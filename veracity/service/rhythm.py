"""Purchase rhythm: from each customer's order dates, the median days between purchases and the
date the next purchase is expected. Pure functions over Polars frames, tested on tiny frames."""

import datetime as dt

import polars as pl

MIN_ORDERS = 3  # fewer orders give no rhythm worth trusting


def purchase_rhythm(orders: pl.LazyFrame, *, min_orders: int = MIN_ORDERS) -> pl.LazyFrame:
    """orders(customer_id, order_date) -> one row per customer with at least `min_orders` distinct
    order days: customer_id, orders, last_order_date, median_interval_days, expected_on.
    Several orders on one day count as one purchase."""
    days = orders.select("customer_id", "order_date").unique().sort("customer_id", "order_date")
    gaps = days.with_columns(
        (pl.col("order_date") - pl.col("order_date").shift(1).over("customer_id")).dt.total_days().alias("gap")
    )
    per_customer = gaps.group_by("customer_id").agg(
        pl.len().alias("orders"),
        pl.col("order_date").max().alias("last_order_date"),
        pl.col("gap").drop_nulls().median().alias("median_interval_days"),
    )
    return (
        per_customer.filter(pl.col("orders") >= min_orders)
        .with_columns(pl.col("median_interval_days").round(0).cast(pl.Int64).clip(lower_bound=1))
        .with_columns(
            (pl.col("last_order_date") + pl.duration(days=pl.col("median_interval_days"))).alias("expected_on")
        )
        .sort("customer_id")
    )


def due_for_repurchase(rhythm: pl.LazyFrame, *, today: dt.date, lead_days: int) -> pl.LazyFrame:
    """The customers whose expected purchase date is at most `lead_days` away (or already past)."""
    return rhythm.filter(pl.col("expected_on") <= pl.lit(today + dt.timedelta(days=lead_days)))
