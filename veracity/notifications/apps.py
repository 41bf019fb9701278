from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """Messages to one user: in the app (the bell and the notifications page) and by email, at once or
    in a daily or weekly digest, as each user prefers."""

    name = "veracity.notifications"
    label = "notifications"
    verbose_name = _("Notifications")
