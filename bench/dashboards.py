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
    # Connections kept between requests, as docs/deploy.md configures a site (a new SQLite connection
    # re-reads the schema of every table on its first statement). VERACITY_DB_CONN_MAX_AGE=0 measures without.
    os.environ.setdefault("VERACITY_DB_CONN_MAX_AGE", "60")
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
    connection.execute("PRAGMA cache_size=-1000000")  # 1 GB: the random product index stays in memory
    products = 2000
    connection.executemany(
        "INSERT INTO catalog_product (id, sku, name, category_id, unit, list_price, cost_price, currency, is_active,"
        " description, created_at, updated_at, version) VALUES (?, ?, ?, ?, 'piece', ?, ?, 'CNY', 1, '', ?, ?, 1)",
        [(n, f"SKU-{n:05d}", f"Product {n}", rng.choice(categories), "100.00", "60.00", now, now)
         for n in range(1, products + 1)])
    # Customers, orders and lines are generated inside SQLite (a recursive counter and random()): the
    # Python row-by-row generator took ~17 minutes for 10M lines on this machine, this takes a few.

    def pick(values) -> str:
        """A uniformly random one of `values` (CASE evaluates random() once per row)."""
        return ("CASE abs(random()) % " + str(len(values)) + " "
                + " ".join(f"WHEN {index} THEN {value!r}" for index, value in enumerate(values)) + " END")

    connection.execute(
        "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < ?)"
        " INSERT INTO customers_customer (id, code, kind, name, name_pinyin, name_initials, credit_code, industry,"
        " size, source, lifecycle_status, owner_id, phone, email, country, province, city, district,"
        " address_line, postal_code, notes, website, created_at, updated_at, version, match_brand, match_name,"
        " match_name_pinyin)"
        f" SELECT n, printf('C%07d', n), 'company', 'Customer ' || n, '', '', '', {pick(INDUSTRIES)}, {pick(SIZES)},"
        f" 'referral', 'customer', {pick(reps)}, '', '', 'CN', '', '', '', '', '', '', '', ?, ?, 1, '', '', '' FROM c",
        (customers, now, now))
    order_count = max(1, lines // 3)
    connection.execute(
        "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < ?),"
        " o AS MATERIALIZED (SELECT n, abs(random()) % ? + 1 AS customer, date(?, '-' || (abs(random()) % ?) || ' days') AS day"
        " FROM c)"
        " INSERT INTO sales_order (id, number, customer_id, order_date, status, salesperson_id, channel, region,"
        " currency, exchange_rate, total_amount, notes, created_at, updated_at, version)"
        " SELECT n, printf('SO-%09d', n), customer, day,"
        " CASE abs(random()) % 3 WHEN 0 THEN 'confirmed' WHEN 1 THEN 'shipped' ELSE 'delivered' END,"
        " (SELECT owner_id FROM customers_customer WHERE id = customer),"
        f" {pick(CHANNELS)}, {pick(REGIONS)},"
        # booked on its day, as real history is (not "just now")
        " 'CNY', 1, 0, '', day || ' 02:00:00', day || ' 02:00:00', 1 FROM o",
        (order_count, customers, today.isoformat(), days))
    connection.execute(
        "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < ?),"
        " l AS MATERIALIZED (SELECT n, min((n - 1) / 3 + 1, ?) AS order_id, abs(random()) % 20 + 1 AS quantity,"
        " (abs(random()) % 49501 + 500) AS price_cents FROM c)"
        " INSERT INTO sales_orderline (id, order_id, line_no, product_id, description, quantity, unit_price,"
        " discount_percent, currency, net_amount, unit_cost)"
        " SELECT n, order_id, n - (order_id - 1) * 3, abs(random()) % ? + 1, '', quantity, price_cents / 100.0, 0,"
        " 'CNY', quantity * price_cents / 100.0, 60 FROM l",
        (lines, order_count, products))
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


class DuckReference:
    """The same figures from the raw rows, in DuckDB: rows are copied in once (untimed, in batches so 10M
    rows fit in memory), then each dashboard's aggregate queries are timed together."""

    def __init__(self, db_path: Path):
        import duckdb
        import polars as pl

        source = sqlite3.connect(db_path)
        frames = pl.read_database(
            "SELECT l.product_id, CAST(l.quantity AS REAL) quantity, CAST(l.net_amount AS REAL) net_amount,"
            " CAST(l.unit_cost AS REAL) unit_cost, o.id AS order_id, o.order_date, o.customer_id,"
            " o.salesperson_id, o.channel, o.region, CAST(o.exchange_rate AS REAL) exchange_rate, c.industry, c.size,"
            " c.owner_id FROM sales_orderline l JOIN sales_order o ON o.id = l.order_id JOIN customers_customer c ON"
            " c.id = o.customer_id WHERE o.deleted_at IS NULL", source, iter_batches=True, batch_size=500_000,
            schema_overrides={"quantity": pl.Float64, "net_amount": pl.Float64, "unit_cost": pl.Float64,
                              "exchange_rate": pl.Float64, "order_date": pl.String})
        frame = pl.concat(list(frames)).with_columns(pl.col("order_date").str.to_date())
        source.close()
        parquet = db_path.with_suffix(".parquet")
        frame.write_parquet(parquet)  # DuckDB reads Parquet natively (no pyarrow needed)
        del frame
        self.duck = duckdb.connect()
        self.duck.execute(f"CREATE TABLE lines AS SELECT * FROM read_parquet('{parquet}')")

    def timings(self, *, date_from: dt.date, date_to: dt.date, repeats: int) -> dict[str, float]:
        duck = self.duck
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


def bench_people() -> dict:
    """The benchmark's users in an already generated database (--reuse)."""
    from veracity.accounts.models import User

    return {"admin": User.objects.get(username="bench-admin"), "manager": User.objects.get(username="bench-manager")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=730, help="history spread over this many days")
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--data-dir", type=Path, help="keep the database here (default: a temporary directory)")
    parser.add_argument("--generate-only", action="store_true", help="generate the rows into --data-dir and stop")
    parser.add_argument("--reuse", action="store_true", help="use the rows already generated in --data-dir")
    parser.add_argument("--rebuild-only", action="store_true", help="rebuild the rollups (timed) and stop")
    parser.add_argument("--skip-rebuild", action="store_true", help="time against the rollups already built")
    parser.add_argument("--target-ms", type=float, default=150.0,
                        help="after the table, profile one request of every dashboard whose p95 misses this")
    parser.add_argument("--paths", default=",".join(DASHBOARD_PATHS),
                        help="comma-separated dashboards to time (default: all five)")
    parser.add_argument("--profile-every", action="store_true",
                        help="profile every (dashboard, range, role) that misses --target-ms, not only the worst")
    args = parser.parse_args()
    if (args.generate_only or args.reuse) and not args.data_dir:
        parser.error("--generate-only and --reuse need --data-dir")
    with tempfile.TemporaryDirectory(prefix="veracity-bench-") as folder:
        data_dir = args.data_dir or Path(folder)
        data_dir.mkdir(parents=True, exist_ok=True)
        db_path = data_dir / "bench.sqlite3"
        if not args.reuse and db_path.exists():
            parser.error(f"{db_path} exists: pass --reuse or remove it")
        setup_django(data_dir)
        started = time.perf_counter()
        if args.reuse:
            people = bench_people()
        else:
            people = generate(db_path, lines=args.lines, customers=args.customers, seed=args.seed, days=args.days)
        generated = time.perf_counter() - started
        if not args.reuse:
            print(f"generated in {generated:.1f} s", flush=True)
        if args.generate_only:
            return
        run(args, db_path, people, generated=None if args.reuse else generated)


def run(args, db_path: Path, people: dict, *, generated: float | None) -> None:
    from veracity.accounts.models import User
    from veracity.analytics.models import CohortCell, SalesCell, SalesLineDaily, SalesOrderDaily
    from veracity.analytics.services import customer_rfm_refresh, rollups_rebuild, rollups_refresh
    from veracity.sales.models import Order, OrderLine

    rebuilt = rfm = None
    if not args.skip_rebuild:
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
        print(f"rollups rebuilt in {rebuilt:.1f} s, RFM in {rfm:.1f} s", flush=True)
        if args.rebuild_only:
            return
    else:
        with sqlite3.connect(db_path) as connection:   # statistics for indexes added since the rebuild
            connection.execute("PRAGMA analysis_limit=2000")
            connection.execute("ANALYZE")
    refresh = incremental_refresh_timings(rollups_refresh)
    from veracity.analytics.models import StoredFigures

    StoredFigures.objects.all().delete()   # every run starts cold: first requests compute and store them
    from veracity.core.wsgi import wsgi_application

    handler = wsgi_application()   # as `veracity serve` builds it
    today = dt.date.today()
    ranges = {"last 30 days": (today - dt.timedelta(days=29), today),
              "last 365 days": (today - dt.timedelta(days=364), today)}
    lines, orders = OrderLine.objects.count(), Order.objects.count()
    from veracity.customers.models import Customer

    print(f"\n`date`: {time.strftime('%a %b %d %H:%M UTC %Y', time.gmtime())}; load average "
          f"{' '.join(f'{value:.1f}' for value in os.getloadavg())}; VERACITY_DB_CONN_MAX_AGE="
          f"{os.environ['VERACITY_DB_CONN_MAX_AGE']}")
    print(f"{lines:,} order lines, {orders:,} orders, {Customer.objects.count():,} customers; "
          f"{'reused' if generated is None else f'generated in {generated:.1f} s'}, "
          f"{'rollups rebuilt in an earlier run' if rebuilt is None else f'rollups rebuilt in {rebuilt:.1f} s'} "
          f"({SalesLineDaily.objects.count():,} line rows, {SalesOrderDaily.objects.count():,} order rows, "
          f"{SalesCell.objects.count():,} cells, {CohortCell.objects.count():,} cohort cells), "
          f"{'' if rfm is None else f'RFM in {rfm:.1f} s; '}incremental refresh: {refresh}\n", flush=True)
    rep = User.objects.filter(username__startswith="rep", team=people["manager"].team).order_by("pk").first()
    cookies = {"admin": session_cookie(people["admin"]), "manager": session_cookie(people["manager"]),
               "rep": session_cookie(rep)}
    duck = DuckReference(db_path)
    print("| range | dashboard | admin median / p95 (ms) | manager (team) median / p95 (ms) |"
          " rep (own) median / p95 (ms) | DuckDB p95 (ms) | first request admin / manager / rep (ms) |")
    print("| --- | --- | --- | --- | --- | --- | --- |", flush=True)
    worst: dict[str, tuple[float, str, str]] = {}   # dashboard -> (p95, range, role) of its slowest figure
    for label, (date_from, date_to) in ranges.items():
        query = f"date_from={date_from}&date_to={date_to}"
        reference = duck.timings(date_from=date_from, date_to=date_to, repeats=args.repeats)
        for path in args.paths.split(","):
            # Each role's first request: templates imported, connection opened, and on the overview, products and
            # customers pages the figures of this range and reach computed and stored (decision 0010).
            first = {role: time_requests(handler, path, query, cookie, 1)[0] for role, cookie in cookies.items()}
            timed = {role: time_requests(handler, path, query, cookie, args.repeats) for role, cookie in cookies.items()}
            assert all(result[2] == 200 for result in timed.values()), (path, timed)
            figures = " | ".join(f"{timed[role][0]:.0f} / {timed[role][1]:.0f}" for role in ("admin", "manager", "rep"))
            duck_ms = reference.get(path)
            print(f"| {label} | `{path}` | {figures} | {'—' if duck_ms is None else f'{duck_ms:.0f}'} | "
                  f"{' / '.join(f'{first[role]:.0f}' for role in ('admin', 'manager', 'rep'))} |", flush=True)
            for role in (timed if args.profile_every else [max(timed, key=lambda name: timed[name][1])]):
                key = (path, label, role) if args.profile_every else path
                if timed[role][1] > worst.get(key, (0.0,))[0]:
                    worst[key] = (timed[role][1], label, role)
    for key, (p95, label, role) in worst.items():
        path = key[0] if isinstance(key, tuple) else key
        if p95 > args.target_ms:
            date_from, date_to = ranges[label]
            profile_request(handler, path, f"date_from={date_from}&date_to={date_to}", cookies[role],
                            title=f"{path} {label} as {role} (p95 {p95:.0f} ms)")


def profile_request(handler, path: str, query: str, cookie: str, *, title: str, top: int = 6) -> None:
    """One request under cProfile with every SQL statement timed: where a slow dashboard spends its time."""
    import cProfile
    import pstats

    from django.db import connection

    statements: list[tuple[float, str]] = []

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            statements.append(((time.perf_counter() - started) * 1000, sql))

    profiler = cProfile.Profile()
    with connection.execute_wrapper(timed):
        started = time.perf_counter()
        profiler.enable()
        time_requests(handler, path, query, cookie, 1)
        profiler.disable()
        total = (time.perf_counter() - started) * 1000
    print(f"\n**{title}**: {total:.0f} ms under the profiler, {len(statements)} SQL statements, "
          f"{sum(ms for ms, _sql in statements):.0f} ms executing them (fetching rows not included); slowest:")
    for ms, sql in sorted(statements, reverse=True)[:top]:
        print(f"    {ms:7.1f} ms  {' '.join(sql.split())[:400]}")
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(r"veracity/(analytics|accounts)/", top * 2)
    print("    cumulative, veracity functions:")
    for line in out.getvalue().splitlines():
        if "veracity/" in line:
            print("    " + line.strip())


def incremental_refresh_timings(rollups_refresh) -> str:
    """Time the change scan with nothing to do, then after changing 100 orders through the service."""
    from veracity.sales.models import Order

    started = time.perf_counter()
    rollups_refresh()
    idle = (time.perf_counter() - started) * 1000
    from django.utils import timezone

    ids = list(Order.objects.order_by("-pk").values_list("pk", flat=True)[:100])
    Order.objects.filter(pk__in=ids).update(status="delivered", updated_at=timezone.now(),
                                            version=models_f("version") + 1)
    started = time.perf_counter()
    result = rollups_refresh()
    changed = (time.perf_counter() - started) * 1000
    return f"{idle:.0f} ms with nothing to do, {changed:.0f} ms after 100 changed orders ({result.keys} keys)"


def models_f(name: str):
    from django.db.models import F

    return F(name)


if __name__ == "__main__":
    main()
