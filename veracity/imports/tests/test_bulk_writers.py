"""The bulk writer's SQLite inserts: many rows a statement, and columns every row leaves NULL left out."""

from decimal import Decimal

import polars as pl
import pytest
from django.db import connection
from django.utils import timezone

from veracity.catalog.models import Product
from veracity.imports.bulk import writers

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def sqlite_only():
    if connection.vendor != "sqlite":
        pytest.skip("the multi-row INSERT path is SQLite's (PostgreSQL COPYs)")


def _products(count: int, *, cost: bool) -> tuple[list[str], list[tuple]]:
    now = timezone.now()
    columns, template = writers.column_template(Product, {"created_at": now, "updated_at": now})
    positions = {column: index for index, column in enumerate(columns)}
    ids = writers.ids_allocate(Product, count)
    rows = []
    for number, pk in enumerate(ids, start=1):
        row = list(template)
        row[positions["sku"]], row[positions["name"]] = f"W-{number}", f"产品 {number}"
        row[positions["list_price"]] = f"{number}.50"
        row[positions["cost_price"]] = f"{number}.25" if cost and number % 2 else None
        rows.append((pk, *row))
    return ["id", *columns], rows


@pytest.mark.parametrize("per_statement", [1, 3, 1000])
@pytest.mark.parametrize("cost", [False, True])
def test_rows_insert_writes_every_row_whatever_the_rows_per_statement(monkeypatch, per_statement, cost):
    monkeypatch.setattr(writers, "SQLITE_ROWS_PER_INSERT", per_statement)
    columns, rows = _products(7, cost=cost)  # 7: whole statements and a remainder
    writers.rows_insert(Product, columns, rows)
    found = list(Product.objects.order_by("sku").values_list("sku", "name", "list_price", "cost_price", "unit",
                                                             "is_active", "version", "deleted_at"))
    expected = sorted((f"W-{n}", f"产品 {n}", Decimal(f"{n}.50"), Decimal(f"{n}.25") if cost and n % 2 else None,
                       Product._meta.get_field("unit").default, True, 1, None) for n in range(1, 8))
    assert found == expected


@pytest.mark.parametrize("per_slice", [2, 3, 10_000])
def test_frame_write_writes_every_row_whatever_the_rows_per_slice(monkeypatch, per_slice):
    monkeypatch.setattr(writers, "SQLITE_ROWS_PER_SLICE", per_slice)
    monkeypatch.setattr(writers, "SQLITE_ROWS_PER_INSERT", 2)  # slices of 3: a statement and a remainder each
    columns, rows = _products(7, cost=True)
    writers.frame_write(Product, pl.DataFrame(rows, schema=columns, orient="row"))
    assert list(Product.objects.order_by("sku").values_list("sku", "list_price", "cost_price")) == [
        (f"W-{n}", Decimal(f"{n}.50"), Decimal(f"{n}.25") if n % 2 else None) for n in range(1, 8)]


def test_frame_write_leaves_all_null_columns_null():
    columns, rows = _products(3, cost=False)
    frame = pl.DataFrame(rows, schema=columns, orient="row")
    assert frame.get_column("cost_price").null_count() == 3
    writers.frame_write(Product, frame)
    assert list(Product.objects.order_by("sku").values_list("sku", "cost_price", "deleted_at", "category_id")) == [
        ("W-1", None, None, None), ("W-2", None, None, None), ("W-3", None, None, None)]


def test_only_columns_without_a_default_are_left_out():
    assert {"deleted_at", "cost_price", "category_id"} <= writers._columns_without_default(Product._meta.db_table)


@pytest.mark.parametrize("through", ["rows", "frame"])
def test_constant_text_and_numbers_are_written_as_bound_values_are(through):
    """A value every row shares is written into the statement as a literal: quotes and all, stored as
    the bound value would be (text as text, a decimal column's text as its number)."""
    columns, rows = _products(4, cost=False)
    positions = {column: index for index, column in enumerate(columns)}
    tricky = "O'Brien's \"锁\" ; DROP TABLE x; --"
    rows = [tuple(tricky if index == positions["name"] else "12.50" if index == positions["list_price"] else value
                  for index, value in enumerate(row)) for row in rows]
    if through == "rows":
        writers.rows_insert(Product, columns, rows)
    else:
        writers.frame_write(Product, pl.DataFrame(rows, schema=columns, orient="row"))
    assert list(Product.objects.order_by("sku").values_list("name", "list_price")) == [(tricky, Decimal("12.50"))] * 4
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT typeof(name), typeof(list_price), typeof(version), typeof(created_at) "
                       "FROM catalog_product")
        assert cursor.fetchall() == [("text", "real", "integer", "text")]


@pytest.mark.parametrize("through", ["rows", "frame"])
def test_a_single_row_whose_every_value_is_a_constant_is_still_written(through):
    """One row: every column is "the same in every row". The statement then binds nothing, and the
    row must still be inserted (the bookkeeping of a one-order batch is such a row)."""
    columns, rows = _products(1, cost=True)
    if through == "rows":
        writers.rows_insert(Product, columns, rows)
    else:
        writers.frame_write(Product, pl.DataFrame(rows, schema=columns, orient="row"))
    assert list(Product.objects.values_list("sku", "name", "list_price", "cost_price")) == [
        ("W-1", "产品 1", Decimal("1.50"), Decimal("1.25"))]


def test_a_column_with_some_nulls_and_one_value_is_bound_not_made_a_constant():
    columns, rows = _products(4, cost=True)  # cost 1.25, None, 3.25, None
    positions = {column: index for index, column in enumerate(columns)}
    rows = [tuple("9.00" if index == positions["cost_price"] and value is not None else value
                  for index, value in enumerate(row)) for row in rows]
    writers.frame_write(Product, pl.DataFrame(rows, schema=columns, orient="row"))
    assert list(Product.objects.order_by("sku").values_list("cost_price", flat=True)) == [
        Decimal("9.00"), None, Decimal("9.00"), None]
