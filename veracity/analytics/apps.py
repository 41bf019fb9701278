from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "veracity.analytics"
    label = "analytics"
    verbose_name = _("Analytics")

    def ready(self) -> None:
        from veracity.accounts.access import register_owner_paths
        from veracity.accounts.models import Resource

        # Report figures follow the same owners as the orders behind them (customer owner or
        # salesperson), so a chart and the order list it drills into always agree.
        register_owner_paths(Resource.REPORT, ("customer__owner", "salesperson"))
        register_owner_paths(Resource.SALES_TARGET, ("user",))
