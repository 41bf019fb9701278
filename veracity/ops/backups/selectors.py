"""Reads of backups, scoped by the permission matrix (admins and auditors)."""

from django.db.models import QuerySet
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from veracity.accounts.access import access_require
from veracity.accounts.models import Action, Resource
from veracity.core.errors import NotFound
from veracity.ops.backups.models import Backup


def backup_list(*, user, action: str = Action.VIEW) -> QuerySet[Backup]:
    access_require(user, Resource.BACKUP, action)
    return Backup.objects.select_related("created_by").prefetch_related("drills")


def backup_get(*, user, pk: int, action: str = Action.VIEW) -> Backup:
    backup = backup_list(user=user, action=action).filter(pk=pk).first()
    if backup is None:
        raise NotFound()
    return backup


DRILL_TASK_PATH = "veracity.ops.backups.tasks.backup_drill_task"


def backup_drill_jobs_pending(*, user, backup: Backup) -> list[DBTaskResult]:
    """Drills of this backup queued or running as background jobs (the page shows their progress)."""
    access_require(user, Resource.BACKUP, Action.VIEW)
    jobs = DBTaskResult.objects.filter(task_path=DRILL_TASK_PATH,
                                       status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING])
    return [job for job in jobs.order_by("enqueued_at") if job.args_kwargs.get("kwargs", {}).get("backup_id") == backup.pk]
