"""The backups page's Run drill button queues the restore drill as a background job (the request does
not restore anything) and the page shows the job's progress until the worker has run it."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from veracity.audit.models import AuditEvent
from veracity.ops.backups import services
from veracity.ops.backups.models import BackupDrill
from veracity.ops.jobs.models import JobProgress

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite backup files; see test_backups_postgres.py"),
]


@pytest.fixture
def db_queue(settings, monkeypatch, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.BACKUP_DIR = tmp_path / "backups"
    settings.BACKUP_KEY = ""
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None)
    monkeypatch.setattr("veracity.ops.jobs.scheduler.close_old_connections", lambda: None)


def test_run_drill_queues_a_background_job_and_the_worker_runs_it_with_progress(
        db_queue, admin, web_client_for, django_capture_on_commit_callbacks):
    backup = services.backup_create(actor=admin, label="nightly")
    client = web_client_for(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("ops:backup_drill", args=[backup.pk]))
    assert response.status_code == 302 and response.url == reverse("ops:backup_detail", args=[backup.pk])
    assert not BackupDrill.objects.exists()  # nothing restored inside the request
    job = DBTaskResult.objects.get(task_path="veracity.ops.backups.tasks.backup_drill_task")
    assert job.status == "READY"
    assert job.args_kwargs["kwargs"] == {"backup_id": backup.pk, "actor_id": admin.pk}

    page = client.get(reverse("ops:backup_detail", args=[backup.pk])).content.decode()
    assert "queued as a background job" in page
    assert reverse("ops:job_progress", args=[job.pk]) in page and reverse("ops:job_detail", args=[job.pk]) in page

    call_command("worker", "--batch", "--no-scheduler", "--interval", "0", verbosity=0)
    job.refresh_from_db()
    drill = BackupDrill.objects.get(backup=backup)
    assert job.status == "SUCCESSFUL" and job.return_value["drill"] == drill.pk
    assert drill.passed, drill.details
    progress = JobProgress.objects.get(result_id=str(job.pk))
    assert (progress.current, progress.total, progress.message) == (8, 8, "passed")
    event = AuditEvent.objects.filter(object_id=str(drill.pk)).exclude(object_type="ops.backup").get()
    assert (event.actor, event.extra["passed"]) == (admin, True)  # the drill is audited as the admin who asked
    page = client.get(reverse("ops:backup_detail", args=[backup.pk])).content.decode()
    assert reverse("ops:job_progress", args=[job.pk]) not in page  # no longer pending


def test_an_auditor_cannot_queue_a_drill(db_queue, admin, auditor_aud, web_client_for):
    backup = services.backup_create(actor=admin, label="nightly")
    response = web_client_for(auditor_aud).post(reverse("ops:backup_drill", args=[backup.pk]))
    assert response.status_code in (403, 404)
    assert not DBTaskResult.objects.exists()
