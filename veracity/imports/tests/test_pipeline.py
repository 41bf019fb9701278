"""A pipelined bulk load (imports.bulk.runner: batch k written on a second connection while batch k+1 is
resolved) writes exactly what the same load in turn writes: customers and products created by a batch
still being written, batches that need the row path (an order named again, a customer without a code),
customers and products renamed by a later batch, rows refused. On SQLite, a batch whose ids another
writer took while it was resolved is resolved and written again.

The pipeline needs committed data and a second connection that sees it (never inside a test's
transaction, never on the in-memory SQLite test database), so the loads run in a `veracity` process of
their own against the test database: a file copy of it on SQLite, the database itself on PostgreSQL."""

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from veracity.activities.tests.factories import make_order
from veracity.catalog.models import Product
from veracity.customers.models import Customer
from veracity.customers.tests.factories import CustomerFactory
from veracity.sales.models import Order

ROOT = Path(settings.BASE_DIR)
HEADER = "order_number,order_date,customer_code,customer_name,phone,email,region,sku,product_name,quantity," \
         "unit_price,currency,salesperson\n"
BATCH_LINES = 40

# Runs in its own process: imports FILE in one pass (pipeline on or off, as the environment says), prints
# what it wrote (by external id, not by database id) and what the runner did, as JSON on the last line.
DRIVER = r'''
import json, os, sys, threading
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "veracity.config.settings")
import django
django.setup()
from django.db import connections
from veracity.accounts.models import User
from veracity.catalog.models import Product
from veracity.customers.models import Customer
from veracity.imports import services
from veracity.imports.bulk import orders as bulk_orders, runner, writers
from veracity.imports.models import ImportedRecord, ImportRowError
from veracity.sales.models import Order

seen = {"submitted": 0, "in_turn": 0, "ids_taken": 0}
submit, in_turn = runner._BatchWriter.submit, runner._apply_in_turn
def counted_submit(*args, **kwargs):
    seen["submitted"] += 1
    return submit(*args, **kwargs)
def counted_in_turn(*args, **kwargs):
    seen["in_turn"] += 1
    return in_turn(*args, **kwargs)
runner._BatchWriter.submit, runner._apply_in_turn = counted_submit, counted_in_turn

if os.environ.get("SLOW_WRITER"):
    # Each batch is written only after the next one was resolved: that one must see what this one creates.
    import time
    write = runner._BatchWriter._write
    def slow_write(*args, **kwargs):
        time.sleep(float(os.environ["SLOW_WRITER"]))
        return write(*args, **kwargs)
    runner._BatchWriter._write = slow_write

if os.environ.get("TAKE_AN_ORDER_ID"):
    # Another writer saves an order, with the first id the third batch was given, while that batch is
    # resolved (the batch before it is still being written).
    allocate, calls = writers.ids_allocate, []
    def taking(model, count, *, after=0):
        ids = allocate(model, count, after=after)
        if model is Order and after:
            calls.append(ids)
            if len(calls) == 2:
                def take():
                    order = Order.objects.order_by("id").first()
                    order.pk, order.number = ids[0], "TAKEN-1"
                    order.save(force_insert=True)
                    connections.close_all()
                thread = threading.Thread(target=take)
                thread.start()
                thread.join()
        return ids
    writers.ids_allocate = taking
    raised = runner._BatchWriter.wait
    def counted_wait(self):
        try:
            return raised(self)
        except runner.IdsTaken:
            seen["ids_taken"] += 1
            raise
    runner._BatchWriter.wait = counted_wait

admin = User.objects.get(username="admin")
path = sys.argv[1]
with open(path, "rb") as handle:
    run = services.import_run_create(actor=admin, stream=handle, name="orders.csv", size=os.path.getsize(path),
                                     entity="orders", mode="upsert", policy="load_valid", one_pass=True,
                                     batch_size=int(sys.argv[2]))
run = services.import_run_execute(actor=admin, run_id=run.pk)
orders = {o.number: [o.customer.code, str(o.order_date), str(o.total_amount), o.currency, o.region,
                     o.salesperson.username, o.version,
                     [[line.line_no, line.product.sku, str(line.quantity), str(line.unit_price), str(line.net_amount)]
                      for line in o.lines.order_by("line_no")]]
          for o in Order.objects.select_related("customer", "salesperson")}
customers = {c.code: [c.name, c.name_pinyin, c.phone, c.email, c.owner.username, c.version]
             for c in Customer.objects.select_related("owner")}
products = {p.sku: [p.name, str(p.list_price), p.currency, p.version] for p in Product.objects.all()}
records = sorted([r.content_type.model, r.action, r.count] for r in ImportedRecord.objects.filter(run=run))
errors = list(ImportRowError.objects.filter(run=run).order_by("row_number", "pk")
              .values_list("row_number", "column", "value", "message"))
print(json.dumps({"status": run.status, "message": run.message, "done": run.counts.get("done"), "orders": orders,
                  "customers": customers, "products": products, "records": records, "errors": errors,
                  "seen": seen}, ensure_ascii=False))
'''


def _orders_file(path: Path) -> None:
    """About ten batches of 1-3 line orders over 30 customers and 8 products, so that later batches name
    what earlier ones create; and, later on, what sends a batch to the row path (an order that exists,
PL-0100; a new customer without a code) or to an update (last, the renames: batches naming the old
name again would rename back)."""
    lines, starts = [], {}
    for order in range(1, 151):
        starts[order] = len(lines)
        customer = order // 5  # each customer's orders span two batches: the first creates it
        for line in range(1 + order % 3):
            product = (order // 12 + line) % 16
            lines.append(f"PL-{order:04d},2026-03-{1 + order % 28:02d},PC-{customer:03d},管道客户{customer},"
                         f"138 0013 {8000 + customer:04d},pc{customer}@example.com,,PS-{product},"
                         f"管道产品{product},{1 + line},{10 + line}.50,CNY,admin\n")
    lines[starts[66]:starts[66]] = ["PL-9001,2026-03-07,,无编号的管道客户,,,,PS-2,,1,12.00,CNY,admin\n"]  # a new customer, no code
    lines += [
        "PL-9002,2026-03-08,PC-003,改了名的管道客户3,,,,PS-3,,1,13.00,CNY,admin\n",  # renames a customer
        "PL-9003,2026-03-08,PC-004,管道客户4,,,,PS-4,改了名的管道产品4,1,14.00,CNY,admin\n",  # renames a product
        "PL-9004,2026-03-09,PC-006,管道客户6,12345,,,PS-5,,1,15.00,CNY,admin\n",  # a bad phone: refused
    ]
    path.write_text(HEADER + "".join(lines), encoding="utf-8")


def _database_for_a_process(tmp_path: Path, name: str) -> dict[str, str]:
    """The environment of a process that works on (a copy of) the test database."""
    env = {**os.environ, "VERACITY_ENV": "development", "VERACITY_LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT),
           "VERACITY_IMPORT_BULK_MIN_BYTES": "0"}
    if connection.vendor == "sqlite":
        directory = tmp_path / name
        directory.mkdir()
        target = sqlite3.connect(directory / "veracity.sqlite3")
        connection.ensure_connection()
        connection.connection.backup(target)
        target.close()
        env["VERACITY_DATA_DIR"] = str(directory)
        env.pop("VERACITY_DATABASE_URL", None)
    else:
        db = connection.settings_dict
        env["VERACITY_DATABASE_URL"] = f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        env["VERACITY_DATA_DIR"] = str(tmp_path / name)
    return env


def _load(env: dict[str, str], source: Path, **extra: str) -> dict:
    finished = subprocess.run([sys.executable, "-c", DRIVER, str(source), str(BATCH_LINES)], env={**env, **extra},
                              cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert finished.returncode == 0, finished.stderr[-3000:]
    return json.loads(finished.stdout.strip().splitlines()[-1])


def _records_before_the_import(admin) -> None:
    """A customer (with another phone than the file's: updated) and an order (named again: the row path)."""
    customer = CustomerFactory(code="PC-000", name="管道客户0", owner=admin)
    make_order(customer, number="PL-0100")


def _wipe_orders_customers_products() -> None:
    Order.all_objects.all().delete()
    Customer.all_objects.all().delete()
    Product.all_objects.all().delete()


@pytest.mark.django_db(transaction=True)
def test_a_pipelined_load_writes_counts_and_reports_exactly_what_a_load_in_turn_does(admin, tmp_path):
    source = tmp_path / "orders.csv"
    _orders_file(source)
    _records_before_the_import(admin)
    in_turn_env = _database_for_a_process(tmp_path, "in-turn")
    in_turn = _load(in_turn_env, source, VERACITY_IMPORT_PIPELINE="false")
    if connection.vendor == "sqlite":
        pipelined = _load(_database_for_a_process(tmp_path, "pipelined"), source, SLOW_WRITER="0.3")
    else:  # the same database: the first load's orders, customers and products go first
        _wipe_orders_customers_products()
        _records_before_the_import(admin)
        pipelined = _load(in_turn_env, source, SLOW_WRITER="0.3")

    assert in_turn["status"] == "completed" and in_turn["seen"]["submitted"] == 0
    assert pipelined["status"] == "completed"
    # Batches went through the writer; those with a unit for the row path or an update (PC-000's phone,
    # then each batch naming PC-003 or PS-4 by its old name again after the rename) in turn.
    seen = pipelined["seen"]
    assert seen["submitted"] >= 4 and seen["in_turn"] >= 2, seen
    for key in ("done", "orders", "customers", "products", "records", "errors"):
        assert pipelined[key] == in_turn[key], key
    assert len(pipelined["orders"]) == 153 and pipelined["customers"]["PC-003"][0] == "改了名的管道客户3"
    assert pipelined["products"]["PS-4"][0] == "改了名的管道产品4"
    assert pipelined["orders"]["PL-0100"][6] == 2  # it existed: updated by the row path
    assert [error[1] for error in pipelined["errors"]] == ["phone"], pipelined["errors"]


@pytest.mark.django_db(transaction=True)
def test_a_pipelined_batch_whose_ids_another_writer_took_is_resolved_and_written_again(admin, tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL hands out ids from its sequence: no other writer can take them")
    source = tmp_path / "orders.csv"
    _orders_file(source)
    _records_before_the_import(admin)
    in_turn = _load(_database_for_a_process(tmp_path, "in-turn"), source, VERACITY_IMPORT_PIPELINE="false")
    taken = _load(_database_for_a_process(tmp_path, "taken"), source, TAKE_AN_ORDER_ID="1")

    assert taken["status"] == "completed" and taken["seen"]["ids_taken"] == 1
    other = taken["orders"].pop("TAKEN-1")
    assert other[7] == []  # the other writer's order (a copy of a header) is there, untouched
    for key in ("done", "orders", "customers", "products", "records", "errors"):
        assert taken[key] == in_turn[key], key
