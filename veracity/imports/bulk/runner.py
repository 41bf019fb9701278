"""Running an import through the bulk path: the dry run and the load, batch by batch.

Each batch commits its data, its ImportBatch row, its ImportedRecord links, its row errors, the run's
progress and heartbeat and one summary audit event in ONE transaction (SQLite: BEGIN IMMEDIATE …
COMMIT around executemany; PostgreSQL: COPY inside the same transaction), so a killed process leaves
whole batches only; a resumed run skips the batches already committed. The load writes batch k on a
second connection while it resolves batch k + 1 (`_execute_pipelined`, decision 0011)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass

import polars as pl
from django.conf import settings
from django.db import connection, connections, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from veracity.accounts.access import access_scope
from veracity.accounts.models import Action, Resource, Scope
from veracity.audit.models import AuditAction
from veracity.audit.services import audit_event_record
from veracity.customers.models import Customer
from veracity.imports.bulk import indexes, writers
from veracity.imports.bulk.frames import FrameBatch, order_batches, read_frames, utf8_path
from veracity.imports.bulk.gc_passes import fewer_gc_passes
from veracity.imports.bulk.orders import (
    BatchResult,
    BulkState,
    DirectWriteNeeded,
    batch_apply,
    codes_without_customer,
)
from veracity.imports.bulk.prepared import PreparedBatch, PreparedWriter, prepared_batches, prepared_discard
from veracity.imports.bulk.workers import BatchChecks, check_thread, check_workers
from veracity.imports.entities import Context
from veracity.imports.models import ImportBatch, ImportedRecord, ImportRowError, ImportRun
from veracity.imports.pipeline import VALUE_PREVIEW_CHARS
from veracity.sales.models import Order, OrderLine

logger = logging.getLogger(__name__)

DEFAULT_BULK_MIN_BYTES = 1024 * 1024
BULK_BATCH_SIZE = 50_000
SQLITE_CACHE_KIB = 128 * 1024
# The tables a bulk order load fills by the hundred thousand (products are few).
DEFERRED_INDEX_MODELS = (OrderLine, Order, Customer, ImportedRecord)
_NEEDED = ((Resource.CUSTOMER, Action.CREATE), (Resource.CUSTOMER, Action.EDIT), (Resource.PRODUCT, Action.CREATE),
           (Resource.PRODUCT, Action.EDIT), (Resource.ORDER, Action.CREATE), (Resource.ORDER, Action.EDIT))


def bulk_min_bytes() -> int:
    return int(getattr(settings, "VERACITY_IMPORT_BULK_MIN_BYTES", DEFAULT_BULK_MIN_BYTES))


def bulk_eligible(*, entity: str, file_kind: str, size: int, actor) -> bool:
    """The bulk path takes order-line CSV files of at least VERACITY_IMPORT_BULK_MIN_BYTES, imported by
    someone whose scope on customers, products and orders is "all" (or the system): per-record scope
    checks are what the row path is for. Everything else goes row by row."""
    if entity != "orders" or file_kind != "csv" or size < bulk_min_bytes():
        return False
    if actor is None:
        return True
    return all(access_scope(actor, resource, action) == Scope.ALL for resource, action in _NEEDED)


def _sqlite_tuning() -> None:
    """A larger page cache for this connection (not a durability setting): the order tables carry a
    dozen indexes, and a 2 MB cache makes every insert touch the disk cache again."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")


@contextmanager
def run_batches(run: ImportRun) -> Iterator[Iterator[FrameBatch]]:
    _sqlite_tuning()
    with utf8_path(run.file.path, run.encoding) as path:
        chunks = read_frames(path, headers=run.headers, mapping=run.mapping)
        yield order_batches(chunks, batch_size=run.batch_size)


def _row_errors(run: ImportRun, errors: pl.DataFrame) -> list[ImportRowError]:
    return [ImportRowError(run=run, row_number=row, column=(column or "")[:100], value=(value or "")[:VALUE_PREVIEW_CHARS],
                           message=message, level=ImportRowError.Level.ERROR)
            for row, column, value, message in errors.iter_rows()]


def _merge(total: dict, counts: dict) -> None:
    for key in ("rows", "valid", "invalid", "created", "updated", "unchanged"):
        total[key] = total.get(key, 0) + counts[key]
    for label, related in counts["related"].items():
        target = total.setdefault("related", {}).setdefault(label, {"created": 0, "updated": 0})
        for key, value in related.items():
            target[key] += value


@fewer_gc_passes()
def bulk_validate(run: ImportRun, ctx: Context, *, progress: Callable[[int], None] | None = None
                  ) -> tuple[dict, list[ImportRowError]]:
    """The dry run: every batch is checked and resolved as the load will do it, but nothing is written:
    the customers, products and orders earlier batches would create are remembered in memory, so later
    batches count them as existing. Units handed to the row path run in a transaction rolled back at
    the end."""
    counts = {"rows": 0, "valid": 0, "invalid": 0, "created": 0, "updated": 0, "unchanged": 0, "related": {}}
    errors: list[ImportRowError] = []
    state = BulkState(ctx=ctx, dry_run=True)
    prepared = PreparedWriter(run)
    try:
        with transaction.atomic(), run_batches(run) as batches:
            # The entry rules (and with worker processes the search keys) of the next batches are checked
            # meanwhile, in a thread or in worker processes.
            with BatchChecks(batches, workers=check_workers(run.file.size), cache=state.cache,
                             thread=check_thread()) as checks:
                for batch, checked, customer_keys in checks:
                    result = batch_apply(batch, state, checked=checked, customer_keys=customer_keys)
                    _merge(counts, result.counts)
                    errors.extend(_row_errors(run, result.errors))
                    prepared.write(PreparedBatch(batch, result.cleaned, result.check_errors, result.customer_keys))
                    if progress:
                        progress(counts["rows"])
            transaction.set_rollback(True)
    except BaseException:
        prepared_discard(run)  # a file the dry run could not finish leaves nothing behind
        raise
    prepared.finish()
    return counts, errors


def _load_batches(run: ImportRun, state: BulkState, *, after: int) -> Iterator[tuple[FrameBatch, dict]]:
    """(batch, what batch_apply may reuse) for the batches numbered above `after`: the dry run's
    prepared batches when they still match the file and the entry rules (bulk.prepared), else the CSV
    read and checked again — the next batch in a thread while this one is written, as in the dry run
    (a load in one pass, without a dry run, takes this way)."""
    prepared = prepared_batches(run, after=after)
    if prepared is not None:
        _sqlite_tuning()
        for item in prepared:
            yield item.batch, {"checked": (item.cleaned, item.errors), "customer_keys": item.customer_keys}
        return
    with run_batches(run) as batches:
        remaining = (batch for batch in batches if batch.number > after)
        with BatchChecks(remaining, workers=0, cache=state.cache, thread=check_thread(),
                         keys_wanted=codes_without_customer) as checks:
            for batch, checked, customer_keys in checks:
                yield batch, {"checked": checked, "customer_keys": customer_keys}


def _id_ranges(records: list[tuple]) -> list[tuple]:
    """(content type, first id, last id or None, action, previous, version): records created in a row
    with consecutive ids of one kind (new orders, customers, products: ids allocated as a block)
    become one range, in the order they were written; anything else stays one row per record."""
    out: list[list] = []
    for content_type, object_id, action, previous, version in records:
        plain = action == "created" and previous == "{}" and version == 1
        if out and plain and out[-1][6] and out[-1][0] == content_type and (out[-1][2] or out[-1][1]) + 1 == object_id:
            out[-1][2] = object_id
            continue
        out.append([content_type, object_id, None, action, previous, version, plain])
    return [tuple(row[:6]) for row in out]


def _commit_bookkeeping(run: ImportRun, batch: FrameBatch, result: BatchResult, actor) -> None:
    committed = ImportBatch.objects.create(run=run, number=batch.number, row_start=batch.row_start,
                                           row_end=batch.row_end, rows=batch.row_count, committed_at=timezone.now())
    records = [(run.pk, committed.pk, content_type, first, last, action, previous, version)
               for content_type, first, last, action, previous, version in _id_ranges(result.records)]
    writers.copy_direct(ImportedRecord, ["run_id", "batch_id", "content_type_id", "object_id", "object_id_last",
                                         "action", "previous", "version_after"], records)
    ImportRowError.objects.bulk_create(_row_errors(run, result.errors), batch_size=1000)
    locked = ImportRun.objects.select_for_update().get(pk=run.pk)
    done = locked.counts.get("done") or {"rows": 0, "valid": 0, "invalid": 0, "created": 0, "updated": 0,
                                         "unchanged": 0, "related": {}}
    _merge(done, result.counts)
    locked.counts = {**locked.counts, "done": done}
    locked.save(update_fields=["counts", "updated_at"])
    ImportRun.objects.filter(pk=run.pk).update(rows_done=F("rows_done") + batch.row_count, batches_done=batch.number,
                                               heartbeat_at=timezone.now())
    run.counts = locked.counts
    # One summary event per batch instead of one per record: the ImportedRecord rows name every record.
    audit_event_record(actor=actor, action=AuditAction.UPDATE, obj=run, extra={
        "event": "import_batch", "entity": run.entity, "file": run.original_name, "method": "bulk",
        "batch": batch.number, "rows": [batch.row_start, batch.row_end], "counts": result.counts,
        "records": len(result.records)})


@fewer_gc_passes()
def bulk_execute(run: ImportRun, ctx: Context, *, last: int, all_or_nothing: bool, actor,
                 progress: Callable[[int], None] | None = None) -> str:
    """Load the batches after `last`; "" when done, else why it stopped (the batch was rolled back).
    A large load drops the secondary indexes of the tables it fills first (on PostgreSQL also their foreign
    keys, and turns their autovacuum off) and puts them back at the end, whatever happens
    (imports.bulk.indexes; a killed process leaves them to the next run or resume)."""
    if indexes.defer_worthwhile(run.rows_total - run.rows_done, OrderLine.objects.count()):
        tables = [model._meta.db_table for model in DEFERRED_INDEX_MODELS]
        indexes.indexes_defer(tables, run=run)
        indexes.foreign_keys_defer(tables, run=run)
        indexes.autovacuum_defer(tables, run=run)
    try:
        message = _execute_batches(run, ctx, last=last, all_or_nothing=all_or_nothing, actor=actor, progress=progress)
    finally:
        indexes.indexes_restore()
    if not message:
        prepared_discard(run)  # loaded: the dry run's frames have served
    return message


def pipeline_enabled() -> bool:
    """Whether a load writes each batch on a second connection while the next one is resolved
    (VERACITY_IMPORT_PIPELINE, on by default). Never inside a transaction (a test's, a caller's: the
    other connection would not see its rows) nor on an in-memory SQLite database (shared-cache mode
    locks tables instead of letting one writer and readers run side by side as WAL does)."""
    if not getattr(settings, "VERACITY_IMPORT_PIPELINE", True) or connection.in_atomic_block:
        return False
    return connection.vendor != "sqlite" or not connection.is_in_memory_db()


def _execute_batches(run: ImportRun, ctx: Context, *, last: int, all_or_nothing: bool, actor,
                     progress: Callable[[int], None] | None) -> str:
    if pipeline_enabled():
        return _execute_pipelined(run, ctx, last=last, all_or_nothing=all_or_nothing, actor=actor, progress=progress)
    state = BulkState(ctx=ctx)
    for batch, reused in _load_batches(run, state, after=last):
        message = _apply_in_turn(run, state, batch, reused, all_or_nothing=all_or_nothing, actor=actor)
        if message:
            return message
        if progress:
            progress(batch.row_count)
    return ""


def _apply_in_turn(run: ImportRun, state: BulkState, batch: FrameBatch, reused: dict, *, all_or_nothing: bool,
                   actor) -> str:
    """Resolve and write one batch on this connection, in one transaction with its bookkeeping; "" when
    written, else why it was not (rolled back)."""
    with transaction.atomic():
        result = batch_apply(batch, state, **reused)
        if result.units_invalid and all_or_nothing:
            transaction.set_rollback(True)
            return _invalid_since_dry_run(batch, result)
        _commit_bookkeeping(run, batch, result, actor)
    return ""


def _invalid_since_dry_run(batch: FrameBatch, result: BatchResult) -> str:
    first = result.errors.row(0) if result.errors.height else (batch.row_start, "", "", "")
    return _("Row %(row)s became invalid since the dry run (%(reason)s); batch %(batch)s was "
             "not loaded. Revert or fix and resume.") % {"row": first[0], "reason": first[3], "batch": batch.number}


class IdsTaken(Exception):
    """SQLite, pipelined: another writer took ids allocated to the batch before its write lock was held."""


@dataclass
class _Written:
    batch: FrameBatch
    reused: dict


class _BatchWriter:
    """Writes resolved batches, one at a time, on a connection of its own (its thread's), each in one
    transaction with its bookkeeping, as `_apply_in_turn` does on the importing connection. The
    database and psycopg / sqlite3 let go of the GIL while they insert, so the importing thread
    resolves the next batch meanwhile: on two cores the writes no longer add to the resolving."""

    def __init__(self, run: ImportRun, actor) -> None:
        self.run, self.actor = run, actor
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="batch-write")
        self.pending: tuple[_Written, Future] | None = None
        self.submitted = 0

    def submit(self, batch: FrameBatch, reused: dict, result: BatchResult, writes: list, first_ids: dict) -> None:
        assert self.pending is None
        self.submitted += 1
        self.pending = (_Written(batch, reused), self.pool.submit(self._write, batch, result, writes, first_ids))

    def wait(self) -> _Written | None:
        """The batch written since the last wait (None if none), once it has committed; its error if it failed."""
        if self.pending is None:
            return None
        written, future = self.pending
        self.pending = None
        try:
            future.result()
        except IdsTaken as error:
            error.written = written
            raise
        return written

    def _write(self, batch: FrameBatch, result: BatchResult, writes: list, first_ids: dict) -> None:
        _sqlite_tuning()
        with transaction.atomic():
            if connection.vendor == "sqlite" and not all(
                    writers.ids_still_free(model, first) for model, first in first_ids.items()):
                raise IdsTaken
            for function, args, kwargs in writes:
                function(*args, **kwargs)
            _commit_bookkeeping(self.run, batch, result, self.actor)

    def close(self) -> None:
        """Let the batch being written finish (committed or rolled back), then close the connection."""
        if self.pending is not None:
            self.pending[1].exception()
            self.pending = None
        self.pool.submit(connections.close_all).result()  # the writing thread's connection
        self.pool.shutdown()


def _execute_pipelined(run: ImportRun, ctx: Context, *, last: int, all_or_nothing: bool, actor,
                       progress: Callable[[int], None] | None) -> str:
    """The load, pipelined: batch k is written on the writer's connection while batch k+1 is resolved
    here (reads only: what batch k creates is remembered in the state, as in the dry run). A batch that
    needs this connection's own writes (the row path, a service's update) waits for the batch before it
    and is written in turn. Each batch still commits whole and in order, with its bookkeeping: killed at
    any moment, the database holds whole batches only, and a resume continues after the last one."""
    state = BulkState(ctx=ctx, pipelined=True)
    writer = _BatchWriter(run, actor)
    in_turn = resolved_again = 0
    items = _load_batches(run, state, after=last)
    replay: list[tuple[FrameBatch, dict]] = []

    def finished() -> bool:
        """Wait for the batch being written; False when it has to be resolved again (ids taken)."""
        try:
            written = writer.wait()
        except IdsTaken as taken:
            nonlocal resolved_again
            resolved_again += 1
            state.forget()
            replay[:0] = [(taken.written.batch, taken.written.reused)]
            return False
        if written and progress:
            progress(written.batch.row_count)
        return True

    try:
        while True:
            if replay:
                batch, reused = replay.pop(0)
            else:
                batch, reused = next(items, (None, None))
                if batch is None:
                    if finished():
                        return ""
                    continue
            try:
                result = batch_apply(batch, state, **reused)
            except DirectWriteNeeded:
                result = None
            if not finished():
                replay.append((batch, reused))  # resolved against what was not written: again, after
                continue
            if result is not None and result.units_invalid and all_or_nothing:
                return _invalid_since_dry_run(batch, result)  # nothing of it was written; those before are
            if result is None:
                in_turn += 1
                state.forget()
                state.pipelined = False
                try:
                    message = _apply_in_turn(run, state, batch, reused, all_or_nothing=all_or_nothing, actor=actor)
                finally:
                    state.pipelined = True
                if message:
                    return message
                if progress:
                    progress(batch.row_count)
                continue
            writes, first_ids = state.writes, state.first_ids
            state.written()
            writer.submit(batch, reused, result, writes, first_ids)
    finally:
        items.close()  # the reading (and checking) thread stops
        writer.close()
        logger.info("import %s: pipelined load, %s batches written meanwhile, %s in turn, %s resolved again "
                    "(ids taken)", run.pk, writer.submitted, in_turn, resolved_again)
