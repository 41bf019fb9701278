"""Speed of the duplicate scan on the generated Chinese/Latin customer set.

Two modes:

    .venv/bin/python bench/dedup_speed.py --records 100000          # matching pipeline only, no database
    .venv/bin/python bench/dedup_speed.py --records 100000 --db     # end to end through a fresh SQLite DB

`--db` loads N customers (realistic Chinese/Latin variations with planted duplicates,
`matching.synthetic.generate_customers`) into a scratch SQLite database with one `executemany`, then times
the real `veracity dedup scan` code path: reading the rows, canonical keys, blocking, EM training,
scoring, clustering and storing the clusters. Goals: 100,000 in 60 s, 1,000,000 in 15 minutes.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "veracity.config.settings")
if "--db" in sys.argv:
    os.environ["VERACITY_DATA_DIR"] = tempfile.mkdtemp(prefix="dedup-speed-")
    os.environ.pop("VERACITY_DATABASE_URL", None)

import django  # noqa: E402

django.setup()

from veracity.matching.linkage import find_duplicates  # noqa: E402
from veracity.matching.scoring import MatchRecord, record_keys  # noqa: E402
from veracity.matching.synthetic import generate_customers  # noqa: E402


def pipeline_only(count: int) -> None:
    records = generate_customers(count)
    start = time.perf_counter()
    keys = [record_keys(MatchRecord(i, r.kind, r.name, phones=(r.phone,) if r.phone else (), email=r.email,
                                    credit_code=r.credit_code, city=r.city, address=r.address))
            for i, r in enumerate(records)]
    keyed = time.perf_counter()
    result = find_duplicates(keys)
    done = time.perf_counter()
    print(f"{len(records)} records: keys {keyed - start:.1f} s, blocking+training+scoring+clusters "
          f"{done - keyed:.1f} s, total {done - start:.1f} s; {result.compared} pairs compared, "
          f"{len(result.clusters)} clusters (goal: 100,000 in 60 s)")


def _load(count: int) -> int:
    """Insert `count` generated customers with one executemany per 20,000 rows; return the true pair count."""
    from django.db import connection, transaction

    from veracity.accounts.models import RoleCode, User
    from veracity.accounts.tests.factories import UserFactory
    from veracity.customers.models import Customer, CustomerKind
    from veracity.matching.canonical import stored_match_keys
    from veracity.matching.synthetic import true_pairs

    owner = User.objects.filter(username="bench").first() or UserFactory(username="bench", roles=[RoleCode.ADMIN])
    records = generate_customers(count, seed=7)
    template = Customer(code="", name="", owner=owner)
    fields = [f for f in Customer._meta.concrete_fields if not f.primary_key]
    base = {f.column: f.get_db_prep_save(f.pre_save(template, add=True), connection) for f in fields}
    varying = ["code", "kind", "name", "phone", "email", "credit_code", "city", "address_line", "match_name",
               "match_name_pinyin", "match_brand"]
    columns = list(base)
    table = connection.ops.quote_name(Customer._meta.db_table)
    sql = (f"INSERT INTO {table} ({', '.join(connection.ops.quote_name(c) for c in columns)}) "
           f"VALUES ({', '.join(['%s'] * len(columns))})")
    positions = [columns.index(name) for name in varying]
    constant = [base[c] for c in columns]
    with transaction.atomic(), connection.cursor() as cursor:
        batch = []
        for index, record in enumerate(records):
            row = list(constant)
            kind = CustomerKind.COMPANY if record.kind == "company" else CustomerKind.PERSON
            # The match keys the customer services store at entry time.
            stored = stored_match_keys(record.name, company=kind == CustomerKind.COMPANY)
            for position, value in zip(positions, (f"B{index:08d}", kind, record.name, record.phone,
                                                   record.email, record.credit_code, record.city,
                                                   record.address, stored["match_name"],
                                                   stored["match_name_pinyin"], stored["match_brand"]),
                                       strict=True):
                row[position] = value
            batch.append(row)
            if len(batch) == 20000:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
    return len(true_pairs(records))


def end_to_end(count: int) -> None:
    from django.core.management import call_command

    from veracity.dedup.models import DuplicatePair, ScanRun

    call_command("migrate", verbosity=0)
    began = time.perf_counter()
    planted = _load(count)
    loaded = time.perf_counter()
    print(f"loaded {count} customers ({planted} planted duplicate pairs) in {loaded - began:.0f} s; "
          f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    start = time.perf_counter()
    call_command("dedup", "scan")
    done = time.perf_counter()
    scan = ScanRun.objects.latest("pk")
    stored_pairs = DuplicatePair.objects.filter(cluster__scan=scan).count()
    print(f"`veracity dedup scan` over {count} customers: {done - start:.1f} s "
          f"({scan.compared} pairs compared, {scan.clusters_found} clusters, {stored_pairs} pairs stored); "
          f"stage times {scan.parameters.get('timings', '')}; load average after "
          f"{os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f} "
          f"(goals: 100,000 in 60 s, 1,000,000 in 900 s)")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=100000)
    parser.add_argument("--db", action="store_true", help="end to end: load a scratch SQLite DB and run the scan")
    args = parser.parse_args()
    if args.db:
        end_to_end(args.records)
    else:
        pipeline_only(args.records)


if __name__ == "__main__":
    main()
