"""The bulk path's lookups of existing records by external id: alive records only, one row each, and on
SQLite a probe of the alive-key unique index per key rather than a walk over every alive row. Records an
earlier batch read are not read again while their version is unchanged (decision 0013); any change —
an edit, the trash, a merge, a purge — has them read again."""

from decimal import Decimal

import polars as pl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from veracity.catalog.models import Product
from veracity.catalog.tests.factories import ProductFactory
from veracity.customers.models import Customer
from veracity.customers.services import customer_delete, customer_update
from veracity.customers.tests.factories import CustomerFactory
from veracity.dedup.services.merge import record_merge
from veracity.imports.bulk.orders import BulkState, _changed_since_read, _lookup
from veracity.imports.entities import Context

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


def _customers_looked_up(state: BulkState, codes: list[str]) -> dict[str, tuple]:
    found = state.lookup(Customer, "code", codes, FIELDS, NAMES, remembered=True)
    return {row[0]: row[1:] for row in found.rows()}


def _queries_of(function) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        function()
    return [query["sql"] for query in captured.captured_queries]


@pytest.fixture
def state(admin) -> BulkState:
    return BulkState(ctx=Context(actor=admin, mode="upsert"))


def test_a_remembered_customer_is_confirmed_by_its_version_and_not_read_again_by_code(state):
    kept = CustomerFactory(code="C-1", name="字节跳动(北京)科技有限公司")
    first = _customers_looked_up(state, ["C-1", "C-404"])

    queries = _queries_of(lambda: _customers_looked_up(state, ["C-1"]))

    assert first["C-1"][0] == kept.pk and "C-404" not in first
    assert _customers_looked_up(state, ["C-1"]) == {"C-1": first["C-1"]}
    assert len(queries) == 1 and "LEFT JOIN" in queries[0]  # the version check, no read by code


def test_a_remembered_customer_someone_edited_since_is_read_again_with_the_new_values(state, admin):
    customer = CustomerFactory(code="C-1", name="旧名字有限公司", province="北京市")
    _customers_looked_up(state, ["C-1"])

    customer_update(actor=admin, customer=customer, values={"name": "新名字有限公司", "province": "上海市"},
                    expected_version=customer.version)

    again = _customers_looked_up(state, ["C-1"])["C-1"]
    assert (again[1], again[5]) == ("新名字有限公司", "上海市")


def test_a_remembered_customer_moved_to_the_trash_is_not_found_and_a_new_one_with_its_code_is(state, admin):
    trashed = CustomerFactory(code="C-1")
    _customers_looked_up(state, ["C-1"])

    customer_delete(actor=admin, customer=trashed)
    assert _customers_looked_up(state, ["C-1"]) == {}
    newer = CustomerFactory(code="C-1")
    assert _customers_looked_up(state, ["C-1"])["C-1"][0] == newer.pk


def test_a_remembered_customer_merged_into_another_is_not_found_by_its_old_code(state, admin):
    survivor, loser = CustomerFactory(code="C-1"), CustomerFactory(code="C-2")
    _customers_looked_up(state, ["C-1", "C-2"])

    record_merge(actor=admin, survivor=survivor, loser=loser)

    assert set(_customers_looked_up(state, ["C-1", "C-2"])) == {"C-1"}


def test_a_remembered_customer_purged_from_the_database_is_not_found(state):
    gone = CustomerFactory(code="C-1")
    _customers_looked_up(state, ["C-1"])

    Customer.all_objects.filter(pk=gone.pk).delete()

    assert _customers_looked_up(state, ["C-1"]) == {}


def test_a_remembered_product_deactivated_since_is_read_again_inactive(state):
    product = ProductFactory(sku="P-1", is_active=True)
    fields = ("name", "is_active", "currency", "list_price", "cost_price")
    names = ("sku", "product_id", *fields)
    state.lookup(Product, "sku", ["P-1"], fields, names, remembered=True)

    Product.objects.filter(pk=product.pk).update(is_active=False, version=product.version + 1)

    assert state.lookup(Product, "sku", ["P-1"], fields, names, remembered=True).get_column("is_active").to_list() == [
        False]


def test_changed_since_read_names_the_records_at_another_version_in_the_trash_or_gone():
    same, edited, trashed = CustomerFactory(), CustomerFactory(), CustomerFactory()
    Customer.objects.filter(pk=edited.pk).update(version=edited.version + 1)
    Customer.objects.filter(pk=trashed.pk).update(deleted_at=timezone.now())
    ids = [same.pk, edited.pk, trashed.pk, 999_999]

    changed = _changed_since_read(Customer, ids, [same.version, edited.version, trashed.version, 1])

    assert sorted(changed) == sorted([edited.pk, trashed.pk, 999_999])
    assert _changed_since_read(Customer, [], []) == []


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the query plan of SQLite")
def test_sqlite_version_check_probes_by_primary_key():
    customer = CustomerFactory()
    query = _queries_of(lambda: _changed_since_read(Customer, [customer.pk], [customer.version]))[-1]
    with connection.cursor() as cursor:
        plan = " ".join(row[-1] for row in cursor.execute(f"EXPLAIN QUERY PLAN {query}").fetchall())

    assert "INTEGER PRIMARY KEY" in plan and "SCAN t" not in plan


def test_customers_a_pipelined_batch_created_are_known_once_it_committed(admin):
    state = BulkState(ctx=Context(actor=admin, mode="upsert"), pipelined=True)
    _customers_looked_up(state, ["C-1"])  # batch 1 finds nothing and creates C-1 (written meanwhile)
    created = CustomerFactory(code="C-1", name="新客户有限公司")
    state.remember(Customer, _customers_frame([created]))
    state.written()  # batch 1 is being written while batch 2 is resolved
    state.written()  # batch 1 has committed

    queries = _queries_of(lambda: _customers_looked_up(state, ["C-1"]))

    assert _customers_looked_up(state, ["C-1"])["C-1"][:2] == (created.pk, "新客户有限公司")
    assert len(queries) == 1 and "LEFT JOIN" in queries[0]


def _customers_frame(customers) -> pl.DataFrame:
    return _lookup(Customer, "code", [customer.code for customer in customers], FIELDS, NAMES)
