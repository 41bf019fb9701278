"""Scale measurements on PostgreSQL 15 (docs/scaling.md): generate N order lines straight into the
tables (server-side INSERT … SELECT generate_series: the data set, not the import path), then time
dashboard-style aggregates over order lines, customer search and the customers/orders list API.

1. A throwaway PostgreSQL 15 cluster (scripts/pg_throwaway.sh; fsync off, like the test cluster — it
   measures reads, not durable writes), a new database, `veracity migrate`, small demo data (users, teams).
2. Customers (lines / 50, Chinese names with pinyin and initials, phones), 5,000 products, orders
   (lines / 5, dates over 2023-2026, spread over the demo reps and the three regions) and their lines.
   ANALYZE.
3. Each measurement runs --repeat times (after one warm-up); the median is printed.

    .venv/bin/python bench/scale_pg.py --lines 1000000      # 10,000,000 for the full size
"""

import argparse
import json
import os
import shutil
import statistics
import string
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import veracity  # noqa: E402

GENERATE = """
INSERT INTO catalog_product (created_at, updated_at, version, sku, name, unit, list_price, currency, is_active,
                             description)
SELECT now(), now(), 1, 'SC-' || g, 'Scale product ' || g, 'pcs', 10 + g % 500, 'CNY', true, ''
FROM generate_series(1, 5000) g;

INSERT INTO customers_customer (created_at, updated_at, version, code, kind, name, name_pinyin, name_initials,
    credit_code, industry, size, source, lifecycle_status, phone, email, website, country, province, city,
    district, address_line, postal_code, notes, owner_id)
SELECT now(), now(), 1, 'SC' || lpad(g::text, 8, '0'), 'company',
       (array['北京','上海','深圳','广州','杭州','成都'])[1 + g % 6] || (array['科技','贸易','制造','物流'])[1 + g / 6 % 4]
         || '有限公司' || g,
       (array['beijing','shanghai','shenzhen','guangzhou','hangzhou','chengdu'])[1 + g % 6]
         || (array['keji','maoyi','zhizao','wuliu'])[1 + g / 6 % 4] || 'youxiangongsi' || g,
       (array['bj','sh','sz','gz','hz','cd'])[1 + g % 6] || (array['kj','my','zz','wl'])[1 + g / 6 % 4] || 'yxgs',
       '', '', '', '', 'customer', '+86138' || lpad(g::text, 8, '0'), '', '', 'CN', '', '', '', '', '', '',
       (SELECT array_agg(id ORDER BY id) FROM accounts_user WHERE username LIKE 'rep%')[1 + g % $reps]
FROM generate_series(1, $customers) g;

CREATE TEMP TABLE scale_bounds AS
SELECT (SELECT min(id) FROM customers_customer WHERE code LIKE 'SC%') AS c0,
       (SELECT min(id) FROM catalog_product WHERE sku LIKE 'SC-%') AS p0;

INSERT INTO sales_order (created_at, updated_at, version, number, order_date, status, channel, region, currency,
                         exchange_rate, total_amount, notes, customer_id, salesperson_id)
SELECT now(), now(), 1, 'SCO-' || g, date '2023-01-01' + (g * 7919 % 1460)::int, 'confirmed', 'direct',
       (array['north','south','east'])[1 + g % 3], 'CNY', 1, 0, '',
       c.id, c.owner_id
FROM generate_series(1::bigint, $orders) g
JOIN customers_customer c ON c.id = (SELECT c0 FROM scale_bounds) + (g * 31 % $customers);

INSERT INTO sales_orderline (line_no, description, quantity, unit_price, discount_percent, currency, net_amount,
                             order_id, product_id)
SELECT n, '', 1 + (o.id + n) % 9, 10 + (o.id * n) % 500, 0, 'CNY', (1 + (o.id + n) % 9) * (10 + (o.id * n) % 500),
       o.id, (SELECT p0 FROM scale_bounds) + (o.id * 13 + n) % 5000
FROM sales_order o CROSS JOIN generate_series(1, 5) n
WHERE o.number LIKE 'SCO-%';

UPDATE sales_order o SET total_amount = s.total
FROM (SELECT order_id, sum(net_amount) AS total FROM sales_orderline GROUP BY order_id) s
WHERE s.order_id = o.id AND o.number LIKE 'SCO-%';
"""

REGION_CODES = "SELECT region FROM sales_order LIMIT 1"

QUERIES = {
    "baseline: SELECT 1 (psql start-up, subtract it)": "SELECT 1",
    "revenue by month (all, 12 months)": """
        SELECT date_trunc('month', o.order_date) AS month, sum(l.net_amount * o.exchange_rate)
        FROM sales_orderline l JOIN sales_order o ON o.id = l.order_id
        WHERE o.deleted_at IS NULL AND o.order_date >= date '2025-07-01' AND o.order_date < date '2026-07-01'
        GROUP BY 1 ORDER BY 1""",
    "revenue by region (all time)": """
        SELECT o.region, sum(l.net_amount * o.exchange_rate) FROM sales_orderline l
        JOIN sales_order o ON o.id = l.order_id WHERE o.deleted_at IS NULL GROUP BY 1""",
    "revenue by rep (12 months)": """
        SELECT o.salesperson_id, sum(l.net_amount * o.exchange_rate) FROM sales_orderline l
        JOIN sales_order o ON o.id = l.order_id
        WHERE o.deleted_at IS NULL AND o.order_date >= date '2025-07-01' AND o.order_date < date '2026-07-01'
        GROUP BY 1""",
    "one rep's revenue by month (12 months)": """
        SELECT date_trunc('month', o.order_date), sum(l.net_amount * o.exchange_rate) FROM sales_orderline l
        JOIN sales_order o ON o.id = l.order_id
        WHERE o.deleted_at IS NULL AND o.salesperson_id = (SELECT id FROM accounts_user WHERE username = 'rep')
          AND o.order_date >= date '2025-07-01' AND o.order_date < date '2026-07-01' GROUP BY 1""",
}

API_CODE = """
import json, statistics, time
from django.test import Client
from django.contrib.auth import get_user_model
from veracity.accounts.services import api_token_create
User = get_user_model()
clients = {{}}
for name in ("admin", "rep", "manager"):
    _t, raw = api_token_create(actor=None, user=User.objects.get(username=name), name="scale")
    clients[name] = Client(headers={{"Authorization": "Bearer " + raw}}, SERVER_NAME="localhost")
checks = [
    ("admin", "/api/v1/customers?limit=50"), ("admin", "/api/v1/customers?limit=50&offset=10000"),
    ("rep", "/api/v1/customers?limit=50"), ("manager", "/api/v1/customers?limit=50"),
    ("admin", "/api/v1/orders?limit=50"), ("rep", "/api/v1/orders?limit=50"),
    ("admin", "/api/v1/customers?q=%E6%B7%B1%E5%9C%B3%E7%89%A9%E6%B5%81&limit=50"),
    ("admin", "/api/v1/customers?q=shenzhenwuliu&limit=50"),
    ("admin", "/api/v1/customers?q=szwl&limit=50"),
    ("admin", "/api/v1/customers?q=13800012345&limit=50"),
    ("rep", "/api/v1/customers?q=szwl&limit=50"),
]
out = []
for user, url in checks:
    times = []
    for attempt in range({repeat} + 1):
        began = time.perf_counter()
        response = clients[user].get(url)
        elapsed = (time.perf_counter() - began) * 1000
        assert response.status_code == 200, (url, response.status_code, response.content[:200])
        if attempt:
            times.append(elapsed)
    out.append([user, url, round(statistics.median(times), 1), response.json().get("count")])
print("RESULT " + json.dumps(out))
"""


def psql(url: str, sql: str) -> str:
    return subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-At", "-c", sql], check=True,
                          capture_output=True, text=True).stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", action="store_true")
    options = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="veracity-scale."))
    pg_dir = Path(tempfile.mkdtemp(prefix="veracity-pg."))
    env = {**os.environ, "VERACITY_DATA_DIR": str(data_dir), "VERACITY_ENV": "development",
           "VERACITY_LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    try:
        server = subprocess.run(["bash", str(ROOT / "scripts" / "pg_throwaway.sh"), "start", str(pg_dir)],
                                check=True, capture_output=True, text=True).stdout.strip()
        url = server.rsplit("/", 1)[0] + "/veracity"
        psql(server, "CREATE DATABASE veracity")
        env["VERACITY_DATABASE_URL"] = url
        veracity(env, "migrate", "--no-input", "-v", "0")
        veracity(env, "demo", "-v", "0", "--customers", "50", "--order-lines", "200")
        reps = int(psql(url, "SELECT count(*) FROM accounts_user WHERE username LIKE 'rep%'"))
        customers, orders = max(options.lines // 50, 100), options.lines // 5
        began = time.monotonic()
        subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-q"], check=True, text=True,
                       input=string.Template(GENERATE).substitute(customers=customers, orders=orders, reps=reps)
                       + "\nANALYZE;\n")
        generated = time.monotonic() - began
        size = psql(url, "SELECT pg_size_pretty(pg_database_size('veracity'))").strip()
        counts = psql(url, "SELECT (SELECT count(*) FROM sales_orderline), (SELECT count(*) FROM sales_order), "
                           "(SELECT count(*) FROM customers_customer)").strip()
        print(f"generated in {generated:.0f} s: lines|orders|customers = {counts}; database {size}")
        print(f"\n{'query (SQL, median of ' + str(options.repeat) + ')':<48}{'ms':>10}")
        for name, sql in QUERIES.items():
            times = []
            for attempt in range(options.repeat + 1):
                started = time.perf_counter()
                psql(url, sql)
                if attempt:
                    times.append((time.perf_counter() - started) * 1000)
            print(f"{name:<48}{statistics.median(times):>10.0f}")
        output = veracity(env, "shell", "-c", API_CODE.format(repeat=options.repeat))
        rows = json.loads(next(line for line in output.splitlines() if line.startswith("RESULT "))[7:])
        print(f"\n{'API (in-process Django client, median)':<72}{'ms':>8}{'count':>10}")
        for user, path, ms, count in rows:
            print(f"{user + ' ' + path:<72}{ms:>8}{count if count is not None else '-':>10}")
    finally:
        subprocess.run(["bash", str(ROOT / "scripts" / "pg_throwaway.sh"), "stop", str(pg_dir)], check=False)
        if not options.keep:
            shutil.rmtree(data_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
