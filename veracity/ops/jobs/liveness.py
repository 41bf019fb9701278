"""Worker liveness: each `veracity worker` keeps a heartbeat row fresh; a job left RUNNING by a worker
whose heartbeat stopped (SIGKILL, OOM kill, crash, power loss) is marked failed with `WorkerLost`, so it
shows on the jobs page with a Retry button instead of staying "running" for ever.

A worker is lost when its heartbeat is older than three of its own intervals, or at once when it ran on
this host and its process no longer exists (the usual case after a restart). Every worker sweeps at
start and then on every beat, so a killed worker's job is failed as soon as any worker runs again."""

import datetime as dt
import logging
import os
import socket
import threading

from django.db import DatabaseError, close_old_connections, transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from veracity.audit.models import AuditAction
from veracity.audit.services import audit_event_record
from veracity.ops.jobs.errors import WorkerLost
from veracity.ops.jobs.models import WorkerHeartbeat

logger = logging.getLogger("veracity.jobs")

STALE_INTERVALS = 3


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def worker_beat(worker_id: str, *, interval: float, now: dt.datetime | None = None) -> WorkerHeartbeat:
    """Record that this worker is alive (creating its row on the first beat)."""
    now = now or timezone.now()
    beat, _created = WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"hostname": socket.gethostname(), "pid": os.getpid(), "interval_seconds": interval,
                  "seen_at": now},
        create_defaults={"hostname": socket.gethostname(), "pid": os.getpid(), "interval_seconds": interval,
                         "seen_at": now, "started_at": now})
    return beat


def worker_forget(worker_id: str) -> None:
    """A worker that stops cleanly removes its row (it finished or failed its job itself)."""
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


def _lost(beat: WorkerHeartbeat | None, job: DBTaskResult, now: dt.datetime, default_interval: float,
          host: str) -> bool:
    if beat is None:  # never beat (a worker from before heartbeats) or already forgotten
        return job.started_at is None or job.started_at < now - dt.timedelta(
            seconds=STALE_INTERVALS * default_interval)
    if beat.hostname == host and not _process_alive(beat.pid):
        return True
    return beat.seen_at < now - dt.timedelta(seconds=STALE_INTERVALS * beat.interval_seconds)


def jobs_orphaned_fail(*, now: dt.datetime | None = None, default_interval: float = 10.0) -> list[str]:
    """Mark failed every RUNNING job whose worker is lost; return their ids. Audited (actor: the system)."""
    now = now or timezone.now()
    host = socket.gethostname()
    running = list(DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING)
                   .only("id", "worker_ids", "started_at", "task_path"))
    if not running:
        return []
    workers = {job.worker_ids[-1] for job in running if job.worker_ids}
    beats = {beat.worker_id: beat for beat in WorkerHeartbeat.objects.filter(worker_id__in=workers)}
    failed = []
    for job in running:
        worker = job.worker_ids[-1] if job.worker_ids else ""
        beat = beats.get(worker)
        if not _lost(beat, job, now, default_interval, host):
            continue
        where = f"{beat.hostname}:{beat.pid}" if beat else "unknown"
        error = WorkerLost(f"The worker {worker or '?'} ({where}) stopped while running this job "
                           f"(killed or crashed); it was last seen at "
                           f"{beat.seen_at.isoformat() if beat else 'an unknown time'}. Retry it if it should run.")
        with transaction.atomic():
            locked = DBTaskResult.objects.select_for_update().filter(
                pk=job.pk, status=TaskResultStatus.RUNNING).first()
            if locked is None:  # finished meanwhile
                continue
            locked.set_failed(error)
            audit_event_record(actor=None, action=AuditAction.UPDATE, object_type="ops.job",
                               object_id=str(job.pk), object_repr=job.task_path[:255],
                               extra={"operation": "worker_lost", "worker": worker, "where": where})
        logger.warning("Job %s (%s) failed: its worker %s (%s) is gone", job.pk, job.task_path, worker, where)
        failed.append(str(job.pk))
    lost_workers = [beat.worker_id for beat in beats.values()
                    if _lost(beat, DBTaskResult(started_at=now), now, default_interval, host)]
    WorkerHeartbeat.objects.filter(worker_id__in=lost_workers).delete()
    return failed


class Heartbeat:
    """The worker's heartbeat thread: beat and sweep every `interval` seconds until stopped."""

    def __init__(self, worker_id: str, interval: float):
        self.worker_id, self.interval = worker_id, interval
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._loop, name="veracity-heartbeat", daemon=True)

    def _once(self) -> None:
        try:
            worker_beat(self.worker_id, interval=self.interval)
            jobs_orphaned_fail(default_interval=self.interval)
        except DatabaseError as error:  # a locked or restarting database: try again next beat
            logger.warning("Heartbeat of worker %s failed: %s", self.worker_id, error)

    def _loop(self) -> None:
        while not self.stop.wait(self.interval):
            close_old_connections()
            self._once()
        close_old_connections()

    def start(self) -> None:
        self._once()  # beat and sweep before the first job is taken
        self.thread.start()

    def close(self) -> None:
        self.stop.set()
        if self.thread.is_alive():
            self.thread.join(timeout=self.interval + 5)
        try:
            worker_forget(self.worker_id)
        except DatabaseError as error:
            logger.warning("Could not remove the heartbeat of worker %s: %s", self.worker_id, error)
