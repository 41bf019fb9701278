from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ForecastingConfig(AppConfig):
    name = "veracity.forecasting"
    label = "forecasting"
    verbose_name = _("Forecasting")

    def ready(self) -> None:
        from veracity.accounts.access import register_owner_paths
        from veracity.accounts.models import Resource

        # Customer values and anomaly alerts belong to the customer's owner: a rep sees those of
        # their own customers, a team-scoped user those of their teams' customers. Aggregate series
        # (company, team, category, product) are scoped by the rules in forecasting.selectors.
        register_owner_paths(Resource.FORECAST, ("customer__owner",))
        from veracity.notifications.services import kind_register

        kind_register("forecasting.anomaly", _("Anomaly alerts"))
