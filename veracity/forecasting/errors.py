"""Stable error codes of the forecasting app."""

from veracity.core.errors import DomainError


class ForecastRunFailed(DomainError):
    """The forecast run failed."""

    code = "forecast_run_failed"
    status = 500


class NotEnoughHistory(DomainError):
    """There is not enough purchase history to fit the model."""

    code = "not_enough_history"
    status = 422
