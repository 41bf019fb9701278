"""What Veracity knows about its backups. The backup directory with its manifest.json is the truth;
these rows index it for the pages and record every restore drill."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class BackupKind(models.TextChoices):
    MANUAL = "manual", _("Manual")
    HOURLY = "hourly", _("Hourly")
    DAILY = "daily", _("Daily")
    SAFETY = "safety", _("Before a restore")
    UPGRADE = "upgrade", _("Before an upgrade")


class Backup(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)  # the directory in VERACITY_BACKUP_DIR
    label = models.CharField(_("label"), max_length=100, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=BackupKind.choices, default=BackupKind.MANUAL)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    vendor = models.CharField(_("database"), max_length=20)
    size_bytes = models.BigIntegerField(_("size"), default=0)
    encrypted = models.BooleanField(_("encrypted"), default=False)
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    verified_ok = models.BooleanField(_("verification passed"), null=True)
    manifest = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("backup")
        verbose_name_plural = _("backups")

    def __str__(self):
        return self.name

    @property
    def path(self):
        """The backup's directory."""
        from pathlib import Path

        return Path(settings.BACKUP_DIR) / self.name

    @property
    def latest_drill(self):
        """The newest drill, from a prefetched `drills` when the selector loaded them."""
        drills = list(self.drills.all())
        return max(drills, key=lambda drill: (drill.started_at, drill.pk)) if drills else None


class BackupDrill(models.Model):
    """One restore drill: restore into scratch, check, compare with the manifest; `restore_seconds` is the
    measured recovery time (RTO)."""

    backup = models.ForeignKey(Backup, null=True, on_delete=models.SET_NULL, related_name="drills")
    backup_name = models.CharField(max_length=100)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    passed = models.BooleanField(default=False)
    restore_seconds = models.FloatField(null=True, blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("restore drill")
        verbose_name_plural = _("restore drills")

    def __str__(self):
        return f"{self.backup_name} @ {self.started_at:%Y-%m-%d %H:%M}"
