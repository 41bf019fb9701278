"""The scheduler: enqueue each due schedule entry exactly once, however many schedulers run.

`scheduler_tick` is one pass; `scheduler_loop` repeats it until told to stop. A run is claimed with
a conditional UPDATE (`… WHERE next_due_at = <the value we read>`): of two schedulers that read the
same due row only one UPDATE matches, and only that one enqueues. A scheduler that was down does not
catch up missed runs one by one: a due entry is enqueued once and its next due time moves past now."""

import datetime as dt
import logging
import threading
from collections.abc import Callable

from django.db import DatabaseError, close_old_connections, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks.base import Task

from veracity.ops.jobs.models import ScheduledJob
from veracity.ops.jobs.schedule import InvalidSpec, ScheduleEntry, entries, next_due

logger = logging.getLogger("veracity.jobs")

MAX_SLEEP_SECONDS = 60.0  # picks up an admin's enable/disable within a minute
MIN_SLEEP_SECONDS = 1.0

_warned_unavailable: set[str] = set()


def target_available(entry: ScheduleEntry) -> bool:
    """Whether the entry's target imports (another app may not be installed yet)."""
    try:
        import_string(entry.target)
    except ImportError:
        return False
    return True


def _resolve(entry: ScheduleEntry) -> Callable[[], object] | None:
    """A callable that enqueues one run of `entry`, or None (with one warning) if its target is missing."""
    try:
        target = import_string(entry.target)
    except ImportError as error:
        if entry.name not in _warned_unavailable:
            logger.warning("Scheduled job %s skipped: its target %s does not import (%s)",
                           entry.name, entry.target, error)
            _warned_unavailable.add(entry.name)
        return None
    if isinstance(target, Task):
        return lambda: target.enqueue(**entry.kwargs)
    from veracity.ops.jobs.tasks import scheduled_job_run

    return lambda: scheduled_job_run.enqueue(name=entry.name)


def schedule_sync(*, now: dt.datetime | None = None) -> list[ScheduledJob]:
    """Make sure every declared entry has its row, with the spec from code and a next due time."""
    now = now or timezone.now()
    rows = []
    for entry in entries().values():
        row, created = ScheduledJob.objects.get_or_create(
            name=entry.name, defaults={"spec": entry.spec, "enabled": entry.enabled_by_default,
                                       "next_due_at": next_due(entry.spec, now)})
        if not created and (row.spec != entry.spec or row.next_due_at is None):
            # The code changed the spec: recompute when it is next due (conditional, like a claim).
            ScheduledJob.objects.filter(pk=row.pk, spec=row.spec).update(
                spec=entry.spec, next_due_at=next_due(entry.spec, now))
            row.refresh_from_db()
        rows.append(row)
    return rows


def scheduler_tick(*, now: dt.datetime | None = None) -> list[str]:
    """Enqueue every enabled entry that is due; return the names this scheduler enqueued."""
    now = now or timezone.now()
    declared = entries()
    enqueued = []
    due = ScheduledJob.objects.filter(enabled=True, next_due_at__lte=now, name__in=list(declared))
    for row in list(due):
        entry = declared[row.name]
        enqueue = _resolve(entry)
        if enqueue is None:
            continue
        try:
            following = next_due(entry.spec, now)
        except InvalidSpec:
            logger.exception("Scheduled job %s has an invalid schedule", entry.name)
            continue
        claimed = ScheduledJob.objects.filter(pk=row.pk, enabled=True, next_due_at=row.next_due_at).update(
            next_due_at=following, last_enqueued_at=now)
        if not claimed:
            continue  # another scheduler took this run, or an admin just disabled it

        def after_commit(row=row, enqueue=enqueue):
            result = enqueue()
            ScheduledJob.objects.filter(pk=row.pk).update(last_result_id=str(result.id))
            logger.info("Enqueued scheduled job %s as %s", row.name, result.id)

        transaction.on_commit(after_commit)
        enqueued.append(row.name)
    return enqueued


def seconds_until_next(*, now: dt.datetime | None = None) -> float:
    """How long the loop may sleep: until the earliest due entry, between 1 and 60 seconds."""
    now = now or timezone.now()
    soonest = (ScheduledJob.objects.filter(enabled=True, next_due_at__isnull=False, name__in=list(entries()))
               .order_by("next_due_at").values_list("next_due_at", flat=True).first())
    if soonest is None:
        return MAX_SLEEP_SECONDS
    return min(max((soonest - now).total_seconds(), MIN_SLEEP_SECONDS), MAX_SLEEP_SECONDS)


def scheduler_loop(stop: threading.Event) -> None:
    """Tick, then sleep until the next due time (bounded), until `stop` is set."""
    logger.info("Scheduler started: %s", ", ".join(entries()))
    schedule_sync()
    while not stop.is_set():
        close_old_connections()
        try:
            names = scheduler_tick()
            if names:
                logger.info("Scheduler enqueued: %s", ", ".join(names))
            wait = seconds_until_next()
        except DatabaseError:  # a database hiccup must not kill the scheduler; retry soon
            logger.exception("Scheduler pass failed; retrying in %s s", MAX_SLEEP_SECONDS)
            wait = MAX_SLEEP_SECONDS
        close_old_connections()
        stop.wait(wait)
    logger.info("Scheduler stopped")
