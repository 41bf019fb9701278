"""Entry-time duplicate check: p50/p95 of `dedup.selectors.likely_duplicates` for one new record with N
customers in a scratch SQLite database (indexed match-key columns, no scan).

    .venv/bin/python bench/dedup_entry.py --customers 1000000
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "veracity.config.settings")
os.environ["VERACITY_DATA_DIR"] = tempfile.mkdtemp(prefix="dedup-entry-")
os.environ.pop("VERACITY_DATABASE_URL", None)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=100000)
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    from veracity.accounts.models import RoleCode, User
    from veracity.accounts.tests.factories import UserFactory
    from veracity.customers.models import Customer, CustomerKind
    from veracity.dedup.selectors import likely_duplicates
    from veracity.matching.canonical import phone_key, stored_match_keys
    from veracity.matching.synthetic import generate_customers

    admin = User.objects.filter(username="bench").first() or UserFactory(username="bench", roles=[RoleCode.ADMIN])
    records = generate_customers(args.customers, seed=11)
    start = time.perf_counter()
    batch = []
    for index, record in enumerate(records):
        kind = CustomerKind.COMPANY if record.kind == "company" else CustomerKind.PERSON
        batch.append(Customer(code=f"B{index:08d}", kind=kind, name=record.name, owner=admin,
                              phone=phone_key(record.phone), email=record.email.lower(), credit_code=record.credit_code,
                              city=record.city, **stored_match_keys(record.name, company=kind == "company")))
        if len(batch) == 5000:
            Customer.objects.bulk_create(batch)
            batch = []
    Customer.objects.bulk_create(batch)
    print(f"loaded {len(records)} customers in {time.perf_counter() - start:.0f} s")
    probes = generate_customers(args.queries, seed=99)
    timings = []
    for probe in probes:
        began = time.perf_counter()
        likely_duplicates(user=admin, values={"name": probe.name, "phone": probe.phone, "email": probe.email,
                                              "credit_code": probe.credit_code, "city": probe.city},
                          kind="company" if probe.kind == "company" else "person")
        timings.append((time.perf_counter() - began) * 1000)
    timings.sort()
    print(f"{len(timings)} checks with {len(records)} customers: p50 {statistics.median(timings):.1f} ms, "
          f"p95 {timings[int(len(timings) * 0.95) - 1]:.1f} ms (goal: p95 <= 50 ms at 1,000,000)")


if __name__ == "__main__":
    main()
