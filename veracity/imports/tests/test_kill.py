"""The in-suite version of `make faults`: a real `veracity import` process SIGKILLed in the middle of a
bulk load leaves whole batches only, and `veracity import --resume` finishes it without duplicates —
after a dry run, and in one pass (`--load-valid --one-pass`, the next batch checked in a thread)."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(settings.BASE_DIR)
HEADER = "order_number,order_date,customer_code,customer_name,phone,email,region,sku,product_name,quantity,unit_price," \
         "currency,salesperson\n"


def _write_file(path: Path, lines: int) -> dict[str, int]:
    """Orders of 1-5 lines; returns order number -> line count. Over 1 MB, so it goes through the bulk path."""
    expected: dict[str, int] = {}
    with path.open("w", encoding="utf-8") as handle:
        handle.write(HEADER)
        written, order = 0, 0
        while written < lines:
            order += 1
            number = f"KT-{order:06d}"
            for line in range(min(1 + order % 5, lines - written)):
                handle.write(f"{number},2026-03-{1 + order % 28:02d},KTC-{order % 97:03d},杀测试客户{order % 97},"
                             f"138 0013 {8000 + order % 97:04d},kt{order % 97}@example.com,华北,KT-SKU-{line},"
                             f"测试产品{line},{1 + line},{10 + line}.50,CNY,admin"
                             + " " * 60 + "\n")
                expected[number] = expected.get(number, 0) + 1
                written += 1
    return expected


def _read(db: Path, sql: str, params=()):
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("how", [[], ["--load-valid", "--one-pass"]], ids=["after-a-dry-run", "in-one-pass"])
def test_a_killed_bulk_import_keeps_whole_batches_and_resumes_without_duplicates(admin, tmp_path, how):
    if connection.vendor != "sqlite":
        pytest.skip("the kill test copies the SQLite test database to a file; make faults covers it end to end")
    db = tmp_path / "veracity.sqlite3"
    target = sqlite3.connect(db)
    connection.ensure_connection()
    connection.connection.backup(target)
    target.close()
    source = tmp_path / "orders.csv"
    expected = _write_file(source, 9000)
    assert source.stat().st_size > 1024 * 1024
    env = {**os.environ, "VERACITY_DATA_DIR": str(tmp_path), "VERACITY_ENV": "development",
           "VERACITY_LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT)}
    env.pop("VERACITY_DATABASE_URL", None)
    command = [sys.executable, "-m", "veracity.cli", "import"]
    process = subprocess.Popen([*command, "orders", str(source), "--as", "admin", "--mode", "upsert",
                                "--batch-size", "500", *how], env=env, cwd=ROOT, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    batches = 0
    while time.monotonic() < deadline and process.poll() is None:
        rows = _read(db, "select count(*) from imports_importbatch")
        batches = rows[0][0]
        if batches >= 2:
            break
        time.sleep(0.05)
    assert process.poll() is None, process.stderr.read().decode()[-2000:]
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)

    (run_id, status, batches_done, method), = _read(db, "select id, status, batches_done, method from imports_importrun")
    assert (status, method) == ("running", "bulk") and batches_done >= 2
    ranges = _read(db, "select row_start, row_end from imports_importbatch where run_id=? order by number", (run_id,))
    committed_lines = sum(end - start + 1 for start, end in ranges)
    lines = _read(db, "select count(*) from sales_orderline")[0][0]
    assert lines == committed_lines  # whole batches only: no line outside a committed batch, none missing
    assert _read(db, "select count(*) from imports_importedrecord r left join imports_importbatch b "
                     "on b.id = r.batch_id where b.id is null")[0][0] == 0

    resumed = subprocess.run([*command, "--resume", str(run_id), "--as", "admin"], env=env, cwd=ROOT,
                             capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stdout[-2000:] + resumed.stderr[-2000:]
    assert "completed" in resumed.stdout
    assert _read(db, "select status, rows_total, rows_done from imports_importrun where id=?", (run_id,))[0] == (
        "completed", 9000, 9000)
    orders = dict(_read(db, "select o.number, count(l.id) from sales_order o join sales_orderline l "
                            "on l.order_id = o.id group by o.number"))
    assert orders == expected
    assert _read(db, "select count(*), count(distinct number) from sales_order")[0] == (len(expected), len(expected))
    assert _read(db, "select count(*), count(distinct code) from customers_customer where code like 'KTC-%'")[0] == (
        97, 97)
