"""Background tasks of the notifications app (scheduled in ops/jobs/schedule.py)."""

from django_tasks import task

from veracity.notifications.services import digest_send_due


@task()
def digest_send_due_run() -> dict[str, int]:
    """Email every digest that is due: {"emails": n, "notifications": m}."""
    return digest_send_due()
