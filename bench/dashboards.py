"""Dashboard speed at scale: generate order lines and customers straight into a fresh SQLite database
(executemany, no ORM), build the rollups with the product's own rebuild, then time every dashboard
request through Django's full request path (middleware, session, permission scope, templates) for an
all-seeing admin and for a team-scoped manager, and print the p95 beside DuckDB computing the same
figures from the same raw rows in the same run.

    .venv/bin/python bench/dashboards.py --lines 1000000 --customers 100000
    .venv/bin/python bench/dashboards.py --lines 10000000 --customers 1000000   # the full target

Only ever touches a temporary directory; prints a Markdown table for docs/benchmarks.md."""

import argparse
import datetime as dt
import io
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

REGIONS = ["north", "east", "south", "central", "southwest", "northwest", "northeast", "international"]
CHANNELS = ["direct", "distributor", "online", "retail", "telesales"]
INDUSTRIES = ["manufacturing", "retail", "technology", "healthcare", "education", "finance"]
SIZES = ["micro", "small", "medium", "large", "enterprise"]
DASHBOARD_PATHS = ["/analytics/", "/analytics/pipeline/", "/analytics/people/", "/analytics/products/",
                   "/analytics/customers/"]


def setup_django(data_dir: Path) -> None:
    os.environ["VERACITY_DATA_DIR"] = str(data_dir)
    os.environ["VERACITY_DATABASE_URL"] = f"sqlite:///{data_dir / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "veracity.config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def generate(db_path: Path, *, lines: int, customers: int, seed: int, days: int) -> dict:
    """Users and teams through the ORM (few); products, customers, orders and lines by executemany."""
    from veracity.accounts.models import Role, RoleCode, Team, User
    from veracity.catalog.models import ProductCategory

    rng = random.Random(seed)
    teams = [Team.objects.create(name=f"Team {n}") for n in range(4)]
    rep_role = Role.objects.get(code=RoleCode.SALES_REP)
    reps = []
    for n in range(40):
        rep = User.objects.create(username=f"rep{n}", team=teams[n % 4])
        rep.roles.add(rep_role)
        reps.append(rep.pk)
    admin = User.objects.create(username="bench-admin")
    admin.roles.add(Role.objects.get(code=RoleCode.ADMIN))
    manager = User.objects.create(username="bench-manager", team=teams[0])
    manager.roles.add(Role.objects.get(code=RoleCode.SALES_MANAGER))
    teams[0].manager = manager
    teams[0].save()
    categories = [ProductCategory.objects.create(name=f"Category {n}").pk for n in range(20)]
    today = dt.date.today()
    now = dt.datetime.now(dt.UTC).isoformat(sep=" ")
    connection = sqlite3.connect(db_path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=OFF")
    products = 2000
    connection.executemany(
        "INSERT INTO catalog_product (id, sku, name, category_id, unit, list_price, cost_price, currency, is_active,"
        " description, created_at, updated_at, version) VALUES (?, ?, ?, ?, 'piece', ?, ?, 'CNY', 1, '', ?, ?, 1)",
        [(n, f"SKU-{n:05d}", f"Product {n}", rng.choice(categories), "100.00", "60.00", now, now)
         for n in range(1, products + 1)])
    connection.executemany(
        "INSERT INTO customers_customer (id, code, kind, name, name_pinyin, name_initials, credit_code, industry,"
        " size, source, lifecycle_status, owner_id, phone, email, country, province, city, district,"
        " address_line, postal_code, notes, website, created_at, updated_at, version)"
        " VALUES (?, ?, 'company', ?, '', '', '', ?, ?, 'referral', 'customer', ?, '', '', 'CN', '', '', '', '',"
        " '', '', '', ?, ?, 1)",
        ((n, f"C{n:07d}", f"Customer {n}", rng.choice(INDUSTRIES), rng.choice(SIZES), rng.choice(reps), now, now)
         for n in range(1, customers + 1)))
    owners = dict(connection.execute("SELECT id, owner_id FROM customers_customer"))
    order_count = max(1, lines // 3)
    line_id = 0

    def orders():
        for n in range(1, order_count + 1):
            customer = rng.randint(1, customers)
            day = today - dt.timedelta(days=rng.randint(0, days - 1))
            stamp = f"{day.isoformat()} 02:00:00"  # booked on its day, as real history is (not "just now")
            yield (n, f"SO-{n:09d}", customer, day.isoformat(), rng.choice(["confirmed", "shipped", "delivered"]),
                   owners[customer], rng.choice(CHANNELS), rng.choice(REGIONS), "CNY", "1", "0", stamp, stamp)

    connection.executemany(
        "INSERT INTO sales_order (id, number, customer_id, order_date, status, salesperson_id, channel, region,"
        " currency, exchange_rate, total_amount, notes, created_at, updated_at, version)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?, 1)", orders())

    def order_lines():
        nonlocal line_id
        remaining = lines
        for order in range(1, order_count + 1):
            count = 3 if order < order_count else remaining
            for number in range(1, count + 1):
                line_id += 1
                quantity = rng.randint(1, 20)
                price = rng.randint(500, 50000) / 100
                yield (line_id, order, number, rng.randint(1, products), f"{quantity}.000", f"{price:.2f}", "0",
                       "CNY", f"{quantity * price:.2f}", "60.00")
            remaining -= count

    connection.executemany(
        "INSERT INTO sales_orderline (id, order_id, line_no, product_id, description, quantity, unit_price,"
        " discount_percent, currency, net_amount, unit_cost) VALUES (?, ?, ?, ?, '', ?, ?, ?, ?, ?, ?)",
        order_lines())
    connection.commit()
    connection.execute("ANALYZE")
    connection.close()
    return {"admin": admin, "manager": manager, "orders": order_count}


def session_cookie(user) -> str:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def time_requests(handler, path: str, query: str, cookie: str, repeats: int) -> tuple[float, float, int]:
    latencies, status = [], 0
    for _ in range(repeats):
        environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query, "SERVER_NAME": "localhost",
                   "SERVER_PORT": "443", "wsgi.url_scheme": "https", "HTTP_HOST": "localhost",
                   "HTTP_COOKIE": cookie, "wsgi.input": io.BytesIO(b""), "wsgi.errors": sys.stderr,
                   "REMOTE_ADDR": "127.0.0.1"}
        started = time.perf_counter()
        response = handler(environ, lambda *args: None)
        body = b"".join(response)
        latencies.append((time.perf_counter() - started) * 1000)
        status = int(getattr(response, "status_code", 200))
        assert body, path
    latencies.sort()
    return statistics.median(latencies), latencies[min(len(latencies) - 1, int(len(latencies) * 0.95))], status


def duckdb_figures(db_path: Path, *, date_from: dt.date, date_to: dt.date, repeats: int) -> dict[str, float]:
    """The same figures from the raw rows, in DuckDB: rows are copied in once (untimed), then each
    dashboard's aggregate queries are timed together."""
    import duckdb
    import polars as pl

    source = sqlite3.connect(db_path)
    frame = pl.read_database(
        "SELECT l.product_id, CAST(l.quantity AS REAL) quantity, CAST(l.net_amount AS REAL) net_amount,"
        " CAST(l.unit_cost AS REAL) unit_cost, o.id AS order_id, o.order_date, o.customer_id,"
        " o.salesperson_id, o.channel, o.region, CAST(o.exchange_rate AS REAL) exchange_rate, c.industry, c.size, c.owner_id"
        " FROM sales_orderline l JOIN sales_order o ON o.id = l.order_id JOIN customers_customer c ON"
        " c.id = o.customer_id WHERE o.deleted_at IS NULL", source,
        schema_overrides={"quantity": pl.Float64, "net_amount": pl.Float64, "unit_cost": pl.Float64,
                          "exchange_rate": pl.Float64, "order_date": pl.String},
        infer_schema_length=None).with_columns(pl.col("order_date").str.to_date())
    source.close()
    parquet = db_path.with_suffix(".parquet")
    frame.write_parquet(parquet)  # DuckDB reads Parquet natively (no pyarrow needed)
    duck = duckdb.connect()
    duck.execute(f"CREATE TABLE lines AS SELECT * FROM read_parquet('{parquet}')")
    where = f"order_date BETWEEN DATE '{date_from}' AND DATE '{date_to}'"
    queries = {
        "/analytics/": [
            f"SELECT SUM(ROUND(net_amount * exchange_rate * 100)), COUNT(DISTINCT order_id),"
            f" COUNT(DISTINCT customer_id) FROM lines WHERE {where}",
            f"SELECT channel, SUM(net_amount * exchange_rate) FROM lines WHERE {where} GROUP BY channel",
            f"SELECT region, SUM(net_amount * exchange_rate) FROM lines WHERE {where} GROUP BY region",
            f"SELECT order_date, SUM(net_amount * exchange_rate), COUNT(DISTINCT order_id) FROM lines WHERE {where}"
            " GROUP BY order_date"],
        "/analytics/people/": [f"SELECT salesperson_id, SUM(net_amount * exchange_rate), COUNT(DISTINCT order_id)"
                               f" FROM lines WHERE {where} GROUP BY salesperson_id"],
        "/analytics/products/": [
            f"SELECT product_id, SUM(net_amount * exchange_rate), SUM(quantity), COUNT(DISTINCT order_id) FROM lines"
            f" WHERE {where} GROUP BY product_id",
            f"WITH b AS (SELECT DISTINCT order_date, customer_id, product_id FROM lines WHERE {where})"
            " SELECT a.product_id, c.product_id, COUNT(*) n FROM b a JOIN b c ON a.order_date = c.order_date AND"
            " a.customer_id = c.customer_id AND a.product_id < c.product_id GROUP BY 1, 2 ORDER BY n DESC LIMIT 15"],
        "/analytics/customers/": [
            f"SELECT industry, SUM(net_amount * exchange_rate), COUNT(DISTINCT customer_id) FROM lines WHERE {where}"
            " GROUP BY industry",
            f"SELECT size, SUM(net_amount * exchange_rate) FROM lines WHERE {where} GROUP BY size",
            "SELECT customer_id, MAX(order_date), COUNT(DISTINCT order_id), SUM(net_amount) FROM lines"
            " GROUP BY customer_id"],
    }
    timings = {}
    for path, statements in queries.items():
        latencies = []
        for _ in range(repeats):
            started = time.perf_counter()
            for statement in statements:
                duck.execute(statement).fetchall()
            latencies.append((time.perf_counter() - started) * 1000)
        latencies.sort()
        timings[path] = latencies[min(len(latencies) - 1, int(len(latencies) * 0.95))]
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=730, help="history spread over this many days")
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="veracity-bench-") as folder:
        data_dir = Path(folder)
        setup_django(data_dir)
        db_path = data_dir / "bench.sqlite3"
        started = time.perf_counter()
        people = generate(db_path, lines=args.lines, customers=args.customers, seed=args.seed, days=args.days)
        generated = time.perf_counter() - started
        from veracity.analytics.models import SalesLineDaily, SalesOrderDaily
        from veracity.analytics.services import customer_rfm_refresh, rollups_rebuild

        started = time.perf_counter()
        rollups_rebuild()
        rebuilt = time.perf_counter() - started
        started = time.perf_counter()
        customer_rfm_refresh()
        rfm = time.perf_counter() - started
        with sqlite3.connect(db_path) as connection:
            connection.execute("ANALYZE")
            # Fold the write-ahead log the bulk load left (hundreds of MB) into the database, as the
            # periodic checkpoint of a running site would; reads through a huge WAL are slower.
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        from django.core.handlers.wsgi import WSGIHandler

        handler = WSGIHandler()
        today = dt.date.today()
        ranges = {"last 30 days": (today - dt.timedelta(days=29), today),
                  "last 365 days": (today - dt.timedelta(days=364), today)}
        print(f"\n{args.lines:,} order lines, {people['orders']:,} orders, {args.customers:,} customers; "
              f"generated in {generated:.1f} s, rollups rebuilt in {rebuilt:.1f} s "
              f"({SalesLineDaily.objects.count():,} line cells, {SalesOrderDaily.objects.count():,} order cells), "
              f"RFM in {rfm:.1f} s\n")
        print("| range | dashboard | admin median / p95 (ms) | manager (team) median / p95 (ms) | DuckDB p95 (ms) |")
        print("| --- | --- | --- | --- | --- |")
        cookies = {"admin": session_cookie(people["admin"]), "manager": session_cookie(people["manager"])}
        for label, (date_from, date_to) in ranges.items():
            query = f"date_from={date_from}&date_to={date_to}"
            duck = duckdb_figures(db_path, date_from=date_from, date_to=date_to, repeats=args.repeats)
            for path in DASHBOARD_PATHS:
                time_requests(handler, path, query, cookies["admin"], 1)  # warm the caches once
                admin = time_requests(handler, path, query, cookies["admin"], args.repeats)
                manager = time_requests(handler, path, query, cookies["manager"], args.repeats)
                assert admin[2] == manager[2] == 200, (path, admin[2], manager[2])
                reference = duck.get(path)
                print(f"| {label} | `{path}` | {admin[0]:.0f} / {admin[1]:.0f} | {manager[0]:.0f} / {manager[1]:.0f} | "
                      f"{'—' if reference is None else f'{reference:.0f}'} |")


if __name__ == "__main__":
    main()
