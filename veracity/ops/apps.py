from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Background jobs, backups with verified restores, and the operations pages."""

    name = "veracity.ops"
    label = "ops"
    verbose_name = _("Operations")

    def ready(self):
        from veracity.ops.jobs.progress import connect_signals

        connect_signals()
