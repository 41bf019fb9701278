"""Speed of the duplicate scan on the generated Chinese/Latin customer set.

Two modes:

    .venv/bin/python bench/dedup_speed.py --records 100000          # matching pipeline only, no database
    .venv/bin/python bench/dedup_speed.py --records 100000 --db     # end to end through a fresh SQLite DB
    .venv/bin/python bench/dedup_speed.py --records 1000000 --db --data-dir /tmp/dd1m --generate-only
    .venv/bin/python bench/dedup_speed.py --records 1000000 --db --data-dir /tmp/dd1m --reuse
    .venv/bin/python bench/dedup_speed.py --records 100000 --blocking   # candidate pairs per blocking rule

`--db` loads N customers (realistic Chinese/Latin variations with planted duplicates,
`matching.synthetic.generate_customers`) into a scratch SQLite database, then times the real
`veracity dedup scan` code path: reading the rows, canonical keys, blocking, EM training, scoring,
clustering and storing the clusters. Goals: 100,000 in 60 s, 1,000,000 in 15 minutes.

Loading fills the entry-time match keys as the customer services would (`stored_match_keys`), once per
distinct name, and inserts prepared tuples with `executemany` with the customer table's secondary
indexes dropped and rebuilt afterwards (one sorted build each instead of a million random inserts).
With `--data-dir DIR --generate-only` the database stays in DIR; `--reuse` scans it again (earlier scan
results are cleared first, untimed), so a 1,000,000 scan can be re-measured without reloading.
"""

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "veracity.config.settings")


def _setup_database(argv: list[str]) -> None:
    """Point Django at the bench database before it is set up: --data-dir or a temporary directory."""
    if "--db" not in argv:
        return
    data_dir = None
    for position, arg in enumerate(argv):
        if arg == "--data-dir" and position + 1 < len(argv):
            data_dir = Path(argv[position + 1])
        elif arg.startswith("--data-dir="):
            data_dir = Path(arg.split("=", 1)[1])
    data_dir = data_dir or Path(tempfile.mkdtemp(prefix="dedup-speed-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    os.environ["VERACITY_DATA_DIR"] = str(data_dir)
    os.environ["VERACITY_DATABASE_URL"] = f"sqlite:///{data_dir / 'dedup-bench.sqlite3'}"


_setup_database(sys.argv)

import django  # noqa: E402

django.setup()

from veracity.matching.linkage import find_duplicates  # noqa: E402
from veracity.matching.scoring import MatchRecord, record_keys  # noqa: E402
from veracity.matching.synthetic import generate_customers  # noqa: E402

META_FILE = "dedup-bench.json"


def _load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def _cpu_seconds() -> float:
    """CPU time of this process and its finished worker processes: on a shared machine, beside the
    wall-clock time, what the scan itself cost."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _synthetic_keys(records) -> list:
    return [record_keys(MatchRecord(i, r.kind, r.name, phones=(r.phone,) if r.phone else (), email=r.email,
                                    credit_code=r.credit_code, city=r.city, address=r.address))
            for i, r in enumerate(records)]


def pipeline_only(count: int) -> None:
    records = generate_customers(count)
    start = time.perf_counter()
    keys = _synthetic_keys(records)
    keyed = time.perf_counter()
    result = find_duplicates(keys)
    done = time.perf_counter()
    print(f"{len(records)} records: keys {keyed - start:.1f} s, blocking+training+scoring+clusters "
          f"{done - keyed:.1f} s, total {done - start:.1f} s; {result.compared} pairs compared, "
          f"{len(result.clusters)} clusters (goal: 100,000 in 60 s); load average {_load_average()}")


def blocking_report(count: int, refine_over: int | None) -> None:
    """Candidate pairs per blocking rule (before de-duplication across rules), the largest block
    compared, and how many true pairs each rule finds, and finds alone."""
    from veracity.matching.linkage import DEFAULT_REFINE_OVER, blocking_rule_counts
    from veracity.matching.synthetic import true_pairs

    records = generate_customers(count, seed=7)
    truth = true_pairs(records)
    keys = _synthetic_keys(records)
    report = blocking_rule_counts(keys, truth=truth, refine_over=refine_over or DEFAULT_REFINE_OVER)
    print(f"{count} records, {report['pairs']} distinct candidate pairs, {len(truth)} true pairs, "
          f"{report['true_covered']} covered by blocking; load average {_load_average()}")
    print(f"{'rule':16} {'pairs':>10} {'blocks':>8} {'largest':>8} {'true':>8} {'only here':>9}")
    for rule, row in sorted(report["rules"].items(), key=lambda item: -item[1]["pairs"]):
        print(f"{rule:16} {row['pairs']:>10} {row['blocks']:>8} {row['largest']:>8} "
              f"{row['true']:>8} {row['only_here']:>9}")


def _load(count: int) -> int:
    """Insert `count` generated customers; return the true pair count."""
    from django.db import connection, transaction

    from veracity.accounts.models import RoleCode, User
    from veracity.accounts.tests.factories import UserFactory
    from veracity.customers.models import Customer, CustomerKind
    from veracity.matching.canonical import stored_match_keys
    from veracity.matching.synthetic import true_pairs

    owner = User.objects.filter(username="bench").first() or UserFactory(username="bench", roles=[RoleCode.ADMIN])
    records = generate_customers(count, seed=7)
    # The match keys the customer services store at entry time, worked out once per distinct name.
    stored: dict[tuple[str, bool], tuple[str, str, str]] = {}
    for record in records:
        key = (record.name, record.kind == "company")
        if key not in stored:
            found = stored_match_keys(record.name, company=key[1])
            stored[key] = (found["match_name"], found["match_name_pinyin"], found["match_brand"])
    template = Customer(code="", name="", owner=owner)
    fields = [f for f in Customer._meta.concrete_fields if not f.primary_key]
    base = {f.column: f.get_db_prep_save(f.pre_save(template, add=True), connection) for f in fields}
    varying = ("code", "kind", "name", "phone", "email", "credit_code", "city", "address_line", "match_name",
               "match_name_pinyin", "match_brand")
    constant_columns = [column for column in base if column not in varying]
    constant = tuple(base[column] for column in constant_columns)
    columns = constant_columns + list(varying)
    table = Customer._meta.db_table
    quote = connection.ops.quote_name
    sql = (f"INSERT INTO {quote(table)} ({', '.join(quote(c) for c in columns)}) "
           f"VALUES ({', '.join(['%s'] * len(columns))})")
    company, person = CustomerKind.COMPANY.value, CustomerKind.PERSON.value
    rows = [constant + (f"B{index:08d}", company if r.kind == "company" else person, r.name, r.phone, r.email,
                        r.credit_code, r.city, r.address, *stored[(r.name, r.kind == "company")])
            for index, r in enumerate(records)]
    with connection.cursor() as cursor:
        # A bench database: no durability needed while loading; indexes built once at the end.
        cursor.execute("PRAGMA synchronous=OFF")
        cursor.execute("PRAGMA cache_size=-262144")
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type='index' AND tbl_name=%s AND sql IS NOT NULL",
                       [table])
        indexes = cursor.fetchall()
        with transaction.atomic():
            for name, _sql in indexes:
                cursor.execute(f"DROP INDEX {quote(name)}")
            for start in range(0, len(rows), 50000):
                cursor.executemany(sql, rows[start:start + 50000])
            for _name, index_sql in indexes:
                cursor.execute(index_sql)
        cursor.execute("ANALYZE")
        cursor.execute("PRAGMA synchronous=FULL")
    return len(true_pairs(records))


def _clear_scans() -> None:
    """Earlier scans' results (a reused database): removed before the timed scan, so it stores into
    empty tables as a first scan would."""
    from django.db import connection

    from veracity.dedup.models import ClusterMember, DuplicateCluster, DuplicatePair, ScanRun

    with connection.cursor() as cursor:
        for model in (DuplicatePair, ClusterMember, DuplicateCluster, ScanRun):
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")


def end_to_end(count: int, *, data_dir: Path | None, generate_only: bool, reuse: bool) -> None:
    from django.core.management import call_command

    from veracity.customers.models import Customer
    from veracity.dedup.models import DuplicatePair, ScanRun

    meta_path = Path(os.environ["VERACITY_DATA_DIR"]) / META_FILE
    if reuse:
        meta = json.loads(meta_path.read_text())
        count, planted = meta["records"], meta["planted_pairs"]
        _clear_scans()
        print(f"reusing {count} customers in {data_dir} ({planted} planted duplicate pairs; loaded in "
              f"{meta['load_seconds']:.0f} s on {meta['date']}); load average {_load_average()}")
    else:
        call_command("migrate", verbosity=0)
        if Customer.objects.exists():
            raise SystemExit(f"{data_dir} already holds customers: pass --reuse or remove it")
        began = time.perf_counter()
        planted = _load(count)
        loaded = time.perf_counter() - began
        meta_path.write_text(json.dumps({"records": count, "planted_pairs": planted, "load_seconds": loaded,
                                         "date": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())}))
        print(f"loaded {count} customers ({planted} planted duplicate pairs) in {loaded:.0f} s; "
              f"load average {_load_average()}", flush=True)
        if generate_only:
            return
    start, cpu = time.perf_counter(), _cpu_seconds()
    call_command("dedup", "scan")
    done, cpu = time.perf_counter(), _cpu_seconds() - cpu
    scan = ScanRun.objects.latest("pk")
    stored_pairs = DuplicatePair.objects.filter(cluster__scan=scan).count()
    print(f"`veracity dedup scan` over {count} customers: {done - start:.1f} s ({cpu:.1f} s CPU with its worker processes) "
          f"({scan.compared} pairs compared, {scan.clusters_found} clusters, {stored_pairs} pairs stored); "
          f"stage times {scan.parameters.get('timings', '')}; load average after {_load_average()} "
          f"(goals: 100,000 in 60 s, 1,000,000 in 900 s)")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=100000)
    parser.add_argument("--db", action="store_true", help="end to end: load a scratch SQLite DB and run the scan")
    parser.add_argument("--data-dir", type=Path, help="with --db: keep the database here (default: a temporary directory)")
    parser.add_argument("--generate-only", action="store_true", help="with --db: load the rows into --data-dir and stop")
    parser.add_argument("--reuse", action="store_true", help="with --db: scan the rows already loaded in --data-dir")
    parser.add_argument("--blocking", action="store_true", help="candidate pairs per blocking rule, no scan")
    parser.add_argument("--refine-over", type=int, help="with --blocking: split name blocks larger than this "
                        "(10 000 000: the old behaviour, no splitting)")
    args = parser.parse_args()
    if (args.generate_only or args.reuse) and not (args.db and args.data_dir):
        parser.error("--generate-only and --reuse need --db and --data-dir")
    if args.blocking:
        blocking_report(args.records, args.refine_over)
    elif args.db:
        end_to_end(args.records, data_dir=args.data_dir, generate_only=args.generate_only, reuse=args.reuse)
    else:
        pipeline_only(args.records)


if __name__ == "__main__":
    main()
