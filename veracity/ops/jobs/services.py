"""Writes of the jobs area: retry a failed job, enable or disable a scheduled one. Both audited."""

from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from veracity.accounts.models import Action
from veracity.audit.models import AuditAction
from veracity.audit.services import audit_event_record
from veracity.ops.jobs.errors import JobNotRetryable, TaskUnavailable
from veracity.ops.jobs.models import ScheduledJob
from veracity.ops.jobs.schedule import next_due
from veracity.ops.jobs.selectors import ScheduleRow, job_get, schedule_get, task_name


def job_retry(*, actor, job_id) -> str | None:
    """Enqueue a failed job again with the same arguments, on the same queue and priority.

    Returns the new job's id, or None when the caller's own transaction is still open (the job is
    then enqueued when it commits)."""
    job: DBTaskResult = job_get(user=actor, pk=job_id, action=Action.EDIT)  # checks job/edit
    if job.status != TaskResultStatus.FAILED:
        raise JobNotRetryable(detail={"status": job.status})
    try:
        task = job.task
    except (ImportError, SuspiciousOperation) as error:  # gone from the code, or no longer a task
        raise TaskUnavailable(detail={"task_path": job.task_path}) from error
    args, kwargs = job.args_kwargs.get("args", []), job.args_kwargs.get("kwargs", {})
    enqueued: dict[str, str] = {}

    def enqueue():
        enqueued["id"] = str(task.enqueue(*args, **kwargs).id)

    with transaction.atomic():
        audit_event_record(actor=actor, action=AuditAction.CREATE, object_type="ops.job", object_id=str(job.pk),
                           object_repr=task_name(job)[:255], extra={"operation": "retry", "task": job.task_path})
        transaction.on_commit(enqueue)
    return enqueued.get("id")


def schedule_set_enabled(*, actor, name: str, enabled: bool) -> ScheduleRow:
    """Turn a scheduled job on or off. Turning it on counts its next run from now (no catch-up)."""
    row = schedule_get(user=actor, name=name, action=Action.EDIT)
    job = row.job
    if job.enabled == enabled:
        return row
    with transaction.atomic():
        locked = ScheduledJob.objects.select_for_update().get(pk=job.pk)
        old = locked.enabled
        locked.enabled = enabled
        fields = ["enabled", "updated_at"]
        if enabled:
            locked.next_due_at = next_due(locked.spec, timezone.now())
            fields.append("next_due_at")
        locked.save(update_fields=fields)
        audit_event_record(actor=actor, action=AuditAction.UPDATE, obj=locked, changes={"enabled": [old, enabled]})
    return ScheduleRow(job=locked, entry=row.entry, available=row.available)
