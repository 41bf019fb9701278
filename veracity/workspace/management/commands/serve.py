"""`veracity serve`: run Veracity with gunicorn (a production-grade WSGI server); WhiteNoise serves
the static files. Refuses to start while migrations are unapplied. With --with-worker it also starts
`veracity worker` (background jobs and the scheduler) as a child process and stops it on the way out."""

import ctypes
import os
import signal
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from gunicorn.app.base import BaseApplication

from veracity.core.wsgi import wsgi_application


def unapplied_migrations() -> list[str]:
    connection = connections[DEFAULT_DB_ALIAS]
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


class VeracityServer(BaseApplication):
    """gunicorn, configured from the command's options instead of its own command line."""

    def __init__(self, options: dict):
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        return wsgi_application()  # the same as veracity.config.wsgi, without importing upwards


WORKER_STOP_SECONDS = 30  # how long a running job may take to finish when the server stops


def _stop_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Linux: have the kernel send SIGTERM to the worker if the server dies without cleaning up."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def start_worker() -> subprocess.Popen:
    """`veracity worker` in its own session, so a Ctrl+C reaches only the server, which then stops the
    worker exactly once (a second signal would cut a running job short)."""
    return subprocess.Popen([sys.executable, "-m", "veracity.cli", "worker"], start_new_session=True,
                            preexec_fn=_stop_with_parent if sys.platform == "linux" else None)


def stop_worker(worker: subprocess.Popen, stdout) -> None:
    if worker.poll() is None:
        stdout.write("Stopping the background worker…")
        stdout.flush()
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=WORKER_STOP_SECONDS)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


class Command(BaseCommand):
    help = ("Serve Veracity with gunicorn (static files through WhiteNoise). Checks first that every "
            "migration is applied.")
    requires_system_checks = "__all__"

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on (default 127.0.0.1).")
        parser.add_argument("--port", type=int, default=8000, help="Port to listen on (default 8000).")
        parser.add_argument("--workers", type=int, default=2, help="Worker processes (default 2).")
        parser.add_argument("--threads", type=int, default=1, help="Threads per worker (default 1).")
        parser.add_argument("--timeout", type=int, default=60, help="Seconds before a stuck worker is restarted.")
        parser.add_argument("--access-log", action="store_true", help="Log every request to standard output.")
        parser.add_argument("--with-worker", action="store_true",
                            help="Also run `veracity worker` (background jobs and the scheduler) as a child "
                                 "process, stopped when the server stops. In production run the worker as "
                                 "its own service instead (docs/jobs.md).")

    def handle(self, *args, **options):
        pending = unapplied_migrations()
        if pending:
            shown = ", ".join(pending[:5]) + (f" and {len(pending) - 5} more" if len(pending) > 5 else "")
            raise CommandError(f"The database has {len(pending)} unapplied migration(s) ({shown}). "
                               "Run `veracity migrate` first.")
        if settings.IS_PRODUCTION:
            call_command("collectstatic", interactive=False, verbosity=0)
        connections.close_all()  # never share a database connection with the forked workers
        if options["workers"] < 1 or options["threads"] < 1:
            raise CommandError("--workers and --threads must be at least 1.")
        host = options["host"]
        bind = f"[{host}]:{options['port']}" if ":" in host else f"{host}:{options['port']}"
        stdout = self.stdout

        def when_ready(server):
            for listener in server.LISTENERS:
                stdout.write(f"Veracity is listening on {listener} "
                             f"({options['workers']} worker(s); Ctrl+C stops it)")
            stdout.flush()

        worker = start_worker() if options["with_worker"] else None
        if worker:
            stdout.write(f"Background worker started (pid {worker.pid}).")
        server_pid = os.getpid()
        try:
            self._run_server(bind, options, when_ready)
        finally:
            # gunicorn forks its workers from here: only the server process itself stops the worker.
            if worker and os.getpid() == server_pid:
                stop_worker(worker, stdout)

    def _run_server(self, bind: str, options: dict, when_ready) -> None:
        VeracityServer({
            "bind": bind,
            "workers": options["workers"],
            "threads": options["threads"],
            "worker_class": "gthread" if options["threads"] > 1 else "sync",
            "timeout": options["timeout"],
            "accesslog": "-" if options["access_log"] else None,
            "errorlog": "-",
            "loglevel": "warning",
            "proc_name": "veracity",
            "when_ready": when_ready,
        }).run()
