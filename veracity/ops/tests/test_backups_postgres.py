"""PostgreSQL round trip (runs when the test database is PostgreSQL): pg_dump of an exported snapshot →
restore into a new database → the same checksums; the drill passes."""

import datetime as dt
import secrets

import pytest
from django.db import connection

from veracity.customers.models import Customer
from veracity.ops.backups import engines, services

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
