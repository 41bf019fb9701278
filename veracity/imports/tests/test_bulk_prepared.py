"""The dry run of a bulk import leaves its checked batches for the load (bulk.prepared): the load reads
them instead of running the entry rules and the search keys again, and ignores them — checking the
file again — when the file or the entry rules changed since."""

import pytest

from veracity.customers.models import Customer
from veracity.imports.bulk import orders, prepared, workers
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
    monkeypatch.setattr(workers, "order_lines_check", refuse)
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
    counted = lambda *a, **k: calls.append(1) or original(*a, **k)  # noqa: E731
    monkeypatch.setattr(orders, "order_lines_check", counted)
    monkeypatch.setattr(workers, "order_lines_check", counted)  # the load checks in a thread (BatchChecks)
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


@pytest.mark.django_db
def test_the_sweep_deletes_the_checked_batches_of_runs_nobody_will_load_and_keeps_the_rest(admin, bulk, settings,
                                                                                           tmp_path):
    import datetime as dt

    from django.core.management import call_command
    from django.utils import timezone

    from veracity.imports import services
    from veracity.imports.models import ImportRun

    settings.STORAGES = {**settings.STORAGES, "default": {**settings.STORAGES["default"],
                                                          "OPTIONS": {"location": str(tmp_path)}}}
    fresh = upload(admin, csv_bytes(ROWS), "orders", name="fresh.csv")
    old = upload(admin, csv_bytes(ROWS), "orders", name="old.csv")
    queued = upload(admin, csv_bytes(ROWS), "orders", name="queued.csv")
    orphan = upload(admin, csv_bytes(ROWS), "orders", name="orphan.csv")
    week_ago = timezone.now() - dt.timedelta(days=8)
    ImportRun.objects.filter(pk__in=[old.pk, queued.pk]).update(updated_at=week_ago)
    ImportRun.objects.filter(pk=queued.pk).update(status=ImportStatus.QUEUED)
    orphan_dir = prepared.prepared_dir(orphan)
    ImportRun.objects.filter(pk=orphan.pk).delete()
    call_command("import", "--sweep-prepared")
    assert prepared.prepared_dir(fresh).exists()        # checked today: the user may still load it
    assert prepared.prepared_dir(queued).exists()       # about to load
    assert not prepared.prepared_dir(old).exists()      # checked a week ago and left alone
    assert not orphan_dir.exists()                      # no run names the file any more
    assert prepared.prepared_batches(fresh) is not None
    assert services.import_prepared_sweep() == []       # nothing left to sweep
    assert run_now(admin, old).status == ImportStatus.COMPLETED  # without its frames the load checks the CSV


@pytest.mark.django_db
def test_reverting_a_stopped_run_deletes_its_checked_batches(admin, bulk, django_capture_on_commit_callbacks):
    from veracity.imports import services
    from veracity.imports.models import ImportRun

    run = upload(admin, csv_bytes(ROWS), "orders", batch_size=2)
    ImportRun.objects.filter(pk=run.pk).update(status=ImportStatus.FAILED)
    run.refresh_from_db()
    assert prepared.prepared_dir(run).exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.import_run_revert(actor=admin, run=run)
    assert not prepared.prepared_dir(run).exists()
