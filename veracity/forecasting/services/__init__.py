"""Writes for forecasting: forecast runs, lifetime values, anomaly alerts. Other apps use these names."""

from veracity.forecasting.services.alerts import alerts_detect, alerts_notify, anomaly_alert_acknowledge
from veracity.forecasting.services.customer_values import clv_refresh, customer_histories
from veracity.forecasting.services.forecasts import (
    forecast_refresh_scheduled,
    forecast_run_execute,
    forecast_run_request,
)

__all__ = [
    "alerts_detect", "alerts_notify", "anomaly_alert_acknowledge", "clv_refresh", "customer_histories",
    "forecast_refresh_scheduled", "forecast_run_execute", "forecast_run_request",
]
