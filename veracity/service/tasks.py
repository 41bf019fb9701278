"""Scheduled jobs of the service app (declared in ops/jobs/schedule.py)."""

from django_tasks import task

from veracity.service.services import repeat_purchase_prompts_run, ticket_sla_check


@task()
def ticket_sla_check_run() -> dict[str, int]:
    return ticket_sla_check()


@task()
def repeat_purchase_prompts_task() -> dict[str, int]:
    return repeat_purchase_prompts_run()
