"""The quick in-suite version of bench/kill_server.py: two SIGKILLs of a real `veracity serve` while
API writers commit, the worker killed in the middle of a job both times. Every acknowledged write must
survive, no order be half-written, the invariants hold and the killed jobs end FAILED (WorkerLost).
The full run (20 kills) is `make faults`. It uses its own SQLite data directory, so it runs once: in
the SQLite run of the suite."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.skipif(bool(os.environ.get("VERACITY_DATABASE_URL")),
                    reason="a real server on its own SQLite database; covered by the SQLite run")
def test_sigkill_of_server_and_worker_loses_no_acknowledged_write_and_no_job():
    env = {key: value for key, value in os.environ.items() if key not in ("DJANGO_SETTINGS_MODULE",)}
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "kill_server.py"), "--kills", "2",
                             "--writers", "4", "--worker-kill-share", "1", "--seed", "3",
                             "--min-wait", "0.5", "--max-wait", "1.5", "--job-seconds", "2"],
                            env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "every acknowledged write is present" in result.stdout
    assert "RUNNING -> FAILED WorkerLost: 2" in result.stdout
