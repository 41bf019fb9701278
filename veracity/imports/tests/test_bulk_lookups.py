"""The bulk path's lookups of existing records by external id: alive records only, one row each, and on
SQLite a probe of the alive-key unique index per key rather than a walk over every alive row."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from veracity.catalog.models import Product
from veracity.catalog.tests.factories import ProductFactory
from veracity.customers.models import Customer
from veracity.customers.tests.factories import CustomerFactory
from veracity.imports.bulk.orders import _lookup

pytestmark = pytest.mark.django_db

FIELDS = ("name", "phone", "email", "country", "province", "owner_id")
NAMES = ("code", "customer_id", "c_name", "c_phone", "c_email", "country", "province", "owner_id")


def test_lookup_returns_each_alive_record_once_and_skips_deleted_and_unknown_keys():
    kept = CustomerFactory(code="C-1", name="字节跳动(北京)科技有限公司", phone="+8613800138000")
    CustomerFactory(code="C-2", deleted_at=timezone.now())

    found = _lookup(Customer, "code", ["C-1", "C-2", "C-404", "C-1"], FIELDS, NAMES)

    assert found.rows() == [("C-1", kept.pk, "字节跳动(北京)科技有限公司", "+8613800138000", "", kept.country,
                             kept.province, kept.owner_id)]


def test_lookup_of_no_keys_is_an_empty_frame_with_the_named_columns():
    found = _lookup(Customer, "code", [], FIELDS, NAMES)

    assert found.height == 0
    assert found.columns == list(NAMES)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the query plan of SQLite")
def test_sqlite_lookup_probes_the_alive_code_index_even_when_a_deleted_at_index_exists():
    """Without ANALYZE statistics SQLite costed `code IN (…many…)` as more work than `deleted_at IS NULL`
    and walked the deleted_at index over every alive customer, for every batch of a large import."""
    CustomerFactory.create_batch(3)
    codes = [f"C-{number}" for number in range(5000)]

    with CaptureQueriesContext(connection) as captured:
        _lookup(Customer, "code", codes, FIELDS, NAMES)
    query = captured.captured_queries[-1]["sql"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'customers_customer' "
                       "AND sql LIKE '%deleted_at%' AND name NOT LIKE '%unique%'")
        assert cursor.fetchall(), "the deleted_at index this test is about is gone"
        plan = " ".join(row[-1] for row in cursor.execute(f"EXPLAIN QUERY PLAN {query}").fetchall())

    assert "customer_code_unique_alive" in plan
    assert "deleted_at" not in plan


def test_lookup_reads_decimals_and_booleans_exactly_as_the_orm_does():
    prices = [("19.90", "0.01"), ("20.00", None), ("999999999999.99", "12345.67"), ("0.00", "0.10")]
    for number, (price, cost) in enumerate(prices):
        ProductFactory(sku=f"P-{number}", list_price=Decimal(price), cost_price=cost and Decimal(cost),
                       is_active=number % 2 == 0)
    fields = ("name", "is_active", "currency", "list_price", "cost_price")
    skus = [f"P-{number}" for number in range(len(prices))]

    found = _lookup(Product, "sku", skus, fields, ("sku", "product_id", *fields))

    expected = sorted(Product.objects.filter(sku__in=skus).values_list("sku", "pk", *fields))
    assert sorted(found.rows()) == expected
    assert [row[5] for row in sorted(found.rows())][:2] == [Decimal("19.90"), Decimal("20.00")]
