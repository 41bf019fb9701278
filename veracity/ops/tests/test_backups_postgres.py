"""PostgreSQL round trip (runs when the test database is PostgreSQL): pg_dump of an exported snapshot →
restore into a new database → the same checksums; the drill passes."""

import datetime as dt
import secrets

import pytest
from django.db import connection

from veracity.customers.models import Customer
from veracity.ops.backups import engines, services
from veracity.ops.backups.errors import RestoreRefused

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="needs PostgreSQL: run with VERACITY_DATABASE_URL from scripts/pg_throwaway.sh"),
    pytest.mark.django_db(transaction=True),
]


def test_pg_dump_restore_into_a_new_database_gives_the_same_checksums(settings, tmp_path, rep_li):
    settings.BACKUP_DIR = tmp_path / "backups"
    settings.BACKUP_KEY = ""
    Customer.objects.create(code="PG-1", name="北京测试有限公司", owner=rep_li)
    backup = services.backup_create(actor=None, label="pg")
    assert backup.manifest["database"]["vendor"] == "postgresql"
    assert backup.manifest["tables"]["customers_customer"]["rows"] == 1
    live = connection.settings_dict
    database = f"{live['NAME'][:30]}_rt_{secrets.token_hex(3)}"
    url = f"postgres://{live['USER']}@{live['HOST']}:{live['PORT']}/{database}"
    try:
        result = services.backup_restore(backup=backup, target=url)
        assert result.problems == []
        assert engines.pg_inspect(live, database)["tables"] == backup.manifest["tables"]
    finally:
        engines.pg_drop(live, database)
    drill = services.backup_drill(backup)
    assert drill.passed, drill.details
    assert drill.restore_seconds is not None and drill.drill.finished_at <= dt.datetime.now(dt.UTC)


def test_restore_over_a_live_postgresql_database_replaces_its_data_with_the_backups(settings, tmp_path, rep_li):
    """`backup restore --force` over a database that is in use by the application: another database
    on the throwaway cluster plays the live one; it has moved on since the backup, and after the
    restore it holds exactly the backup's data, checksum for checksum. While another session is
    connected, the restore refuses rather than cut that session off."""
    settings.BACKUP_DIR = tmp_path / "backups"
    settings.BACKUP_KEY = ""
    Customer.objects.create(code="PG-LIVE-1", name="上海测试有限公司", owner=rep_li)
    backup = services.backup_create(actor=None, label="before the mistake")
    live = connection.settings_dict
    database = f"{live['NAME'][:30]}_live_{secrets.token_hex(3)}"
    url = f"postgres://{live['USER']}@{live['HOST']}:{live['PORT']}/{database}"
    try:
        services.backup_restore(backup=backup, target=url)  # the "live" database, as of the backup
        with engines.pg_connect(live, database) as other:  # the application moves on
            other.execute("UPDATE customers_customer SET name = 'renamed by mistake' WHERE code = 'PG-LIVE-1'")
            other.execute("DELETE FROM audit_auditevent")
            other.commit()
            assert engines.pg_inspect(live, database)["tables"] != backup.manifest["tables"]
            with pytest.raises(RestoreRefused, match="in use"):
                services.backup_restore(backup=backup, target=url, force=True)
        result = services.backup_restore(backup=backup, target=url, force=True)
        assert result.problems == []
        assert engines.pg_inspect(live, database)["tables"] == backup.manifest["tables"]
        with engines.pg_connect(live, database) as check:
            assert check.execute("SELECT name FROM customers_customer WHERE code = 'PG-LIVE-1'").fetchone() == (
                "上海测试有限公司",)
    finally:
        engines.pg_drop(live, database)
