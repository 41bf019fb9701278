"""A job whose worker was killed (SIGKILL, crash) is never silently lost: the next worker marks it
failed with WorkerLost, which the jobs page shows with a Retry button. bench/kill_server.py does the
same with real SIGKILLs."""

import datetime as dt
import socket
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from veracity.audit.models import AuditEvent
from veracity.ops.jobs.liveness import jobs_orphaned_fail, worker_beat
from veracity.ops.jobs.models import WorkerHeartbeat


@task()
def long_report(name: str) -> str:
    return name


@pytest.fixture
def db_queue(settings, monkeypatch):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None)
    monkeypatch.setattr("veracity.ops.jobs.scheduler.close_old_connections", lambda: None)


def dead_pid() -> int:
    finished = subprocess.run([sys.executable, "-c", "pass"], check=True)
    assert finished.returncode == 0
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def running_job(worker_id: str, *, started_ago: dt.timedelta = dt.timedelta(seconds=1)) -> DBTaskResult:
    job = DBTaskResult.objects.get(pk=long_report.enqueue("monthly report").id)
    job.claim(worker_id)
    DBTaskResult.objects.filter(pk=job.pk).update(started_at=timezone.now() - started_ago)
    return job


@pytest.mark.django_db
def test_a_job_left_running_by_a_killed_worker_on_this_host_is_marked_failed_and_can_be_retried(
        db_queue, admin, web_client_for):
    job = running_job("worker-a")
    WorkerHeartbeat.objects.create(worker_id="worker-a", hostname=socket.gethostname(), pid=dead_pid(),
                                   interval_seconds=10, started_at=timezone.now(), seen_at=timezone.now())

    call_command("worker", "--batch", "--no-scheduler", "--interval", "0", verbosity=0)

    job.refresh_from_db()
    assert job.status == "FAILED"
    assert job.exception_class_path == "veracity.ops.jobs.errors.WorkerLost"
    assert "stopped while running this job" in job.traceback
    event = AuditEvent.objects.get(object_type="ops.job", object_id=str(job.pk))
    assert (event.actor, event.extra["operation"], event.extra["worker"]) == (None, "worker_lost", "worker-a")
    assert not WorkerHeartbeat.objects.filter(worker_id="worker-a").exists()
    page = web_client_for(admin).get(reverse("ops:job_detail", args=[job.pk])).content.decode()
    assert "WorkerLost" in page and reverse("ops:job_retry", args=[job.pk]) in page


@pytest.mark.django_db
def test_a_worker_on_another_host_is_lost_only_after_three_missed_heartbeats(db_queue):
    job = running_job("worker-far")
    now = timezone.now()
    WorkerHeartbeat.objects.create(worker_id="worker-far", hostname="another-host", pid=1, interval_seconds=10,
                                   started_at=now - dt.timedelta(hours=1), seen_at=now - dt.timedelta(seconds=25))
    assert jobs_orphaned_fail(now=now) == []
    job.refresh_from_db()
    assert job.status == "RUNNING"

    assert jobs_orphaned_fail(now=now + dt.timedelta(seconds=10)) == [str(job.pk)]
    job.refresh_from_db()
    assert job.status == "FAILED"


@pytest.mark.django_db
def test_a_live_workers_running_job_is_left_alone(db_queue):
    job = running_job("worker-me", started_ago=dt.timedelta(hours=2))
    worker_beat("worker-me", interval=10)  # this very process, beating now
    assert jobs_orphaned_fail() == []
    job.refresh_from_db()
    assert job.status == "RUNNING"


@pytest.mark.django_db
def test_a_running_job_whose_worker_never_beat_is_failed_once_it_is_older_than_three_intervals(db_queue):
    recent = running_job("old-style-worker", started_ago=dt.timedelta(seconds=5))
    old = running_job("old-style-worker", started_ago=dt.timedelta(minutes=5))
    assert jobs_orphaned_fail(default_interval=10) == [str(old.pk)]
    recent.refresh_from_db()
    assert recent.status == "RUNNING"
