"""The `veracity` console command as an operator runs it: help, and `serve` start-up behaviour."""

import http.client
import os
import signal
import socket
import subprocess
import sys
import time


def _env(data_dir) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("VERACITY_", "DJANGO_"))}
    return {**env, "VERACITY_DATA_DIR": str(data_dir), "VERACITY_ENV": "test"}


def _veracity(*args, env, **kwargs):
    return subprocess.run([sys.executable, "-m", "veracity.cli", *args], env=env, capture_output=True,
                          text=True, **kwargs)


def test_veracity_help_lists_our_commands(tmp_path):
    result = _veracity("help", env=_env(tmp_path))
    assert result.returncode == 0
    for command in ("demo", "demo_logins", "createuser", "token", "serve", "migrate"):
        assert f"    {command}\n" in result.stdout


def test_serve_refuses_to_start_with_unapplied_migrations(tmp_path):
    result = _veracity("serve", "--port", "1", env=_env(tmp_path), timeout=60)
    assert result.returncode == 1
    assert "unapplied migration" in result.stderr and "veracity migrate" in result.stderr


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_serve_answers_pages_and_static_files(tmp_path):
    env = _env(tmp_path)
    assert _veracity("migrate", "-v", "0", env=env).returncode == 0
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "veracity.cli", "serve", "--port", str(port), "--workers", "1"],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              start_new_session=True)
    try:
        statuses = {}
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not statuses:
            try:
                for path in ("/healthz", "/static/icons/icon.svg"):
                    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                    connection.request("GET", path)
                    statuses[path] = connection.getresponse().status
                    connection.close()
            except OSError:
                statuses = {}
                time.sleep(0.3)
        assert statuses == {"/healthz": 200, "/static/icons/icon.svg": 200}
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        output = server.communicate(timeout=20)[0]
    assert f"listening on http://127.0.0.1:{port}" in output
