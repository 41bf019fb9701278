"""Fewer garbage-collector passes while a bulk import runs.

A bulk load makes millions of short-lived tuples (rows handed to `executemany`, per-distinct answers,
lookup keys) and keeps large per-import caches. With CPython's default thresholds (a young-generation
pass every 700 container allocations) the collector ran thousands of times during a 1M-line load and
walked the growing caches again and again: about 4 % of the load's CPU time under `perf`, all of it
holding the GIL that the importing, checking and writing threads share. With the young generation
collected every 100,000 allocations it is about 1 %.

Nothing is kept alive longer than one young-generation pass: objects freed by reference counting (nearly
all of them) go at once as before, and reference cycles wait for the next pass, at most 100,000
allocations later. The thresholds are the process's, so they are raised once for nested or concurrent
imports and restored when the last one ends."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

BULK_GC_THRESHOLDS = (100_000, 50, 1000)

_lock = threading.Lock()
_active = 0
_saved: tuple[int, int, int] | None = None


@contextmanager
def fewer_gc_passes() -> Iterator[None]:
    """Raise the collector's thresholds to BULK_GC_THRESHOLDS inside the block; the ones in force before
    the outermost block are restored when it ends, however it ends."""
    global _active, _saved
    with _lock:
        if _active == 0:
            _saved = gc.get_threshold()
            gc.set_threshold(*BULK_GC_THRESHOLDS)
        _active += 1
    try:
        yield
    finally:
        with _lock:
            _active -= 1
            if _active == 0 and _saved is not None:
                gc.set_threshold(*_saved)
                _saved = None
