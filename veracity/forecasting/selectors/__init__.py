"""Reads for forecasting, already limited to what the user may see. Other apps use these names."""

from veracity.forecasting.selectors.alerts import AlertFilters, anomaly_alert_get, anomaly_alert_list
from veracity.forecasting.selectors.customer_values import (
    CustomerValueFilters,
    clv_fit_latest,
    customer_value_get,
    customer_value_list,
)
from veracity.forecasting.selectors.pipeline import pipeline_forecast, stage_win_rates
from veracity.forecasting.selectors.series import (
    forecast_rows,
    forecast_run_latest,
    forecast_run_list,
    forecast_series_get,
    forecast_series_list,
    forecast_vs_actual,
    revenue_series,
    series_visible,
)

__all__ = [
    "AlertFilters", "CustomerValueFilters", "anomaly_alert_get", "anomaly_alert_list", "clv_fit_latest",
    "customer_value_get", "customer_value_list", "forecast_rows", "forecast_run_latest", "forecast_run_list",
    "forecast_series_get", "forecast_series_list", "forecast_vs_actual", "pipeline_forecast",
    "revenue_series", "series_visible", "stage_win_rates",
]
