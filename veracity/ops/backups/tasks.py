"""Scheduled backups as django-tasks jobs. The scheduler (ops jobs) should enqueue:

    backup_scheduled_task(kind="hourly")   cron "5 * * * *"   (every hour at :05)
    backup_scheduled_task(kind="daily")    cron "30 2 * * *"  (every night at 02:30, local time)

Each run backs up, drills the new backup (alerting admins if it fails) and prunes by retention."""

from django_tasks import task

from veracity.ops.backups.services import backup_scheduled_run

SCHEDULE = {"hourly": "5 * * * *", "daily": "30 2 * * *"}


@task()
def backup_scheduled_task(kind: str = "hourly") -> dict:
    result = backup_scheduled_run(kind)
    return {"backup": result.drill.backup_name, "passed": result.passed, "restore_seconds": result.restore_seconds}
