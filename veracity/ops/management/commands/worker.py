"""`veracity worker`: the one background process: the django-tasks-db worker and the scheduler."""

import logging
import signal
import threading

from django.core.management.base import BaseCommand, CommandError
from django.utils.crypto import get_random_string
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.management.commands.db_worker import Worker

from veracity.ops.jobs.liveness import Heartbeat, jobs_orphaned_fail
from veracity.ops.jobs.scheduler import schedule_sync, scheduler_loop, scheduler_tick
from veracity.ops.management.commands.scheduler import configure_logging

logger = logging.getLogger("veracity.jobs")


class Command(BaseCommand):
    help = ("Run background jobs: the database queue's worker and, in a second thread, the scheduler "
            "that enqueues periodic jobs. SIGTERM or Ctrl+C lets the running job finish, then stops "
            "(a second one stops at once).")

    def add_arguments(self, parser):
        parser.add_argument("--queue-name", default="*",
                            help="Queues to work on, comma-separated; '*' for all (default).")
        parser.add_argument("--interval", type=float, default=1.0,
                            help="Seconds between looks at an empty queue (default 1).")
        parser.add_argument("--batch", action="store_true",
                            help="Enqueue what is due, run every queued job, then exit (for cron and tests).")
        parser.add_argument("--no-scheduler", action="store_true",
                            help="Only work the queue; run `veracity scheduler` elsewhere.")
        parser.add_argument("--worker-id", default="",
                            help="A unique name for this worker (default: random).")
        parser.add_argument("--heartbeat", type=float, default=10.0,
                            help="Seconds between heartbeats (default 10). A job whose worker misses three "
                                 "is marked failed (worker lost) by the next worker that looks.")

    def handle(self, *args, queue_name: str, interval: float, batch: bool, no_scheduler: bool,
               worker_id: str, heartbeat: float, verbosity: int = 1, **options):
        configure_logging(self.stdout, verbosity)
        backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
        if not isinstance(backend, DatabaseBackend):
            raise CommandError(f"The task backend is {type(backend).__name__}, not the database queue: "
                               "there is nothing for a worker to do (see TASKS in the settings).")
        if interval < 0:
            raise CommandError("--interval must be zero or more.")
        if heartbeat <= 0:
            raise CommandError("--heartbeat must be more than zero.")
        worker = Worker(queue_names=queue_name.split(","), interval=interval, batch=batch,
                        backend_name=DEFAULT_TASK_BACKEND_ALIAS, startup_delay=False, max_tasks=None,
                        worker_id=worker_id or get_random_string(32), excluded_queue_names=[])
        if batch:
            for job_id in jobs_orphaned_fail(default_interval=heartbeat):
                self.stdout.write(f"Job {job_id} was left running by a lost worker: marked failed.")
            if not no_scheduler:
                schedule_sync()
                scheduler_tick()
            worker.run()
            return

        beats = Heartbeat(worker.worker_id, heartbeat)
        beats.start()  # first fails what a killed worker left running

        stop = threading.Event()
        scheduler = None
        if not no_scheduler:
            scheduler = threading.Thread(target=scheduler_loop, args=(stop,), name="veracity-scheduler",
                                         daemon=True)

        def on_signal(signum, frame):
            stop.set()
            worker.shutdown(signum, frame)  # exits now when idle, else after the running job

        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, on_signal)
        logger.info("Worker %s started (queues %s; scheduler %s)", worker.worker_id, queue_name,
                    "off" if no_scheduler else "on")
        if scheduler:
            scheduler.start()
        try:
            worker.run()
        finally:
            beats.close()
            stop.set()
            if scheduler:
                scheduler.join(timeout=10)
            logger.info("Worker %s stopped", worker.worker_id)
