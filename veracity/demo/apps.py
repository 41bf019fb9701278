from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Realistic demo data (Chinese and English names, two teams, two years of orders) for trying
    Veracity out and for benchmarks."""

    name = "veracity.demo"
    label = "demo"
    verbose_name = _("Demo data")
