"""`make faults`: SIGKILL an order import at random moments and check that only whole batches survive,
then resume it to the end and check that every line of the file is in the database exactly once.

1. A fresh SQLite database in a temporary VERACITY_DATA_DIR, migrated, with a small demo data set (for its
   users: the import runs as the demo `admin`).
2. A deterministic order-lines CSV (canonical columns, docs/imports.md) of --rows lines over a few hundred
   customers and products, orders of 1-9 lines.
3. --kills times: start either a new import (`veracity import orders FILE --mode upsert --as admin`: the
   dry run, then the load) or a resume of the last killed run (`veracity import --resume RUN_ID`, which
   calls `import_run_execute` like the Resume button and `POST /api/v1/imports/{id}/execute`; the killed
   run is seen to be dead and resumed), and SIGKILL it at a random moment (seeded) of
   its loading. Then check the database (sqlite3, read-only): whole batches only.
4. Resume the last run until it completes; check every line is present exactly once, no duplicate
   customers, products or orders, and every order total equals the sum of its lines.

Prints one line per kill and exits 1 on any violation. Only local processes; every wait is bounded.

By default the load goes through the bulk path (VERACITY_IMPORT_BULK_MIN_BYTES=0); --method rows checks
the row-by-row path.

    .venv/bin/python bench/kill_import.py [--kills 20] [--rows 20000] [--batch-size 1000] [--seed 7]
                                          [--method bulk|rows]
"""

import argparse
import csv
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import veracity  # noqa: E402

PREFIX = "KI-"


def resume_args(run_id: int) -> list[str]:
    """What an operator types after a crash (the page's Resume button calls the same service)."""
    return ["import", "--resume", str(run_id), "--as", "admin"]


def q3(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.001"))


def q2(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


# ---------------------------------------------------------------------------------------------
# The file

def write_file(path: Path, rows: int, customers: int, products: int, seed: int) -> dict:
    """Order lines, grouped by order; returns what the database must hold once the file is in."""
    rng = random.Random(seed)
    orders: dict[str, list[tuple[str, Decimal, Decimal]]] = {}
    row_order: dict[int, str] = {}  # file line number (header = 1) -> order number
    order_customer: dict[str, str] = {}
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["order_number", "order_date", "customer_code", "customer_name", "sku", "product_name",
                         "quantity", "unit_price"])
        line_no, order_no = 2, 0
        while line_no - 2 < rows:
            order_no += 1
            number = f"{PREFIX}{order_no:06d}"
            customer = rng.randint(1, customers)
            order_customer[number] = f"KIC-{customer:04d}"
            day = f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            lines = orders.setdefault(number, [])
            for _ in range(min(rng.randint(1, 9), rows - (line_no - 2))):
                product = rng.randint(1, products)
                quantity = rng.randint(1, 20)
                price = Decimal(product * 125 + 300) / 100
                writer.writerow([number, day, f"KIC-{customer:04d}", f"Kill Customer {customer}",
                                 f"KI-SKU-{product:04d}", f"Kill Product {product}", quantity, f"{price:.2f}"])
                lines.append((f"KI-SKU-{product:04d}", q3(quantity), q2(price)))
                row_order[line_no] = number
                line_no += 1
    return {"orders": orders, "row_order": row_order,
            "customers": set(order_customer.values()),
            "products": {sku for lines in orders.values() for sku, _q, _p in lines}}


# ---------------------------------------------------------------------------------------------
# The checks (read-only sqlite3, WAL: they see exactly the committed transactions)

def connect(db: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)


def content_type(conn, app: str, model: str) -> int:
    return conn.execute("select id from django_content_type where app_label=? and model=?", (app, model)).fetchone()[0]


def db_orders(conn) -> dict[str, dict]:
    orders = {}
    for order_id, number, total in conn.execute(
            "select id, number, cast(total_amount as text) from sales_order "
            "where deleted_at is null and number like ?", (PREFIX + "%",)):
        orders[number] = {"id": order_id, "total": q2(total), "lines": []}
    by_id = {order["id"]: order for order in orders.values()}
    for order_id, sku, quantity, price, net in conn.execute(
            "select l.order_id, p.sku, cast(l.quantity as text), cast(l.unit_price as text), cast(l.net_amount as text) "
            "from sales_orderline l join catalog_product p on p.id = l.product_id "
            "join sales_order o on o.id = l.order_id where o.number like ? order by l.order_id, l.line_no",
            (PREFIX + "%",)):
        if order_id in by_id:
            by_id[order_id]["lines"].append((sku, q3(quantity), q2(price), q2(net)))
    return orders


def duplicates(conn) -> list[str]:
    problems = []
    for table, column, like in (("sales_order", "number", PREFIX + "%"), ("customers_customer", "code", "KIC-%"),
                                ("catalog_product", "sku", "KI-SKU-%")):
        for value, count in conn.execute(
                f"select {column}, count(*) from {table} where {column} like ? group by {column} "  # noqa: S608
                "having count(*) > 1", (like,)):
            problems.append(f"{table}.{column} {value} appears {count} times")
    return problems


def index_definitions(db: Path) -> dict[str, str]:
    conn = connect(db)
    try:
        return dict(conn.execute("select name, sql from sqlite_master where type = 'index' and sql is not null"))
    finally:
        conn.close()


def check_whole_batches(db: Path, expected: dict) -> tuple[list[str], dict]:
    """After a kill: only whole batches. Returns (violations, facts)."""
    problems: list[str] = []
    conn = connect(db)
    try:
        order_ct = content_type(conn, "sales", "order")
        orphans = conn.execute(
            "select count(*) from imports_importedrecord r left join imports_importbatch b on b.id = r.batch_id "
            "where b.id is null or b.run_id != r.run_id").fetchone()[0]
        if orphans:
            problems.append(f"{orphans} ImportedRecord rows without their batch (or in another run's batch)")
        batches = conn.execute("select id, run_id, number, row_start, row_end, rows from imports_importbatch "
                               "order by run_id, number").fetchall()
        by_run = defaultdict(list)
        for batch in batches:
            by_run[batch[1]].append(batch)
        covered: set[str] = set()
        batch_of_order: dict[str, set[int]] = defaultdict(set)
        for run_id, run_batches in by_run.items():
            numbers = [batch[2] for batch in run_batches]
            if numbers != list(range(1, len(numbers) + 1)):
                problems.append(f"run {run_id}: batch numbers are not 1..n: {numbers}")
            done, rows_done = conn.execute("select batches_done, rows_done from imports_importrun where id=?",
                                           (run_id,)).fetchone()
            if done != max(numbers) or rows_done != sum(batch[5] for batch in run_batches):
                problems.append(f"run {run_id}: progress {done} batches / {rows_done} rows, but committed "
                                f"{max(numbers)} batches / {sum(batch[5] for batch in run_batches)} rows")
            for batch_id, _run, number, start, end, rows in run_batches:
                numbers_in = {expected["row_order"][line] for line in range(start, end + 1)}
                if rows != end - start + 1:
                    problems.append(f"run {run_id} batch {number}: rows {rows} != {end - start + 1} lines {start}-{end}")
                # an order is never split: the batch starts and ends on an order boundary
                if expected["row_order"].get(start - 1) in numbers_in or expected["row_order"].get(end + 1) in numbers_in:
                    problems.append(f"run {run_id} batch {number}: lines {start}-{end} split an order")
                covered |= numbers_in
                for order_number in numbers_in:
                    batch_of_order[order_number].add(batch_id)
        present = db_orders(conn)
        extra = set(present) - covered
        missing = covered - set(present)
        if extra:
            problems.append(f"{len(extra)} orders in the database outside every committed batch, e.g. {sorted(extra)[:3]}")
        if missing:
            problems.append(f"{len(missing)} orders of committed batches missing, e.g. {sorted(missing)[:3]}")
        for number, order in present.items():
            file_lines = sorted(expected["orders"][number])
            db_lines = sorted((sku, quantity, price) for sku, quantity, price, _net in order["lines"])
            if db_lines != file_lines:
                problems.append(f"order {number}: {len(db_lines)} lines in the database, {len(file_lines)} in the "
                                "file (or different lines)")
        # every created order has exactly one 'created' record, in a batch that holds its lines
        created = defaultdict(list)
        for first, last, batch_id in conn.execute(
                "select object_id, coalesce(object_id_last, object_id), batch_id from imports_importedrecord "
                "where content_type_id=? and action='created'", (order_ct,)):
            for object_id in range(first, last + 1):  # a bulk batch's new orders: one id range
                created[object_id].append(batch_id)
        for number, order in present.items():
            records = created.get(order["id"], [])
            if len(records) != 1 or records[0] not in batch_of_order[number]:
                problems.append(f"order {number}: 'created' import records {records}, expected one in a batch "
                                f"holding its lines {sorted(batch_of_order[number])}")
        problems += duplicates(conn)
        facts = {"batches": len(batches), "orders": len(present), "runs": len(by_run)}
    finally:
        conn.close()
    return problems, facts


def check_complete(db: Path, expected: dict, run_id: int) -> list[str]:
    problems: list[str] = []
    conn = connect(db)
    try:
        status, message = conn.execute("select status, message from imports_importrun where id=?", (run_id,)).fetchone()
        if status != "completed":
            problems.append(f"run {run_id} is {status}: {message}")
        present = db_orders(conn)
        file_lines = sum(len(lines) for lines in expected["orders"].values())
        db_lines = sum(len(order["lines"]) for order in present.values())
        if len(present) != len(expected["orders"]):
            problems.append(f"{len(present)} orders in the database, {len(expected['orders'])} in the file")
        if db_lines != file_lines:
            problems.append(f"{db_lines} order lines in the database, {file_lines} in the file")
        for number, lines in expected["orders"].items():
            order = present.get(number)
            if order is None:
                continue
            got = Counter((sku, quantity, price) for sku, quantity, price, _net in order["lines"])
            if got != Counter(lines):
                problems.append(f"order {number}: lines differ from the file")
            line_sum = sum((net for *_rest, net in order["lines"]), Decimal("0"))
            file_sum = sum((q2(quantity * price) for _sku, quantity, price in lines), Decimal("0"))
            if not (order["total"] == line_sum == file_sum):
                problems.append(f"order {number}: total {order['total']}, sum of lines {line_sum}, file {file_sum}")
        customers = {code for (code,) in conn.execute(
            "select code from customers_customer where code like 'KIC-%' and deleted_at is null")}
        products = {sku for (sku,) in conn.execute(
            "select sku from catalog_product where sku like 'KI-SKU-%' and deleted_at is null")}
        if customers != expected["customers"]:
            problems.append(f"customers: {len(customers)} in the database, {len(expected['customers'])} in the file")
        if products != expected["products"]:
            problems.append(f"products: {len(products)} in the database, {len(expected['products'])} in the file")
        problems += duplicates(conn)
    finally:
        conn.close()
    return problems


# ---------------------------------------------------------------------------------------------
# Driving the imports

def run_row(db: Path, run_id: int | None):
    conn = connect(db)
    try:
        if run_id is None:
            return conn.execute("select id, status, rows_done, batches_done from imports_importrun "
                                "order by id desc limit 1").fetchone()
        return conn.execute("select id, status, rows_done, batches_done from imports_importrun where id=?",
                            (run_id,)).fetchone()
    finally:
        conn.close()


def start(env: dict, args: list[str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "veracity.cli", *args], env=env, cwd=ROOT,
                            start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def kill(process: subprocess.Popen) -> bool:
    """SIGKILL the process group this script started; False if it had already exited."""
    alive = process.poll() is None
    if alive:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    return alive


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--customers", type=int, default=300)
    parser.add_argument("--products", type=int, default=200)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--new-every", type=int, default=3,
                        help="Every Nth attempt starts a new `veracity import` run; the others resume the last one.")
    parser.add_argument("--method", choices=("bulk", "rows"), default="bulk",
                        help="Load through the bulk path (default) or row by row through the services.")
    parser.add_argument("--ms-per-row", type=float, default=None,
                        help="Loading speed estimate (default 0.3 bulk, 4.0 rows); kills fall uniformly in "
                             "[0, 1.1 x the remaining load time].")
    parser.add_argument("--timeout", type=float, default=1800, help="Longest any one import process may take.")
    parser.add_argument("--keep", action="store_true", help="Keep the temporary data directory.")
    options = parser.parse_args()
    rng = random.Random(options.seed)
    if options.ms_per_row is None:
        options.ms_per_row = 0.3 if options.method == "bulk" else 4.0

    data_dir = Path(tempfile.mkdtemp(prefix="veracity-kill."))
    db = data_dir / "veracity.sqlite3"
    env = {**os.environ, "VERACITY_DATA_DIR": str(data_dir), "VERACITY_ENV": "development",
           "VERACITY_LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT),
           "VERACITY_IMPORT_BULK_MIN_BYTES": "0" if options.method == "bulk" else str(10**12),
           # every bulk load drops its secondary indexes and rebuilds them at the end: kills land
           # while they are missing, and the final check proves every one came back
           "VERACITY_IMPORT_DEFER_INDEXES_MIN_LINES": "1"}
    env.pop("VERACITY_DATABASE_URL", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    print(f"data dir {data_dir}")
    violations: list[str] = []
    process = None
    try:
        veracity(env, "migrate", "--no-input", "-v", "0")
        veracity(env, "demo", "-v", "0", "--customers", "50", "--order-lines", "200")
        indexes_before = index_definitions(db)
        csv_path = data_dir / "orders.csv"
        expected = write_file(csv_path, options.rows, options.customers, options.products, options.seed)
        print(f"{csv_path.name}: {options.rows} lines, {len(expected['orders'])} orders, "
              f"{len(expected['customers'])} customers, {len(expected['products'])} products; "
              f"batch size {options.batch_size}, {options.method} path")
        new_args = ["import", "orders", str(csv_path), "--mode", "upsert", "--as", "admin",
                    "--batch-size", str(options.batch_size)]
        print(f"\n{'#':>3} {'how':<7}{'run':>4} {'kill at':>8} {'batches before':>15} {'batches at kill':>16} "
              f"{'run status':<11} {'orders in db':>12}  check")
        current: int | None = None  # an unfinished run to resume
        for attempt in range(1, options.kills + 1):
            previous = run_row(db, None)
            if current is None or attempt % options.new_every == 1 % options.new_every:
                how, process = "new", start(env, new_args)
                deadline = time.monotonic() + options.timeout
                while time.monotonic() < deadline and process.poll() is None:  # wait for the dry run to end
                    row = run_row(db, None)
                    if row and (previous is None or row[0] != previous[0]) and row[1] == "running":
                        break
                    time.sleep(0.05)
                row = run_row(db, None)
                run_id = row[0] if row and (previous is None or row[0] != previous[0]) else None
                before = 0
            else:
                how, run_id = "resume", current
                before = run_row(db, run_id)[3]
                process = start(env, resume_args(run_id))
            rows_left = options.rows - (run_row(db, run_id)[2] if run_id else 0)
            delay = rng.uniform(0, 1.1 * rows_left * options.ms_per_row / 1000 + (1.5 if how == "resume" else 0))
            began = time.monotonic()
            while process.poll() is None and time.monotonic() - began < delay:
                time.sleep(0.01)
            killed = kill(process)
            stderr = process.stderr.read() if process.stderr else ""
            if not killed and process.returncode != 0:
                violations.append(f"attempt {attempt}: the import exited {process.returncode}: {stderr[-500:]}")
            row = run_row(db, run_id) if run_id else None
            problems, facts = check_whole_batches(db, expected)
            violations += [f"attempt {attempt}: {problem}" for problem in problems]
            status = row[1] if row else "-"
            print(f"{attempt:>3} {how:<7}{run_id or '-':>4} {(f'{delay:.2f} s' if killed else 'exited'):>8} "
                  f"{before:>15} {row[3] if row else 0:>16} {status:<11} {facts['orders']:>12}  "
                  f"{'OK' if not problems else 'VIOLATION: ' + '; '.join(problems[:3])}")
            current = run_id if status not in ("completed", "-") else None

        # Resume (or re-run) until it completes
        attempts = 0
        while attempts < 5:
            attempts += 1
            if current is None:
                process = start(env, new_args)
            else:
                process = start(env, resume_args(current))
            try:
                process.wait(timeout=options.timeout)
            except subprocess.TimeoutExpired:
                kill(process)
                violations.append("the final import did not finish in time")
                break
            row = run_row(db, current) if current else run_row(db, None)
            print(f"final {'resume of run ' + str(current) if current else 'new run ' + str(row[0])}: "
                  f"exit {process.returncode}, run status {row[1]}, {row[3]} batches")
            if row[1] == "completed":
                current = row[0]
                break
            current = row[0]
        problems = check_complete(db, expected, current)
        problems += check_whole_batches(db, expected)[0]
        indexes_after = index_definitions(db)
        if indexes_after != indexes_before:
            problems.append(f"indexes differ after the import: missing {sorted(set(indexes_before) - set(indexes_after))}, "
                            f"unexpected {sorted(set(indexes_after) - set(indexes_before))}")
        violations += [f"final: {problem}" for problem in problems]
        conn = connect(db)
        runs = conn.execute("select status, count(*) from imports_importrun group by status").fetchall()
        conn.close()
        print(f"final check: {'OK' if not problems else 'VIOLATIONS'}; import runs by status: {dict(runs)}")
    finally:
        if process is not None and process.poll() is None:
            kill(process)
        if not options.keep:
            shutil.rmtree(data_dir, ignore_errors=True)
    if violations:
        print(f"\nFAIL: {len(violations)} violation(s)")
        for violation in violations[:40]:
            print("  " + violation)
        return 1
    print(f"\nOK: {options.kills} kills, whole batches only after each; the file is in exactly once")
    return 0


if __name__ == "__main__":
    sys.exit(main())
