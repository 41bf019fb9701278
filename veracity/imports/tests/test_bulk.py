"""The bulk path for order-line files: same rules and errors as the row path, same records, whole
batches, resume, revert; and runs whose process died are found and resumed."""

import datetime as dt
import os
import subprocess
import sys
from decimal import Decimal

import pytest
from django.utils import timezone

from veracity.audit.models import AuditEvent
from veracity.catalog.models import Product
from veracity.core.normalisation import name_pinyin
from veracity.customers.models import Customer
from veracity.imports import services
from veracity.imports.bulk import runner
from veracity.imports.errors import ImportFileRejected
from veracity.imports.models import (
    ImportBatch,
    ImportedRecord,
    ImportMethod,
    ImportRowError,
    ImportRun,
    ImportStatus,
)
from veracity.imports.tests.helpers import csv_bytes, run_now, upload
from veracity.sales.models import ExchangeRate, Order, OrderLine
from veracity.sales.pricing import line_net

HEADER = ["order_number", "order_date", "customer_code", "customer_name", "phone", "email", "region", "sku",
          "product_name", "quantity", "unit_price", "currency", "salesperson"]
GOOD = [
    ["SO-1", "2026-03-05", "C-1", "字节跳动", "138 0013 8000", "Info@Bytedance.example", "华北", "LOCK-1", "智能锁", "2",
     "1,000.00", "CNY", "admin"],
    ["SO-1", "2026-03-05", "C-1", "字节跳动", "138 0013 8000", "Info@Bytedance.example", "华北", "CAM-1", "摄像头", "3",
     "¥33.33", "CNY", "admin"],
    ["SO-2", "2026年3月6日", "C-2", "单田芳", "13900139000", "", "", "LOCK-1", "", "1.5", "1000", "USD", ""],
    ["SO-3", "2026/3/7", "C-1", "字节跳动", "138 0013 8000", "Info@Bytedance.example", "", "CAM-1", "摄像头", "1", "40",
     "", "admin"],
]
BAD = [
    ["SO-10", "2026-03-05", "C-10", "坏电话公司", "12345", "", "", "LOCK-1", "智能锁", "1", "10", "CNY", "admin"],
    ["SO-11", "2026-03-05", "C-11", "坏邮箱公司", "", "not-an-email", "", "LOCK-1", "智能锁", "1", "10", "CNY", "admin"],
    ["SO-12", "2026-03-05", "C-1", "字节跳动", "", "", "", "LOCK-1", "智能锁", "-2", "10", "CNY", "admin"],
    ["SO-13", "2026-02-30", "C-1", "字节跳动", "", "", "", "LOCK-1", "智能锁", "1", "10", "CNY", "admin"],
    ["SO-14", "20260-03-05", "C-1", "字节跳动", "", "", "", "LOCK-1", "智能锁", "1", "10", "CNY", "admin"],
    ["SO-15", "2026-03-05", "C-1", "字节跳动", "", "", "", "LOCK-1", "智能锁", "1", "10", "XXX", "admin"],
    ["SO-16", "2026-03-05", "C-1", "字节跳动", "", "", "", "LOCK-1", "智能锁", "lots", "10", "CNY", "admin"],
    ["SO-17", "2026-03-05", "C-1", "字节跳动", "", "", "", "LOCK-1", "智能锁", "1", "10", "CNY", "nobody-such"],
    ["SO-18", "2026-03-05", "C-404", "", "", "", "", "LOCK-1", "智能锁", "1", "10", "CNY", "admin"],
    ["SO-19", "2026-03-05", "C-1", "字节跳动", "", "", "", "", "", "1", "10", "CNY", "admin"],
    ["SO-20", "2026-03-05", "C-1", "字节跳动", "", "", "", "LOCK-1", "智能锁", "1", "10.005", "CNY", "admin"],
    ["SO-20", "2026-03-06", "C-1", "字节跳动", "", "", "", "LOCK-1", "智能锁", "1", "10", "CNY", "admin"],
]


@pytest.fixture
def usd_rate(db):
    return ExchangeRate.objects.create(currency="USD", rate_date=dt.date(2026, 1, 1), rate=Decimal("7.10000000"))


@pytest.fixture
def bulk_always(settings):
    settings.VERACITY_IMPORT_BULK_MIN_BYTES = 0


def _errors(run):
    return sorted(ImportRowError.objects.filter(run=run, level="error").values_list("row_number", "column", "value",
                                                                                     "message"))


@pytest.mark.django_db
def test_the_same_bad_rows_give_the_same_errors_on_the_bulk_and_the_row_path(admin, settings, usd_rate):
    data = csv_bytes([HEADER, *GOOD, *BAD])
    settings.VERACITY_IMPORT_BULK_MIN_BYTES = 10**9
    by_rows = upload(admin, data, "orders", policy="load_valid")
    settings.VERACITY_IMPORT_BULK_MIN_BYTES = 0
    in_bulk = upload(admin, data, "orders", policy="load_valid")
    assert (by_rows.method, in_bulk.method) == (ImportMethod.ROWS, ImportMethod.BULK)
    assert _errors(in_bulk) == _errors(by_rows)
    assert {row for row, *_rest in _errors(in_bulk)} == set(range(len(GOOD) + 2, len(GOOD) + len(BAD) + 2))
    for key in ("rows", "valid", "invalid", "created"):
        assert in_bulk.counts["dry_run"][key] == by_rows.counts["dry_run"][key], key
    assert Order.objects.count() == 0 and Customer.objects.count() == 0


@pytest.mark.django_db
def test_bulk_import_writes_what_the_services_would(admin, bulk_always, usd_rate, settings):
    settings.VERACITY_IMPORT_BULK_MIN_BYTES = 10**9
    reference = run_now(admin, upload(admin, csv_bytes([HEADER, *GOOD]), "orders"))
    assert reference.method == ImportMethod.ROWS
    expected = _snapshot()
    services.import_run_revert(actor=admin, run=reference)
    Order.all_objects.all().delete()
    Customer.all_objects.all().delete()
    Product.all_objects.all().delete()
    settings.VERACITY_IMPORT_BULK_MIN_BYTES = 0
    run = run_now(admin, upload(admin, csv_bytes([HEADER, *GOOD]), "orders"))
    assert run.method == ImportMethod.BULK and run.status == ImportStatus.COMPLETED
    assert _snapshot() == expected
    single = Customer.objects.get(code="C-2")
    assert (single.name_pinyin, single.name_initials) == name_pinyin("单田芳", person=False)
    assert single.phone == "+8613900139000"
    so2 = Order.objects.get(number="SO-2")
    assert so2.exchange_rate == Decimal("7.10000000") and so2.currency == "USD"
    assert so2.total_amount == line_net(quantity=Decimal("1.5"), unit_price=Decimal("1000.00"),
                                        discount_percent=Decimal("0"))
    assert run.counts["done"]["created"] == 3
    assert run.counts["done"]["related"] == {"customer": {"created": 2, "updated": 0},
                                             "product": {"created": 2, "updated": 0}}
    links = ImportedRecord.objects.filter(run=run)
    assert sum(link.count for link in links) == 3 + 2 + 2
    assert links.count() == 3  # new orders, customers, products: one id range each
    assert AuditEvent.objects.filter(object_type="imports.importrun", object_id=str(run.pk),
                                     extra__event="import_batch").count() == run.batches_done == 1
    summary = services.import_run_revert(actor=admin, run=run)
    assert summary == {"deleted": 7, "restored": 0, "skipped": 0}
    assert not Order.objects.exists() and not Customer.objects.exists()


def _snapshot():
    orders = {order.number: (order.customer.code, order.order_date, order.currency, order.exchange_rate,
                             order.total_amount, order.cost_total, order.region, order.salesperson.username,
                             order.channel, order.status,
                             [(line.line_no, line.product.sku, line.quantity, line.unit_price, line.discount_percent,
                               line.net_amount, line.unit_cost, line.currency) for line in order.lines.order_by("line_no")])
              for order in Order.objects.select_related("customer", "salesperson")}
    customers = {c.code: (c.name, c.name_pinyin, c.name_initials, c.phone, c.email, c.kind, c.country,
                          c.lifecycle_status, c.owner.username, c.version) for c in Customer.objects.all()}
    products = {p.sku: (p.name, p.list_price, p.currency, p.unit, p.is_active, p.version) for p in Product.objects.all()}
    return orders, customers, products


@pytest.mark.django_db
def test_reimporting_the_same_file_in_bulk_creates_nothing(admin, bulk_always, usd_rate):
    run_now(admin, upload(admin, csv_bytes([HEADER, *GOOD]), "orders", mode="upsert"))
    before = _snapshot()
    again = run_now(admin, upload(admin, csv_bytes([HEADER, *GOOD]), "orders", mode="upsert"))
    assert again.counts["done"]["created"] == 0 and again.counts["done"]["unchanged"] == 3
    assert _snapshot() == before


@pytest.mark.django_db
@pytest.mark.parametrize("one_pass", [False, True], ids=["after-a-dry-run", "in-one-pass"])
def test_a_crash_in_bulk_batch_three_leaves_whole_batches_and_resume_adds_no_duplicates(
        admin, bulk_always, usd_rate, monkeypatch, one_pass):
    rows = [HEADER] + [[f"SO-{n}", "2026-03-05", f"C-{n % 3}", f"客户{n % 3}", "", "", "", f"SKU-{n % 4}", "产品", "1",
                        "10", "CNY", "admin"] for n in range(1, 11)]
    run = upload(admin, csv_bytes(rows), "orders", batch_size=2, policy="load_valid", one_pass=one_pass)
    original = runner._commit_bookkeeping

    def crash_in_third(run_, batch, result, actor):
        if batch.number == 3:
            raise OSError("disk full")
        return original(run_, batch, result, actor)

    monkeypatch.setattr(runner, "_commit_bookkeeping", crash_in_third)
    with pytest.raises(OSError):
        run_now(admin, run)
    assert Order.objects.count() == 4 and OrderLine.objects.count() == 4
    assert list(ImportBatch.objects.filter(run=run).values_list("number", flat=True)) == [1, 2]
    run.refresh_from_db()
    assert run.status == ImportStatus.FAILED and "disk full" in run.message
    monkeypatch.setattr(runner, "_commit_bookkeeping", original)
    run = run_now(admin, run)
    assert run.status == ImportStatus.COMPLETED and run.rows_total == 10
    assert list(ImportBatch.objects.filter(run=run).order_by("number").values_list("number", flat=True)) == [1, 2, 3, 4, 5]
    assert Order.objects.count() == 10 and OrderLine.objects.count() == 10
    assert Customer.objects.count() == 3 and Product.objects.count() == 4
    assert sum(link.count for link in ImportedRecord.objects.filter(run=run)) == 10 + 3 + 4


@pytest.mark.django_db
def test_a_run_whose_process_died_is_interrupted_and_resumes_without_duplicates(admin, bulk_always, usd_rate):
    rows = [HEADER] + [[f"SO-{n}", "2026-03-05", "C-1", "客户", "", "", "", "SKU-1", "产品", "1", "10", "CNY", "admin"]
                       for n in range(1, 7)]
    run = upload(admin, csv_bytes(rows), "orders", batch_size=2)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                          check=True)
    ImportRun.objects.filter(pk=run.pk).update(status=ImportStatus.RUNNING, worker_pid=int(dead.stdout),
                                               worker_host=os.uname().nodename[:255], heartbeat_at=timezone.now())
    alive = upload(admin, csv_bytes(rows[:2]), "orders", batch_size=2)
    ImportRun.objects.filter(pk=alive.pk).update(status=ImportStatus.RUNNING, worker_pid=os.getpid(),
                                                 worker_host=os.uname().nodename[:255], heartbeat_at=timezone.now())
    assert services.import_runs_mark_interrupted() == [run.pk]
    run.refresh_from_db()
    assert run.status == ImportStatus.INTERRUPTED and "Resume" in run.message
    assert ImportRun.objects.get(pk=alive.pk).status == ImportStatus.RUNNING
    run = run_now(admin, run)
    assert run.status == ImportStatus.COMPLETED and Order.objects.count() == 6
    assert Order.objects.values("number").distinct().count() == 6


@pytest.mark.django_db
def test_a_gbk_file_is_transcoded_and_loads_in_bulk_like_its_utf8_twin(admin, bulk_always, usd_rate):
    rows = [[cell.replace("¥", "￥") for cell in row] for row in GOOD]  # ¥ (U+00A5) is not in GBK; ￥ is
    run = run_now(admin, upload(admin, csv_bytes([HEADER, *rows], "gbk"), "orders"))
    assert (run.method, run.encoding, run.status) == (ImportMethod.BULK, "gb18030", ImportStatus.COMPLETED)
    assert Customer.objects.get(code="C-1").name == "字节跳动"
    assert sorted(Order.objects.values_list("number", flat=True)) == ["SO-1", "SO-2", "SO-3"]


def test_a_first_row_with_more_cells_than_the_header_loads_in_bulk_as_on_the_row_path(admin, settings, usd_rate):
    """The row path reads the header's columns of every row. Polars took its width from the first line and
    refused the whole file (a schema error) when that line was the longer one."""
    data = csv_bytes([HEADER, [*GOOD[0], "extra", "cells"], *GOOD[1:]])
    settings.VERACITY_IMPORT_BULK_MIN_BYTES = 10**9
    by_rows = upload(admin, data, "orders")
    settings.VERACITY_IMPORT_BULK_MIN_BYTES = 0
    in_bulk = upload(admin, data, "orders")

    assert (by_rows.method, in_bulk.method) == (ImportMethod.ROWS, ImportMethod.BULK)
    assert in_bulk.status == by_rows.status == ImportStatus.VALIDATED, in_bulk.message
    assert _errors(in_bulk) == _errors(by_rows) == []
    assert in_bulk.counts["dry_run"] == by_rows.counts["dry_run"]


def _with_a_broken_quote_on_row_4() -> bytes:
    broken = ",".join(GOOD[2]).replace("单田芳", '"单田"芳')  # a quoted cell with text after its closing quote
    return csv_bytes([HEADER, *GOOD[:2]]) + broken.encode() + b"\r\n" + csv_bytes([GOOD[3]])


def test_a_malformed_csv_in_bulk_is_rejected_naming_its_row_and_what_is_wrong(admin, bulk_always, usd_rate):
    with pytest.raises(ImportFileRejected) as raised:
        upload(admin, _with_a_broken_quote_on_row_4(), "orders")

    run = ImportRun.objects.get()
    assert run.method == ImportMethod.BULK and run.status == ImportStatus.REJECTED
    assert "malformed at row 4" in raised.value.message and run.message == raised.value.message
    assert "infer_schema" not in run.message  # not Polars' advice to its own users
    assert not Order.objects.exists()


def test_a_malformed_csv_in_one_pass_fails_the_run_naming_its_row(admin, bulk_always, usd_rate):
    run = upload(admin, _with_a_broken_quote_on_row_4(), "orders", one_pass=True, policy="load_valid")

    with pytest.raises(ImportFileRejected):
        run_now(admin, run)

    run.refresh_from_db()
    assert run.status == ImportStatus.FAILED and "malformed at row 4" in run.message
