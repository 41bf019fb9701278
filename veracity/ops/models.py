"""The ops app's models, one module per area (jobs/, backups/)."""

from veracity.ops.jobs.models import JobProgress, ScheduledJob

__all__ = ["JobProgress", "ScheduledJob"]
