"""Scheduled backups as django-tasks jobs. The scheduler (ops jobs) should enqueue:

    backup_scheduled_task(kind="hourly")   cron "5 * * * *"   (every hour at :05)
    backup_scheduled_task(kind="daily")    cron "30 2 * * *"  (every night at 02:30, local time)

Each run backs up, drills the new backup (alerting admins if it fails) and prunes by retention."""

from django.contrib.auth import get_user_model
from django_tasks import task

from veracity.ops.backups.models import Backup
from veracity.ops.backups.services import DRILL_STEPS, backup_drill, backup_scheduled_run
from veracity.ops.jobs import progress

SCHEDULE = {"hourly": "5 * * * *", "daily": "30 2 * * *"}


@task()
def backup_scheduled_task(kind: str = "hourly") -> dict:
    result = backup_scheduled_run(kind)
    return {"backup": result.drill.backup_name, "passed": result.passed, "restore_seconds": result.restore_seconds}


@task()
def backup_drill_task(backup_id: int, actor_id: int | None = None) -> dict:
    """A restore drill started from the backups page, run by the worker with progress on the jobs page."""
    backup = Backup.objects.get(pk=backup_id)
    actor = get_user_model().objects.get(pk=actor_id) if actor_id else None
    total = DRILL_STEPS + (1 if backup.encrypted else 0)
    done = {"steps": 0}

    def step_done(message: str) -> None:
        done["steps"] += 1
        progress.report(min(done["steps"], total), total, message)

    progress.report(0, total, "Verifying the backup")
    result = backup_drill(backup, actor=actor, progress=step_done)
    progress.report(total, total, "passed" if result.passed else "FAILED")
    return {"drill": result.drill.pk, "passed": result.passed, "restore_seconds": result.restore_seconds}
