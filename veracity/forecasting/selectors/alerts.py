"""Anomaly alerts the user may see: customer alerts within their forecast scope (reps: their own
customers'); region alerts only with scope ALL."""

from dataclasses import dataclass

from django.db.models import QuerySet

from veracity.accounts.access import scoped
from veracity.accounts.models import Action, Resource, User
from veracity.core.errors import NotFound
from veracity.forecasting.models import AnomalyAlert


@dataclass(frozen=True)
class AlertFilters:
    open_only: bool = False
    severity: str = ""
    scope: str = ""


def anomaly_alert_list(*, user: User, filters: AlertFilters = AlertFilters(),
                       action: str = Action.VIEW) -> QuerySet[AnomalyAlert]:
    queryset = scoped(AnomalyAlert.objects.select_related("customer", "acknowledged_by"),
                      user=user, resource=Resource.FORECAST, action=action)
    if filters.open_only:
        queryset = queryset.filter(acknowledged_at__isnull=True)
    if filters.severity:
        queryset = queryset.filter(severity=filters.severity)
    if filters.scope:
        queryset = queryset.filter(scope=filters.scope)
    return queryset.order_by("-detected_at", "-id")


def anomaly_alert_get(*, user: User, pk: int, action: str = Action.VIEW) -> AnomalyAlert:
    alert = anomaly_alert_list(user=user, action=action).filter(pk=pk).first()
    if alert is None:
        raise NotFound()
    return alert
