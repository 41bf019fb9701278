"""What the jobs machinery keeps in the database beside django-tasks-db's own `DBTaskResult`."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ScheduledJob(models.Model):
    """The database side of one entry of `ops.jobs.schedule.SCHEDULE`: whether an admin has it
    enabled, and when it was last enqueued and is next due. The scheduler claims a run by moving
    `next_due_at` forward with a conditional UPDATE, so two schedulers never enqueue the same run."""

    name = models.CharField(_("name"), max_length=64, unique=True)
    spec = models.CharField(_("schedule"), max_length=64)
    enabled = models.BooleanField(_("enabled"), default=True)
    last_enqueued_at = models.DateTimeField(_("last enqueued at"), null=True, blank=True)
    last_result_id = models.CharField(_("last job"), max_length=64, blank=True)
    next_due_at = models.DateTimeField(_("next due at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("scheduled job")
        verbose_name_plural = _("scheduled jobs")

    def __str__(self) -> str:
        return self.name


class JobProgress(models.Model):
    """How far a running task has got, as last reported by `ops.jobs.progress.report`. Keyed by the
    task result id (not a foreign key: the immediate backend used in tests keeps no result rows)."""

    result_id = models.CharField(_("job"), max_length=64, unique=True)
    current = models.PositiveBigIntegerField(_("done"), default=0)
    total = models.PositiveBigIntegerField(_("total"), default=0)
    message = models.CharField(_("message"), max_length=255, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("job progress")
        verbose_name_plural = _("job progress")
        constraints = [models.CheckConstraint(condition=models.Q(current__lte=models.F("total")) | models.Q(total=0),
                                              name="jobs_progress_current_within_total")]

    def __str__(self) -> str:
        return f"{self.result_id}: {self.current}/{self.total}"

    @property
    def percent(self) -> int:
        """0–100 for the progress bar; 0 while the total is unknown."""
        return int(self.current * 100 / self.total) if self.total else 0


class WorkerHeartbeat(models.Model):
    """A running `veracity worker`, as it last reported itself. A job left RUNNING by a worker whose
    heartbeat stopped (SIGKILL, crash, power loss) is marked failed by the next worker that looks
    (`ops.jobs.liveness`), so no job stays "running" for ever and none is lost without a trace."""

    worker_id = models.CharField(_("worker"), max_length=64, unique=True)
    hostname = models.CharField(_("host"), max_length=255)
    pid = models.PositiveIntegerField(_("process id"))
    interval_seconds = models.FloatField(_("heartbeat interval (s)"), default=10)
    started_at = models.DateTimeField(_("started at"))
    seen_at = models.DateTimeField(_("last seen at"))

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.hostname}:{self.pid})"
