"""The quick in-suite version of bench/backup_writers.py: a backup taken while 8 writers commit orders
and customer changes restores (restore drill) to a database whose per-table checksums equal its
manifest and whose invariants hold, and holds a consistent snapshot. The 50-writer run on SQLite and
PostgreSQL is `make faults` (docs/benchmarks.md)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.skipif(bool(os.environ.get("VERACITY_DATABASE_URL")),
                    reason="runs its own SQLite database in a subprocess; covered by the SQLite run")
def test_a_backup_taken_while_writers_commit_restores_to_its_manifest_and_the_invariants_hold():
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "backup_writers.py"), "--engine", "sqlite",
                             "--writers", "8", "--backups", "1", "--pause", "1"],
                            env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "pass" in result.stdout and "tables match the manifest" in result.stdout
