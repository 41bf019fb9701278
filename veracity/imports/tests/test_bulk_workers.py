"""The dry run's checks in a thread or in worker processes (bulk.workers): the same rules as in turn in
the importing process and as a single record through the services, the same errors at the same rows in the same order, the same
prepared batches for the load — and rule overrides reach the workers without them reading the database."""

import polars as pl
import pytest
from django.db import connection
from django.utils import translation
from polars.testing import assert_frame_equal

from veracity.core.errors import ValidationFailed
from veracity.imports.bulk import prepared, workers
from veracity.imports.models import ImportRowError, ImportStatus
from veracity.imports.tests.helpers import csv_bytes, run_now, upload
from veracity.sales.models import Order
from veracity.standards.models import FieldRule
from veracity.standards.services import validate_frame, validate_record

HEADER = ["order_number", "order_date", "customer_code", "customer_name", "phone", "email", "region", "sku",
          "product_name", "quantity", "unit_price", "currency", "salesperson"]
# Awkward but valid values: full-width digits, +86 phones with spaces and dashes, e-mails with spaces and
# capitals, dates in every documented form, amounts with ¥/￥/元 and thousands separators.
AWKWARD = [
    ("ＳＯ－１", "２０２６－０３－０５", "Ｃ－１", "华为技术有限公司", "+86 138-0013-8000", " Info@HuaWei.Example ", "１２", "￥1,234.50"),
    ("SO-2", "2026年3月6日", "c-2", "字节跳动（北京）科技有限公司", "+86 139 0013 9000", "SALES@BYTEDANCE.EXAMPLE", "3", "¥33.33"),
    ("SO-3", "2026/3/7", "C-3", "单田芳", "(010) 6552-9988", "", "1.5", "1,000元"),
    ("SO-4", "2026.03.08", "C-1", "华为技术有限公司", "１３８００１３８０００", "info@huawei.example", "2", "1000"),
    ("SO-5", "20260309", "C-4", "Acme  Trading   Ltd.", "+86-21-5555-0101", "a.b@Example.COM", "10", "12,345.6"),
]
# And bad ones, on an order's first line where they concern the order or the customer.
BAD = [
    ("SO-10", "2026-02-30", "C-10", "坏日期公司", "12345", "not-an-email", "-1", "10.005"),
    ("SO-11", "20260-03-05", "C-11", "坏数量公司", "", "nobody@", "lots", "¥1,00,0"),
    ("SO-12", "2026-03-05", "C-12", "坏价格公司", "+86 138", "", "1", "US$12"),
]


def _rows(values):
    return [[number, day, code, name, phone, email, "", "SKU-1", "产品", quantity, price, "CNY", "admin"]
            for number, day, code, name, phone, email, quantity, price in values]


@pytest.fixture
def bulk(settings, db):
    settings.VERACITY_IMPORT_BULK_MIN_BYTES = 0


def _dry_run(admin, settings, data, *, workers_count, thread=False):
    settings.VERACITY_IMPORT_CHECK_WORKERS = workers_count
    settings.VERACITY_IMPORT_CHECK_THREAD = thread
    settings.VERACITY_IMPORT_CHECK_POOL_MIN_BYTES = 0
    run = upload(admin, data, "orders", batch_size=2, policy="load_valid")
    errors = list(ImportRowError.objects.filter(run=run).order_by("pk").values_list("row_number", "column", "value",
                                                                                    "message"))
    batches = list(prepared.prepared_batches(run))
    return run, errors, batches


@pytest.mark.django_db
def test_checking_in_worker_processes_gives_exactly_what_checking_in_the_parent_gives(admin, bulk, settings):
    # An administrator's override must reach the workers (they do not read the database).
    FieldRule.objects.create(entity="customer", field="name", picklist_values=[{"value": "华为技术有限公司"}])
    data = csv_bytes([HEADER, *_rows(AWKWARD), *_rows(BAD), *_rows(AWKWARD[:2])])
    alone, alone_errors, alone_batches = _dry_run(admin, settings, data, workers_count=0)
    pooled, pooled_errors, pooled_batches = _dry_run(admin, settings, data, workers_count=2)
    assert pooled.counts["dry_run"] == alone.counts["dry_run"]
    assert pooled_errors == alone_errors
    assert any(column == "customer_name" and "listed values" in message for _row, column, _value, message in pooled_errors)
    assert len(pooled_batches) == len(alone_batches) > 3
    for mine, theirs in zip(pooled_batches, alone_batches, strict=True):
        assert_frame_equal(mine.cleaned, theirs.cleaned)
        assert_frame_equal(mine.errors, theirs.errors)
        assert_frame_equal(mine.customer_keys.sort("code"), theirs.customer_keys.sort("code"))
    loaded = run_now(admin, pooled)
    assert loaded.status == ImportStatus.COMPLETED
    assert Order.objects.count() == pooled.counts["dry_run"]["created"]


@pytest.mark.django_db
def test_checking_the_next_batch_in_a_thread_gives_exactly_what_checking_in_turn_gives(admin, bulk, settings,
                                                                                      monkeypatch):
    # The override exists only in this test's transaction: the thread must get it from the caller.
    FieldRule.objects.create(entity="customer", field="name", picklist_values=[{"value": "华为技术有限公司"}])
    opened = []

    def check_and_note_the_connection(*args):
        answer = batch_check(*args)
        opened.append(connection.connection is not None)  # this thread's own connection
        return answer

    batch_check = workers.batch_check
    data = csv_bytes([HEADER, *_rows(AWKWARD), *_rows(BAD), *_rows(AWKWARD[:2])])
    alone, alone_errors, alone_batches = _dry_run(admin, settings, data, workers_count=0)
    monkeypatch.setattr(workers, "batch_check", check_and_note_the_connection)
    threaded, threaded_errors, threaded_batches = _dry_run(admin, settings, data, workers_count=0, thread=True)

    assert threaded.counts["dry_run"] == alone.counts["dry_run"]
    assert threaded_errors == alone_errors
    assert any(column == "customer_name" and "listed values" in message
               for _row, column, _value, message in threaded_errors)
    assert len(threaded_batches) == len(alone_batches) > 3
    for mine, theirs in zip(threaded_batches, alone_batches, strict=True):
        assert_frame_equal(mine.cleaned, theirs.cleaned)
        assert_frame_equal(mine.errors, theirs.errors)
        assert_frame_equal(mine.customer_keys, theirs.customer_keys)
    assert opened and not any(opened), "the check thread read the database"
    loaded = run_now(admin, threaded)
    assert loaded.status == ImportStatus.COMPLETED
    assert Order.objects.count() == threaded.counts["dry_run"]["created"]


@pytest.mark.django_db
def test_checks_in_the_chinese_interface_give_chinese_messages_from_the_thread_too(admin, bulk, settings):
    data = csv_bytes([HEADER, *_rows(BAD), *_rows(AWKWARD)])
    with translation.override("zh-hans"):
        _run, alone_errors, _batches = _dry_run(admin, settings, data, workers_count=0)
        _run, threaded_errors, _batches = _dry_run(admin, settings, data, workers_count=0, thread=True)
    assert threaded_errors == alone_errors
    assert any("不是" in message or "请" in message for *_rest, message in threaded_errors), threaded_errors[:3]


@pytest.mark.django_db
def test_the_frame_check_equals_the_per_record_rules_on_awkward_values(db):
    customers = pl.DataFrame({"code": [row[2] for row in AWKWARD + BAD], "name": [row[3] for row in AWKWARD + BAD],
                              "phone": [row[4] for row in AWKWARD + BAD], "email": [row[5] for row in AWKWARD + BAD]})
    cleaned, errors = validate_frame("customer", customers, partial=True)
    lines = pl.DataFrame({"quantity": [row[6] for row in AWKWARD + BAD], "unit_price": [row[7] for row in AWKWARD + BAD]})
    cleaned_lines, line_errors = validate_frame("order_line", lines)
    orders = pl.DataFrame({"number": [row[0] for row in AWKWARD + BAD], "order_date": [row[1] for row in AWKWARD + BAD]})
    cleaned_orders, order_errors = validate_frame("order", orders)
    for entity, frame, out, problems, partial in (("customer", customers, cleaned, errors, True),
                                                  ("order_line", lines, cleaned_lines, line_errors, False),
                                                  ("order", orders, cleaned_orders, order_errors, False)):
        assert set(problems.get_column("row").to_list()) & set(range(len(AWKWARD))) == set(), entity  # valid ones
        assert set(problems.get_column("row").to_list()) & set(range(len(AWKWARD), len(AWKWARD) + len(BAD))), entity
        failing = {}
        for row, column, _value, message in problems.iter_rows():
            failing.setdefault(row, {}).setdefault(column, []).append(message)
        for index, values in enumerate(frame.iter_rows(named=True)):
            try:
                one = validate_record(entity, values, partial=partial)
            except ValidationFailed as error:  # the same fields fail with the same messages
                assert failing.get(index) == {name: list(messages) for name, messages in error.fields.items()}, \
                    (entity, values)
                continue
            assert index not in failing, (entity, values)
            given = [name for name in frame.columns if values[name] or not partial]  # partial: empty = not given
            assert {name: one[name] for name in given} == {name: out.get_column(name)[index] for name in given}, \
                (entity, values)


def test_the_workers_compute_the_search_keys_of_the_codes_asked_for_only():
    frame = pl.DataFrame({"customer_code": ["C-1", "C-1", "C-2"]})
    cleaned = pl.DataFrame({"first": [True, False, True], "code": ["C-1", "C-1", "C-2"],
                            "customer_name": ["华为技术有限公司", "华为技术有限公司", "字节跳动"],
                            "phone": ["+8613800138000", "+8613800138000", None], "email": [None, None, None]})
    keys = workers.customer_keys_frame(frame, cleaned, ["C-2"], {})
    assert keys.get_column("code").to_list() == ["C-2"] and keys.get_column("name_pinyin")[0]


@pytest.mark.django_db
def test_a_check_worker_that_dies_leaves_the_checks_to_the_importing_process(admin, bulk, settings, monkeypatch,
                                                                             caplog):
    from types import SimpleNamespace

    from veracity.imports.bulk import check_process

    data = csv_bytes([HEADER, *_rows(AWKWARD), *_rows(BAD)])
    alone, alone_errors, _batches = _dry_run(admin, settings, data, workers_count=0)
    # A worker whose start-up raises (divmod(rules, language) is a TypeError) breaks the pool.
    monkeypatch.setattr(workers, "check_process", SimpleNamespace(worker_start=divmod,
                                                                  worker_check=check_process.worker_check))
    broken, broken_errors, _batches = _dry_run(admin, settings, data, workers_count=1)
    assert "check worker died" in caplog.text
    assert broken.counts["dry_run"] == alone.counts["dry_run"] and broken_errors == alone_errors
