"""Backups, verification, encryption, restore and drills against the test database (SECURITY.md T4)."""

import datetime as dt
import json
import sqlite3
from decimal import Decimal

import pytest
from cryptography.fernet import Fernet
from django.core import mail
from django.db import connection

from veracity.audit.models import AuditEvent
from veracity.catalog.models import Product
from veracity.customers.models import Customer
from veracity.ops.backups import services
from veracity.ops.backups.checksums import sqlite_table_checksums
from veracity.ops.backups.errors import BackupKeyError, RestoreRefused
from veracity.ops.backups.models import Backup, BackupDrill
from veracity.ops.backups.retention import retention_keep
from veracity.sales.models import Order, OrderLine

pytestmark = [
    pytest.mark.django_db,
    # These read the SQLite copy directly; on PostgreSQL the test transaction is invisible to pg_dump,
    # so test_backups_postgres.py covers that path with committed data.
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite backup files; see test_backups_postgres.py"),
]


@pytest.fixture(autouse=True)
def backup_dir(settings, tmp_path):
    settings.BACKUP_DIR = tmp_path / "backups"
    settings.BACKUP_KEY = ""
    return settings.BACKUP_DIR


@pytest.fixture
def sales_data(rep_li):
    customer = Customer.objects.create(code="C-1", name="Acme", owner=rep_li)
    product = Product.objects.create(sku="P-1", name="Lock", list_price=Decimal("10.00"))
    order = Order.objects.create(number="SO-1", customer=customer, order_date=dt.date(2026, 3, 5),
                                 salesperson=rep_li, total_amount=Decimal("30.00"))
    OrderLine.objects.create(order=order, line_no=1, product=product, quantity=Decimal("3"), unit_price=Decimal("10.00"),
                             currency="CNY", net_amount=Decimal("30.00"))
    return order


def _copy_checksums(backup: Backup) -> dict:
    with sqlite3.connect(backup.path / "database.sqlite3") as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return sqlite_table_checksums(copy)


def test_backup_writes_a_manifest_that_matches_the_copy(admin, sales_data):
    backup = services.backup_create(actor=admin, label="before the audit")
    manifest = json.loads((backup.path / "manifest.json").read_text())
    assert manifest["label"] == "before the audit" and manifest["database"]["vendor"] == "sqlite"
    assert manifest["schema"]["sales"].startswith("00") and manifest["app_version"]
    assert manifest["tables"]["sales_order"]["rows"] == 1
    assert {entry["name"] for entry in manifest["files"]} == {"database.sqlite3", "files.tar.gz"}
    assert _copy_checksums(backup) == manifest["tables"]
    assert services.backup_verify(backup).ok
    assert AuditEvent.objects.filter(object_type="ops.backup", object_id=str(backup.pk), action="create").exists()
    assert not list(backup.path.parent.glob(".tmp-*"))


def test_a_tampered_file_fails_verification(admin, sales_data):
    backup = services.backup_create(actor=admin)
    with (backup.path / "files.tar.gz").open("ab") as archive:
        archive.write(b"x")
    result = services.backup_verify(backup)
    assert not result.ok and "files.tar.gz" in result.problems[0]
    backup.refresh_from_db()
    assert backup.verified_ok is False


def test_encrypted_backup_round_trips_and_refuses_the_wrong_key(admin, sales_data, settings):
    settings.BACKUP_KEY = Fernet.generate_key().decode()
    backup = services.backup_create(actor=admin)
    names = {entry["name"] for entry in backup.manifest["files"]}
    assert names == {"database.sqlite3.enc", "files.tar.gz.enc"}
    assert all(entry["plaintext"]["sha256"] != entry["sha256"] for entry in backup.manifest["files"])
    assert not (backup.path / "database.sqlite3").exists()
    drill = services.backup_drill(backup)
    assert drill.passed, drill.details
    assert any(step["name"] == "decrypt" and step["ok"] for step in drill.details["steps"])
    settings.BACKUP_KEY = Fernet.generate_key().decode()
    with pytest.raises(BackupKeyError):
        services.backup_restore(backup=backup, target=str(settings.BACKUP_DIR / "x.sqlite3"))
    settings.BACKUP_KEY = ""
    assert not services.backup_drill(backup).passed


def test_drill_passes_on_a_good_backup(admin, sales_data):
    backup = services.backup_create(actor=admin)
    result = services.backup_drill(backup, actor=admin)
    assert result.passed, result.details
    assert result.restore_seconds is not None and result.restore_seconds >= 0
    assert {step["name"] for step in result.details["steps"]} >= {
        "verify", "restore", "integrity_check", "foreign_key_check", "checksums", "migrations", "invariants"}
    assert BackupDrill.objects.get().passed
    assert mail.outbox == []


def test_drill_fails_and_mails_the_admins_when_an_invariant_is_broken(admin, sales_data, monkeypatch):
    admin.email = "admin@example.com"
    admin.save()
    Order.all_objects.filter(pk=sales_data.pk).update(total_amount=Decimal("99.00"))  # corrupt behind the service
    backup = services.backup_create(actor=admin)
    result = services.backup_drill(backup)
    assert not result.passed
    broken = [item for item in result.details["invariants"] if not item["ok"]]
    assert [item["name"] for item in broken] == ["order_totals"] and broken[0]["examples"] == [str(sales_data.pk)]
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["admin@example.com"]
    assert "FAILED" in mail.outbox[0].subject
    event = AuditEvent.objects.get(object_type="ops.backupdrill")
    assert event.extra["passed"] is False and event.extra["failed_steps"] == ["invariants"]


def test_drill_fails_when_the_backup_was_tampered_with(admin, sales_data):
    backup = services.backup_create(actor=admin)
    with (backup.path / "database.sqlite3").open("r+b") as database:
        database.seek(200)
        database.write(b"\xff\xff")
    result = services.backup_drill(backup)
    assert not result.passed and result.details["steps"][0]["name"] == "verify"


def test_restore_into_a_new_file_gives_identical_checksums(admin, sales_data, tmp_path):
    backup = services.backup_create(actor=admin)
    result = services.backup_restore(backup=backup, target=str(tmp_path / "restored" / "db.sqlite3"))
    assert result.problems == []
    with sqlite3.connect(tmp_path / "restored" / "db.sqlite3") as restored:
        assert sqlite_table_checksums(restored) == backup.manifest["tables"]
    assert (tmp_path / "restored" / "files").is_dir()
    with pytest.raises(RestoreRefused):  # an existing file is not overwritten without --force
        services.backup_restore(backup=backup, target=str(tmp_path / "restored" / "db.sqlite3"))


def test_restore_over_the_live_database_needs_force(admin, sales_data):
    backup = services.backup_create(actor=admin)
    with pytest.raises(RestoreRefused):
        services.backup_restore(backup=backup)


def test_retention_keeps_grandfather_father_son():
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    backups = [(f"b{hour}", start + dt.timedelta(hours=hour)) for hour in range(24 * 70)]  # 70 days hourly
    keep = retention_keep(backups, hourly=3, daily=2, monthly=2)
    newest = start + dt.timedelta(hours=24 * 70 - 1)
    # the last 3 hours; the newest of the last 2 days (today's is the newest hour); the newest of 2 months
    assert keep == {f"b{24 * 70 - 1}", f"b{24 * 70 - 2}", f"b{24 * 70 - 3}", f"b{24 * 69 - 1}",
                    f"b{(dt.datetime(2026, 2, 28, 23, tzinfo=dt.UTC) - start) // dt.timedelta(hours=1)}"}
    assert newest.month == 3


def test_prune_removes_scheduled_backups_outside_the_policy_and_audits(admin, settings):
    settings.BACKUP_KEEP_HOURLY, settings.BACKUP_KEEP_DAILY, settings.BACKUP_KEEP_MONTHLY = 1, 1, 1
    first = services.backup_create(actor=None, kind="hourly")
    second = services.backup_create(actor=None, kind="hourly")
    manual = services.backup_create(actor=admin)
    Backup.objects.filter(pk=first.pk).update(created_at=second.created_at - dt.timedelta(hours=2))
    assert services.backup_prune() == [first.name]
    assert not first.path.exists() and second.path.exists() and manual.path.exists()
    assert AuditEvent.objects.filter(action="purge", object_type="ops.backup").count() == 1


def test_scheduled_run_backs_up_and_drills(admin):
    result = services.backup_scheduled_run("daily")
    assert result.passed, result.details
    assert Backup.objects.get().kind == "daily"


@pytest.mark.parametrize("persona", ["rep_li", "manager_mei", "marketing_ana"])
def test_only_admins_and_auditors_reach_backups_and_refusals_change_nothing(
        persona, request, admin, sales_data, web_client_for, api_client_for, backup_dir):
    backup = services.backup_create(actor=admin)
    user = request.getfixturevalue(persona)
    web, api = web_client_for(user), api_client_for(user)
    before = (Backup.objects.count(), BackupDrill.objects.count(), sorted(p.name for p in backup_dir.iterdir()))
    assert web.get("/ops/backups/").status_code == 403
    assert web.get(f"/ops/backups/{backup.pk}/").status_code == 403
    assert web.post("/ops/backups/create/").status_code == 403
    assert web.post(f"/ops/backups/{backup.pk}/drill/").status_code == 403
    assert api.get("/api/v1/backups").status_code == 403
    assert api.post("/api/v1/backups", {"label": "x"}, content_type="application/json").status_code == 403
    assert api.post(f"/api/v1/backups/{backup.pk}/drill").status_code == 403
    assert (Backup.objects.count(), BackupDrill.objects.count(),
            sorted(p.name for p in backup_dir.iterdir())) == before


def test_auditor_reads_but_cannot_act_and_admin_drills_through_the_api(
        admin, auditor_aud, sales_data, web_client_for, api_client_for):
    backup = services.backup_create(actor=admin, label="nightly")
    auditor = web_client_for(auditor_aud)
    page = auditor.get("/ops/backups/")
    assert page.status_code == 200 and b"nightly" in page.content and b"Run drill" not in page.content
    assert auditor.get(f"/ops/backups/{backup.pk}/").status_code == 200
    assert auditor.post(f"/ops/backups/{backup.pk}/drill/").status_code == 403
    api = api_client_for(admin)
    drill = api.post(f"/api/v1/backups/{backup.pk}/drill")
    assert drill.status_code == 200 and drill.json()["passed"] is True
    listed = api.get("/api/v1/backups").json()
    assert listed[0]["latest_drill"]["passed"] is True and listed[0]["label"] == "nightly"
    created = api.post("/api/v1/backups", {"label": "api"}, content_type="application/json")
    assert created.status_code == 201 and created.json()["label"] == "api"
