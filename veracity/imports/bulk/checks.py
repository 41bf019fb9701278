"""The checks an order-line file passes before anything is written, shared by the row-by-row path and
the bulk path so that one set of rules decides which rows are valid on both.

Every value goes through `standards.validate_frame` (the entry rules, vectorised in Polars), shaped
exactly as the row path hands it to the services: the header fields (order date, region, channel,
currency, customer) from an order's first line, the line fields from every line, the customer fields
only when given. What needs the database (does the customer, product or salesperson exist, is the
order number taken, is there an exchange rate) is checked later, by the services or the bulk writer,
with the same messages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import polars as pl
from django.utils.translation import gettext as _

from veracity.core.normalisation import CLEAN_TEXT_UNCHANGED
from veracity.imports import parsing
from veracity.sales.models import Channel, Region
from veracity.standards.per_distinct import matching_shortcut, per_distinct
from veracity.standards.services import validate_frame

# Which file column each entity field comes from (as entities.py maps service errors back).
CUSTOMER_COLUMNS = {"code": "customer_code", "name": "customer_name", "phone": "phone", "email": "email"}
ORDER_COLUMNS = {"number": "order_number", "order_date": "order_date", "region": "region", "channel": "channel",
                 "currency": "currency"}
LINE_COLUMNS = {"quantity": "quantity", "unit_price": "unit_price", "discount_percent": "discount"}
PRODUCT_COLUMNS = {"sku": "sku", "name": "product_name"}
FILE_COLUMNS = ("order_number", "order_date", "customer_code", "customer_name", "phone", "email", "region", "sku",
                "product_name", "quantity", "unit_price", "currency", "salesperson", "channel", "discount",
                "campaign_code")
LINE_TEXT_COLUMNS = ("order_date", "sku", "product_name", "quantity", "unit_price", "discount")
HEAD_TEXT_COLUMNS = ("customer_code", "customer_name", "phone", "email", "order_number", "order_date", "currency",
                     "region", "channel", "salesperson")
ERROR_SCHEMA = {"row": pl.Int64, "column": pl.String, "value": pl.String, "message": pl.String}


def order_key(raw: Any) -> str:
    """An order number as the row path keys it (entities.OrderHandler.key)."""
    return " ".join(parsing.text(raw).split()).upper()


def sku_key(raw: Any) -> str:
    return " ".join(parsing.text(raw).split()).upper()


def _distinct(series: pl.Series, function: Callable[[str], Any], cache: dict, tag: str, *,
              unchanged: str = "") -> pl.Series:
    """`function` applied once per distinct value (and once per import, through `cache`).

    `unchanged` says what `function` does to text that parsing.clean leaves as it is
    (CLEAN_TEXT_UNCHANGED): "same" returns it, "upper" upper-cases it. Such values are answered in
    Polars, without a Python call each (order numbers are new in every batch)."""
    keys = pl.DataFrame({"raw": series.fill_null("").cast(pl.String)})
    raw = pl.col("raw")
    shortcut = matching_shortcut(CLEAN_TEXT_UNCHANGED, {
        "value": raw.str.to_uppercase() if unchanged == "upper" else raw}) if unchanged else None
    return per_distinct(keys, lambda raw: (function(raw),), schema={"value": pl.String}, memo=cache,
                        memo_key=("__distinct", tag), shortcut=shortcut).get_column("value").alias(series.name)


def _blank_to_null(series: pl.Series) -> pl.Series:
    return pl.select(pl.when(pl.lit(series) == "").then(None).otherwise(pl.lit(series))).to_series().alias(series.name)


def _errors_from(errors: pl.DataFrame, source: pl.DataFrame, columns: dict[str, str]) -> pl.DataFrame:
    """validate_frame's (frame index, field) errors as (file row, file column, the cell as written)."""
    if errors.height == 0:
        return pl.DataFrame(schema=ERROR_SCHEMA)
    column_of = errors.get_column("column").replace_strict(columns, default="", return_dtype=pl.String)
    rows = source.get_column("row").gather(errors.get_column("row"))
    values = []
    for index, column in zip(errors.get_column("row").to_list(), column_of.to_list(), strict=True):
        values.append(parsing.text(source.get_column(column)[index]) if column in source.columns else "")
    messages = [message if column else f"{field}: {message}" for field, column, message in zip(
        errors.get_column("column").to_list(), column_of.to_list(), errors.get_column("message").to_list(),
        strict=True)]
    return pl.DataFrame({"row": rows.cast(pl.Int64), "column": column_of, "value": values, "message": messages},
                        schema=ERROR_SCHEMA)


def order_lines_check(frame: pl.DataFrame, *, cache: dict) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(cleaned, errors) for a batch of order lines.

    `frame`: "row" (the spreadsheet row number), "unit" (rows of one order share it; consecutive),
    and the file's canonical columns as text (null or "" when empty). `cache` lives as long as the
    import. `cleaned` has one row per line: row, unit, first (the order's first line) and the cleaned
    values — code, customer_name, phone, email, number, order_date, region, channel, currency,
    quantity, unit_price, discount_percent, sku, product_name, salesperson. `errors` has one row per
    problem: row, column (the file's), value (the cell as written), message."""
    for column in FILE_COLUMNS:
        if column not in frame.columns:
            frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(column))
    first = frame.get_column("unit").is_first_distinct()
    heads = frame.filter(first)
    # Trimmed only where read: the line's own cells on every line, the order's and the customer's on the
    # order's first line only (a fifth of the lines), not all sixteen columns of every line.
    text = {column: frame.get_column(column).cast(pl.String).str.strip_chars() for column in LINE_TEXT_COLUMNS}
    head_text = {column: heads.get_column(column).cast(pl.String).str.strip_chars() for column in HEAD_TEXT_COLUMNS}
    problems: list[pl.DataFrame] = []

    customers_in = pl.DataFrame({
        "code": _blank_to_null(_distinct(head_text["customer_code"], lambda raw: parsing.clean(raw).upper(), cache,
                                         "customer_code", unchanged="upper")),
        "name": _blank_to_null(_distinct(head_text["customer_name"], parsing.clean, cache, "customer_name",
                                         unchanged="same")),
        "phone": head_text["phone"], "email": head_text["email"]})
    customers, errors = validate_frame("customer", customers_in, partial=True, cache=cache)
    problems.append(_errors_from(errors, heads, CUSTOMER_COLUMNS))

    orders_in = {
        # order numbers are new in every batch: cached per batch only, so memory stays flat
        "number": _distinct(head_text["order_number"], order_key, {}, "order_key", unchanged="upper"),
        "order_date": head_text["order_date"],
        "currency": head_text["currency"].str.to_uppercase(),
    }
    if frame.get_column("region").is_not_null().any():
        orders_in["region"] = _distinct(head_text["region"], lambda raw: parsing.choice_value(Region, raw), cache,
                                        "region")
    if frame.get_column("channel").is_not_null().any():
        orders_in["channel"] = _distinct(head_text["channel"], lambda raw: parsing.choice_value(Channel, raw), cache,
                                         "channel")
    orders, errors = validate_frame("order", pl.DataFrame({name: _blank_to_null(series.alias(name))
                                                           for name, series in orders_in.items()}))
    problems.append(_errors_from(errors, heads, ORDER_COLUMNS))

    number = parsing.parse_number
    lines_in = {"quantity": _blank_to_null(_distinct(text["quantity"], number, cache, "number"))}
    if frame.get_column("unit_price").is_not_null().any():
        lines_in["unit_price"] = _blank_to_null(_distinct(text["unit_price"], number, cache, "number"))
    if frame.get_column("discount").is_not_null().any():
        lines_in["discount_percent"] = _blank_to_null(_distinct(text["discount"], number, cache, "number"))
    lines, errors = validate_frame("order_line", pl.DataFrame(lines_in), cache=cache)
    problems.append(_errors_from(errors, frame, LINE_COLUMNS))

    sku = _distinct(text["sku"], sku_key, cache, "sku", unchanged="upper")
    product_name = _distinct(text["product_name"], parsing.clean, cache, "product_name", unchanged="same")
    products_in = pl.DataFrame({  # a product created from a line is named after its SKU when no name is given
        "sku": _blank_to_null(sku),
        "name": _blank_to_null(pl.select(pl.when(pl.lit(product_name) == "").then(pl.lit(sku))
                                         .otherwise(pl.lit(product_name))).to_series().alias("name"))})
    products, errors = validate_frame("product", products_in, cache=cache)
    errors = errors.filter(pl.col("column") != "list_price")  # the line's unit price carries that rule
    problems.append(_errors_from(errors, frame, PRODUCT_COLUMNS))

    # Every line of an order must carry the order's date (or none).
    first_date = pl.DataFrame({"date": text["order_date"], "unit": frame.get_column("unit")}).select(
        pl.col("date").first().over("unit")).to_series()
    differs = (~first) & text["order_date"].is_not_null() & (text["order_date"] != "") & (
        text["order_date"] != first_date.fill_null(""))
    differs = differs.fill_null(False)
    if differs.any():
        problems.append(pl.DataFrame({
            "row": frame.get_column("row").filter(differs).cast(pl.Int64),
            "column": ["order_date"] * int(differs.sum()),
            "value": text["order_date"].filter(differs).fill_null(""),
            "message": [_("Every line of an order must have the same order date.")] * int(differs.sum())},
            schema=ERROR_SCHEMA))

    unit = frame.get_column("unit")
    header_columns = {
        "code": customers.get_column("code"), "customer_name": customers.get_column("name"),
        "phone": customers.get_column("phone"), "email": customers.get_column("email"),
        "number": orders.get_column("number"), "order_date": orders.get_column("order_date"),
        "currency": orders.get_column("currency"),
        "region": orders.get_column("region") if "region" in orders.columns else None,
        "channel": orders.get_column("channel") if "channel" in orders.columns else None,
        "salesperson": head_text["salesperson"],
    }
    spread = pl.select(pl.lit(first).cast(pl.Int64).cum_sum() - 1).to_series()  # units are consecutive
    cleaned = pl.DataFrame({"row": frame.get_column("row"), "unit": unit, "first": first})
    for name, series in header_columns.items():
        if series is None:
            cleaned = cleaned.with_columns(pl.lit(None, dtype=pl.String).alias(name))
        else:
            cleaned = cleaned.with_columns(series.gather(spread).alias(name))
    cleaned = cleaned.with_columns(
        lines.get_column("quantity"),
        lines.get_column("unit_price") if "unit_price" in lines.columns else pl.lit(None).alias("unit_price"),
        lines.get_column("discount_percent") if "discount_percent" in lines.columns
        else pl.lit(None).alias("discount_percent"),
        products.get_column("sku"), products.get_column("name").alias("product_name"))
    errors = pl.concat(problems) if problems else pl.DataFrame(schema=ERROR_SCHEMA)
    return cleaned, errors
