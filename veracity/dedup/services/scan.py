"""The whole-base scan: load customers and contacts, block, learn m/u, score, cluster, store."""

import multiprocessing
import os
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import DecimalField, ExpressionWrapper, F, Sum
from django.utils import timezone

from veracity.accounts.access import access_require
from veracity.accounts.models import Action, Resource
from veracity.audit.services import audit_event_record
from veracity.customers.models import Contact, Customer, CustomerKind
from veracity.dedup.errors import ScanAlreadyRunning
from veracity.dedup.models import (
    ClusterMember,
    ClusterStatus,
    Decision,
    DuplicateCluster,
    DuplicatePair,
    Entity,
    PairDecision,
    ScanRun,
    ScanStatus,
)
from veracity.matching.linkage import find_duplicates
from veracity.matching.scoring import (
    COMPANY,
    CONTACT,
    DEFAULT_THRESHOLD,
    PERSON,
    MatchKeys,
    MatchRecord,
    record_keys,
)
from veracity.sales.models import Order

Progress = Callable[[str, int, int], None]
_CHUNK = 5000


def scan_run_start(*, actor, threshold: float = DEFAULT_THRESHOLD, enqueue: bool = True) -> ScanRun:
    """Queue a scan of the whole base (administrators: duplicate/create). The background job runs it."""
    if actor is not None:
        access_require(actor, Resource.DUPLICATE, Action.CREATE)
    if ScanRun.objects.filter(status__in=[ScanStatus.QUEUED, ScanStatus.RUNNING]).exists():
        raise ScanAlreadyRunning()
    scan = ScanRun.objects.create(created_by=actor if getattr(actor, "pk", None) else None, threshold=threshold)
    audit_event_record(actor=actor, action="create", obj=scan, object_type="dedup.scanrun",
                       extra={"threshold": threshold})
    if enqueue:
        from veracity.dedup.tasks import dedup_scan_run

        transaction.on_commit(lambda: dedup_scan_run.enqueue(scan.pk))
    return scan


def _customer_records(kind: str):
    rows = (Customer.objects.filter(kind=kind)
            .values_list("pk", "name", "phone", "email", "credit_code", "city", "address_line", "postal_code",
                         "country", "match_name", "match_name_pinyin").order_by("pk"))
    entity = COMPANY if kind == CustomerKind.COMPANY else PERSON
    for (pk, name, phone, email, credit, city, address, postal, country, match_name,
         match_pinyin) in rows.iterator(chunk_size=_CHUNK):
        # Companies reuse the pinyin the customer services stored at entry time (if the name still
        # canonicalises to the stored match_name).
        yield MatchRecord(id=pk, kind=entity, name=name, phones=(phone,) if phone else (), email=email,
                          credit_code=credit, city=city, address=address, postal_code=postal, country=country or "CN",
                          stored_keys=(match_name, match_pinyin) if entity == COMPANY else None)


def _contact_records():
    rows = (Contact.objects.values_list("pk", "name", "mobile", "phone", "email", "customer__name",
                                        "customer__country").order_by("pk"))
    for pk, name, mobile, phone, email, customer_name, country in rows.iterator(chunk_size=_CHUNK):
        yield MatchRecord(id=pk, kind=CONTACT, name=name, phones=tuple(p for p in (mobile, phone) if p),
                          email=email, company=customer_name, country=country or "CN")


# Canonical keys of a large base are worked out by a pool of processes (one per core, forked so the
# records are not sent to them); below this many records the pool's start-up costs more than it saves.
POOL_MIN_RECORDS = 50_000
_POOL_CHUNK = 20_000
_pool_records: list[MatchRecord] = []


def _chunk_keys(start: int) -> list[MatchKeys]:
    return [record_keys(record) for record in _pool_records[start:start + _POOL_CHUNK]]


def _keys(records, progress: Progress | None, label: str, *, pool_min: int = POOL_MIN_RECORDS) -> list[MatchKeys]:
    global _pool_records
    records = list(records)
    workers = min(os.cpu_count() or 1, 4)
    keys: list[MatchKeys] = []
    if len(records) >= pool_min and workers > 1 and "fork" in multiprocessing.get_all_start_methods():
        _pool_records = records
        try:
            # Forked workers only compute: they never touch the database connection they inherit.
            with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as pool:
                for chunk in pool.map(_chunk_keys, range(0, len(records), _POOL_CHUNK)):
                    keys.extend(chunk)
                    if progress is not None:
                        progress(label, len(keys), len(records))
        finally:
            _pool_records = []
        return keys
    for count, record in enumerate(records, 1):
        keys.append(record_keys(record))
        if progress is not None and count % 5000 == 0:
            progress(label, count, 0)
    return keys


def _order_values(customer_ids: set[int]) -> dict[int, Decimal]:
    value = ExpressionWrapper(F("total_amount") * F("exchange_rate"), output_field=DecimalField(max_digits=30, decimal_places=10))
    result: dict[int, Decimal] = {}
    ids = sorted(customer_ids)
    for start in range(0, len(ids), 900):
        rows = (Order.objects.filter(customer_id__in=ids[start:start + 900]).values("customer_id")
                .annotate(value=Sum(value)))
        for row in rows:
            result[row["customer_id"]] = Decimal(row["value"] or 0).quantize(Decimal("0.01"))
    return result


def _dismissed(entity: str) -> set[tuple[int, int]]:
    return set(PairDecision.objects.filter(entity=entity, decision=Decision.DISMISSED)
               .values_list("left_id", "right_id"))


def _known_confirmed(entity: str) -> set[frozenset]:
    """Member sets of clusters already confirmed (and not merged): a new scan does not list them again."""
    sets: dict[int, set[int]] = {}
    members = ClusterMember.objects.filter(cluster__entity=entity, cluster__status=ClusterStatus.CONFIRMED)
    for cluster_id, customer_id, contact_id in members.values_list("cluster_id", "customer_id", "contact_id"):
        sets.setdefault(cluster_id, set()).add(customer_id or contact_id)
    return {frozenset(members) for members in sets.values()}


def scan_run_execute(*, scan: ScanRun, progress: Progress | None = None) -> ScanRun:
    """Run a queued scan: companies, individual customers and contacts, each on its own. Open clusters
    of earlier scans are replaced; confirmed ones stay; dismissed pairs never come back."""
    ScanRun.objects.filter(pk=scan.pk).update(status=ScanStatus.RUNNING, started_at=timezone.now())

    def report(stage: str, done: int, total: int) -> None:
        ScanRun.objects.filter(pk=scan.pk).update(stage=stage, done=done, total=total)
        if progress is not None:
            progress(stage, done, total)

    try:
        results = []
        records_total, compared = 0, 0
        # Seconds per stage, kept with the scan: where a slow scan spends its time.
        timings: dict[str, float] = {}
        clock = time.perf_counter()

        def lap(name: str) -> None:
            nonlocal clock
            now = time.perf_counter()
            timings[name] = round(now - clock, 2)
            clock = now

        for entity, loader in ((Entity.COMPANY, lambda: _customer_records(CustomerKind.COMPANY)),
                               (Entity.PERSON, lambda: _customer_records(CustomerKind.PERSON)),
                               (Entity.CONTACT, _contact_records)):
            report(f"{entity}: keys", 0, 0)
            keys = _keys(loader(), report, f"{entity}: keys")
            lap(f"{entity}: read + keys")
            records_total += len(keys)
            result = find_duplicates(
                keys, threshold=scan.threshold, exclude=_dismissed(entity),
                progress=lambda done, total, entity=entity: report(f"{entity}: pairs", done, total))
            compared += result.compared
            results.append((entity, result))
            lap(f"{entity}: blocking + training + scoring + clusters")
        report("saving", 0, 0)
        with transaction.atomic():
            DuplicateCluster.objects.filter(status=ClusterStatus.OPEN).exclude(scan=scan).delete()
            clusters_found = sum(_store(scan, entity, result) for entity, result in results)
            lap("saving")
            ScanRun.objects.filter(pk=scan.pk).update(
                status=ScanStatus.DONE, finished_at=timezone.now(), records=records_total, compared=compared,
                clusters_found=clusters_found, stage="done",
                parameters={**{entity: result.parameters.as_dict() for entity, result in results},
                            "timings": timings})
    except Exception:  # noqa: BLE001 - a failed scan is recorded, then re-raised for the job runner
        ScanRun.objects.filter(pk=scan.pk).update(status=ScanStatus.FAILED, finished_at=timezone.now(),
                                                  error=traceback.format_exc()[-4000:])
        raise
    scan.refresh_from_db()
    return scan


def _insert(model, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Plain INSERTs with executemany: members and pairs are tens of thousands of small rows, and
    bulk_create's per-object work was most of the saving time (these models have no defaults to fill)."""
    if not rows:
        return
    quote = connection.ops.quote_name
    sql = (f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(column) for column in columns)}) "
           f"VALUES ({', '.join(['%s'] * len(columns))})")
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            cursor.executemany(sql, rows[start:start + 5000])


def _store(scan: ScanRun, entity: str, result) -> int:
    explanation = DuplicatePair._meta.get_field("explanation")
    known = _known_confirmed(entity)
    clusters = [cluster for cluster in result.clusters if frozenset(cluster.members) not in known]
    if entity == Entity.CONTACT:
        company_of = dict(Contact.objects.filter(pk__in={m for c in clusters for m in c.members})
                          .values_list("pk", "customer_id"))
        values = _order_values(set(company_of.values()))
        value_of = {contact: values.get(company, Decimal(0)) for contact, company in company_of.items()}
    else:
        value_of = _order_values({m for c in clusters for m in c.members})
    for batch in (clusters[start:start + 2000] for start in range(0, len(clusters), 2000)):
        created = DuplicateCluster.objects.bulk_create([
            DuplicateCluster(scan=scan, entity=entity, score=cluster.score, size=len(cluster.members),
                             value=sum((value_of.get(m, Decimal(0)) for m in cluster.members), Decimal(0)))
            for cluster in batch
        ], batch_size=500)
        members, pairs = [], []
        member_column = "contact_id" if entity == Entity.CONTACT else "customer_id"
        for row, cluster in zip(created, batch, strict=True):
            members.extend((row.pk, member) for member in cluster.members)
            pairs.extend((row.pk, min(pair.left, pair.right), max(pair.left, pair.right), pair.probability,
                          pair.weight, explanation.get_db_prep_save(pair.as_dict()["fields"], connection))
                         for pair in cluster.pairs)
        _insert(ClusterMember, ("cluster_id", member_column), members)
        _insert(DuplicatePair, ("cluster_id", "left_id", "right_id", "probability", "weight", "explanation"), pairs)
    return len(clusters)
