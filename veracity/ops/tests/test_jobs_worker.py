"""`veracity worker` on the real database queue: jobs run end to end, failures show their error and
can be retried, progress is recorded, and due scheduled jobs are enqueued and run."""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from veracity.audit.models import AuditEvent
from veracity.ops.jobs import progress
from veracity.ops.jobs.models import JobProgress, ScheduledJob

DB_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@task()
def add_numbers(a: int, b: int) -> int:
    return a + b


@task()
def explode(reason: str) -> None:
    raise ValueError(f"cannot do it: {reason}")


@task()
def count_to(n: int) -> str:
    for i in range(1, n + 1):
        progress.report(i, n, f"step {i}")
    return "done"


@pytest.fixture
def db_queue(settings, monkeypatch):
    """The real database queue. The worker and scheduler close stale connections between jobs, as
    they must in production; inside a test that would close the connection holding the test's
    transaction (PostgreSQL closes it for real), so here they keep it."""
    settings.TASKS = DB_QUEUE
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None)
    monkeypatch.setattr("veracity.ops.jobs.scheduler.close_old_connections", lambda: None)


def run_worker():
    call_command("worker", "--batch", "--no-scheduler", "--interval", "0", verbosity=0)


@pytest.mark.django_db
def test_the_worker_runs_a_queued_job_to_success(db_queue):
    result = add_numbers.enqueue(2, b=3)
    job = DBTaskResult.objects.get(pk=result.id)
    assert job.status == "READY"
    run_worker()
    job.refresh_from_db()
    assert (job.status, job.return_value) == ("SUCCESSFUL", 5)
    assert job.started_at and job.finished_at and len(job.worker_ids) == 1


@pytest.mark.django_db
def test_a_failed_job_shows_its_error_escaped_and_can_be_retried(db_queue, admin, web_client_for,
                                                                 django_capture_on_commit_callbacks):
    result = explode.enqueue(reason="<script>alert(1)</script>")
    run_worker()
    job = DBTaskResult.objects.get(pk=result.id)
    assert job.status == "FAILED" and job.exception_class_path == "builtins.ValueError"

    client = web_client_for(admin)
    page = client.get(reverse("ops:job_detail", args=[job.pk])).content.decode()
    assert "builtins.ValueError" in page
    assert "ValueError: cannot do it: &lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page
    assert "Traceback (most recent call last)" in page
    listing = client.get(reverse("ops:job_list"), {"status": "FAILED"}).content.decode()
    assert "explode" in listing and reverse("ops:job_retry", args=[job.pk]) in listing

    with django_capture_on_commit_callbacks(execute=True):  # the test's transaction stands in for the request's
        response = client.post(reverse("ops:job_retry", args=[job.pk]))
    assert response.status_code == 302
    retried = DBTaskResult.objects.exclude(pk=job.pk).get()
    assert retried.status == "READY"
    assert retried.task_path == job.task_path and retried.args_kwargs == job.args_kwargs
    event = AuditEvent.objects.get(object_type="ops.job")
    assert (event.actor, event.object_id, event.extra["operation"]) == (admin, str(job.pk), "retry")
    run_worker()
    retried.refresh_from_db()
    assert retried.status == "FAILED"  # it fails the same way: the retry really ran


@pytest.mark.django_db
def test_retry_through_the_api_queues_the_job_again_and_refuses_a_job_that_did_not_fail(
        db_queue, admin, api_client_for, django_capture_on_commit_callbacks):
    failed = DBTaskResult.objects.get(pk=explode.enqueue(reason="x").id)
    run_worker()
    ok = DBTaskResult.objects.get(pk=add_numbers.enqueue(1, 1).id)
    run_worker()
    client = api_client_for(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/v1/jobs/{failed.pk}/retry")
    assert response.status_code == 202 and response.json()["retry_of"] == str(failed.pk)
    retried = DBTaskResult.objects.exclude(pk__in=[failed.pk, ok.pk]).get()
    assert (retried.status, retried.args_kwargs) == ("READY", {"args": [], "kwargs": {"reason": "x"}})
    refused = client.post(f"/api/v1/jobs/{ok.pk}/retry")
    assert (refused.status_code, refused.json()["code"]) == (409, "job_not_retryable")
    detail = client.get(f"/api/v1/jobs/{failed.pk}").json()
    assert detail["error_class"] == "builtins.ValueError"
    assert detail["error_message"] == "ValueError: cannot do it: x"
    assert "Traceback" in detail["traceback"]


@pytest.mark.django_db
def test_progress_reported_by_a_running_job_is_stored_against_its_id(db_queue, admin, web_client_for):
    result = count_to.enqueue(4)
    run_worker()
    row = JobProgress.objects.get()
    assert (row.result_id, row.current, row.total, row.message, row.percent) == (str(result.id), 4, 4, "step 4", 100)
    fragment = web_client_for(admin).get(reverse("ops:job_progress", args=[result.id])).content.decode()
    assert 'value="4" max="4"' in fragment and "step 4" in fragment
    assert "hx-trigger" not in fragment  # finished: polling stops


@pytest.mark.django_db
def test_the_scheduler_enqueues_a_due_job_and_the_worker_runs_it(db_queue, django_capture_on_commit_callbacks):
    call_command("scheduler", "--once", verbosity=0)  # creates the rows; nothing is due yet
    assert DBTaskResult.objects.count() == 0
    ScheduledJob.objects.filter(name="purge_trash").update(next_due_at=timezone.now() - dt.timedelta(minutes=1))
    # The enqueue waits for the commit; the test's transaction stands in for the scheduler's autocommit.
    with django_capture_on_commit_callbacks(execute=True):
        call_command("scheduler", "--once", verbosity=0)
    run_worker()
    job = DBTaskResult.objects.get()
    assert (job.task_path, job.status, job.return_value) == ("veracity.workspace.tasks.trash_purge_run",
                                                             "SUCCESSFUL", {})
    purge = ScheduledJob.objects.get(name="purge_trash")
    assert purge.last_result_id == str(job.pk) and purge.next_due_at > timezone.now()


@pytest.mark.django_db
def test_the_worker_refuses_to_start_without_the_database_queue():
    with pytest.raises(CommandError, match="not the database queue"):
        call_command("worker", "--batch")
