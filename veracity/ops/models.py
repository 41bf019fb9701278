"""The ops app's models, one module per area (jobs/, backups/)."""

from veracity.ops.backups.models import Backup, BackupDrill, BackupKind
from veracity.ops.jobs.models import JobProgress, ScheduledJob, WorkerHeartbeat

__all__ = ["Backup", "BackupDrill", "BackupKind", "JobProgress", "ScheduledJob", "WorkerHeartbeat"]
