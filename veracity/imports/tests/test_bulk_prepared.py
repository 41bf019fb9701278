"""The dry run of a bulk import leaves its checked batches for the load (bulk.prepared): the load reads
them instead of running the entry rules and the search keys again, and ignores them — checking the
file again — when the file or the entry rules changed since."""

import pytest

from veracity.customers.models import Customer
from veracity.imports.bulk import orders, prepared
from veracity.imports.models import ImportStatus
from veracity.imports.tests.helpers import csv_bytes, run_now, upload
from veracity.sales.models import Order
from veracity.standards.models import StandardsSettings

HEADER = ["order_number", "order_date", "customer_code", "customer_name", "phone", "email", "region", "sku",
          "product_name", "quantity", "unit_price", "currency", "salesperson"]
ROWS = [HEADER] + [[f"SO-{n}", "2026-03-05", f"C-{n % 3}", f"华为技术有限公司{n % 3}", "138 0013 8000", "", "", "SKU-1",
                    "产品", "1", "10", "CNY", "admin"] for n in range(1, 7)]


@pytest.fixture
def bulk(settings, db):
    settings.VERACITY_IMPORT_BULK_MIN_BYTES = 0


def _refuse_checks(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the entry rules ran again")

    monkeypatch.setattr(orders, "order_lines_check", refuse)
    monkeypatch.setattr(orders.customer_services, "customer_derived_fields", refuse)


@pytest.mark.django_db
def test_the_load_reuses_the_dry_runs_checked_batches_and_search_keys_then_discards_them(admin, bulk, monkeypatch):
    run = upload(admin, csv_bytes(ROWS), "orders", batch_size=2)
    assert (prepared.prepared_dir(run) / prepared.MANIFEST).exists()
    _refuse_checks(monkeypatch)
    run = run_now(admin, run)
    assert run.status == ImportStatus.COMPLETED and Order.objects.count() == 6
    customer = Customer.objects.get(code="C-1")
    assert customer.name_pinyin and customer.match_name  # the keys the dry run computed were written
    assert not prepared.prepared_dir(run).exists()


@pytest.mark.django_db
def test_a_rule_change_after_the_dry_run_makes_the_load_check_the_file_again(admin, bulk, monkeypatch):
    run = upload(admin, csv_bytes(ROWS), "orders")
    settings_row, _created = StandardsSettings.objects.get_or_create(pk=1)
    settings_row.save()  # any change to the entry rules or settings
    assert prepared.prepared_batches(run) is None
    calls = []
    original = orders.order_lines_check
    monkeypatch.setattr(orders, "order_lines_check", lambda *a, **k: calls.append(1) or original(*a, **k))
    assert run_now(admin, run).status == ImportStatus.COMPLETED and calls


@pytest.mark.django_db
def test_a_changed_file_or_a_dry_run_cut_short_leaves_nothing_the_load_would_use(admin, bulk):
    run = upload(admin, csv_bytes(ROWS), "orders")
    with open(run.file.path, "ab") as handle:
        handle.write(b"SO-99,2026-03-05,C-1,X,,,,SKU-1,P,1,10,CNY,admin\r\n")
    assert prepared.prepared_batches(run) is None
    run = upload(admin, csv_bytes(ROWS), "orders")
    (prepared.prepared_dir(run) / prepared.MANIFEST).unlink()  # the manifest is written last
    assert prepared.prepared_batches(run) is None
