"""`veracity serve --with-worker` (what `make run` starts): Ctrl+C stops the server and the worker."""

import os
import re
import signal
import subprocess
import sys
import time


def _env(data_dir) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("VERACITY_", "DJANGO_"))}
    # development: the database queue (the test settings run jobs immediately and need no worker)
    return {**env, "VERACITY_DATA_DIR": str(data_dir), "VERACITY_ENV": "development"}


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_ctrl_c_stops_the_server_and_its_worker(tmp_path):
    env = _env(tmp_path)
    cli = [sys.executable, "-m", "veracity.cli"]
    assert subprocess.run([*cli, "migrate", "-v", "0"], env=env, timeout=120).returncode == 0
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        server = subprocess.Popen([*cli, "serve", "--port", "0", "--workers", "1", "--with-worker"], env=env,
                                  stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and "Scheduler started" not in log.read_text():
            time.sleep(0.3)
        text = log.read_text()
        assert "Scheduler started" in text, text
        worker_pid = int(re.search(r"Background worker started \(pid (\d+)\)", text).group(1))
        assert _alive(worker_pid)
        os.killpg(server.pid, signal.SIGINT)   # what Ctrl+C in a terminal does
        assert server.wait(timeout=60) is not None
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _alive(worker_pid):
        time.sleep(0.2)
    assert not _alive(worker_pid), "the worker outlived the server"
    assert "Worker" in log.read_text() and "stopped" in log.read_text()
