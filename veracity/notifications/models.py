"""Notifications to one user, and each user's choice of when to be emailed about them."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Frequency(models.TextChoices):
    IMMEDIATELY = "immediately", _("Immediately")
    DAILY = "daily", _("Daily digest")
    WEEKLY = "weekly", _("Weekly digest")
    NEVER = "never", _("Never (in the app only)")


class Notification(models.Model):
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=64)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    # Set once the notification went out by email (alone or in a digest), so no digest repeats it.
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["recipient", "read_at"]), models.Index(fields=["recipient", "emailed_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationPreference(models.Model):
    """One user's email choices: a default frequency and, optionally, one per kind
    (`kind_frequencies` = {"quality.reminder": "weekly", …})."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="notification_preference")
    frequency = models.CharField(_("email me"), max_length=16, choices=Frequency.choices, default=Frequency.DAILY)
    kind_frequencies = models.JSONField(_("per kind"), default=dict, blank=True)
    last_daily_digest_at = models.DateTimeField(null=True, blank=True)
    last_weekly_digest_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"{self.user}: {self.frequency}"

    def frequency_for(self, kind: str) -> str:
        return self.kind_frequencies.get(kind) or self.frequency
