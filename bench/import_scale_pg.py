"""Import at scale (docs/scaling.md): `veracity import orders FILE --mode upsert --load-valid` — the command an
admin runs, through the bulk path (veracity/imports/bulk/) — of a large generated order-line file into
PostgreSQL 15, reporting lines/s and the importing process's peak RSS.

1. The file: bench/import_1m.py's generator (seed 42, 13 columns, orders of 1-9 lines, 0.5 % bad lines),
   --lines lines and --customers customers (default lines / 20), written under a temporary directory in
   /tmp and deleted at the end.
2. A throwaway PostgreSQL 15 cluster (scripts/pg_throwaway.sh; fsync off: it measures the import's work,
   not the disk), `veracity migrate`, the file's 20 salespeople as users (none of this timed) — or, with
   --database-url, an existing database (e.g. the 10,000,000-line one kept by `bench/scale_pg.py --pg-dir`:
   importing into a large database).
3. An upload is capped at VERACITY_IMPORT_MAX_BYTES (200 MB, about 1,200,000 of these lines), so, as the
   refusal message tells an admin, the file is split into parts of --part-lines lines (default 1,000,000,
   cut between orders), imported one after the other into the growing database.
4. Each part's command in a child process, timed end to end (upload + dry run + load, as an admin sees
   it); the peak RSS from getrusage(RUSAGE_CHILDREN) (the largest child: an import).

    .venv/bin/python bench/import_scale_pg.py --lines 2000000
    .venv/bin/python bench/import_scale_pg.py --lines 10000000 --customers 1000000
"""

import argparse
import csv
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.import_1m import SALESPEOPLE, generate  # noqa: E402
from bench.run import veracity  # noqa: E402

USERS = f"""
from django.contrib.auth import get_user_model
for name in {SALESPEOPLE!r}:
    get_user_model().objects.get_or_create(username=name, defaults={{"display_name": name}})
"""

RUN_FACTS = """
import json
from veracity.imports.models import ImportRun
from veracity.sales.models import Order, OrderLine
from veracity.customers.models import Customer
run = ImportRun.objects.order_by("-pk").first()
print("RESULT " + json.dumps({"status": run.status, "method": run.method, "batch_size": run.batch_size,
    "message": run.message, "done": run.counts.get("done"), "orders": Order.objects.count(),
    "lines": OrderLine.objects.count(), "customers": Customer.objects.count()}))
"""


def split(path: Path, part_lines: int) -> list[tuple[Path, int]]:
    """Parts of at most part_lines lines, each with the header, cut where a new order starts."""
    parts: list[tuple[Path, int]] = []
    with path.open(newline="", encoding="utf-8") as source:
        reader = csv.reader(source)
        header = next(reader)
        handle = writer = None
        part, count, previous = path, 0, None
        for row in reader:
            if writer is None or (count >= part_lines and row[0] != previous):
                if handle:
                    handle.close()
                    parts.append((part, count))
                part = path.with_name(f"part{len(parts) + 1:02d}.csv")
                handle = part.open("w", newline="", encoding="utf-8")
                writer = csv.writer(handle)
                writer.writerow(header)
                count = 0
            writer.writerow(row)
            count += 1
            previous = row[0]
        handle.close()
        parts.append((part, count))
    path.unlink()
    return parts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=2_000_000)
    parser.add_argument("--customers", type=int, help="default: lines / 20")
    parser.add_argument("--products", type=int, default=2_000)
    parser.add_argument("--part-lines", type=int, default=1_000_000)
    parser.add_argument("--database-url", help="import into this existing (migrated) database instead")
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="veracity-import-scale.", dir="/tmp"))
    pg_dir = None
    try:
        csv_path = work / "orders.csv"
        began = time.monotonic()
        facts = generate(csv_path, lines=options.lines, customers=options.customers or options.lines // 20,
                         products=options.products, bad_share=0.005, seed=42, encoding="utf-8")
        print(f"file: {facts['lines']:,} lines ({facts['bytes'] / 1e6:.0f} MB), {facts['orders']:,} orders, "
              f"{facts['customers']:,} customers, {facts['products']:,} products, {facts['bad_lines']:,} bad lines; "
              f"generated in {time.monotonic() - began:.0f} s", flush=True)
        env = {**os.environ, "VERACITY_ENV": "development", "VERACITY_LOG_LEVEL": "WARNING",
               "PYTHONPATH": str(ROOT), "VERACITY_DATA_DIR": str(work / "data")}
        env.pop("DJANGO_SETTINGS_MODULE", None)
        if options.database_url:
            env["VERACITY_DATABASE_URL"] = options.database_url
        else:
            pg_dir = Path(tempfile.mkdtemp(prefix="veracity-import-pg.", dir="/tmp"))
            env["VERACITY_DATABASE_URL"] = subprocess.run(
                ["bash", str(ROOT / "scripts/pg_throwaway.sh"), "start", str(pg_dir)],
                capture_output=True, text=True, check=True).stdout.strip()
        veracity(env, "migrate", "--no-input", "-v", "0")
        veracity(env, "shell", "-c", USERS)
        print(f"load average before: {os.getloadavg()}", flush=True)
        parts = split(csv_path, options.part_lines)
        total = 0.0
        for number, (part, lines) in enumerate(parts, 1):
            began = time.monotonic()
            result = subprocess.run([sys.executable, str(ROOT / "manage.py"), "import", "orders", str(part),
                                     "--mode", "upsert", "--load-valid"], env=env, cwd=ROOT, capture_output=True,
                                    text=True)
            seconds = time.monotonic() - began
            total += seconds
            if result.returncode != 0:
                sys.exit(f"The import failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
            print(f"part {number}/{len(parts)}: {lines:,} lines in {seconds:.0f} s = {lines / seconds:,.0f} lines/s; "
                  f"load average {os.getloadavg()[0]:.1f}", flush=True)
            part.unlink()
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        seconds = total
        output = veracity(env, "shell", "-c", RUN_FACTS)
        run = json.loads(next(line for line in output.splitlines() if line.startswith("RESULT "))[7:])
        print(f"load average after: {os.getloadavg()}")
        print(f"\nveracity import orders FILE --mode upsert --load-valid: {seconds:.0f} s, "
              f"{facts['lines'] / seconds:,.0f} lines/s (file lines / wall seconds of the imports, upload + dry run + load); "
              f"peak RSS {peak_mb:,.0f} MB")
        print(f"last part: method {run['method']}, batches of {run['batch_size']:,}; status {run['status']} {run['message']}")
        done = run["done"] or {}
        print(f"last part: rows valid {done.get('valid', 0):,}, invalid {done.get('invalid', 0):,}; database now holds "
              f"{run['orders']:,} orders, {run['lines']:,} lines, {run['customers']:,} customers")
    finally:
        if pg_dir:
            subprocess.run(["bash", str(ROOT / "scripts/pg_throwaway.sh"), "stop", str(pg_dir)], check=False)
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
