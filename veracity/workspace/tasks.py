"""Background tasks of the workspace app (run by `veracity worker`; scheduled in ops/jobs/schedule.py)."""

from django_tasks import task

from veracity.workspace.services import trash_purge


@task()
def trash_purge_run() -> dict[str, int]:
    """`veracity purge_trash` as a background job: returns {model label: records purged}."""
    return {str(label): count for label, count in trash_purge(actor=None).items()}
