"""Reads: a user's own notifications, never anyone else's."""

from django.db.models import QuerySet

from veracity.notifications.models import Notification, NotificationPreference
from veracity.notifications.services import preference_for


def notification_list(*, user, unread_only: bool = False) -> QuerySet[Notification]:
    notifications = Notification.objects.filter(recipient=user)
    if unread_only:
        notifications = notifications.filter(read_at__isnull=True)
    return notifications


def unread_count(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def preference_get(*, user) -> NotificationPreference:
    return preference_for(user)
