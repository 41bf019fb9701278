from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StandardsConfig(AppConfig):
    """The one rule set per entity (required fields, formats, picklists, normalisation) that forms, the API and imports all enforce."""

    name = "veracity.standards"
    label = "standards"
    verbose_name = _("Entry standards")
