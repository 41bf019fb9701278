"""Forecasting (forecasts, customer value, anomaly alerts): resource `forecast`.

Customer values and alerts are scoped to the customer's owner; the series list is filtered by the
series rules in forecasting.selectors.series (reps see only their own series)."""

from tests.security.policy import login, perm

NO_ALERT = {"alert": 999999, "pk": 999999}

POLICY = {
    "forecasting:overview": perm("forecast", "view"),
    "forecasting:run_create": perm("forecast", "create", methods=("POST",), body=lambda world: {"freq": "month"}),
    "forecasting:customer_values": perm("forecast", "view"),
    "forecasting:customer_panel": perm("forecast", "view", obj="customer", owned=True),
    "forecasting:alert_list": perm("forecast", "view"),
    "forecasting:alert_panel": login(),
    "forecasting:alert_acknowledge": perm("forecast", "view", obj="alert", methods=("POST",), path_params=NO_ALERT),
    "GET /api/v1/forecasts/series": perm("forecast", "view"),
    # The world's series is rep_li's own revenue: reps see only their own series (scope own).
    "GET /api/v1/forecasts/series/{key}": perm("forecast", "view", owned=True),
    "GET /api/v1/forecasts/rows": perm("forecast", "view"),
    "GET /api/v1/forecasts/vs-actual": perm("forecast", "view"),
    "GET /api/v1/forecasts/runs": perm("forecast", "view"),
    "POST /api/v1/forecasts/runs": perm("forecast", "create", body=lambda world: {"freq": "month"}),
    "GET /api/v1/forecasts/pipeline": perm("forecast", "view"),
    "GET /api/v1/customer-values": perm("forecast", "view"),
    "GET /api/v1/customer-values/{customer_id}": perm("forecast", "view", obj="customer", owned=True),
    "GET /api/v1/anomaly-alerts": perm("forecast", "view"),
    "POST /api/v1/anomaly-alerts/{alert_id}/acknowledge": perm("forecast", "view", path_params=NO_ALERT),
}
