"""Reads for the jobs pages and API, permission-checked (resource `job`)."""

import json
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from veracity.accounts.access import access_require
from veracity.accounts.models import Action, Resource
from veracity.core.errors import NotFound
from veracity.ops.jobs.models import JobProgress, ScheduledJob
from veracity.ops.jobs.schedule import ScheduleEntry, entries
from veracity.ops.jobs.scheduler import target_available

STATUSES = [choice for choice, _label in TaskResultStatus.choices]


@dataclass(frozen=True)
class JobFilters:
    status: str = ""
    task: str = ""


def job_list(*, user, filters: JobFilters | None = None, action: str = Action.VIEW) -> QuerySet[DBTaskResult]:
    """Task results, newest first; `task` matches the task's name (the last part of its path)."""
    access_require(user, Resource.JOB, action)
    filters = filters or JobFilters()
    rows = DBTaskResult.objects.order_by("-enqueued_at", "-pk")
    if filters.status:
        rows = rows.filter(status=filters.status.upper())
    if filters.task:
        rows = rows.filter(task_path__iendswith=filters.task.strip()) if "." in filters.task else \
            rows.filter(task_path__iendswith="." + filters.task.strip())
    return rows


def job_get(*, user, pk, action: str = Action.VIEW) -> DBTaskResult:
    try:
        return job_list(user=user, action=action).get(pk=pk)
    except (DBTaskResult.DoesNotExist, ValueError, ValidationError) as error:  # a malformed id too
        raise NotFound() from error


def job_task_names(*, user) -> list[str]:
    access_require(user, Resource.JOB, Action.VIEW)
    paths = DBTaskResult.objects.order_by().values_list("task_path", flat=True).distinct()
    return sorted({path.rsplit(".", 1)[-1] for path in paths})


def progress_for(result_ids) -> dict[str, JobProgress]:
    """{result id: progress} for the given results (one query)."""
    ids = [str(result_id) for result_id in result_ids]
    return {row.result_id: row for row in JobProgress.objects.filter(result_id__in=ids)}


def job_progress(*, user, pk) -> JobProgress | None:
    job = job_get(user=user, pk=pk)
    return JobProgress.objects.filter(result_id=str(job.pk)).first()


def task_name(job: DBTaskResult) -> str:
    return job.task_path.rsplit(".", 1)[-1]


def duration_seconds(job: DBTaskResult) -> float | None:
    if job.started_at and job.finished_at:
        return (job.finished_at - job.started_at).total_seconds()
    return None


def arguments_text(job: DBTaskResult) -> str:
    return json.dumps(job.args_kwargs, ensure_ascii=False, indent=1, sort_keys=True)


def exception_message(job: DBTaskResult) -> str:
    """The last line of the traceback: 'ValueError: the message'."""
    lines = [line for line in (job.traceback or "").strip().splitlines() if line.strip()]
    return lines[-1] if lines else ""


@dataclass(frozen=True)
class ScheduleRow:
    job: ScheduledJob
    entry: ScheduleEntry
    available: bool

    @property
    def last_job_uuid(self) -> uuid.UUID | None:
        """The last enqueued job's id when it names a queue row (the immediate backend's ids do not)."""
        try:
            return uuid.UUID(self.job.last_result_id)
        except ValueError:
            return None


def schedule_list(*, user, action: str = Action.VIEW) -> list[ScheduleRow]:
    """The declared schedule with each entry's database state (rows are created on first sight)."""
    access_require(user, Resource.JOB, action)
    from veracity.ops.jobs.scheduler import schedule_sync

    rows = {row.name: row for row in schedule_sync()}
    return [ScheduleRow(job=rows[name], entry=entry, available=target_available(entry))
            for name, entry in entries().items()]


def schedule_get(*, user, name: str, action: str = Action.VIEW) -> ScheduleRow:
    for row in schedule_list(user=user, action=action):
        if row.job.name == name:
            return row
    raise NotFound()
