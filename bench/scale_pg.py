"""Scale measurements on PostgreSQL 15 (docs/scaling.md): generate N order lines straight into the
tables (server-side INSERT … SELECT generate_series: the data set, not the import path), then time
dashboard-style SQL aggregates, the rollup rebuild, the /analytics/ dashboards, customer search (with and
without the pg_trgm indexes) and the customers/orders list API.

1. A throwaway PostgreSQL 15 cluster (scripts/pg_throwaway.sh; fsync off, like the test cluster — it
   measures reads, not durable writes), a new database, `veracity migrate`, small demo data (users, teams).
2. Customers (--customers, default lines / 50; Chinese names with pinyin and initials, phones), 5,000
   products, orders (lines / 5, dates over 2023-2026, spread over the demo reps and the three regions) and
   their lines. ANALYZE.
3. Each measurement runs --repeat times after one warm-up; SQL and API print the median, the dashboards
   p50 and p95 (nearest rank: with 5 runs p95 is the slowest run).

One shot (cluster thrown away at the end):

    .venv/bin/python bench/scale_pg.py --lines 1000000

Generate once, measure many times (e.g. again after a merge: `migrate` runs first, then the rollup
rebuild, so new rollup tables and indexes are built on the kept data), stop at the end:

    .venv/bin/python bench/scale_pg.py --lines 10000000 --pg-dir /tmp/scale10m --generate-only
    .venv/bin/python bench/scale_pg.py --pg-dir /tmp/scale10m [--only rollups,dashboards,search,api,sql]
    .venv/bin/python bench/scale_pg.py --pg-dir /tmp/scale10m --stop
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

SECTIONS = ("sql", "rollups", "dashboards", "search", "api")
# The migration that adds the pg_trgm search indexes, and the one before it (search measured on both).
TRIGRAM_MIGRATION = "0004_customers_trigram_search_indexes"
BEFORE_TRIGRAM = "0003_merge_dedup_keys_and_campaign_attribution"

GENERATE = """
INSERT INTO catalog_product (created_at, updated_at, version, sku, name, unit, list_price, currency, is_active,
                             description)
SELECT now(), now(), 1, 'SC-' || g, 'Scale product ' || g, 'pcs', 10 + g % 500, 'CNY', true, ''
FROM generate_series(1, 5000) g;

INSERT INTO customers_customer (created_at, updated_at, version, code, kind, name, name_pinyin, name_initials,
    credit_code, industry, size, source, lifecycle_status, phone, email, website, country, province, city,
    district, address_line, postal_code, notes, owner_id, match_name, match_name_pinyin, match_brand)
SELECT now(), now(), 1, 'SC' || lpad(g::text, 8, '0'), 'company',
       (array['北京','上海','深圳','广州','杭州','成都'])[1 + g % 6] || (array['科技','贸易','制造','物流'])[1 + g / 6 % 4]
         || '有限公司' || g,
       (array['beijing','shanghai','shenzhen','guangzhou','hangzhou','chengdu'])[1 + g % 6]
         || (array['keji','maoyi','zhizao','wuliu'])[1 + g / 6 % 4] || 'youxiangongsi' || g,
       (array['bj','sh','sz','gz','hz','cd'])[1 + g % 6] || (array['kj','my','zz','wl'])[1 + g / 6 % 4] || 'yxgs',
       '', '', '', '', 'customer', '+86138' || lpad(g::text, 8, '0'), '', '', 'CN', '', '', '', '', '', '',
       (SELECT array_agg(id ORDER BY id) FROM accounts_user WHERE username LIKE 'rep%')[1 + g % $reps],
       -- the duplicate-detection keys (customers.matching): legal form dropped; the brand is the trade word
       (array['北京','上海','深圳','广州','杭州','成都'])[1 + g % 6] || (array['科技','贸易','制造','物流'])[1 + g / 6 % 4]
         || g,
       (array['beijing','shanghai','shenzhen','guangzhou','hangzhou','chengdu'])[1 + g % 6]
         || (array['keji','maoyi','zhizao','wuliu'])[1 + g / 6 % 4] || g,
       (array['科技','贸易','制造','物流'])[1 + g / 6 % 4] || g
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


# Run inside `veracity shell` (one process: Django's test client, no HTTP, no gunicorn).
CHILD_PRELUDE = """
import json, math, statistics, time
from django.test import Client
from django.contrib.auth import get_user_model
from veracity.accounts.services import api_token_create
User = get_user_model()
REPEAT = {repeat}

def timed(client, url):
    times = []
    for attempt in range(REPEAT + 1):
        began = time.perf_counter()
        response = client.get(url)
        elapsed = (time.perf_counter() - began) * 1000
        assert response.status_code == 200, (url, response.status_code, response.content[:300])
        if attempt:
            times.append(elapsed)
    times.sort()
    p95 = times[max(0, math.ceil(0.95 * len(times)) - 1)]
    count = response.json().get("count") if response.headers.get("Content-Type", "").startswith("application/json") else None
    return round(statistics.median(times), 1), round(p95, 1), count

def api_client(name):
    _t, raw = api_token_create(actor=None, user=User.objects.get(username=name), name="scale")
    return Client(headers={{"Authorization": "Bearer " + raw}}, SERVER_NAME="localhost")

def web_client(name):
    client = Client(SERVER_NAME="localhost")
    client.force_login(User.objects.get(username=name))
    return client
"""

DASHBOARDS_CODE = CHILD_PRELUDE + """
out = []
for user in ("admin", "manager", "rep"):
    client = web_client(user)
    for url in ("/analytics/", "/analytics/people/", "/analytics/products/", "/analytics/customers/",
                "/analytics/pipeline/"):
        out.append([user, url, *timed(client, url)])
print("RESULT " + json.dumps(out))
"""

SEARCHES = [
    ("admin", "/api/v1/customers?q=%E6%B7%B1%E5%9C%B3%E7%89%A9%E6%B5%81&limit=50"),  # 深圳物流
    ("admin", "/api/v1/customers?q=%E6%B7%B1%E5%9C%B3%E7%89%A9%E6%B5%81%E6%9C%89%E9%99%90%E5%85%AC%E5%8F%B8123476"),
    ("admin", "/api/v1/customers?q=shenzhenwuliu&limit=50"),
    ("admin", "/api/v1/customers?q=szwl&limit=50"),
    ("admin", "/api/v1/customers?q=13800012345&limit=50"),
    ("admin", "/api/v1/customers?q=SC00123457&limit=50"),
    ("rep", "/api/v1/customers?q=szwl&limit=50"),
    ("rep", "/api/v1/customers?q=13800012345&limit=50"),
]
SEARCH_LABELS = ["Chinese name 深圳物流 (1 in 24 customers)", "one customer's full Chinese name (深圳物流有限公司123476)",
                 "pinyin shenzhenwuliu", "initials szwl", "phone 13800012345", "code SC00123457",
                 "(own customers) initials szwl", "(own customers) phone 13800012345"]

SEARCH_CODE = CHILD_PRELUDE + """
clients = {{name: api_client(name) for name in ("admin", "rep")}}
print("RESULT " + json.dumps([[user, url, *timed(clients[user], url)] for user, url in {searches!r}]))
"""

API_CODE = CHILD_PRELUDE + """
clients = {{name: api_client(name) for name in ("admin", "rep", "manager")}}
checks = [
    ("admin", "/api/v1/customers?limit=50"), ("admin", "/api/v1/customers?limit=50&offset=10000"),
    ("rep", "/api/v1/customers?limit=50"), ("manager", "/api/v1/customers?limit=50"),
    ("admin", "/api/v1/orders?limit=50"), ("admin", "/api/v1/orders?limit=50&offset=10000"),
    ("rep", "/api/v1/orders?limit=50"), ("manager", "/api/v1/orders?limit=50"),
]
print("RESULT " + json.dumps([[user, url, *timed(clients[user], url)] for user, url in checks]))
"""


def psql(url: str, sql: str) -> str:
    return subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-At", "-c", sql], check=True,
                          capture_output=True, text=True).stdout


def child_rows(env: dict, code: str) -> list:
    output = veracity(env, "shell", "-c", code)
    return json.loads(next(line for line in output.splitlines() if line.startswith("RESULT "))[7:])


def print_rows(title: str, rows: list, labels: list[str] | None = None) -> None:
    print(f"\n{title:<78}{'p50 ms':>9}{'p95 ms':>9}{'count':>9}", flush=True)
    for index, (user, path, p50, p95, count) in enumerate(rows):
        label = f"{user} {labels[index]}" if labels else f"{user} {path}"
        print(f"{label:<78}{p50:>9}{p95:>9}{count if count is not None else '-':>9}", flush=True)


def timed_command(env: dict, *args: str) -> float:
    began = time.monotonic()
    veracity(env, *args)
    return time.monotonic() - began


def generate(env: dict, server: str, url: str, lines: int, customers: int) -> None:
    psql(server, "CREATE DATABASE veracity")
    veracity(env, "migrate", "--no-input", "-v", "0")
    veracity(env, "demo", "-v", "0", "--customers", "50", "--order-lines", "200")
    reps = int(psql(url, "SELECT count(*) FROM accounts_user WHERE username LIKE 'rep%'"))
    began = time.monotonic()
    subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-q"], check=True, text=True,
                   input=string.Template(GENERATE).substitute(customers=customers, orders=lines // 5, reps=reps)
                   + "\nVACUUM ANALYZE;\n")
    print(f"generated {lines:,} lines, {customers:,} customers in {time.monotonic() - began:.0f} s", flush=True)


def measure(env: dict, url: str, sections: set[str], repeat: int, toggle_trigram: bool = True,
            migrate: bool = True) -> None:
    size = psql(url, "SELECT pg_size_pretty(pg_database_size('veracity'))").strip()
    counts = psql(url, "SELECT (SELECT count(*) FROM sales_orderline), (SELECT count(*) FROM sales_order), "
                       "(SELECT count(*) FROM customers_customer)").strip()
    print(f"lines|orders|customers = {counts}; database {size}; load average {os.getloadavg()}", flush=True)
    if migrate:
        print(f"migrate (whatever is new on this branch): {timed_command(env, 'migrate', '--no-input', '-v', '0'):.0f} s")
    if "sql" in sections:
        print(f"\n{'query (SQL through psql, median of ' + str(repeat) + ')':<60}{'ms':>10}")
        for name, sql in QUERIES.items():
            times = []
            for attempt in range(repeat + 1):
                started = time.perf_counter()
                psql(url, sql)
                if attempt:
                    times.append((time.perf_counter() - started) * 1000)
            print(f"{name:<60}{statistics.median(times):>10.0f}", flush=True)
    if "rollups" in sections:
        print(f"\nveracity rollups rebuild (rollups, RFM, pipeline snapshot): "
              f"{timed_command(env, 'rollups', 'rebuild', '-v', '0'):.0f} s; "
              f"refresh with nothing new: {timed_command(env, 'rollups', 'refresh', '-v', '0'):.1f} s", flush=True)
    if "dashboards" in sections:
        print_rows("dashboards (in-process Django client, logged in)", child_rows(
            env, DASHBOARDS_CODE.format(repeat=repeat)))
    if "search" in sections:
        has_trigram = TRIGRAM_MIGRATION in psql(url, "SELECT name FROM django_migrations WHERE app = 'customers'")
        if has_trigram and not toggle_trigram:
            code = SEARCH_CODE.format(repeat=repeat, searches=SEARCHES)
            print_rows("customer search, API, WITH trigram indexes", child_rows(env, code), SEARCH_LABELS)
        elif has_trigram:
            seconds = timed_command(env, "migrate", "customers", BEFORE_TRIGRAM, "-v", "0")
            print(f"\nunapplied {TRIGRAM_MIGRATION} (drops the trigram indexes): {seconds:.0f} s")
        if toggle_trigram or not has_trigram:
            code = SEARCH_CODE.format(repeat=repeat, searches=SEARCHES)
            print_rows("customer search, API, WITHOUT trigram indexes", child_rows(env, code), SEARCH_LABELS)
        if has_trigram and toggle_trigram:
            seconds = timed_command(env, "migrate", "customers", TRIGRAM_MIGRATION, "-v", "0")
            print(f"\napplied {TRIGRAM_MIGRATION} (builds the trigram indexes): {seconds:.0f} s")
            print_rows("customer search, API, WITH trigram indexes", child_rows(env, code), SEARCH_LABELS)
    if "api" in sections:
        print_rows("list API (in-process Django client)", child_rows(env, API_CODE.format(repeat=repeat)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, help="default: lines / 50")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pg-dir", type=Path, help="keep the cluster here; reuse it if it is already there")
    parser.add_argument("--generate-only", action="store_true")
    parser.add_argument("--only", default=",".join(SECTIONS), help=f"comma-separated: {', '.join(SECTIONS)}")
    parser.add_argument("--keep-trigram", action="store_true",
                        help="measure the search only as the schema is (no unapply/re-apply of the trigram indexes)")
    parser.add_argument("--no-migrate", action="store_true", help="do not run migrate first")
    parser.add_argument("--stop", action="store_true", help="stop the cluster in --pg-dir and delete it")
    options = parser.parse_args()
    sections = set(options.only.split(",")) & set(SECTIONS)
    throwaway = options.pg_dir is None
    pg_dir = Path(tempfile.mkdtemp(prefix="veracity-pg.")) if throwaway else options.pg_dir
    if options.stop:
        subprocess.run(["bash", str(ROOT / "scripts" / "pg_throwaway.sh"), "stop", str(pg_dir)], check=False)
        shutil.rmtree(pg_dir.with_name(pg_dir.name + ".data"), ignore_errors=True)
        return 0
    data_dir = pg_dir.with_name(pg_dir.name + ".data")  # VERACITY_DATA_DIR, beside the cluster
    data_dir.mkdir(exist_ok=True)
    env = {**os.environ, "VERACITY_DATA_DIR": str(data_dir), "VERACITY_ENV": "development",
           "VERACITY_LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    url_file = pg_dir / "url"
    try:
        if url_file.exists():
            server = url_file.read_text().strip()
        else:
            server = subprocess.run(["bash", str(ROOT / "scripts" / "pg_throwaway.sh"), "start", str(pg_dir)],
                                    check=True, capture_output=True, text=True).stdout.strip()
        url = server.rsplit("/", 1)[0] + "/veracity"
        env["VERACITY_DATABASE_URL"] = url
        if not url_file.exists():
            generate(env, server, url, options.lines, options.customers or max(options.lines // 50, 100))
            url_file.write_text(server)
        if not options.generate_only:
            measure(env, url, sections, options.repeat, not options.keep_trigram, not options.no_migrate)
    finally:
        if throwaway:
            subprocess.run(["bash", str(ROOT / "scripts" / "pg_throwaway.sh"), "stop", str(pg_dir)], check=False)
            shutil.rmtree(data_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
