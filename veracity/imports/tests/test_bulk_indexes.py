"""Large bulk loads drop the secondary indexes of the tables they fill and rebuild them at the end:
every index is back afterwards — after success, after a failed batch, and after a killed process
(the next run, `veracity import --resume` or `--restore-indexes` rebuilds them); unique indexes the
upsert relies on are never dropped."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection

from veracity.customers.models import Customer
from veracity.imports.bulk import indexes, runner
from veracity.imports.models import DeferredIndex, ImportedRecord, ImportStatus
from veracity.imports.tests.helpers import csv_bytes, run_now, upload
from veracity.sales.models import ExchangeRate, Order

HEADER = ["order_number", "order_date", "customer_code", "customer_name", "phone", "email", "region", "sku",
          "product_name", "quantity", "unit_price", "currency", "salesperson"]
TABLES = [model._meta.db_table for model in runner.DEFERRED_INDEX_MODELS]


@pytest.fixture
def bulk_deferring(settings, db):
    settings.VERACITY_IMPORT_BULK_MIN_BYTES = 0
    settings.VERACITY_IMPORT_DEFER_INDEXES_MIN_LINES = 1
    ExchangeRate.objects.create(currency="USD", rate_date=dt.date(2026, 1, 1), rate=Decimal("7.10000000"))


def _indexes() -> dict[str, dict]:
    with connection.cursor() as cursor:
        return {table: {name: (info["columns"], info["unique"])
                        for name, info in connection.introspection.get_constraints(cursor, table).items()
                        if info["index"] or info["unique"]} for table in TABLES}


def _rows(count: int) -> list[list[str]]:
    return [HEADER] + [[f"SO-{n}", "2026-03-05", f"C-{n % 3}", f"客户{n % 3}", "", "", "", f"SKU-{n % 4}", "产品", "1",
                        "10", "CNY", "admin"] for n in range(1, count + 1)]


@pytest.mark.django_db
def test_a_large_bulk_load_ends_with_every_index_present(admin, bulk_deferring, monkeypatch):
    before = _indexes()
    dropped = []
    original = runner._execute_batches

    def spy(*args, **kwargs):
        dropped.extend(indexes.indexes_missing())
        return original(*args, **kwargs)

    monkeypatch.setattr(runner, "_execute_batches", spy)
    run = run_now(admin, upload(admin, csv_bytes(_rows(10)), "orders", batch_size=2))
    assert run.status == ImportStatus.COMPLETED and Order.objects.count() == 10
    assert "sales_order_deleted_at_10d69275" in dropped  # the load really ran without them
    assert not any("unique" in name for name in dropped)
    assert _indexes() == before and not DeferredIndex.objects.exists()


@pytest.mark.django_db
def test_a_failing_batch_still_rebuilds_the_indexes(admin, bulk_deferring, monkeypatch):
    before = _indexes()
    original = runner._commit_bookkeeping

    def crash_in_second(run_, batch, result, actor):
        if batch.number == 2:
            raise OSError("disk full")
        return original(run_, batch, result, actor)

    monkeypatch.setattr(runner, "_commit_bookkeeping", crash_in_second)
    run = upload(admin, csv_bytes(_rows(6)), "orders", batch_size=2)
    with pytest.raises(OSError):
        run_now(admin, run)
    assert Order.objects.count() == 2
    assert _indexes() == before and not DeferredIndex.objects.exists()


@pytest.mark.django_db
def test_indexes_left_dropped_by_a_killed_load_come_back_on_restore_and_resume(admin, bulk_deferring):
    before = _indexes()
    dropped = indexes.indexes_defer(TABLES)  # what a load killed by SIGKILL leaves behind
    assert dropped and sorted(indexes.indexes_missing()) == sorted(dropped)
    after_drop = _indexes()
    assert after_drop != before
    # unique indexes (alive external ids, line numbers) are never dropped
    for table, found in before.items():
        assert {name for name, (_cols, unique) in found.items() if unique} <= set(after_drop[table])
    call_command("import", "--restore-indexes")
    assert _indexes() == before and indexes.indexes_missing() == []

    indexes.indexes_defer(TABLES)
    run = upload(admin, csv_bytes(_rows(4)), "orders")
    run_now(admin, run)  # any later load (here: not large enough to defer) rebuilds them at its end
    assert _indexes() == before and not DeferredIndex.objects.exists()


@pytest.mark.django_db
def test_bulk_import_links_cover_every_created_record_as_id_ranges_and_revert_restores_exactly(
        admin, bulk_deferring):
    from veracity.imports import services

    run = run_now(admin, upload(admin, csv_bytes(_rows(9)), "orders", batch_size=3))
    links = list(ImportedRecord.objects.filter(run=run))
    assert sum(link.count for link in links) == 9 + 3 + 4
    assert len(links) < 9 + 3 + 4
    covered = {(link.content_type.model, object_id) for link in links for object_id in link.object_ids}
    assert {object_id for model, object_id in covered if model == "order"} == set(Order.objects.values_list("pk", flat=True))
    assert {object_id for model, object_id in covered if model == "customer"} == set(
        Customer.objects.values_list("pk", flat=True))
    summary = services.import_run_revert(actor=admin, run=run)
    assert summary == {"deleted": 16, "restored": 0, "skipped": 0}
    assert not Order.objects.exists() and not Customer.objects.exists()  # to the trash, lines with their order


def _foreign_keys() -> dict[str, bool]:
    """PostgreSQL: name → validated, of the foreign keys of the bulk-loaded tables."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT conname, convalidated FROM pg_constraint WHERE contype = 'f' "
                       "AND conrelid = ANY(%s::regclass[])", [[f'"{table}"' for table in TABLES]])
        return dict(cursor.fetchall())


postgres_only = pytest.mark.skipif("connection.vendor != 'postgresql'",
                                   reason="PostgreSQL defers foreign keys during a large load; SQLite keeps them")


@postgres_only
@pytest.mark.django_db
def test_a_large_postgresql_load_runs_without_foreign_keys_and_ends_with_each_one_validated(
        admin, bulk_deferring, monkeypatch):
    before = _foreign_keys()
    assert before and all(before.values())
    missing = []
    original = runner._execute_batches

    def spy(*args, **kwargs):
        missing.extend(name for name in indexes.indexes_missing() if name in before)
        return original(*args, **kwargs)

    monkeypatch.setattr(runner, "_execute_batches", spy)
    run = run_now(admin, upload(admin, csv_bytes(_rows(10)), "orders", batch_size=2))
    assert run.status == ImportStatus.COMPLETED and Order.objects.count() == 10
    assert set(missing) == set(before)  # the load really ran without them
    assert _foreign_keys() == before and not DeferredIndex.objects.exists()


@postgres_only
@pytest.mark.django_db
def test_a_row_pointing_nowhere_fails_the_foreign_key_restore_and_keeps_it_on_record(admin, bulk_deferring):
    from django.db import IntegrityError

    from veracity.sales.models import OrderLine

    run_now(admin, upload(admin, csv_bytes(_rows(2)), "orders"))
    before = _foreign_keys()
    dropped = indexes.foreign_keys_defer(TABLES)  # what a killed load leaves behind
    assert set(dropped) == set(before)
    line = OrderLine.objects.first()
    with connection.cursor() as cursor:
        cursor.execute(f'UPDATE "{OrderLine._meta.db_table}" SET order_id = 999999 WHERE id = %s', [line.pk])
    with pytest.raises(IntegrityError):
        indexes.indexes_restore()
    assert set(indexes.indexes_missing()) & set(before)  # still on record, reported by every later restore
    with connection.cursor() as cursor:
        cursor.execute(f'UPDATE "{OrderLine._meta.db_table}" SET order_id = %s WHERE id = %s',
                       [line.order_id, line.pk])
    indexes.indexes_restore()
    assert _foreign_keys() == before and not DeferredIndex.objects.exists()


def _autovacuum_settings() -> dict[str, str | None]:
    """Each filled table's own autovacuum_enabled storage parameter (None: the server's default)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT c.relname, (SELECT option_value FROM pg_options_to_table(c.reloptions) "
                       "WHERE option_name = 'autovacuum_enabled') FROM pg_class c WHERE c.oid = ANY(%s::regclass[])",
                       [[f'"{table}"' for table in TABLES]])
        return dict(cursor.fetchall())


@postgres_only
@pytest.mark.django_db
def test_a_large_postgresql_load_runs_with_autovacuum_off_for_its_tables_and_puts_their_own_setting_back(
        admin, bulk_deferring, monkeypatch):
    order_table, line_table = Order._meta.db_table, runner.OrderLine._meta.db_table
    with connection.cursor() as cursor:  # an admin's own choices: one table kept on explicitly, one kept off
        cursor.execute(f'ALTER TABLE "{order_table}" SET (autovacuum_enabled = on)')
        cursor.execute(f'ALTER TABLE "{line_table}" SET (autovacuum_enabled = off)')
    before = _autovacuum_settings()
    during = {}
    original = runner._execute_batches

    def spy(*args, **kwargs):
        during.update(_autovacuum_settings())
        return original(*args, **kwargs)

    monkeypatch.setattr(runner, "_execute_batches", spy)
    run = run_now(admin, upload(admin, csv_bytes(_rows(10)), "orders", batch_size=2))
    assert run.status == ImportStatus.COMPLETED and Order.objects.count() == 10
    assert during == {**dict.fromkeys(TABLES, "false"), line_table: "off"}  # no worker vacuums a table being filled
    assert _autovacuum_settings() == before == {**dict.fromkeys(TABLES), order_table: "on", line_table: "off"}
    assert not DeferredIndex.objects.exists()


@postgres_only
@pytest.mark.django_db
def test_autovacuum_left_off_by_a_killed_load_comes_back_on_restore(admin, bulk_deferring):
    before = _autovacuum_settings()
    deferred = indexes.autovacuum_defer(TABLES)  # what a load killed by SIGKILL leaves behind
    assert len(deferred) == len(TABLES) and set(_autovacuum_settings().values()) == {"false"}
    assert indexes.autovacuum_defer(TABLES) == []  # recorded once: a second load does not record "off" as theirs
    call_command("import", "--restore-indexes")
    assert _autovacuum_settings() == before and indexes.indexes_missing() == []


@pytest.mark.django_db
def test_sqlite_has_no_autovacuum_to_defer(db):
    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL defers it (the tests above)")
    assert indexes.autovacuum_defer(TABLES) == [] and not DeferredIndex.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_postgresql_builds_two_indexes_at_a_time_and_adds_each_key_after_its_tables_indexes(
        monkeypatch):
    before, settings_before = _indexes(), _autovacuum_settings() if connection.vendor == "postgresql" else None
    dropped = indexes.indexes_defer(TABLES) + indexes.foreign_keys_defer(TABLES) + indexes.autovacuum_defer(TABLES)
    assert dropped and _indexes() != before
    threads, events = [], []  # events: ("built" | "restored", DeferredIndex) in the order they happened
    built, restore_one = indexes._restore_in_own_connection, indexes._restore_one
    lock = threading.Lock()

    def building(deferred):
        threads.append(threading.current_thread().name)
        created = built(deferred)
        with lock:
            events.append(("built", deferred))
        return created

    def restoring(deferred):
        if indexes._kind(deferred) != "index":  # a builder's own call is recorded as "built"
            with lock:
                events.append(("restored", deferred))
        return restore_one(deferred)

    monkeypatch.setattr(indexes, "_restore_in_own_connection", building)
    monkeypatch.setattr(indexes, "_restore_one", restoring)
    restored = indexes.indexes_restore()
    assert sorted(restored) == sorted(dropped) and not DeferredIndex.objects.exists()
    assert _indexes() == before
    if connection.vendor == "postgresql":
        assert _autovacuum_settings() == settings_before
        assert threads and {name.startswith("index-build") for name in threads} == {True}
        index_count = len([name for name in dropped if "_fk_" not in name and not name.endswith(" autovacuum")])
        assert len(threads) == index_count  # the keys and autovacuum: in turn, on this connection
        for position, (event, deferred) in enumerate(events):
            if event != "restored":
                continue
            built_before = {item.name for kind, item in events[:position] if kind == "built"}
            if deferred.name.endswith(" autovacuum"):
                assert len(built_before) == index_count  # autovacuum back only once every index is built
                continue
            tables = {deferred.table, indexes._referenced_table(deferred.definition)}
            waited_for = {item.name for kind, item in events if kind == "built" and item.table in tables}
            assert waited_for <= built_before, deferred.name  # never locks a table still being indexed
        assert [event for event, deferred in events if deferred.name.endswith(" autovacuum")] == ["restored"] * len(
            TABLES)
        assert events[-1][1].name.endswith(" autovacuum")
    else:
        assert threads == []  # one writer: SQLite builds them in turn
