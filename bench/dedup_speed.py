"""Speed of the duplicate scan's matching pipeline (canonical keys, blocking, EM training, scoring,
clusters) on the generated Chinese/Latin customer set, without the database.

    .venv/bin/python bench/dedup_speed.py --records 100000
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "veracity.config.settings")

import django  # noqa: E402

django.setup()

from veracity.matching.linkage import find_duplicates  # noqa: E402
from veracity.matching.scoring import MatchRecord, record_keys  # noqa: E402
from veracity.matching.synthetic import generate_customers  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=100000)
    args = parser.parse_args()
    records = generate_customers(args.records)
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


if __name__ == "__main__":
    main()
