from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Shared machinery every domain app builds on: the record base model (versioning, soft delete),
    generic audited writes, the error vocabulary, API plumbing and safe exports."""

    name = "veracity.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        from veracity.core import checks  # noqa: F401  (registers the start-up checks)
