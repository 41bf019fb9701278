"""Progress reporting for long tasks.

A task calls `report(current, total, message="")` as it goes; the jobs page shows it as a progress
bar. The helper finds the running task's result id itself (set when django-tasks signals that a task
started), so tasks need no extra argument. Outside a task it does nothing.

Progress is written in its own short statement: call `report` outside any `transaction.atomic`
block of the task, or the page will only see it when that transaction commits."""

import contextvars
import logging

from veracity.ops.jobs.models import JobProgress

logger = logging.getLogger("veracity.jobs")

_current_result_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("veracity_job_result_id",
                                                                                  default=None)


def report(current: int, total: int, message: str = "") -> None:
    """Record that the running task has done `current` of `total` steps."""
    result_id = _current_result_id.get()
    if result_id is None:
        logger.debug("progress.report(%s, %s) outside a task: ignored", current, total)
        return
    total = max(int(total), 0)
    current = min(max(int(current), 0), total) if total else max(int(current), 0)
    JobProgress.objects.update_or_create(
        result_id=result_id, defaults={"current": current, "total": total, "message": str(message)[:255]})


def current_result_id() -> str | None:
    return _current_result_id.get()


def task_started_handler(sender, task_result, **kwargs) -> None:
    _current_result_id.set(str(task_result.id))


def task_finished_handler(sender, task_result, **kwargs) -> None:
    _current_result_id.set(None)


def connect_signals() -> None:
    """Called from OpsConfig.ready()."""
    from django_tasks.signals import task_finished, task_started

    task_started.connect(task_started_handler, dispatch_uid="veracity_jobs_progress_started")
    task_finished.connect(task_finished_handler, dispatch_uid="veracity_jobs_progress_finished")
