"""`make load`: N concurrent API clients (default 50) for a fixed time against `veracity serve`.

1. Migrate a fresh SQLite database in a temporary VERACITY_DATA_DIR and load the demo data.
2. Create API tokens for demo users of different roles (rep, rep2, manager, marketing, service).
3. Start `veracity serve` (gunicorn) on a free 127.0.0.1 port.
4. Run the clients: each is one of those users, keeps one keep-alive connection and loops over a mix of
   reads (customers, orders, opportunities, activities: lists and details; search) and writes (create an
   activity; PATCH a customer with If-Match of the version it has just read). A 409/412 from a genuine
   race is counted but is not an error; any 5xx or connection error is, and makes the exit status 1.

    .venv/bin/python bench/load.py [--clients 50] [--seconds 60] [--customers 2000] [--order-lines 20000]
"""

import argparse
import http.client
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import free_port, veracity, wait_until_up  # noqa: E402

USERS = ("rep", "rep2", "manager", "marketing", "service")
# (operation, weight)
MIX = (
    ("customers_list", 14), ("customer_detail", 14), ("orders_list", 9), ("order_detail", 9),
    ("opportunities_list", 7), ("opportunity_detail", 6), ("activities_list", 7), ("activity_detail", 5),
    ("search", 9), ("activity_create", 10), ("customer_patch", 10),
)
SEARCH_TERMS = ("北京", "科技", "C0001", "Shanghai", "有限", "SO-", "张", "trade", "王", "a")
RACE_STATUSES = {409, 412}


def percentile(ordered: list[float], fraction: float) -> float:
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))] if ordered else 0.0


class Client(threading.Thread):
    def __init__(self, number: int, port: int, user: str, token: str, deadline: float, max_requests: int,
                 seed: int, stats: "Stats"):
        super().__init__(name=f"client-{number}")
        self.port, self.user, self.deadline, self.max_requests = port, user, deadline, max_requests
        self.rng = random.Random(seed * 1000 + number)
        self.headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        self.stats = stats
        self.connection = None
        self.ids: dict[str, list[int]] = {"customers": [], "orders": [], "opportunities": [], "activities": []}
        self.operations = [name for name, _weight in MIX]
        self.weights = [weight for _name, weight in MIX]

    def request(self, op: str, method: str, path: str, body: dict | None = None,
                extra: dict | None = None) -> tuple[int | None, dict, bytes]:
        headers = dict(self.headers, **(extra or {}))
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if self.connection is None:
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        started = time.perf_counter()
        try:
            self.connection.request(method, path, body=payload, headers=headers)
            response = self.connection.getresponse()
            data = response.read()
            status, response_headers = response.status, dict(response.getheaders())
        except (OSError, http.client.HTTPException) as error:
            self.connection.close()
            self.connection = None
            self.stats.add(op, type(error).__name__, (time.perf_counter() - started) * 1000, f"{method} {path}")
            return None, {}, b""
        self.stats.add(op, status, (time.perf_counter() - started) * 1000,
                       f"{method} {path} -> {status} {data[:300]!r}" if status >= 500 else "")
        return status, response_headers, data

    def list_ids(self, op: str, kind: str, path: str) -> None:
        status, _headers, data = self.request(op, "GET", path)
        if status == 200:
            items = json.loads(data).get("items", [])
            if items:
                self.ids[kind] = [item["id"] for item in items]

    def detail(self, op: str, kind: str) -> None:
        if not self.ids[kind]:
            self.list_ids(f"{kind}_list", kind, f"/api/v1/{kind}?limit=50")
            return
        self.request(op, "GET", f"/api/v1/{kind}/{self.rng.choice(self.ids[kind])}")

    def run(self) -> None:
        done = 0
        try:
            while time.monotonic() < self.deadline and done < self.max_requests:
                done += 1
                op = self.rng.choices(self.operations, self.weights)[0]
                offset = self.rng.randrange(0, 200, 50)
                if op.endswith("_list"):
                    kind = op.removesuffix("_list")
                    self.list_ids(op, kind, f"/api/v1/{kind}?limit=50&offset={offset}")
                elif op.endswith("_detail"):
                    self.detail(op, {"customer_detail": "customers", "order_detail": "orders",
                                     "opportunity_detail": "opportunities",
                                     "activity_detail": "activities"}[op])
                elif op == "search":
                    self.request(op, "GET", f"/api/v1/search?q={urllib.parse.quote(self.rng.choice(SEARCH_TERMS))}")
                elif op == "activity_create":
                    if not self.ids["customers"]:
                        self.list_ids("customers_list", "customers", "/api/v1/customers?limit=50")
                        continue
                    self.request(op, "POST", "/api/v1/activities", {
                        "kind": self.rng.choice(["call", "note", "email", "visit"]),
                        "subject": f"load test {self.name} #{done}", "body": "bench/load.py",
                        "customer_id": self.rng.choice(self.ids["customers"])})
                elif op == "customer_patch":
                    if not self.ids["customers"]:
                        self.list_ids("customers_list", "customers", "/api/v1/customers?limit=50")
                        continue
                    # a small shared pool, so that clients of the same scope genuinely race
                    customer = self.rng.choice(self.ids["customers"][:5])
                    status, headers, _data = self.request("customer_read_for_patch", "GET",
                                                          f"/api/v1/customers/{customer}")
                    if status != 200:
                        continue
                    etag = headers.get("ETag") or headers.get("etag")
                    self.request(op, "PATCH", f"/api/v1/customers/{customer}",
                                 {"notes": f"patched by {self.user} ({self.name}) at {time.time():.3f}"},
                                 {"If-Match": etag})
        finally:
            if self.connection is not None:
                self.connection.close()


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.by_op: dict[str, list[float]] = {}
        self.statuses: Counter = Counter()
        self.op_statuses: Counter = Counter()
        self.samples: list[str] = []

    def add(self, op: str, status, ms: float, sample: str) -> None:
        with self.lock:
            self.latencies.append(ms)
            self.by_op.setdefault(op, []).append(ms)
            self.statuses[str(status)] += 1
            self.op_statuses[(op, str(status))] += 1
            if sample and len(self.samples) < 20:
                self.samples.append(sample)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--max-requests", type=int, default=100_000, help="Per client, at most.")
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--order-lines", type=int, default=20000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8, help="gunicorn threads per worker (gthread, keep-alive).")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="Keep the temporary data directory.")
    options = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="veracity-load.")
    env = {**os.environ, "VERACITY_DATA_DIR": data_dir, "VERACITY_ENV": "development",
           "VERACITY_LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT)}
    env.pop("VERACITY_DATABASE_URL", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    print(f"data dir {data_dir}")
    server = None
    try:
        started = time.monotonic()
        veracity(env, "migrate", "--no-input", "-v", "0")
        veracity(env, "demo", "-v", "0", "--customers", str(options.customers),
                 "--order-lines", str(options.order_lines))
        print(f"demo data loaded in {time.monotonic() - started:.1f} s "
              f"({options.customers} customers, {options.order_lines} order lines)")
        tokens = {user: veracity(env, "token", "create", user, "--name", "load").strip().splitlines()[-1]
                  for user in USERS}
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "veracity.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
             "--workers", str(options.workers), "--threads", str(options.threads)],
            env=env, cwd=ROOT, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        server_log: list[str] = []
        reader = threading.Thread(target=lambda: server_log.extend(server.stdout), daemon=True)
        reader.start()
        wait_until_up(port, server)
        print(f"serving on 127.0.0.1:{port} (gunicorn {options.workers} workers x {options.threads} threads); "
              f"{options.clients} clients as {', '.join(USERS)} for {options.seconds:.0f} s")
        stats = Stats()
        deadline = time.monotonic() + options.seconds
        clients = [Client(number, port, USERS[number % len(USERS)], tokens[USERS[number % len(USERS)]], deadline,
                          options.max_requests, options.seed, stats) for number in range(options.clients)]
        began = time.perf_counter()
        for client in clients:
            client.start()
        for client in clients:
            client.join(timeout=options.seconds + 120)
        elapsed = time.perf_counter() - began
        hung = [client.name for client in clients if client.is_alive()]
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)  # the process group this script started
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
        if not options.keep:
            shutil.rmtree(data_dir, ignore_errors=True)

    ordered = sorted(stats.latencies)
    total = len(ordered)
    print()
    print(f"{total} requests in {elapsed:.1f} s: {total / elapsed:.1f} req/s; latency p50 "
          f"{percentile(ordered, 0.5):.1f} ms, p95 {percentile(ordered, 0.95):.1f} ms, "
          f"p99 {percentile(ordered, 0.99):.1f} ms, max {ordered[-1] if ordered else 0:.1f} ms")
    print("statuses: " + ", ".join(f"{status}: {count}" for status, count in sorted(stats.statuses.items())))
    print()
    print(f"{'operation':<24}{'requests':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}  statuses")
    for op in sorted(stats.by_op):
        values = sorted(stats.by_op[op])
        statuses = ", ".join(f"{status}: {count}" for (name, status), count in sorted(stats.op_statuses.items())
                             if name == op)
        print(f"{op:<24}{len(values):>9}{percentile(values, 0.5):>9.1f}{percentile(values, 0.95):>9.1f}"
              f"{percentile(values, 0.99):>9.1f}  {statuses}")
    failures = {status: count for status, count in stats.statuses.items()
                if not status.isdigit() or int(status) >= 500}
    races = sum(count for status, count in stats.statuses.items() if status.isdigit() and int(status) in RACE_STATUSES)
    print(f"\nrace answers (409/412, not errors): {races}")
    other_4xx = {status: count for status, count in stats.statuses.items()
                 if status.isdigit() and 400 <= int(status) < 500 and int(status) not in RACE_STATUSES}
    if other_4xx:
        print(f"other 4xx (reported, not failures; 403 = the role may not do this): {other_4xx}")
    server_errors = [line.rstrip() for line in server_log if "Error" in line or "Traceback" in line]
    if server_errors:
        print("server log (first lines with errors):")
        for line in server_errors[:15]:
            print("  " + line)
    if hung:
        print(f"FAIL: clients still running after the time limit: {hung}")
        return 1
    if failures:
        print(f"FAIL: server errors / connection errors: {failures}")
        for sample in stats.samples:
            print("  " + sample)
        return 1
    print("OK: no 5xx and no connection errors")
    return 0


if __name__ == "__main__":
    sys.exit(main())
