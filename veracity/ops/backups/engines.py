"""The database-specific half of backups: take a consistent snapshot, restore it somewhere, and read
checksums and schema versions back. SQLite through its online backup API; PostgreSQL through
pg_dump/pg_restore, with the connection passed in environment variables (never a password on the
command line)."""

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections

from veracity.ops.backups.checksums import postgresql_table_checksums, sqlite_table_checksums
from veracity.ops.backups.errors import BackupError, RestoreRefused

SQLITE_FILE = "database.sqlite3"
POSTGRES_FILE = "database.dump"


def fsync_path(path: Path) -> None:
    """Flush a file, or a directory entry (after a rename), to disk."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def schema_from_rows(rows) -> dict[str, str]:
    """The latest applied migration per app, from (app, name) rows in the order they were applied."""
    latest: dict[str, str] = {}
    for app, name in rows:
        latest[app] = name
    return dict(sorted(latest.items()))


def is_in_memory(settings_dict: dict) -> bool:
    name = str(settings_dict.get("NAME") or "")
    return name in ("", ":memory:") or "mode=memory" in name


# --- SQLite -------------------------------------------------------------------------------------
def sqlite_snapshot(*, alias: str, target: Path) -> dict[str, Any]:
    """Copy the database online into `target` and check the copy; returns its checksums and schema.

    A file database is read through a new connection with the backup API in one step: that is one read
    transaction, so the copy is exactly the last committed state while writers carry on (WAL). An
    in-memory database (the test suite's) is serialised from the live connection instead."""
    connection = connections[alias]
    if is_in_memory(connection.settings_dict):
        connection.ensure_connection()
        copy = sqlite3.connect(":memory:")
        copy.deserialize(connection.connection.serialize())
    else:
        copy = sqlite3.connect(connection.settings_dict["NAME"], timeout=30)
    destination = sqlite3.connect(target)
    try:
        copy.backup(destination)
        destination.execute("PRAGMA journal_mode=DELETE")  # a self-contained file, no -wal beside it
        destination.commit()
    finally:
        copy.close()
    try:
        return sqlite_inspect(destination)
    finally:
        destination.close()
        fsync_path(target)


def sqlite_inspect(connection: sqlite3.Connection) -> dict[str, Any]:
    result = connection.execute("PRAGMA integrity_check").fetchall()
    if [row[0] for row in result] != ["ok"]:
        raise BackupError(f"The copy failed PRAGMA integrity_check: {result[:5]}")
    return {"tables": sqlite_table_checksums(connection),
            "schema": schema_from_rows(connection.execute("SELECT app, name FROM django_migrations ORDER BY id"))
            if connection.execute("SELECT 1 FROM sqlite_master WHERE name = 'django_migrations'").fetchone()
            else {}}


def sqlite_database_path(alias: str = "default") -> Path:
    return Path(connections[alias].settings_dict["NAME"])


def sqlite_in_use(path: Path) -> bool:
    """Whether another process holds the database: we cannot take the write lock at once."""
    if not path.exists():
        return False
    probe = sqlite3.connect(path, timeout=0.5, isolation_level=None)
    try:
        probe.execute("BEGIN EXCLUSIVE")
        probe.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError:
        return True
    finally:
        probe.close()


def sqlite_restore(*, source: Path, target: Path) -> None:
    """Write the database in `source` into `target` through the backup API (safe for a file other
    connections may have open), then put the target back into WAL mode."""
    target.parent.mkdir(parents=True, exist_ok=True)
    origin = sqlite3.connect(source)
    destination = sqlite3.connect(target, timeout=30)
    try:
        origin.backup(destination)
        for name, value in settings.SQLITE_PRAGMAS.items():
            if name in ("journal_mode", "synchronous"):
                destination.execute(f"PRAGMA {name}={value}")
        destination.commit()
    finally:
        origin.close()
        destination.close()


# --- PostgreSQL -----------------------------------------------------------------------------------
def pg_tool(name: str) -> str:
    for directory in settings.BACKUP_PG_BIN_DIRS:
        candidate = Path(directory) / name
        if candidate.exists():
            return str(candidate)
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} was not found on PATH or in VERACITY_PG_BIN_DIRS.")
    return found


def pg_env(settings_dict: dict, database: str | None = None) -> dict[str, str]:
    """The libpq environment for a Django database settings dict: the password never appears in argv."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    values = {"PGHOST": settings_dict.get("HOST"), "PGPORT": settings_dict.get("PORT"),
              "PGUSER": settings_dict.get("USER"), "PGPASSWORD": settings_dict.get("PASSWORD"),
              "PGDATABASE": database or settings_dict.get("NAME"),
              "PGSSLMODE": (settings_dict.get("OPTIONS") or {}).get("sslmode")}
    env.update({key: str(value) for key, value in values.items() if value})
    return env


def run_tool(argv: list[str], env: dict[str, str]) -> str:
    completed = subprocess.run(argv, env=env, capture_output=True, text=True)
    if completed.returncode != 0:
        raise BackupError(f"{Path(argv[0]).name} failed: {completed.stderr.strip()[-1000:]}")
    return completed.stdout


def pg_connect(settings_dict: dict, database: str | None = None):
    import psycopg

    return psycopg.connect(dbname=database or settings_dict["NAME"], user=settings_dict.get("USER") or None,
                           password=settings_dict.get("PASSWORD") or None, host=settings_dict.get("HOST") or None,
                           port=settings_dict.get("PORT") or None)


def pg_snapshot(*, alias: str, target: Path) -> dict[str, Any]:
    """pg_dump -Fc of an exported snapshot, and checksums read inside that same snapshot, so the dump
    and the manifest describe exactly the same state."""
    settings_dict = connections[alias].settings_dict
    with pg_connect(settings_dict) as connection:
        connection.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        snapshot = connection.execute("SELECT pg_export_snapshot()").fetchone()[0]
        run_tool([pg_tool("pg_dump"), "-Fc", "--no-owner", f"--snapshot={snapshot}", "-f", str(target)],
                 pg_env(settings_dict))
        tables = postgresql_table_checksums(connection)
        schema = schema_from_rows(connection.execute("SELECT app, name FROM django_migrations ORDER BY id"))
        connection.rollback()
    fsync_path(target)
    listing = run_tool([pg_tool("pg_restore"), "--list", str(target)], pg_env(settings_dict))
    if "TABLE DATA" not in listing:
        raise BackupError("pg_restore --list shows no table data in the dump.")
    return {"tables": tables, "schema": schema}


def pg_inspect(settings_dict: dict, database: str) -> dict[str, Any]:
    with pg_connect(settings_dict, database) as connection:
        tables = postgresql_table_checksums(connection)
        schema = schema_from_rows(connection.execute("SELECT app, name FROM django_migrations ORDER BY id"))
    return {"tables": tables, "schema": schema}


def pg_other_sessions(settings_dict: dict, database: str) -> int:
    with pg_connect(settings_dict, database) as connection:
        return connection.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                  "AND pid <> pg_backend_pid()").fetchone()[0]


def pg_database_exists(settings_dict: dict, database: str) -> bool:
    with pg_connect(settings_dict, "postgres" if database != "postgres" else "template1") as connection:
        return connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone() is not None


def pg_restore_into(*, source: Path, settings_dict: dict, database: str, replace: bool) -> None:
    """Restore a custom-format dump into `database`: a new one (created here) or, with `replace`, over
    the existing one in a single transaction."""
    env = pg_env(settings_dict, database)
    if replace:
        if pg_other_sessions(settings_dict, database):
            raise RestoreRefused(f"The database {database} is in use by other sessions; stop Veracity first.")
        run_tool([pg_tool("pg_restore"), "--clean", "--if-exists", "--single-transaction", "--no-owner",
                  "--exit-on-error", "-d", database, str(source)], env)
        return
    if pg_database_exists(settings_dict, database):
        raise RestoreRefused(f"The database {database} already exists; restore into a new one or use --force.")
    run_tool([pg_tool("createdb"), database], env)
    run_tool([pg_tool("pg_restore"), "--no-owner", "--exit-on-error", "-d", database, str(source)], env)


def pg_drop(settings_dict: dict, database: str) -> None:
    run_tool([pg_tool("dropdb"), "--if-exists", "--force", database], pg_env(settings_dict, "postgres"))


def pg_amcheck(settings_dict: dict, database: str) -> str:
    """Run pg_amcheck when it and the amcheck extension are available; '' when it passes."""
    try:
        tool = pg_tool("pg_amcheck")
    except BackupError:
        return "skipped: pg_amcheck not installed"
    completed = subprocess.run([tool, "--install-missing", "-d", database], env=pg_env(settings_dict, database),
                               capture_output=True, text=True)
    return "" if completed.returncode == 0 else completed.stderr.strip()[-1000:] or completed.stdout[-1000:]
