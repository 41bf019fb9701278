"""A load in one pass (`one_pass`, with "load the valid rows"): no dry run first; every batch is checked as
it is loaded. It must write, count and report exactly what a dry run followed by the load does, resume
after a crash without duplicates (test_bulk's crash test runs both ways), and be refused where a dry run
is the point."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import timezone

from veracity.audit.models import AuditEvent
from veracity.catalog.models import Product
from veracity.core.errors import ValidationFailed
from veracity.customers.models import Customer
from veracity.customers.tests.factories import CustomerFactory
from veracity.imports import services
from veracity.imports.bulk import orders, prepared
from veracity.imports.models import (
    ImportMethod,
    ImportRowError,
    ImportRun,
    ImportStatus,
)
from veracity.imports.tests.helpers import csv_bytes, run_now, upload, xlsx_bytes
from veracity.imports.tests.test_bulk import BAD, GOOD, HEADER, _snapshot, usd_rate  # noqa: F401 - a fixture (usefixtures)
from veracity.sales.models import Order


@pytest.fixture
def bulk_always(settings):
    settings.VERACITY_IMPORT_BULK_MIN_BYTES = 0


def _errors(run):
    return list(ImportRowError.objects.filter(run=run, level="error").order_by("row_number", "pk")
                .values_list("row_number", "column", "value", "message"))


def _forget_everything():
    Order.all_objects.all().delete()
    Customer.all_objects.all().delete()
    Product.all_objects.all().delete()


@pytest.mark.usefixtures("usd_rate")
@pytest.mark.django_db
@pytest.mark.parametrize("thread", [True, False], ids=["checks-in-a-thread", "checks-in-turn"])
def test_a_one_pass_bulk_load_writes_counts_and_reports_what_a_dry_run_then_the_load_would(
        admin, bulk_always, settings, thread):
    settings.VERACITY_IMPORT_CHECK_THREAD = thread
    data = csv_bytes([HEADER, *GOOD, *BAD, *GOOD[:2]])
    checked_first = run_now(admin, upload(admin, data, "orders", policy="load_valid", batch_size=3))
    expected = (_snapshot(), _errors(checked_first), checked_first.counts["done"])
    _forget_everything()

    run = upload(admin, data, "orders", policy="load_valid", batch_size=3, one_pass=True)
    assert (run.method, run.status, run.counts) == (ImportMethod.BULK, ImportStatus.UPLOADED, {})
    assert not prepared.prepared_dir(run).exists()  # no dry run, nothing checked ahead
    assert run.rows_total == len(GOOD) + len(BAD) + 2  # the estimate: the file's line breaks less the header
    run = run_now(admin, run)
    assert run.status == ImportStatus.COMPLETED
    assert (_snapshot(), _errors(run), run.counts["done"]) == expected
    assert "dry_run" not in run.counts and run.rows_total == run.rows_done == len(GOOD) + len(BAD) + 2
    started = AuditEvent.objects.get(object_type="imports.importrun", object_id=str(run.pk),
                                      extra__event="import_execute")
    assert started.extra["one_pass"] is True


@pytest.mark.usefixtures("usd_rate")
@pytest.mark.django_db
def test_reimporting_the_same_file_in_one_pass_changes_and_creates_nothing(admin, bulk_always):
    data = csv_bytes([HEADER, *GOOD])
    run_now(admin, upload(admin, data, "orders", mode="upsert", policy="load_valid", one_pass=True))
    before = _snapshot()
    again = run_now(admin, upload(admin, data, "orders", mode="upsert", policy="load_valid", one_pass=True))
    assert again.counts["done"]["created"] == 0 and again.counts["done"]["unchanged"] == 3
    assert _snapshot() == before


@pytest.mark.django_db
def test_a_one_pass_xlsx_goes_row_by_row_and_ends_with_the_exact_row_count(admin):
    data = xlsx_bytes([["客户编号", "客户名称", "手机"], ["C-1", "华为", "138 0013 8000"], ["C-2", "", ""],
                       ["C-3", "字节跳动(北京)科技有限公司", ""]])
    run = upload(admin, data, "customers", name="客户.xlsx", policy="load_valid", one_pass=True)
    assert (run.method, run.status, run.rows_total) == (ImportMethod.ROWS, ImportStatus.UPLOADED, 3)
    run = run_now(admin, run)
    assert run.status == ImportStatus.COMPLETED and run.rows_total == 3
    assert sorted(Customer.objects.values_list("code", flat=True)) == ["C-1", "C-3"]
    assert Customer.objects.get(code="C-1").phone == "+8613800138000"
    assert [(row, column) for row, column, _value, _message in _errors(run)] == [(3, "name")]


@pytest.mark.django_db
def test_one_pass_is_refused_when_an_invalid_row_must_stop_the_whole_load(admin):
    with pytest.raises(ValidationFailed) as refused:
        upload(admin, csv_bytes([["客户编号", "客户名称"], ["C-1", "华为"]]), "customers", one_pass=True)
    assert "load the valid rows" in refused.value.fields["policy"][0]
    assert not ImportRun.objects.exists()


@pytest.mark.django_db
def test_a_one_pass_run_whose_mapping_is_incomplete_cannot_start(admin):
    run = upload(admin, csv_bytes([["编号", "备注"], ["C-1", "x"]]), "customers", policy="load_valid", one_pass=True)
    assert run.status == ImportStatus.UPLOADED and not services.mapping_complete(run)
    with pytest.raises(services.ImportFileRejected, match="Required columns are missing"):
        run_now(admin, run)
    assert not Customer.objects.exists()


@pytest.mark.django_db
def test_the_load_computes_search_keys_only_for_codes_no_alive_customer_has(admin):
    CustomerFactory(code="C-1")
    Customer.objects.filter(pk=CustomerFactory(code="C-2").pk).update(deleted_at=timezone.now())  # in the trash
    assert orders.codes_without_customer(["C-1", "C-2", "C-3"]) == ["C-2", "C-3"]
    assert orders.codes_without_customer([]) == []


@pytest.mark.django_db
def test_the_command_loads_in_one_pass_and_lists_the_problems_at_the_end(admin, tmp_path, capsys):
    path = tmp_path / "客户.csv"
    path.write_bytes(csv_bytes([["客户编号", "客户名称", "邮箱"], ["C-1", "华为", ""], ["C-2", "坏邮箱", "not-an-email"]],
                               "gbk"))
    call_command("import", "customers", str(path), "--load-valid", "--one-pass", "--as", "admin")
    assert list(Customer.objects.values_list("code", flat=True)) == ["C-1"]
    run = ImportRun.objects.get()
    assert "dry_run" not in run.counts and run.status == ImportStatus.COMPLETED
    assert "row 3 email" in capsys.readouterr().out
    with pytest.raises(CommandError, match="--load-valid"):
        call_command("import", "customers", str(path), "--one-pass", "--as", "admin")
    with pytest.raises(CommandError, match="--load-valid"):
        call_command("import", "customers", str(path), "--load-valid", "--one-pass", "--dry-run", "--as", "admin")


@pytest.mark.django_db
def test_the_api_and_the_upload_page_start_a_one_pass_load_at_once(admin, api_client_for, web_client_for,
                                                                    django_capture_on_commit_callbacks):
    data = csv_bytes([["Customer Code", "Customer Name"], ["C-9", "Acme"]])
    with django_capture_on_commit_callbacks(execute=True):
        created = api_client_for(admin).post("/api/v1/imports", {
            "file": SimpleUploadedFile("a.csv", data), "entity": "customers", "policy": "load_valid",
            "one_pass": "true"})
    assert created.status_code == 201, created.content
    assert Customer.objects.filter(code="C-9").exists()
    assert ImportRun.objects.get(pk=created.json()["id"]).status == ImportStatus.COMPLETED

    web = web_client_for(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = web.post("/imports/new/", {"file": SimpleUploadedFile("b.csv", csv_bytes(
            [["客户编号", "客户名称"], ["C-10", "华为"]])), "entity": "customers", "mode": "create",
            "policy": "load_valid", "one_pass": "on"})
    run = ImportRun.objects.latest("pk")
    assert response.status_code == 302 and response["Location"].endswith(f"/imports/{run.pk}/")
    assert Customer.objects.filter(code="C-10").exists()
    refused = web.post("/imports/new/", {"file": SimpleUploadedFile("c.csv", data), "entity": "customers",
                                         "mode": "create", "policy": "all_or_nothing", "one_pass": "on"})
    assert refused.status_code == 200 and "load the valid rows" in refused.content.decode()
