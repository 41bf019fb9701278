"""`make faults` (part 3): take backups while N concurrent writers (default 50) commit, then prove each
backup: the restore drill restores it into a scratch database, whose per-table checksums must equal the
backup's manifest and whose domain invariants must hold.

For each engine (SQLite through its online backup API; PostgreSQL 15 through pg_dump of an exported
snapshot, on a throwaway cluster from scripts/pg_throwaway.sh):

1. A fresh database in a temporary VERACITY_DATA_DIR, migrated, with a small demo data set.
2. --writers threads in this process, each with its own database connection, loop over the domain
   services (the same functions the API calls): book an order with 1-5 lines, change a customer's notes.
3. While they commit, --backups backups are taken (`ops.backups.services.backup_create`), one after
   another with a pause between.
4. Writers stop; every backup is drilled (`backup_drill`: verify sha256, restore into scratch, integrity
   check, migrations, checksums against the manifest, invariants). The count of orders in each backup
   must lie between the counts just before and just after it was taken (a consistent snapshot).

    .venv/bin/python bench/backup_writers.py [--engine sqlite|postgresql|both] [--writers 50] [--backups 3]
"""

import argparse
import json
import os
import random
import shutil
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

from bench.run import veracity  # noqa: E402

RUN_CODE = """
import json, sys
sys.argv = ["backup_writers"]
from bench.backup_writers import in_process
print("RESULT " + json.dumps(in_process({writers}, {backups}, {pause}, {seed})))
"""


def in_process(writers: int, backups: int, pause: float, seed: int) -> dict:
    """Runs inside `veracity shell` (Django is set up for the bench's database)."""
    import datetime as dt

    from django.contrib.auth import get_user_model
    from django.db import DatabaseError, close_old_connections, connection

    from veracity.catalog.models import Product
    from veracity.core.errors import DomainError
    from veracity.customers import services as customer_services
    from veracity.customers.models import Customer
    from veracity.ops.backups import services as backup_services
    from veracity.sales import services as sales_services
    from veracity.sales.models import Order

    admin = get_user_model().objects.get(username="admin")
    customer_ids = list(Customer.objects.values_list("pk", flat=True)[:200])
    product_ids = list(Product.objects.filter(is_active=True).values_list("pk", flat=True)[:50])
    stop = threading.Event()
    counts: Counter = Counter()
    errors: list[str] = []
    lock = threading.Lock()

    def writer(number: int) -> None:
        rng = random.Random(seed * 1000 + number)
        serial = 0
        try:
            while not stop.is_set():
                serial += 1
                try:
                    if rng.random() < 0.7:
                        lines = [{"product": rng.choice(product_ids), "quantity": Decimal(rng.randint(1, 9)),
                                  "unit_price": Decimal(rng.randint(100, 99999)) / 100}
                                 for _ in range(rng.randint(1, 5))]
                        sales_services.order_create(actor=admin, values={
                            "number": f"BW{number:02d}-{serial:06d}", "customer": rng.choice(customer_ids),
                            "order_date": dt.date(2026, 3, 1 + serial % 28), "currency": "CNY"}, lines=lines)
                        kind = "order"
                    else:
                        customer = Customer.objects.get(pk=rng.choice(customer_ids))
                        customer_services.customer_update(actor=admin, customer=customer,
                                                          values={"notes": f"writer {number} #{serial}"},
                                                          expected_version=customer.version)
                        kind = "customer update"
                    with lock:
                        counts[kind] += 1
                except DomainError as error:  # a version conflict between two writers: expected
                    with lock:
                        counts[f"rejected: {type(error).__name__}"] += 1
                        if len(errors) < 10 and type(error).__name__ != "VersionConflict":
                            errors.append(f"{type(error).__name__}: {getattr(error, 'detail', error)}")
                except DatabaseError as error:
                    with lock:
                        counts["database error"] += 1
                        if len(errors) < 10:
                            errors.append(f"{type(error).__name__}: {error}")
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=writer, args=(number,), daemon=True) for number in range(writers)]
    for thread in threads:
        thread.start()
    taken = []
    time.sleep(pause)
    for _ in range(backups):
        before_orders, before_commits = Order.objects.count(), sum(counts.values())
        started = time.monotonic()
        backup = backup_services.backup_create(actor=None, label="while writers commit")
        seconds = time.monotonic() - started
        after_orders, after_commits = Order.objects.count(), sum(counts.values())
        taken.append({"backup": backup, "seconds": seconds, "orders_before": before_orders,
                      "orders_after": after_orders, "commits_during": after_commits - before_commits,
                      "orders_in_backup": backup.manifest["tables"]["sales_order"]["rows"]})
        time.sleep(pause)
    stop.set()
    for thread in threads:
        thread.join(timeout=120)
    results = []
    for item in taken:
        drill = backup_services.backup_drill(item["backup"])
        failed = [step for step in drill.details["steps"] if not step["ok"]]
        results.append({
            "backup": item["backup"].name, "size_mb": round(item["backup"].size_bytes / 1e6, 2),
            "seconds": round(item["seconds"], 2), "commits_during": item["commits_during"],
            "orders": [item["orders_before"], item["orders_in_backup"], item["orders_after"]],
            "consistent": item["orders_before"] <= item["orders_in_backup"] <= item["orders_after"],
            "drill_passed": drill.passed, "restore_seconds": drill.restore_seconds,
            "tables_checked": len(item["backup"].manifest["tables"]),
            "invariants": [result["name"] for result in drill.details.get("invariants", []) if result["ok"]],
            "failed_steps": failed})
    return {"vendor": connection.vendor, "writers": writers, "commits": dict(counts),
            "hung_writers": sum(thread.is_alive() for thread in threads), "errors": errors, "backups": results}


def run_engine(engine: str, options) -> tuple[dict, list[str]]:
    data_dir = Path(tempfile.mkdtemp(prefix=f"veracity-backupwriters-{engine}."))
    env = {**os.environ, "VERACITY_DATA_DIR": str(data_dir), "VERACITY_ENV": "development",
           "VERACITY_LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("VERACITY_DATABASE_URL", None)
    pg_dir = None
    try:
        if engine == "postgresql":
            pg_dir = Path(tempfile.mkdtemp(prefix="veracity-pg."))  # not nested: the cluster may run as postgres
            url = subprocess.run(["bash", str(ROOT / "scripts" / "pg_throwaway.sh"), "start", str(pg_dir)],
                                 check=True, capture_output=True, text=True).stdout.strip()
            env["VERACITY_DATABASE_URL"] = url.rsplit("/", 1)[0] + "/veracity"
            subprocess.run([shutil.which("createdb") or "/usr/lib/postgresql/15/bin/createdb", "-h", "127.0.0.1",
                            "-p", url.rsplit(":", 1)[1].split("/")[0], "-U", "veracity", "veracity"], check=True)
            env["VERACITY_DB_CONN_MAX_AGE"] = "0"
        began = time.monotonic()
        veracity(env, "migrate", "--no-input", "-v", "0")
        veracity(env, "demo", "-v", "0", "--customers", "200", "--order-lines", "2000")
        print(f"[{engine}] set up in {time.monotonic() - began:.0f} s; {options.writers} writers, "
              f"{options.backups} backups", flush=True)
        output = veracity(env, "shell", "-c", RUN_CODE.format(writers=options.writers, backups=options.backups,
                                                              pause=options.pause, seed=options.seed))
        result = json.loads(next(line for line in output.splitlines() if line.startswith("RESULT "))[7:])
    finally:
        if pg_dir is not None:
            subprocess.run(["bash", str(ROOT / "scripts" / "pg_throwaway.sh"), "stop", str(pg_dir)], check=False)
        if not options.keep:
            shutil.rmtree(data_dir, ignore_errors=True)
    problems = []
    if result["hung_writers"]:
        problems.append(f"{result['hung_writers']} writers did not stop")
    for item in result["backups"]:
        if not item["drill_passed"]:
            problems.append(f"backup {item['backup']}: drill failed: {item['failed_steps']}")
        if not item["consistent"]:
            problems.append(f"backup {item['backup']}: orders before/in/after {item['orders']}")
        if item["commits_during"] == 0:
            problems.append(f"backup {item['backup']}: no writer committed while it was taken")
    return result, problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--writers", type=int, default=50)
    parser.add_argument("--backups", type=int, default=3)
    parser.add_argument("--pause", type=float, default=2.0, help="Seconds of writing before and between backups.")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="Keep the temporary data directory.")
    options = parser.parse_args()
    engines = ["sqlite", "postgresql"] if options.engine == "both" else [options.engine]
    violations = []
    for engine in engines:
        result, problems = run_engine(engine, options)
        violations += [f"{engine}: {problem}" for problem in problems]
        print(f"[{engine}] commits while backing up: {result['commits']}")
        if result["errors"]:
            print(f"[{engine}] database errors (first): {result['errors'][:3]}")
        print(f"{'backup':<34}{'MB':>6}{'took s':>8}{'commits during':>16}{'orders before/in/after':>26}"
              f"{'drill':>7}{'restore s':>10}  invariants")
        for item in result["backups"]:
            print(f"{item['backup']:<34}{item['size_mb']:>6}{item['seconds']:>8}{item['commits_during']:>16}"
                  f"{'/'.join(map(str, item['orders'])):>26}{'pass' if item['drill_passed'] else 'FAIL':>7}"
                  f"{item['restore_seconds'] or 0:>10}  {len(item['invariants'])} hold; "
                  f"{item['tables_checked']} tables match the manifest" if item["drill_passed"] else "")
        print(flush=True)
    if violations:
        print(f"FAIL: {len(violations)} violation(s)")
        for violation in violations:
            print("  " + violation)
        return 1
    print(f"OK: every backup taken while {options.writers} writers committed restores to its manifest's "
          "checksums, and the invariants hold")
    return 0


if __name__ == "__main__":
    sys.exit(main())
