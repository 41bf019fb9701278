"""`veracity scheduler`: enqueue the periodic jobs of ops/jobs/schedule.py when they are due."""

import logging
import signal
import threading

from django.core.management.base import BaseCommand

from veracity.ops.jobs.scheduler import schedule_sync, scheduler_loop, scheduler_tick


def configure_logging(stdout, verbosity: int) -> None:
    """Send the jobs, worker and task loggers to the command's output at the chosen verbosity."""
    level = {0: logging.WARNING, 1: logging.INFO}.get(verbosity, logging.DEBUG)
    for name in ("veracity.jobs", "django_tasks", "django_tasks_db"):
        log = logging.getLogger(name)
        log.setLevel(level)
        if not log.handlers:
            handler = logging.StreamHandler(stdout)
            handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
            log.addHandler(handler)
            log.propagate = False


class Command(BaseCommand):
    help = ("Run the scheduler: enqueue periodic jobs (purge the trash, backups, …) when they are due. "
            "Safe to run more than once: each run is enqueued exactly once. Stops on SIGTERM or Ctrl+C. "
            "`veracity worker` runs it for you.")

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Enqueue what is due now, then exit.")

    def handle(self, *args, once: bool = False, verbosity: int = 1, **options):
        configure_logging(self.stdout, verbosity)
        if once:
            schedule_sync()
            names = scheduler_tick()
            self.stdout.write(f"Enqueued {len(names)} job(s){': ' + ', '.join(names) if names else ''}.")
            return
        stop = threading.Event()

        def on_signal(signum, frame):
            logging.getLogger("veracity.jobs").info("Received %s: stopping", signal.strsignal(signum))
            stop.set()

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        scheduler_loop(stop)
