"""Scheduled jobs of the feedback app (declared in ops/jobs/schedule.py)."""

from django_tasks import task

from veracity.feedback.services import feedback_send_run


@task()
def feedback_send_task() -> dict[str, int]:
    return feedback_send_run()
