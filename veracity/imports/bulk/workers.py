"""The dry run's per-batch checks in worker processes, while the parent resolves and writes.

What a batch needs from the entry rules (`checks.order_lines_check`) and the search keys of the
customers it may create (`customers.services.customer_derived_fields`) depend on the batch alone, not
on the database: they were about half of a large dry run. `BatchChecks` sends each batch to a small
process pool (`VERACITY_IMPORT_CHECK_WORKERS` processes; off by default, see below) and hands the answers
back in file order,
with at most `workers + 1` batches in flight, so memory stays bounded and the outcome (row numbers,
error order, cleaned values) is exactly what checking in the parent gives: the same functions run on
the same frames; only where they run differs.

Workers never touch the database: the parent reads the entry rules once (`standards.validation.
rule_inputs`) and each worker pins them (`rule_sets_pin`); they run in the parent's language. They are
started with "spawn" (a fresh interpreter that sets Django up): forking a process that has Polars
threads and open database connections is not safe. A worker that dies makes the parent check the
remaining batches itself.

Off by default (0 workers): on the 2-core benchmark machine shared with other jobs (load average 3–8), one
or two workers made the dry run slower, not faster (docs/benchmarks.md, "third round"): each worker
pays a Django start-up and cleans the values it has not seen itself (caches are per process, and most of
a dry run's work is the first sight of each customer's phone, name and search keys), and there was no
idle core to absorb that. Turn it on where cores are idle.

Without worker processes, a thread checks batch k+1 while the caller resolves batch k (on by default,
`VERACITY_IMPORT_CHECK_THREAD`): the checks are mostly Polars work, which releases the GIL, so the
two overlap on a second core, with the caches shared and no second interpreter to pay for. The thread
gets the rules read by the caller (thread-pinned, so it reads no database, and sees the caller's
transaction's rules) and the caller's language."""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool

import polars as pl
from django.conf import settings
from django.db import connections
from django.utils import translation

from veracity.imports.bulk import check_process
from veracity.imports.bulk.checks import order_lines_check
from veracity.imports.bulk.frames import FrameBatch

logger = logging.getLogger(__name__)

DEFAULT_WORKERS = 0
# Below this a pool's start-up (a Django set-up per worker, ~1-2 s) costs more than it saves.
DEFAULT_POOL_MIN_BYTES = 16 * 1024 * 1024
ENTITIES = ["customer", "order", "order_line", "product"]

def check_thread() -> bool:
    """Whether a thread checks the next batch while this one is resolved (when no worker processes do)."""
    return bool(getattr(settings, "VERACITY_IMPORT_CHECK_THREAD", True))


def check_workers(size: int) -> int:
    """How many worker processes check the batches of a `size`-byte file: 0 means the parent does."""
    workers = int(getattr(settings, "VERACITY_IMPORT_CHECK_WORKERS", DEFAULT_WORKERS))
    if size < int(getattr(settings, "VERACITY_IMPORT_CHECK_POOL_MIN_BYTES", DEFAULT_POOL_MIN_BYTES)):
        return 0
    return max(0, min(workers, os.cpu_count() or 1))


def customer_keys_frame(frame: pl.DataFrame, cleaned: pl.DataFrame, codes: list[str], cache: dict) -> pl.DataFrame:
    """The search keys (customer_derived_fields) of every distinct cleaned (code, name, phone, email) on
    an order's first line whose customer code is written as one of `codes`, in the shape bulk.orders
    reads them (`cleaned` has `frame`'s rows in its order)."""
    from veracity.customers.services import customer_derived_fields
    from veracity.imports.bulk.orders import customer_keys_schema

    schema = customer_keys_schema()
    if not codes:
        return pl.DataFrame(schema=schema)
    wanted = frame.get_column("customer_code").is_in(codes).fill_null(False)
    heads = (cleaned.filter(wanted & pl.col("first") & pl.col("code").is_not_null()
                            & pl.col("customer_name").is_not_null())
             .select("code", pl.col("customer_name").alias("name"), pl.col("phone").fill_null(""),
                     pl.col("email").fill_null("")).unique(maintain_order=True))
    rows = []
    for code, name, phone, email in heads.iter_rows():
        key = ("customer_keys", name)  # the keys depend on the name alone (a company)
        if key not in cache:
            cache[key] = customer_derived_fields({"name": name, "kind": "company"})
        rows.append({"code": code, "name": name, "phone": phone, "email": email, **cache[key]})
    return pl.DataFrame(rows, schema=schema) if rows else pl.DataFrame(schema=schema)


def batch_check(frame: pl.DataFrame, codes: list[str], cache: dict) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(cleaned, errors, customer keys) of one batch: the entry rules, then the keys of `codes`."""
    cleaned, errors = order_lines_check(frame, cache=cache)
    return cleaned, errors, customer_keys_frame(frame, cleaned, codes, cache)


class BatchChecks:
    """Iterate (batch, (cleaned, errors), customer keys) over `batches` in order; `workers` 0 checks in
    this process. `_new_codes(batch)` names the customer codes whose keys are wanted (the parent keeps
    track of which it asked for already); with the thread, `keys_wanted` narrows them (_threaded)."""

    def __init__(self, batches: Iterable[FrameBatch], *, workers: int, cache: dict, thread: bool = False,
                 keys_wanted: Callable[[list[str]], list[str]] | None = None) -> None:
        self.batches = iter(batches)
        self.keys_wanted = keys_wanted
        self.workers = workers
        self.thread = thread
        self.cache = cache
        self.asked: set[str] = set()
        self.pool: ProcessPoolExecutor | None = None

    def _new_codes(self, batch: FrameBatch) -> list[str]:
        """Raw customer codes (as written on an order's first line) not asked for by an earlier batch.
        A code whose first customer is refused gets its keys computed by the load when needed."""
        frame = batch.frame
        raw = (frame.filter(pl.col("unit").is_first_distinct()).get_column("customer_code")
               .drop_nulls().unique(maintain_order=True).to_list())
        fresh = [code for code in raw if code not in self.asked]
        self.asked.update(fresh)
        return fresh

    def __iter__(self) -> Iterator[tuple[FrameBatch, tuple[pl.DataFrame, pl.DataFrame], pl.DataFrame]]:
        if self.workers <= 0 and self.thread:
            yield from self._threaded()
            return
        if self.workers <= 0:
            # In this process the load's own step computes the keys of exactly the customers it creates:
            # asking for every new code here would also compute those of customers that already exist.
            for batch in self.batches:
                cleaned, errors, keys = batch_check(batch.frame, [], self.cache)
                yield batch, (cleaned, errors), keys
            return
        from veracity.standards.validation import rule_inputs

        self.pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"),
                                        initializer=check_process.worker_start,
                                        initargs=(rule_inputs(ENTITIES), translation.get_language()))
        pending: deque[tuple[FrameBatch, list[str], Future | None]] = deque()
        try:
            exhausted = False
            while True:
                while not exhausted and len(pending) <= self.workers:
                    batch = next(self.batches, None)
                    if batch is None:
                        exhausted = True
                        break
                    codes = self._new_codes(batch)
                    pending.append((batch, codes, self._submit(batch, codes)))
                if not pending:
                    return
                batch, codes, future = pending.popleft()
                yield batch, *self._answer(batch, codes, future)
        finally:
            self.close()

    def _threaded(self) -> Iterator[tuple[FrameBatch, tuple[pl.DataFrame, pl.DataFrame], pl.DataFrame]]:
        """Batch k+1 checked in one thread while the caller handles batch k; answers in file order.

        The search keys are computed in the thread only for the codes `keys_wanted` keeps. The load
        keeps those no customer has yet: it spends most of its time in the database, which releases
        the GIL, so the thread's Python finds it free (1M lines in one pass: 34.6 → 32.6 s). The dry
        run passes None and its step computes the keys of exactly the customers it creates: it is
        Python most of the time, and keys computed in the thread only waited for the GIL there."""
        from veracity.standards.validation import rule_inputs

        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-checks", initializer=_thread_start,
                                  initargs=(rule_inputs(ENTITIES), translation.get_language()))
        pending: deque[tuple[FrameBatch, Future]] = deque()
        try:
            for batch in self.batches:
                codes = self.keys_wanted(self._new_codes(batch)) if self.keys_wanted else []
                pending.append((batch, pool.submit(batch_check, batch.frame, codes, self.cache)))
                if len(pending) > 1:
                    yield self._threaded_answer(*pending.popleft())
            while pending:
                yield self._threaded_answer(*pending.popleft())
        finally:
            for _batch, future in pending:
                future.cancel()
            pool.submit(connections.close_all)  # whatever the thread opened, it closes (normally nothing)
            pool.shutdown(wait=True)

    @staticmethod
    def _threaded_answer(batch: FrameBatch, future: Future):
        cleaned, errors, keys = future.result()
        return batch, (cleaned, errors), keys

    def _submit(self, batch: FrameBatch, codes: list[str]) -> Future | None:
        if self.pool is None:
            return None
        try:
            return self.pool.submit(check_process.worker_check, batch.frame, codes)
        except BrokenProcessPool:
            self._give_up()
            return None

    def _answer(self, batch: FrameBatch, codes: list[str], future: Future | None):
        if future is not None:
            try:
                cleaned, errors, keys = future.result()
                return (cleaned, errors), keys
            except (BrokenProcessPool, CancelledError):  # cancelled: the pool was given up on meanwhile
                self._give_up()
        cleaned, errors, keys = batch_check(batch.frame, codes, self.cache)
        return (cleaned, errors), keys

    def _give_up(self) -> None:
        if self.pool is None:
            return
        logger.warning("An import's check worker died; the remaining batches are checked in this process.")
        self.close()

    def __enter__(self) -> BatchChecks:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None


def _thread_start(rules: dict, language: str | None) -> None:
    from veracity.standards.validation import rule_sets_pin

    rule_sets_pin(rules, this_thread_only=True)
    if language:
        translation.activate(language)
