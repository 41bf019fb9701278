"""The jobs and schedule pages and API: who sees what, who may act, what gets audited."""

from django.urls import reverse
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from veracity.audit.models import AuditEvent
from veracity.ops.jobs import progress
from veracity.ops.jobs.models import JobProgress, ScheduledJob


@task()
def half_way() -> str:
    progress.report(1, 2, "half")
    return progress.current_result_id()


def _failed_job(**extra) -> DBTaskResult:
    return DBTaskResult.objects.create(
        task_path="veracity.workspace.tasks.trash_purge_run", args_kwargs={"args": [], "kwargs": {}},
        backend_name="default", status="FAILED", exception_class_path="builtins.ValueError",
        traceback="Traceback (most recent call last):\nValueError: boom", finished_at=timezone.now(), **extra)


def _fingerprint():
    return (list(DBTaskResult.objects.order_by("pk").values_list("pk", "status")),
            list(ScheduledJob.objects.order_by("pk").values_list("name", "enabled", "next_due_at")),
            AuditEvent.objects.filter(object_type__in=["ops.job", "ops.scheduledjob"]).count())


def test_progress_outside_a_task_is_ignored(db):
    progress.report(1, 2, "nobody is listening")
    assert JobProgress.objects.count() == 0


def test_progress_inside_a_task_is_keyed_by_its_result_id_and_clamped(db):
    result = half_way.enqueue()   # the immediate backend in tests: runs now
    assert result.return_value == str(result.id)
    row = JobProgress.objects.get(result_id=str(result.id))
    assert (row.current, row.total, row.message, row.percent) == (1, 2, "half", 50)
    assert progress.current_result_id() is None   # cleared when the task finished


def test_admin_sees_jobs_with_filters_and_the_schedule(admin, web_client_for):
    failed = _failed_job()
    queued = DBTaskResult.objects.create(task_path="veracity.imports.tasks.import_run", backend_name="default",
                                         args_kwargs={"args": [], "kwargs": {}}, status="READY")
    failed_link, queued_link = (reverse("ops:job_detail", args=[job.pk]) for job in (failed, queued))
    client = web_client_for(admin)
    page = client.get(reverse("ops:job_list"), {"status": "FAILED"}).content.decode()
    assert failed_link in page and queued_link not in page and "ValueError: boom" in page
    page = client.get(reverse("ops:job_list"), {"task": "import_run"}).content.decode()
    assert queued_link in page and failed_link not in page
    assert 'hx-trigger="every 2s"' in page   # a queued job's status is polled
    schedule = client.get(reverse("ops:schedule_list")).content.decode()
    assert "purge_trash" in schedule and "daily at 03:00" in schedule and "backup_daily" in schedule


def test_auditor_reads_but_cannot_retry_or_toggle(auditor_aud, web_client_for, api_client_for):
    job = _failed_job()
    client = web_client_for(auditor_aud)
    page = client.get(reverse("ops:job_list")).content.decode()
    assert "trash_purge_run" in page and reverse("ops:job_retry", args=[job.pk]) not in page
    assert client.get(reverse("ops:schedule_list")).status_code == 200
    before = _fingerprint()
    assert client.post(reverse("ops:job_retry", args=[job.pk])).status_code == 403
    assert client.post(reverse("ops:schedule_toggle", args=["purge_trash"]), {"enabled": "0"}).status_code == 403
    api = api_client_for(auditor_aud)
    assert api.get("/api/v1/jobs").json()["count"] == 1
    assert api.post(f"/api/v1/jobs/{job.pk}/retry").json()["code"] == "permission_denied"
    assert api.patch("/api/v1/schedules/purge_trash", {"enabled": False},
                     content_type="application/json").status_code == 403
    assert _fingerprint() == before


def test_a_rep_gets_403_everywhere_and_nothing_changes(rep_li, web_client_for, api_client_for):
    job = _failed_job()
    client, api = web_client_for(rep_li), api_client_for(rep_li)
    before = _fingerprint()
    for url in (reverse("ops:job_list"), reverse("ops:job_detail", args=[job.pk]),
                reverse("ops:job_progress", args=[job.pk]), reverse("ops:schedule_list")):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("ops:job_retry", args=[job.pk])).status_code == 403
    assert client.post(reverse("ops:schedule_toggle", args=["purge_trash"]), {"enabled": "0"}).status_code == 403
    for url in ("/api/v1/jobs", f"/api/v1/jobs/{job.pk}", "/api/v1/schedules"):
        assert api.get(url).status_code == 403, url
    assert api.post(f"/api/v1/jobs/{job.pk}/retry").status_code == 403
    assert api.patch("/api/v1/schedules/purge_trash", {"enabled": False},
                     content_type="application/json").status_code == 403
    assert _fingerprint() == before


def test_disabling_and_enabling_a_schedule_is_audited(admin, web_client_for, api_client_for):
    client = web_client_for(admin)
    response = client.post(reverse("ops:schedule_toggle", args=["purge_trash"]), {"enabled": "0"})
    assert response.status_code == 302
    assert ScheduledJob.objects.get(name="purge_trash").enabled is False
    api = api_client_for(admin)
    body = api.patch("/api/v1/schedules/purge_trash", {"enabled": True}, content_type="application/json").json()
    assert body["enabled"] is True and body["next_due_at"]
    events = list(AuditEvent.objects.filter(object_type="ops.scheduledjob").order_by("id")
                  .values_list("actor_username", "changes"))
    assert events == [("admin", {"enabled": [True, False]}), ("admin", {"enabled": [False, True]})]
    listed = {row["name"]: row for row in api.get("/api/v1/schedules").json()}
    assert listed["purge_trash"]["available"] is True and listed["backup_daily"]["available"] is True
    assert api.patch("/api/v1/schedules/nope", {"enabled": True},
                     content_type="application/json").json()["code"] == "not_found"


def test_api_lists_jobs_with_status_filter_and_progress(admin, api_client_for):
    job = _failed_job()
    JobProgress.objects.create(result_id=str(job.pk), current=3, total=4, message="rows")
    api = api_client_for(admin)
    body = api.get("/api/v1/jobs", {"status": "failed"}).json()
    assert body["count"] == 1
    item = body["items"][0]
    assert (item["id"], item["task"], item["status"], item["error_class"]) == (
        str(job.pk), "trash_purge_run", "FAILED", "builtins.ValueError")
    assert item["progress"] == {"current": 3, "total": 4, "percent": 75, "message": "rows"}
    assert api.get("/api/v1/jobs", {"status": "running"}).json()["count"] == 0
    assert api.get("/api/v1/jobs/not-a-uuid").json()["code"] == "not_found"
