"""The operator's view (SECURITY.md T3, T4, T15): `veracity backup …` against real SQLite files in
fresh data dirs, with the app's own settings, exactly as on a server."""

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time

import pytest

from veracity.ops.backups.checksums import sqlite_table_checksums


def _env(data_dir, **extra) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("VERACITY_", "DJANGO_"))}
    return {**env, "VERACITY_DATA_DIR": str(data_dir), "VERACITY_ENV": "test",
            "VERACITY_BACKUP_DIR": str(data_dir / "backups"), **extra}


def _veracity(*args, env, check=True):
    result = subprocess.run([sys.executable, "-m", "veracity.cli", *args], env=env, capture_output=True,
                            text=True, timeout=300)
    if check:
        assert result.returncode == 0, (args, result.stdout, result.stderr)
    return result


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    """A migrated data dir with a few records (built once; copied while nothing has it open)."""
    data_dir = tmp_path_factory.mktemp("template")
    env = _env(data_dir)
    _veracity("migrate", "-v", "0", env=env)
    with sqlite3.connect(data_dir / "veracity.sqlite3") as database:
        database.execute("CREATE TABLE IF NOT EXISTS t3_writes (id INTEGER PRIMARY KEY, value TEXT)")
    (data_dir / "files").mkdir(exist_ok=True)
    (data_dir / "files" / "import-1.csv").write_text("code,name\nC-1,Acme\n")
    return data_dir


@pytest.fixture
def data_dir(migrated, tmp_path):
    target = tmp_path / "site"
    shutil.copytree(migrated, target)
    return target


def _only_backup(data_dir):
    [backup] = [path for path in (data_dir / "backups").iterdir() if not path.name.startswith(".")]
    return backup


def test_online_backup_while_a_writer_keeps_committing(data_dir):
    """T3: the copy passes integrity_check and its checksums equal its manifest, mid-write."""
    stop = threading.Event()
    written = []

    def writer():
        connection = sqlite3.connect(data_dir / "veracity.sqlite3", timeout=10, isolation_level=None)
        connection.execute("PRAGMA journal_mode=wal")
        while not stop.is_set():
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("INSERT INTO t3_writes (value) VALUES (?)", ["x" * 200])
            connection.execute("COMMIT")
            written.append(1)
            time.sleep(0.002)  # busy, not a tight loop: SQLite's busy handler is not a fair queue
        connection.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        time.sleep(0.2)
        result = _veracity("backup", "create", "--label", "under load", env=_env(data_dir))
    finally:
        stop.set()
        thread.join()
    assert "created" in result.stdout
    backup = _only_backup(data_dir)
    manifest = json.loads((backup / "manifest.json").read_text())
    with sqlite3.connect(backup / "database.sqlite3") as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert sqlite_table_checksums(copy) == manifest["tables"]
    assert 0 < manifest["tables"]["t3_writes"]["rows"] <= len(written)
    assert _veracity("backup", "verify", str(backup), env=_env(data_dir)).returncode == 0


def test_restore_on_a_new_machine_with_one_command(data_dir, tmp_path):
    env = _env(data_dir)
    _veracity("backup", "create", env=env)
    backup = _only_backup(data_dir)
    manifest = json.loads((backup / "manifest.json").read_text())
    new_machine = tmp_path / "new-machine"
    new_machine.mkdir()
    result = _veracity("backup", "restore", str(backup), "--force", env=_env(new_machine))
    assert "every table matches" in result.stdout
    with sqlite3.connect(new_machine / "veracity.sqlite3") as restored:
        checksums = sqlite_table_checksums(restored)
        actions = [row[0] for row in restored.execute("SELECT action FROM audit_auditevent ORDER BY id")]
    # Identical, checksum for checksum, but for what the restore itself then recorded: its audit event.
    after_restore = ("audit_auditevent", "ops_backup", "ops_backupdrill")
    assert {table: value for table, value in checksums.items() if table not in after_restore} == \
        {table: value for table, value in manifest["tables"].items() if table not in after_restore}
    assert set(checksums) == set(manifest["tables"])
    assert actions[-1] == "restore" and len(actions) == manifest["tables"]["audit_auditevent"]["rows"] + 1
    assert (new_machine / "files" / "import-1.csv").read_text() == "code,name\nC-1,Acme\n"
    assert "Name" in _veracity("backup", "list", env=_env(new_machine)).stdout
    drill = _veracity("backup", "drill", str(backup), env=_env(new_machine))
    assert "passed" in drill.stdout


def test_restore_over_live_data_takes_a_safety_backup_and_needs_force(data_dir):
    env = _env(data_dir)
    _veracity("backup", "create", env=env)
    backup = _only_backup(data_dir)
    refused = _veracity("backup", "restore", str(backup), env=env, check=False)
    assert refused.returncode == 1 and "--force" in refused.stderr
    with sqlite3.connect(data_dir / "veracity.sqlite3") as database:
        database.execute("INSERT INTO t3_writes (value) VALUES ('after the backup')")
    result = _veracity("backup", "restore", str(backup), "--force", env=env)
    assert "Safety backup" in result.stdout
    with sqlite3.connect(data_dir / "veracity.sqlite3") as database:
        assert database.execute("SELECT count(*) FROM t3_writes").fetchone()[0] == 0
        assert database.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert len([path for path in (data_dir / "backups").iterdir() if not path.name.startswith(".")]) == 2


def test_a_tampered_backup_fails_verify_and_drill_with_a_non_zero_exit(data_dir):
    env = _env(data_dir)
    _veracity("backup", "create", env=env)
    backup = _only_backup(data_dir)
    with (backup / "database.sqlite3").open("ab") as database:
        database.write(b"\0")
    assert _veracity("backup", "verify", str(backup), env=env, check=False).returncode == 1
    drill = _veracity("backup", "drill", str(backup), env=env, check=False)
    assert drill.returncode == 1 and "FAILED" in drill.stderr


def test_upgrade_backs_up_then_migrates_and_serve_refuses_a_half_migrated_database(data_dir):
    env = _env(data_dir)
    with sqlite3.connect(data_dir / "veracity.sqlite3") as database:  # pretend the newest migration is not applied
        # the backups migration and every later ops migration (their tables too)
        last = database.execute("SELECT app, name FROM django_migrations WHERE app = 'ops' ORDER BY id DESC").fetchone()
        database.execute("DELETE FROM django_migrations WHERE app = 'ops' AND name >= '0002'")
        database.execute("DROP TABLE ops_backupdrill")
        database.execute("DROP TABLE ops_backup")
        database.execute("DROP TABLE ops_workerheartbeat")
    served = _veracity("serve", "--port", "1", env=env, check=False)
    assert served.returncode == 1 and "unapplied migration" in served.stderr
    result = _veracity("upgrade", env=env)
    assert "Backup before upgrade" in result.stdout
    backup = _only_backup(data_dir)
    assert json.loads((backup / "manifest.json").read_text())["kind"] == "upgrade"
    with sqlite3.connect(data_dir / "veracity.sqlite3") as database:
        assert database.execute("SELECT count(*) FROM django_migrations WHERE app = 'ops' AND name = ?",
                                [last[1]]).fetchone()[0] == 1
