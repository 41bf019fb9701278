"""`make faults` (part 2): SIGKILL the web server and the background worker at random moments while
API clients write, 20 times; afterwards every acknowledged write is in the database, the domain
invariants hold, no order is half-written, and no background job is silently lost.

1. A fresh SQLite database in a temporary VERACITY_DATA_DIR, migrated, with a small demo data set; an API
   token for the demo `admin`.
2. `veracity serve` (gunicorn) and `veracity worker` as separate process groups.
3. --writers threads loop over: create a customer, PATCH its notes (If-Match), book an order with 1-6
   lines, replace an order's lines (If-Match). Each writer only touches its own records, so each record's
   writes are sequential; a write is *acknowledged* when the server answered 2xx. A write whose answer
   was lost (connection reset by the kill) may or may not have happened.
4. --kills rounds: wait a random time (seeded), SIGKILL the server's process group, restart it. In about
   half of the rounds a slow background job (bench/fault_tasks.py) is running and the worker is SIGKILLed
   too, at a random point of the job, and restarted.
5. Then, read-only: every acknowledged create is present; each record holds its last acknowledged value
   (or the value of a later unacknowledged write); every order has its lines and its total equals their
   sum; `ops.invariants` all hold (run through `veracity shell`); every enqueued job ended SUCCESSFUL, or
   FAILED with `WorkerLost` (visible, retryable), none left READY or RUNNING.

Exits 1 on any violation, 5xx or hung client. Only processes this script started are killed.

    .venv/bin/python bench/kill_server.py [--kills 20] [--writers 6] [--seed 11]
"""

import argparse
import http.client
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import free_port, veracity  # noqa: E402

INVARIANTS_CODE = """
import json
from veracity.ops.invariants import invariants_check
print(json.dumps([r.as_dict() for r in invariants_check()]))
"""
ENQUEUE_CODE = """
from bench.fault_tasks import slow_steps
print(" ".join(str(slow_steps.enqueue(steps={steps}, seconds_per_step={seconds}).id) for _ in range({count})))
"""


class Writes:
    """What each writer sent, in order, and which answers came back 2xx."""

    def __init__(self):
        self.lock = threading.Lock()
        self.records: dict[tuple[str, str], list[tuple[object, bool]]] = {}  # (kind, key) -> [(value, acked)]
        self.statuses: Counter = Counter()
        self.server_errors: list[str] = []

    def issued(self, kind: str, key: str, value, acked: bool) -> None:
        with self.lock:
            self.records.setdefault((kind, key), []).append((value, acked))

    def status(self, label: str, status, body: bytes = b"") -> None:
        with self.lock:
            self.statuses[str(status)] += 1
            if isinstance(status, int) and status >= 500 and len(self.server_errors) < 20:
                self.server_errors.append(f"{label} -> {status} {body[:300]!r}")


class Writer(threading.Thread):
    def __init__(self, number: int, port_box: dict, token: str, customer_ids: list[int], product_ids: list[int],
                 seed: int, stop: threading.Event, writes: Writes):
        super().__init__(name=f"writer-{number}", daemon=True)
        self.number, self.port_box, self.stop, self.writes = number, port_box, stop, writes
        self.rng = random.Random(seed * 100 + number)
        self.headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        self.demo_customers, self.products = customer_ids, product_ids
        self.customers: dict[str, int] = {}  # code -> id, acknowledged creates
        self.orders: dict[str, int] = {}  # number -> id
        self.serial = 0
        self.connection = None

    def call(self, label: str, method: str, path: str, body: dict | None = None, extra: dict | None = None):
        headers = dict(self.headers, **(extra or {}))
        payload = json.dumps(body).encode() if body is not None else None
        if payload is not None:
            headers["Content-Type"] = "application/json"
        try:
            if self.connection is None:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port_box["port"], timeout=30)
            self.connection.request(method, path, body=payload, headers=headers)
            response = self.connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            if self.connection is not None:
                self.connection.close()
            self.connection = None
            self.writes.status(label, "connection error")
            time.sleep(0.1)  # the server is down: wait for the restart
            return None, {}, b""
        self.writes.status(label, response.status, data)
        return response.status, dict(response.getheaders()), data

    def lines(self) -> list[dict]:
        return [{"product_id": self.rng.choice(self.products), "quantity": str(self.rng.randint(1, 9)),
                 "unit_price": f"{self.rng.randint(100, 99999) / 100:.2f}"} for _ in range(self.rng.randint(1, 6))]

    def run(self) -> None:
        while not self.stop.is_set():
            self.serial += 1
            operation = self.rng.choice(["customer_create", "customer_patch", "order_create", "order_create",
                                         "order_lines"])
            if operation == "customer_create" or (operation == "customer_patch" and not self.customers):
                code = f"KS{self.number:02d}-{self.serial:05d}"
                notes = f"created {code}"
                status, _h, data = self.call(operation, "POST", "/api/v1/customers",
                                             {"code": code, "name": f"Kill Server {code}", "notes": notes,
                                              "kind": "company"})
                self.writes.issued("customer", code, notes, status == 201)
                if status == 201:
                    self.customers[code] = json.loads(data)["id"]
            elif operation == "customer_patch":
                code = self.rng.choice(list(self.customers))
                status, headers, _data = self.call("customer_get", "GET", f"/api/v1/customers/{self.customers[code]}")
                if status != 200:
                    continue
                notes = f"patched {code} #{self.serial}"
                status, _h, _d = self.call(operation, "PATCH", f"/api/v1/customers/{self.customers[code]}",
                                           {"notes": notes}, {"If-Match": headers.get("ETag", "")})
                self.writes.issued("customer", code, notes, status == 200)
            elif operation == "order_create" or not self.orders:
                number = f"KSO{self.number:02d}-{self.serial:05d}"
                customer = self.rng.choice(list(self.customers.values()) or self.demo_customers)
                lines = self.lines()
                status, _h, data = self.call("order_create", "POST", "/api/v1/orders", {
                    "number": number, "customer_id": customer, "order_date": "2026-03-15", "currency": "CNY",
                    "lines": lines})
                self.writes.issued("order", number, _line_key(lines), status == 201)
                if status == 201:
                    self.orders[number] = json.loads(data)["id"]
            else:
                number = self.rng.choice(list(self.orders))
                status, headers, _data = self.call("order_get", "GET", f"/api/v1/orders/{self.orders[number]}")
                if status != 200:
                    continue
                lines = self.lines()
                status, _h, _d = self.call("order_lines", "PATCH", f"/api/v1/orders/{self.orders[number]}",
                                           {"lines": lines}, {"If-Match": headers.get("ETag", "")})
                self.writes.issued("order", number, _line_key(lines), status == 200)
        if self.connection is not None:
            self.connection.close()


def _line_key(lines) -> tuple:
    return tuple(sorted((int(line["product_id"]), Decimal(str(line["quantity"])).quantize(Decimal("0.001")),
                         Decimal(str(line["unit_price"])).quantize(Decimal("0.01"))) for line in lines))


# --- processes --------------------------------------------------------------------------------------
def start(env: dict, args: list[str], log: Path) -> subprocess.Popen:
    handle = log.open("a")
    return subprocess.Popen([sys.executable, "-m", "veracity.cli", *args], env=env, cwd=ROOT,
                            start_new_session=True, stdout=handle, stderr=subprocess.STDOUT)


def sigkill(process: subprocess.Popen) -> bool:
    """SIGKILL the process group this script started; False if it had already exited."""
    alive = process.poll() is None
    if alive:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    return alive


def wait_up(port: int, seconds: float = 60) -> float:
    began = time.monotonic()
    while time.monotonic() - began < seconds:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return time.monotonic() - began
        except (OSError, http.client.HTTPException):
            pass
        time.sleep(0.1)
    raise RuntimeError("the server did not come back")


def job_status(db: Path, job_id: str) -> tuple[str, str]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30) as conn:
        row = conn.execute("select status, exception_class_path from django_tasks_database_dbtaskresult "
                           "where id = ?", (job_id.replace("-", ""),)).fetchone()
    return row if row else ("missing", "")


def running_job(db: Path) -> str | None:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30) as conn:
        row = conn.execute("select id from django_tasks_database_dbtaskresult where status = 'RUNNING' "
                           "and task_path like 'bench.%'").fetchone()
    return row[0] if row else None


# --- checks -----------------------------------------------------------------------------------------
def check(db: Path, writes: Writes) -> tuple[list[str], dict]:
    problems: list[str] = []
    facts = Counter()
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30) as conn:
        customers = dict(conn.execute("select code, notes from customers_customer where code like 'KS%' "
                                      "and deleted_at is null"))
        orders = {number: (order_id, Decimal(total)) for order_id, number, total in conn.execute(
            "select id, number, cast(total_amount as text) from sales_order where number like 'KSO%' "
            "and deleted_at is null")}
        lines: dict[int, list] = {}
        for order_id, product, quantity, price, net in conn.execute(
                "select order_id, product_id, cast(quantity as text), cast(unit_price as text), "
                "cast(net_amount as text) from sales_orderline"):
            lines.setdefault(order_id, []).append((product, Decimal(quantity).quantize(Decimal("0.001")),
                                                   Decimal(price).quantize(Decimal("0.01")), Decimal(net)))
    for (kind, key), history in writes.records.items():
        acked = [index for index, (_value, ok) in enumerate(history) if ok]
        if kind == "customer":
            present, value = key in customers, customers.get(key)
        else:
            present = key in orders
            value = tuple(sorted(line[:3] for line in lines.get(orders[key][0], []))) if present else None
        facts[f"{kind} writes acknowledged"] += len(acked)
        facts[f"{kind} writes unacknowledged"] += len(history) - len(acked)
        if not acked:
            if present and value not in [item for item, _ok in history]:
                problems.append(f"{kind} {key}: never acknowledged, present with a value nobody sent")
            continue
        if not present:
            problems.append(f"{kind} {key}: acknowledged but missing")
            continue
        allowed = [history[acked[-1]][0]] + [item for item, ok in history[acked[-1] + 1:] if not ok]
        if value not in allowed:
            problems.append(f"{kind} {key}: holds {value!r}, not its last acknowledged value {allowed[0]!r}")
    for number, (order_id, total) in orders.items():
        order_lines = lines.get(order_id, [])
        if not order_lines:
            problems.append(f"order {number}: no lines (half-written)")
        elif sum(line[3] for line in order_lines).quantize(Decimal("0.01")) != total.quantize(Decimal("0.01")):
            problems.append(f"order {number}: total {total} != sum of its lines")
    facts["customers in db"] = len(customers)
    facts["orders in db"] = len(orders)
    return problems, dict(facts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--writers", type=int, default=6)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--min-wait", type=float, default=0.5, help="Shortest time writers run before a kill.")
    parser.add_argument("--max-wait", type=float, default=3.0, help="Longest time writers run before a kill.")
    parser.add_argument("--worker-kill-share", type=float, default=0.5,
                        help="Share of rounds that also kill the worker during a job.")
    parser.add_argument("--job-seconds", type=float, default=6.0, help="How long each slow background job runs.")
    parser.add_argument("--keep", action="store_true", help="Keep the temporary data directory.")
    options = parser.parse_args()
    rng = random.Random(options.seed)

    data_dir = Path(tempfile.mkdtemp(prefix="veracity-killserver."))
    db = data_dir / "veracity.sqlite3"
    env = {**os.environ, "VERACITY_DATA_DIR": str(data_dir), "VERACITY_ENV": "development",
           "VERACITY_LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT)}
    env.pop("VERACITY_DATABASE_URL", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    print(f"data dir {data_dir}")
    server = worker = None
    writers: list[Writer] = []
    stop = threading.Event()
    writes = Writes()
    jobs: dict[str, str] = {}  # job id -> "killed while RUNNING" or ""
    violations: list[str] = []
    began = time.monotonic()
    try:
        veracity(env, "migrate", "--no-input", "-v", "0")
        veracity(env, "demo", "-v", "0", "--customers", "30", "--order-lines", "100")
        token = veracity(env, "token", "create", "admin", "--name", "faults").strip().splitlines()[-1]
        with sqlite3.connect(db) as conn:
            customer_ids = [row[0] for row in conn.execute("select id from customers_customer limit 20")]
            product_ids = [row[0] for row in conn.execute("select id from catalog_product where deleted_at is null "
                                                          "and is_active limit 20")]
        port = free_port()
        server_args = ["serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2", "--threads", "4"]
        worker_args = ["worker", "--interval", "0.2", "--heartbeat", "1"]
        server = start(env, server_args, data_dir / "server.log")
        worker = start(env, worker_args, data_dir / "worker.log")
        wait_up(port)
        worker_kills = [rng.random() < options.worker_kill_share for _ in range(options.kills)]
        enqueued = veracity(env, "shell", "-c", ENQUEUE_CODE.format(steps=20, seconds=options.job_seconds / 20,
                                                                     count=options.kills + 2))
        jobs = {job_id.replace("-", ""): "" for job_id in enqueued.strip().splitlines()[-1].split()}
        print(f"setup {time.monotonic() - began:.1f} s; {options.writers} writers; {options.kills} kills; "
              f"{len(jobs)} slow jobs queued ({options.job_seconds:g} s each)\n")
        port_box = {"port": port}
        writers = [Writer(number, port_box, token, customer_ids, product_ids, options.seed, stop, writes)
                   for number in range(options.writers)]
        for writer in writers:
            writer.start()
        print(f"{'#':>3} {'server killed after':>20} {'back in':>8} {'worker':>28}  acknowledged so far")
        for attempt in range(1, options.kills + 1):
            kill_worker = worker_kills[attempt - 1]
            wait = rng.uniform(options.min_wait, options.max_wait)
            time.sleep(wait)
            sigkill(server)
            worker_note = "-"
            if kill_worker:
                deadline = time.monotonic() + 10
                while running_job(db) is None and time.monotonic() < deadline:
                    time.sleep(0.05)
                time.sleep(rng.uniform(0, options.job_seconds * 0.7))  # a random point of the job
                job_id = running_job(db)
                sigkill(worker)
                if job_id in jobs:
                    jobs[job_id] = "RUNNING"
                worker_note = f"killed during job {job_id[:8]}" if job_id else "killed while idle"
                worker = start(env, worker_args, data_dir / "worker.log")
            server = start(env, server_args, data_dir / "server.log")
            back = wait_up(port)
            acked = sum(1 for history in writes.records.values() for _v, ok in history if ok)
            print(f"{attempt:>3} {wait:>18.2f} s {back:>6.1f} s {worker_note:>28}  {acked}")
        time.sleep(1)
        stop.set()
        for writer in writers:
            writer.join(timeout=60)
        hung = [writer.name for writer in writers if writer.is_alive()]
        if hung:
            violations.append(f"writers still running: {hung}")
        # let the restarted worker sweep and finish what is queued
        deadline = time.monotonic() + 30 + (options.job_seconds + 1) * len(jobs)
        while time.monotonic() < deadline:
            states = {job_id: job_status(db, job_id) for job_id in jobs}
            if all(state[0] in ("SUCCESSFUL", "FAILED") for state in states.values()):
                break
            time.sleep(0.5)
        sigkill(server)
        sigkill(worker)
        server = worker = None

        problems, facts = check(db, writes)
        violations += problems
        invariants = json.loads(veracity(env, "shell", "-c", INVARIANTS_CODE).strip().splitlines()[-1])
        violations += [f"invariant {item['name']}: {item['count']} offenders, e.g. {item['examples'][:3]}"
                       for item in invariants if not item["ok"]]
        outcome = Counter()
        for job_id, at_kill in jobs.items():
            status, error = job_status(db, job_id)
            outcome[(at_kill or "not killed", status, error.rsplit(".", 1)[-1])] += 1
            if status == "FAILED" and not error.endswith("WorkerLost"):
                violations.append(f"job {job_id}: failed with {error}")
            elif status not in ("SUCCESSFUL", "FAILED"):
                violations.append(f"job {job_id}: left {status} after its worker was killed ({at_kill})")
            elif not at_kill and status != "SUCCESSFUL":
                violations.append(f"job {job_id}: its worker was not killed during it, but it ended {status}")
            elif at_kill == "RUNNING" and status != "FAILED":
                violations.append(f"job {job_id}: was RUNNING when its worker was killed but ended {status}")
        print(f"\nwrites: {facts}")
        print("answers: " + ", ".join(f"{status}: {count}" for status, count in sorted(writes.statuses.items())))
        print(f"invariants: {sum(item['ok'] for item in invariants)}/{len(invariants)} hold")
        print("jobs whose worker was killed (state at the kill -> final state): "
              + (", ".join(f"{a} -> {b} {c}".strip() + f": {n}" for (a, b, c), n in sorted(outcome.items()))
                 or "none"))
        server_errors = [status for status in writes.statuses if status.isdigit() and int(status) >= 500]
        if server_errors:
            violations.append(f"server errors: {[(s, writes.statuses[s]) for s in server_errors]}; "
                              f"{writes.server_errors[:5]}")
    finally:
        stop.set()
        for process in (server, worker):
            if process is not None and process.poll() is None:
                sigkill(process)
        if not options.keep:
            shutil.rmtree(data_dir, ignore_errors=True)
    print(f"total {time.monotonic() - began:.0f} s")
    if violations:
        print(f"\nFAIL: {len(violations)} violation(s)")
        for violation in violations[:40]:
            print("  " + violation)
        return 1
    print(f"\nOK: {options.kills} server kills ({sum(1 for v in jobs.values() if v)} with the worker killed during a job): every acknowledged write "
          "is present, no half-written order, invariants hold, no job lost")
    return 0


if __name__ == "__main__":
    sys.exit(main())
