"""`make bench`: requests per second of an API list against a bare Django view on the same server.

1. Migrate a fresh SQLite database in a temporary VERACITY_DATA_DIR and load the demo data.
2. Create an API token for the demo `rep` (a sales rep: the list is permission-scoped to their own
   customers) with `veracity token create`, which calls accounts.services.api_token_create.
3. Start `veracity serve` (gunicorn) on a free 127.0.0.1 port with bench/settings.py, which adds the
   bench-only reference view /bench/reference/<table> (50 rows of the same table, no auth, no scoping).
4. Drive both with bench/api_list.py (8 threads, keep-alive connections, bounded requests and time)
   and print both figures and their ratio.

    .venv/bin/python bench/run.py [--path '/api/v1/customers?limit=50'] [--customers 2000] …
"""

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.api_list import get, run_load  # noqa: E402

DEFAULT_PATH = "/api/v1/customers?limit=50"
FALLBACK_PATH = "/api/v1/products?limit=50"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def veracity(env: dict, *args: str) -> str:
    result = subprocess.run([sys.executable, "-m", "veracity.cli", *args], env=env, cwd=ROOT,
                            capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"veracity {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def wait_until_up(port: int, server: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"The server exited early:\n{server.stdout.read() if server.stdout else ''}")
        try:
            if get(port, "/healthz")[0] == 200:
                return
        except OSError:
            time.sleep(0.2)
    sys.exit("The server did not come up.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--path", default=None, help=f"API list to measure (default {DEFAULT_PATH}).")
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--order-lines", type=int, default=20000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--requests", type=int, default=4000, help="At most this many requests per round.")
    parser.add_argument("--seconds", type=float, default=15, help="At most this long per round.")
    parser.add_argument("--rounds", type=int, default=2, help="Alternating rounds; the best of each is kept.")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker (keep-alive).")
    parser.add_argument("--keep", action="store_true", help="Keep the temporary data directory.")
    options = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="veracity-bench.")
    env = {**os.environ, "VERACITY_DATA_DIR": data_dir, "VERACITY_ENV": "development",
           "VERACITY_LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT)}
    env.pop("VERACITY_DATABASE_URL", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    print(f"data dir {data_dir}")
    started = time.monotonic()
    veracity(env, "migrate", "--no-input", "-v", "0")
    veracity(env, "demo", "-v", "0", "--customers", str(options.customers), "--order-lines", str(options.order_lines))
    print(f"demo data loaded in {time.monotonic() - started:.1f} s "
          f"({options.customers} customers, {options.order_lines} order lines)")
    token = veracity(env, "token", "create", "rep", "--name", "bench").strip().splitlines()[-1]
    auth = {"Authorization": f"Bearer {token}", "Accept": "application/json"}

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "veracity.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
         "--workers", str(options.workers), "--threads", str(options.threads)],
        env={**env, "DJANGO_SETTINGS_MODULE": "bench.settings"}, cwd=ROOT, start_new_session=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_until_up(port, server)
        path = options.path or DEFAULT_PATH
        status, body = get(port, path, auth)
        if status == 404 and options.path is None:
            print(f"WARNING: {path} answers 404 on this build; measuring {FALLBACK_PATH} instead.")
            path = FALLBACK_PATH
            status, body = get(port, path, auth)
        if status != 200:
            sys.exit(f"GET {path} as rep answered {status}: {body[:300]!r}")
        api_rows = len(json.loads(body)["items"])
        table = "customers" if "/customers" in path else "products"
        reference = f"/bench/reference/{table}?limit=50"
        status, body = get(port, reference)
        if status != 200:
            sys.exit(f"GET {reference} answered {status}")
        print(f"API {path} as rep: {api_rows} rows; reference {reference}: {len(json.loads(body)['items'])} rows")
        for target, headers in ((path, auth), (reference, {})):  # warm up every worker
            run_load(port=port, path=target, headers=headers, concurrency=options.concurrency, max_requests=200)
        best = {}
        for round_no in range(1, options.rounds + 1):
            for target, headers in ((path, auth), (reference, {})):
                result = run_load(port=port, path=target, headers=headers, concurrency=options.concurrency,
                                  max_requests=options.requests, max_seconds=options.seconds)
                print(f"round {round_no} {target:<40} {result.summary()}")
                if result.errors:
                    sys.exit(f"{target} returned errors: {result.errors}")
                if target not in best or result.rps > best[target].rps:
                    best[target] = result
        api, bare = best[path], best[reference]
        print()
        print(f"API list ({path}, as rep, scoped): {api.rps:.1f} req/s")
        print(f"Bare Django JSON view ({reference}):  {bare.rps:.1f} req/s")
        print(f"Ratio API / bare: {api.rps / bare.rps:.2f}  (concurrency {options.concurrency}, "
              f"gunicorn {options.workers} workers x {options.threads} threads, {os.cpu_count()} CPUs)")
    finally:
        os.killpg(server.pid, signal.SIGTERM)  # the process group this script started
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        if not options.keep:
            shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
