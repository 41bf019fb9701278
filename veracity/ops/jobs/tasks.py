"""Tasks of the jobs machinery itself."""

import logging

from django.utils.module_loading import import_string
from django_tasks import task

from veracity.ops.jobs.schedule import entries

logger = logging.getLogger("veracity.jobs")


@task()
def scheduled_job_run(name: str):
    """Run the plain-function target of schedule entry `name` with the entry's kwargs. (Entries
    whose target is already a Task are enqueued directly instead.)"""
    entry = entries().get(name)
    if entry is None:
        raise LookupError(f"No scheduled job is called {name!r}.")
    target = import_string(entry.target)
    logger.info("Running scheduled job %s (%s)", name, entry.target)
    return target(**entry.kwargs)
