from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    """Pure record-matching logic (canonical names and keys, field comparisons, Fellegi–Sunter
    scores with explanations, blocking and clusters). No models: customers and dedup build on it."""

    name = "veracity.matching"
    label = "matching"
    verbose_name = _("Matching")
