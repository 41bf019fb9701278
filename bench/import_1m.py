"""`make bench-import`: Veracity's import of a 1,000,000-line order file against plain bulk loads.

1. Generate (seed 42, in a temporary directory, never committed) an order-line CSV with the 13 columns
   `order_number, order_date, customer_code, customer_name, phone, email, region, sku, product_name,
   quantity, unit_price, currency, salesperson`: --lines lines, orders of 1-9 lines, about --customers
   customers and --products products, --bad-share of the lines bad (a negative or non-numeric quantity,
   a price with three decimals; on an order's first line also a year-20260 date, a phone or an email
   that is no such thing). Optionally --gbk writes it in GBK.
2. SQLite reference: plain sqlite3 `executemany` of the same rows (csv.reader, 50,000 at a time, one
   transaction) into one table with four indexes. Then Veracity: a fresh migrated database
   (VERACITY_DATA_DIR in the temp dir; not timed), and in a child process `import_run_create` (upload
   and dry run) and `import_run_execute` (the load: validation, normalisation, customer/product/order/
   line upserts, ImportedRecord links, audit, one transaction per batch), in upsert mode with "load the
   valid rows", as the system (customers are owned by the file's salesperson). Then the same import
   in one pass (`one_pass=True`: no dry run; each batch checked as it is loaded — what
   `veracity import orders FILE --load-valid --one-pass` runs) into a second fresh database. Each child
   reports its peak RSS (getrusage). Lines/s = file lines / seconds.
3. With --postgres: the same on a throwaway PostgreSQL 15 (scripts/pg_throwaway.sh), the reference
   being a plain COPY of the file into one table with four indexes.
4. Last, each database's one-pass import against the issue's target (60,000 lines/s where plain
   executemany does 58,000 rows/s), scaled by this run's executemany rate: the machine's speed moves.

    .venv/bin/python bench/import_1m.py [--lines 1000000] [--postgres] [--gbk] [--keep]
"""

import argparse
import csv
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import veracity  # noqa: E402

COLUMNS = ["order_number", "order_date", "customer_code", "customer_name", "phone", "email", "region", "sku",
           "product_name", "quantity", "unit_price", "currency", "salesperson"]
MOBILE_PREFIXES = ["135", "136", "137", "138", "139", "150", "151", "152", "158", "159", "186", "187", "188", "189"]
SALESPEOPLE = [f"bench-rep{n:02d}" for n in range(1, 21)]
REGIONS = ["华北", "华东", "华南", "华中", "西南", "", ""]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁于蒋蔡余杜叶程苏魏吕丁任沈"
WORDS = ["科技", "贸易", "电子", "机械", "信息", "网络", "物流", "建材", "医药", "食品", "能源", "智能", "精密", "光电"]
CITIES = ["北京", "上海", "广州", "深圳", "杭州", "成都", "武汉", "南京", "西安", "苏州", "天津", "重庆"]


def generate(path: Path, *, lines: int, customers: int, products: int, bad_share: float, seed: int,
             encoding: str) -> dict:
    rng = random.Random(seed)
    customer_rows = []
    for number in range(1, customers + 1):
        name = f"{rng.choice(CITIES)}{rng.choice(SURNAMES)}{rng.choice(WORDS)}{rng.choice(WORDS)}有限公司{number}"
        phone = f"{rng.choice(MOBILE_PREFIXES)} {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}"
        customer_rows.append((f"BC{number:06d}", name, phone, f"buyer{number}@example.com"))
    product_rows = [(f"BSKU-{number:05d}", f"产品 {number} 型", f"{rng.randint(100, 999999) / 100:.2f}")
                    for number in range(1, products + 1)]
    bad = 0
    written = 0
    with path.open("w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        order = 0
        while written < lines:
            order += 1
            customer = rng.choice(customer_rows)
            day = f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            region = rng.choice(REGIONS)
            salesperson = rng.choice(SALESPEOPLE)
            count = min(rng.randint(1, 9), lines - written)
            for position in range(count):
                sku, product_name, price = rng.choice(product_rows)
                row = [f"BO-{order:07d}", day, customer[0], customer[1], customer[2], customer[3], region, sku,
                       product_name, str(rng.randint(1, 20)), price, "CNY", salesperson]
                if rng.random() < bad_share:
                    bad += 1
                    kinds = ["quantity", "text", "price"] + (["date", "phone", "email"] if position == 0 else [])
                    kind = rng.choice(kinds)
                    if kind == "quantity":
                        row[9] = "-1"
                    elif kind == "text":
                        row[9] = "many"
                    elif kind == "price":
                        row[10] = "12.345"
                    elif kind == "date":
                        row[1] = "20260-03-05"
                    elif kind == "phone":
                        row[4] = "12345"
                    else:
                        row[5] = "nobody@"
                writer.writerow(row)
                written += 1
    return {"lines": written, "orders": order, "bad_lines": bad, "customers": customers, "products": products,
            "bytes": path.stat().st_size}


# ---------------------------------------------------------------------------------------------
# References

def reference_sqlite(csv_path: Path, db_path: Path, encoding: str, *, cache_kib: int = 0) -> float:
    """Plain `executemany`; `cache_kib`: a page cache of that size instead of SQLite's default 2 MB (the
    one Veracity's importing connection sets: imports.bulk.runner.SQLITE_CACHE_KIB)."""
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA journal_mode=WAL")
    if cache_kib:
        conn.execute(f"PRAGMA cache_size = -{cache_kib}")
    conn.execute(f"CREATE TABLE lines ({', '.join(f'{name} TEXT' for name in COLUMNS)})")
    for name in ("order_number", "customer_code", "sku", "order_date"):
        conn.execute(f"CREATE INDEX lines_{name} ON lines ({name})")
    marks = ", ".join("?" for _name in COLUMNS)
    started = time.perf_counter()
    with csv_path.open(encoding=encoding, newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        conn.execute("BEGIN")
        while True:
            chunk = [row for _index, row in zip(range(50_000), reader, strict=False)]
            if not chunk:
                break
            conn.executemany(f"INSERT INTO lines VALUES ({marks})", chunk)  # noqa: S608
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - started
    conn.close()
    return elapsed


def reference_postgres(csv_path: Path, url: str, encoding: str) -> float:
    import psycopg

    with psycopg.connect(url) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_lines")
        conn.execute(f"CREATE TABLE bench_lines ({', '.join(f'{name} text' for name in COLUMNS)})")
        for name in ("order_number", "customer_code", "sku", "order_date"):
            conn.execute(f"CREATE INDEX bench_lines_{name} ON bench_lines ({name})")
        conn.commit()
        started = time.perf_counter()
        pg_encoding = "GBK" if encoding == "gbk" else "UTF8"
        with conn.cursor() as cursor, cursor.copy(
                f"COPY bench_lines FROM STDIN WITH (FORMAT csv, HEADER true, ENCODING '{pg_encoding}')") as copy, \
                csv_path.open("rb") as handle:
            while chunk := handle.read(1024 * 1024):
                copy.write(chunk)
        conn.commit()
        elapsed = time.perf_counter() - started
        conn.execute("DROP TABLE bench_lines")
        conn.commit()
    return elapsed


# ---------------------------------------------------------------------------------------------
# Veracity, in a child process (its own peak RSS)

CHILD = r"""
import json, os, resource, sys, time
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "veracity.config.settings")
django.setup()
from django.contrib.auth import get_user_model
from django.db import connection
from veracity.imports import services
from veracity.sales.models import Order, OrderLine
from veracity.customers.models import Customer
from veracity.catalog.models import Product
from veracity.imports.models import ImportedRecord, ImportRowError

if __name__ == "__main__":
    path, one_pass = sys.argv[1], sys.argv[2] == "one-pass"
    for name in SALESPEOPLE:
        get_user_model().objects.get_or_create(username=name, defaults={"display_name": name})
    started = time.perf_counter()
    with open(path, "rb") as handle:
        run = services.import_run_create(actor=None, stream=handle, name=os.path.basename(path), size=os.path.getsize(path),
                                         entity="orders", mode="upsert", policy="load_valid", one_pass=one_pass)
    validated = time.perf_counter()
    run = services.import_run_execute(actor=None, run_id=run.pk)
    loaded = time.perf_counter()
    print(json.dumps({
        "vendor": connection.vendor, "status": run.status, "message": run.message, "method": run.method,
        "batch_size": run.batch_size, "dry_run_s": validated - started, "load_s": loaded - validated,
        "dry_run": run.counts.get("dry_run"), "done": run.counts.get("done"),
        "orders": Order.objects.count(), "lines": OrderLine.objects.count(), "customers": Customer.objects.count(),
        "products": Product.objects.count(), "records": ImportedRecord.objects.count(),
        "row_errors": ImportRowError.objects.count(),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "worker_peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }))
"""


def veracity_import(env: dict, csv_path: Path, profile: Path | None, *, one_pass: bool = False) -> dict:
    code = CHILD.replace("SALESPEOPLE", repr(SALESPEOPLE))
    command = [sys.executable]
    if profile:
        command += ["-m", "cProfile", "-o", str(profile)]
    script = csv_path.parent / "child.py"
    script.write_text(code)
    result = subprocess.run([*command, str(script), str(csv_path), "one-pass" if one_pass else "checked-first"], env=env, cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"The import failed:\n{result.stdout[-3000:]}\n{result.stderr[-5000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def _database_created(url: str, name: str) -> str:
    """A new empty database in the throwaway cluster of `url`; its URL."""
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def _database_dropped(url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def report(label: str, lines: int, reference_s: float, reference_label: str, outcome: dict, one_pass: dict) -> None:
    reference_rate = lines / reference_s
    load_rate = lines / outcome["load_s"]
    both_rate = lines / (outcome["load_s"] + outcome["dry_run_s"])
    print(f"\n== {label} ==")
    print(f"{reference_label:<44} {reference_s:8.2f} s  {reference_rate:10,.0f} lines/s")
    print(f"{'Veracity load (import_run_execute)':<44} {outcome['load_s']:8.2f} s  {load_rate:10,.0f} lines/s"
          f"   ratio {load_rate / reference_rate:.2f}")
    print(f"{'Veracity upload + dry run (import_run_create)':<44} {outcome['dry_run_s']:8.2f} s  "
          f"{lines / outcome['dry_run_s']:10,.0f} lines/s")
    print(f"{'Veracity dry run + load':<44} {outcome['load_s'] + outcome['dry_run_s']:8.2f} s  {both_rate:10,.0f} "
          f"lines/s   ratio {both_rate / reference_rate:.2f}")
    one_pass_s = one_pass["load_s"] + one_pass["dry_run_s"]
    print(f"{'Veracity in one pass (upload + load)':<44} {one_pass_s:8.2f} s  {lines / one_pass_s:10,.0f} "
          f"lines/s   ratio {lines / one_pass_s / reference_rate:.2f}")
    print(f"peak RSS of the importing process: {outcome['peak_rss_mb']:.0f} MB, in one pass "
          f"{one_pass['peak_rss_mb']:.0f} MB (largest check worker "
          f"{outcome.get('worker_peak_rss_mb', 0):.0f} MB); method {outcome['method']}, "
          f"batches of {outcome['batch_size']:,} lines; status {outcome['status']} {outcome['message']}")
    done = outcome["done"] or {}
    print(f"loaded: {outcome['orders']:,} orders, {outcome['lines']:,} lines, {outcome['customers']:,} customers, "
          f"{outcome['products']:,} products, {outcome['records']:,} import records; rows valid {done.get('valid', 0):,}"
          f", invalid {done.get('invalid', 0):,}; {outcome['row_errors']:,} row errors")
    keys = ("orders", "lines", "customers", "products", "records", "row_errors")
    if [one_pass[key] for key in keys] != [outcome[key] for key in keys] or one_pass["done"] != outcome["done"]:
        print(f"!! the load in one pass loaded something else: {[one_pass[key] for key in keys]}, {one_pass['done']}")


# The issue's figures: plain executemany loads about 58,000 rows/s on its machine, and Veracity must
# reach 60,000 lines/s into either database. This machine's speed moves (the same executemany has run
# at 21,600-27,900 rows/s here), so the target is scaled by the executemany rate of the same run.
# The page cache Veracity's importing connection sets (imports.bulk.runner.SQLITE_CACHE_KIB), given to the
# second executemany reference too: SQLite's default 2 MB makes the four indexes' inserts miss it.
SQLITE_CACHE_KIB = 128 * 1024
ISSUE_EXECUTEMANY_RATE = 58_000
ISSUE_TARGET_RATE = 60_000


def target_report(lines: int, references: dict[str, float], one_pass: dict[str, dict]) -> None:
    """Each database's one-pass import against the issue's 60,000 lines/s, scaled to this machine by
    this run's executemany references (the figure the issue ties its target to): plain, as the issue
    names it, and with the page cache Veracity's own connection gets."""
    print(f"\n== Against the issue's target: {ISSUE_TARGET_RATE:,} lines/s where executemany does "
          f"{ISSUE_EXECUTEMANY_RATE:,} rows/s, and the literal {ISSUE_TARGET_RATE:,} ==")
    for reference, executemany_s in references.items():
        target = lines / executemany_s * ISSUE_TARGET_RATE / ISSUE_EXECUTEMANY_RATE
        print(f"{reference}: {lines / executemany_s:,.0f} rows/s here, so the target here is {target:,.0f} lines/s")
        for label, outcome in one_pass.items():
            rate = lines / (outcome["load_s"] + outcome["dry_run_s"])
            print(f"  {label + ' in one pass':<42} {rate:10,.0f} lines/s   {rate / target:.2f} of the target "
                  f"({'met' if rate >= target else 'NOT met'})")
    for label, outcome in one_pass.items():
        rate = lines / (outcome["load_s"] + outcome["dry_run_s"])
        print(f"{label + ' in one pass, literal':<44} {rate:10,.0f} lines/s   {rate / ISSUE_TARGET_RATE:.2f} of "
              f"{ISSUE_TARGET_RATE:,} ({'met' if rate >= ISSUE_TARGET_RATE else 'NOT met'})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--products", type=int, default=2_000)
    parser.add_argument("--bad-share", type=float, default=0.005)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--gbk", action="store_true", help="write the file in GBK")
    parser.add_argument("--postgres", action="store_true", help="also run on a throwaway PostgreSQL 15")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--profile", action="store_true", help="cProfile the SQLite import into the temp dir")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    options = parser.parse_args()
    encoding = "gbk" if options.gbk else "utf-8"
    work = Path(tempfile.mkdtemp(prefix="veracity-bench-import."))
    try:
        csv_path = work / "orders.csv"
        started = time.perf_counter()
        facts = generate(csv_path, lines=options.lines, customers=options.customers, products=options.products,
                         bad_share=options.bad_share, seed=options.seed, encoding=encoding)
        print(f"file: {facts['lines']:,} lines ({facts['bytes'] / 1e6:.0f} MB, {encoding}), {facts['orders']:,} orders, "
              f"{facts['customers']:,} customers, {facts['products']:,} products, {facts['bad_lines']:,} bad lines; "
              f"generated in {time.perf_counter() - started:.1f} s")
        base_env = {**os.environ, "VERACITY_ENV": "development", "VERACITY_LOG_LEVEL": "WARNING",
                    "PYTHONPATH": str(ROOT)}
        references: dict[str, float] = {}
        one_pass_outcomes: dict[str, dict] = {}
        if not options.skip_sqlite:
            reference_s = reference_sqlite(csv_path, work / "reference.sqlite3", encoding)
            cached_s = reference_sqlite(csv_path, work / "reference-cached.sqlite3", encoding,
                                        cache_kib=SQLITE_CACHE_KIB)
            env = {**base_env, "VERACITY_DATA_DIR": str(work / "sqlite")}
            env.pop("VERACITY_DATABASE_URL", None)
            veracity(env, "migrate", "--verbosity", "0")
            profile = work / "import.prof" if options.profile else None
            outcome = veracity_import(env, csv_path, profile)
            shutil.rmtree(work / "sqlite")  # each measurement on its own files; the first one's are done
            env["VERACITY_DATA_DIR"] = str(work / "sqlite-one-pass")
            veracity(env, "migrate", "--verbosity", "0")
            one_pass = veracity_import(env, csv_path, None, one_pass=True)
            report("SQLite", facts["lines"], reference_s, "plain sqlite3 executemany, 4 indexes", outcome, one_pass)
            print(f"{'the same with a ' + str(SQLITE_CACHE_KIB // 1024) + ' MB page cache':<44} {cached_s:8.2f} s  "
                  f"{facts['lines'] / cached_s:10,.0f} lines/s   (the cache Veracity's connection sets); one pass "
                  f"{cached_s / (one_pass['load_s'] + one_pass['dry_run_s']):.2f}")
            references = {"plain executemany (the issue's reference)": reference_s,
                          f"executemany with a {SQLITE_CACHE_KIB // 1024} MB page cache (stricter than the issue asks)":
                          cached_s}
            one_pass_outcomes["SQLite"] = one_pass
            if profile:
                print(f"profile: {profile}")
        if options.postgres:
            pg_dir = Path(tempfile.mkdtemp(prefix="veracity-bench-pg."))  # its own: the cluster runs as postgres
            url = subprocess.run(["bash", str(ROOT / "scripts/pg_throwaway.sh"), "start", str(pg_dir)],
                                 capture_output=True, text=True, check=True).stdout.strip()
            try:
                reference_s = reference_postgres(csv_path, url, encoding)
                env = {**base_env, "VERACITY_DATA_DIR": str(work / "pgdata"),
                       "VERACITY_DATABASE_URL": _database_created(url, "veracity_checked_first")}
                veracity(env, "migrate", "--verbosity", "0")
                outcome = veracity_import(env, csv_path, None)
                # Each measurement starts on a quiet server: autovacuum would otherwise spend the next
                # run vacuuming the million rows this one left behind.
                _database_dropped(url, "veracity_checked_first")
                env["VERACITY_DATABASE_URL"] = _database_created(url, "veracity_one_pass")
                veracity(env, "migrate", "--verbosity", "0")
                one_pass = veracity_import(env, csv_path, None, one_pass=True)
                report("PostgreSQL 15", facts["lines"], reference_s, "plain COPY, 4 indexes", outcome, one_pass)
                one_pass_outcomes["PostgreSQL 15"] = one_pass
            finally:
                subprocess.run(["bash", str(ROOT / "scripts/pg_throwaway.sh"), "stop", str(pg_dir)], check=False)
        if references:
            target_report(facts["lines"], references, one_pass_outcomes)
    finally:
        if options.keep:
            print(f"kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
