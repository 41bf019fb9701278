import sqlite3

import pytest
from django.db import connection

from veracity.core.checks import sqlite_durability_problems


@pytest.mark.django_db
def test_database_runs_with_the_configured_durability_pragmas():
    assert sqlite_durability_problems(connection) == []


def test_check_reports_a_sqlite_file_opened_without_wal(tmp_path, settings):
    class FakeConnection:
        vendor = "sqlite"
        settings_dict = {"NAME": str(tmp_path / "plain.sqlite3")}

        def __init__(self):
            self.raw = sqlite3.connect(self.settings_dict["NAME"])

        def cursor(self):
            raw = self.raw

            class Cursor:
                def __enter__(self):
                    self.inner = raw.cursor()
                    return self.inner

                def __exit__(self, *exc):
                    self.inner.close()

            return Cursor()

    problems = sqlite_durability_problems(FakeConnection())
    assert any("journal_mode" in problem for problem in problems)
    assert any("foreign_keys" in problem for problem in problems)
