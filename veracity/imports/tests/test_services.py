import datetime as dt
from decimal import Decimal

import pytest

from veracity.catalog.models import Product
from veracity.customers.models import Customer
from veracity.imports import services
from veracity.imports.errors import ImportFileRejected, ImportStateInvalid
from veracity.imports.models import ImportBatch, ImportedRecord, ImportRowError, ImportRun, ImportStatus
from veracity.imports.tests.helpers import csv_bytes, run_now, upload, xlsx_bytes
from veracity.sales.models import Order

CUSTOMERS = [
    ["客户编号", "客户名称", "类型", "手机", "邮箱", "省份", "城市"],
    ["C-001", "华为技术有限公司", "公司", "138 0013 8000", "Info@Huawei.example", "广东", "深圳"],
    ["C-002", "张三", "个人", "13900139000", "", "北京", "北京"],
]


def _errors(run):
    return list(ImportRowError.objects.filter(run=run, level="error").values_list("row_number", "column", "message"))


@pytest.mark.django_db
def test_dry_run_counts_and_exact_row_errors_without_writing(admin):
    rows = [*CUSTOMERS, ["C-003", "坏数据公司", "公司", "12345", "not-an-email", "", ""]]
    run = upload(admin, csv_bytes(rows, "gbk"), "customers")
    assert run.status == ImportStatus.VALIDATED and run.encoding == "gb18030"
    assert run.counts["dry_run"] | {"related": {}} == {"rows": 3, "valid": 2, "invalid": 1, "created": 2,
                                                        "updated": 0, "unchanged": 0, "related": {}}
    errors = _errors(run)
    assert [(row, column) for row, column, _m in errors] == [(4, "phone"), (4, "email")]
    assert "12345" in errors[0][2]
    assert Customer.objects.count() == 0


@pytest.mark.django_db
def test_all_or_nothing_refuses_to_run_while_load_valid_loads_the_good_rows(admin):
    rows = [*CUSTOMERS, ["C-003", "", "公司", "", "", "", ""]]
    strict = upload(admin, csv_bytes(rows), "customers")
    with pytest.raises(ImportStateInvalid):
        run_now(admin, strict)
    assert Customer.objects.count() == 0
    lenient = upload(admin, csv_bytes(rows), "customers", policy="load_valid")
    lenient = run_now(admin, lenient)
    assert lenient.status == ImportStatus.COMPLETED
    assert sorted(Customer.objects.values_list("code", flat=True)) == ["C-001", "C-002"]
    assert [(row, column) for row, column, _m in _errors(lenient)] == [(4, "name")]
    huawei = Customer.objects.get(code="C-001")
    assert (huawei.phone, huawei.email, huawei.kind) == ("+8613800138000", "info@huawei.example", "company")
    assert Customer.objects.get(code="C-002").kind == "person"


@pytest.mark.django_db
@pytest.mark.parametrize("mode", ["create", "upsert"])
def test_importing_the_same_file_again_changes_and_creates_nothing(admin, mode):
    run_now(admin, upload(admin, csv_bytes(CUSTOMERS), "customers", mode=mode))
    before = list(Customer.all_objects.order_by("pk").values_list("pk", "version", "name"))
    again = upload(admin, csv_bytes(CUSTOMERS), "customers", mode=mode, policy="load_valid")
    if mode == "upsert":
        assert again.counts["dry_run"]["unchanged"] == 2 and again.counts["dry_run"]["created"] == 0
        run_now(admin, again)
    else:
        assert again.counts["dry_run"]["created"] == 0 and again.counts["dry_run"]["invalid"] == 2
    assert list(Customer.all_objects.order_by("pk").values_list("pk", "version", "name")) == before


@pytest.mark.django_db
def test_upsert_updates_by_customer_code_and_revert_restores_and_removes(admin):
    run_now(admin, upload(admin, csv_bytes(CUSTOMERS), "customers"))
    changed = [CUSTOMERS[0], ["C-001", "华为技术", "公司", "13800138000", "", "广东", "东莞"],
               ["C-009", "新客户", "公司", "", "", "", ""]]
    run = upload(admin, csv_bytes(changed), "customers", mode="upsert")
    assert (run.counts["dry_run"]["updated"], run.counts["dry_run"]["created"]) == (1, 1)
    run = run_now(admin, run)
    huawei = Customer.objects.get(code="C-001")
    assert (huawei.name, huawei.city) == ("华为技术", "东莞")
    summary = services.import_run_revert(actor=admin, run=run)
    assert summary == {"deleted": 1, "restored": 1, "skipped": 0}
    huawei.refresh_from_db()
    assert (huawei.name, huawei.city) == ("华为技术有限公司", "深圳")
    assert not Customer.objects.filter(code="C-009").exists()
    assert ImportRun.objects.get(pk=run.pk).status == ImportStatus.REVERTED


ORDERS = [
    ["订单号", "下单日期", "客户编号", "客户名称", "产品编码", "产品名称", "数量", "单价", "销售员"],
    ["SO-1", "2026/3/5", "C-100", "字节跳动", "LOCK-1", "智能锁", "2", "1,000.00", "admin"],
    ["SO-1", "2026/3/5", "C-100", "字节跳动", "CAM-1", "摄像头", "1", "¥500", "admin"],
    ["SO-2", "2026年3月6日", "C-100", "字节跳动", "LOCK-1", "智能锁", "3", "900", "admin"],
]


@pytest.mark.django_db
def test_order_lines_are_grouped_into_orders_with_totals_creating_customer_and_products(admin):
    run = run_now(admin, upload(admin, xlsx_bytes(ORDERS), "orders", name="orders.xlsx"))
    assert run.status == ImportStatus.COMPLETED
    assert run.counts["done"]["created"] == 2
    assert run.counts["done"]["related"] == {"customer": {"created": 1, "updated": 0},
                                             "product": {"created": 2, "updated": 0}}
    first = Order.objects.get(number="SO-1")
    assert first.total_amount == Decimal("2500.00") and first.lines.count() == 2
    assert first.order_date == dt.date(2026, 3, 5) and first.customer.code == "C-100"
    assert Order.objects.get(number="SO-2").total_amount == Decimal("2700.00")
    assert Product.objects.filter(sku__in=["LOCK-1", "CAM-1"]).count() == 2


@pytest.mark.django_db
def test_upserting_an_order_replaces_its_lines_and_revert_puts_them_back(admin):
    run_now(admin, upload(admin, csv_bytes(ORDERS), "orders"))
    changed = [ORDERS[0], ["SO-1", "2026/3/5", "C-100", "字节跳动", "LOCK-1", "智能锁", "5", "1000", "admin"]]
    run = run_now(admin, upload(admin, csv_bytes(changed), "orders", mode="upsert"))
    order = Order.objects.get(number="SO-1")
    assert order.total_amount == Decimal("5000.00") and order.lines.count() == 1
    services.import_run_revert(actor=admin, run=run)
    order.refresh_from_db()
    assert order.total_amount == Decimal("2500.00") and order.lines.count() == 2


@pytest.mark.django_db
def test_separated_lines_of_one_order_are_refused(admin):
    rows = [ORDERS[0], ORDERS[1], ORDERS[3], ORDERS[2]]
    run = upload(admin, csv_bytes(rows), "orders")
    assert (4, "order_number") in [(row, column) for row, column, _m in _errors(run)]


@pytest.mark.django_db
def test_a_crash_in_batch_three_leaves_whole_batches_and_resume_adds_no_duplicates(admin, monkeypatch):
    rows = [["客户编号", "客户名称"]] + [[f"C-{n:03d}", f"客户{n}"] for n in range(1, 11)]
    run = upload(admin, csv_bytes(rows), "customers", batch_size=2)
    original = services.batch_commit

    def crash_in_third(run_, batch, results):
        if batch.number == 3:
            raise OSError("disk full")
        return original(run_, batch, results)

    monkeypatch.setattr(services, "batch_commit", crash_in_third)
    with pytest.raises(OSError):
        run_now(admin, run)
    assert Customer.objects.count() == 4
    assert list(ImportBatch.objects.filter(run=run).values_list("number", flat=True)) == [1, 2]
    monkeypatch.setattr(services, "batch_commit", original)
    run.refresh_from_db()
    run = run_now(admin, run)
    assert run.status == ImportStatus.COMPLETED
    assert Customer.objects.count() == 10
    assert ImportBatch.objects.filter(run=run).count() == 5
    assert ImportedRecord.objects.filter(run=run).count() == 10


@pytest.mark.django_db
def test_million_character_cells_are_a_row_error(admin):
    rows = [["客户编号", "客户名称"], ["C-1", "x" * 1_000_000], ["C-2", "正常公司"]]
    run = upload(admin, csv_bytes(rows), "customers")
    assert _errors(run)[0][:2] == (2, "name")
    assert "1,000,000" in _errors(run)[0][2]
    assert len(ImportRowError.objects.get(run=run).value) <= 200


@pytest.mark.django_db
def test_refused_files_store_nothing(admin):
    with pytest.raises(ImportFileRejected):
        upload(admin, csv_bytes([["客户名称"]]), "customers")
    assert ImportRun.objects.count() == 0


@pytest.mark.django_db
def test_possible_duplicates_are_reported_as_warnings(admin):
    run_now(admin, upload(admin, csv_bytes(CUSTOMERS), "customers"))
    rows = [["客户名称", "手机", "邮箱"], ["华为", "+86 138 0013 8000", "info@huawei.example"]]
    run = upload(admin, csv_bytes(rows), "customers")
    warnings = ImportRowError.objects.filter(run=run, level="warning").values_list("column", flat=True)
    assert sorted(warnings) == ["email", "phone"]


@pytest.mark.django_db
def test_manager_imports_only_into_her_teams_customers(manager_mei, rep_bob):
    Customer.objects.create(code="C-BOB", name="Bob's customer", owner=rep_bob)
    rows = [["客户编号", "客户名称"], ["C-BOB", "Taken over"]]
    run = upload(manager_mei, csv_bytes(rows), "customers", mode="upsert")
    assert run.counts["dry_run"]["invalid"] == 1
    assert Customer.objects.get(code="C-BOB").name == "Bob's customer"
