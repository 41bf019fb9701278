"""/api/v1/forecasts…, /api/v1/customer-values…, /api/v1/anomaly-alerts…"""

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from veracity.core.api import ErrorOut, Pagination
from veracity.customers.models import Customer
from veracity.forecasting import selectors, services
from veracity.forecasting.models import AnomalyAlert, CustomerValue, ForecastSeries
from veracity.forecasting.schemas import (
    AnomalyAlertOut,
    CustomerValueOut,
    ForecastActualOut,
    ForecastRowOut,
    ForecastRunIn,
    ForecastRunOut,
    ForecastSeriesDetailOut,
    ForecastSeriesOut,
    PipelineForecastOut,
)

router = Router(tags=["forecasting"])
READ_ERRORS = {403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class SeriesQuery(Schema):
    freq: str = "month"
    kind: str = ""


class RowsQuery(Schema):
    by: str = "company"
    freq: str = "month"
    horizon: int | None = None


class ActualQuery(Schema):
    period_start: dt.date | None = Field(None, description="default: six months ago")
    period_end: dt.date | None = Field(None, description="default: today")
    team: int | None = None


class ValueQuery(Schema):
    q: str = ""
    owner: int | None = None
    min_churn: float | None = None
    max_churn: float | None = None
    min_clv: float | None = None
    sort: str = "-clv"


class AlertQuery(Schema):
    open_only: bool = False
    severity: str = ""
    scope: str = ""


def _series_out(series: ForecastSeries, *, detail: bool = False) -> dict:
    data = {"key": series.key, "kind": series.kind, "label": series.label, "model": series.model,
            "backtest_mase": series.backtest_mase, "baseline_mase": series.baseline_mase,
            "run_id": series.run_id, "history_end": series.run.history_end}
    if detail:
        data["history"] = [(dt.date.fromisoformat(period), value) for period, value in series.history]
        data["points"] = list(series.points.all())
    return data


def _value_out(value: CustomerValue) -> dict:
    return {"customer_id": value.customer_id, "customer_name": value.customer.name, "clv": value.clv,
            "churn_probability": value.churn_probability, "expected_purchases_90d": value.expected_purchases_90d,
            "purchases": value.purchases, "last_purchase": value.last_purchase,
            "average_order_value": value.average_order_value, "fitted_at": value.fitted_at}


@router.get("/forecasts/series", response={200: list[ForecastSeriesOut], **READ_ERRORS},
            summary="Forecast series of the latest run that you may see")
@paginate(Pagination)
def forecast_series_list(request: HttpRequest, query: Query[SeriesQuery]):
    return [_series_out(s) for s in selectors.forecast_series_list(user=request.user, freq=query.freq, kind=query.kind)]


@router.get("/forecasts/series/{key}", response={200: ForecastSeriesDetailOut, **READ_ERRORS},
            summary="One series: history, forecast with 80/95 % intervals, backtest MASE")
def forecast_series_get(request: HttpRequest, key: str, freq: str = "month"):
    return _series_out(selectors.forecast_series_get(user=request.user, key=key, freq=freq), detail=True)


@router.get("/forecasts/rows", response={200: list[ForecastRowOut], **READ_ERRORS},
            summary="Forecast rows as the CLI prints them (series, period, forecast, intervals, model, MASE)")
def forecast_rows(request: HttpRequest, query: Query[RowsQuery]):
    return selectors.forecast_rows(user=request.user, by=query.by, freq=query.freq, horizon=query.horizon)


@router.get("/forecasts/vs-actual", response={200: list[ForecastActualOut], **READ_ERRORS},
            summary="Monthly snapshot forecasts against actual revenue")
def forecast_vs_actual(request: HttpRequest, query: Query[ActualQuery]):
    today = timezone.localdate()
    return selectors.forecast_vs_actual(user=request.user, period_start=query.period_start or today - dt.timedelta(days=183),
                                        period_end=query.period_end or today, team=query.team)


@router.get("/forecasts/runs", response={200: list[ForecastRunOut], 403: ErrorOut}, summary="Recent forecast runs")
def forecast_run_list(request: HttpRequest):
    return selectors.forecast_run_list(user=request.user)


@router.post("/forecasts/runs", response={202: ForecastRunOut, 403: ErrorOut, 422: ErrorOut},
             summary="Queue a forecast run (a background job)")
def forecast_run_create(request: HttpRequest, payload: ForecastRunIn):
    return Status(202, services.forecast_run_request(actor=request.user, freq=payload.freq, horizon=payload.horizon))


@router.get("/forecasts/pipeline", response={200: PipelineForecastOut, 403: ErrorOut},
            summary="Expected revenue from open opportunities: typed and learned win rates")
def pipeline_forecast(request: HttpRequest):
    return selectors.pipeline_forecast(user=request.user)


@router.get("/customer-values", response={200: list[CustomerValueOut], **READ_ERRORS},
            summary="Lifetime value and churn risk of the customers you may see")
@paginate(Pagination)
def customer_value_list(request: HttpRequest, query: Query[ValueQuery]):
    filters = selectors.CustomerValueFilters(**query.dict())
    return [_value_out(v) for v in selectors.customer_value_list(user=request.user, filters=filters)]


@router.get("/customer-values/{customer_id}", response={200: CustomerValueOut, **READ_ERRORS},
            summary="One customer's lifetime value and churn risk (computed=false until the first fit)")
def customer_value_get(request: HttpRequest, customer_id: int):
    value = selectors.customer_value_get(user=request.user, customer_id=customer_id)
    if value is None:
        name = Customer.objects.filter(pk=customer_id).values_list("name", flat=True).first() or ""
        return {"customer_id": customer_id, "customer_name": name, "computed": False, "clv": None,
                "churn_probability": None, "expected_purchases_90d": None, "purchases": None,
                "last_purchase": None, "average_order_value": None, "fitted_at": None}
    return _value_out(value)


@router.get("/anomaly-alerts", response={200: list[AnomalyAlertOut], **READ_ERRORS},
            summary="Anomaly alerts you may see")
@paginate(Pagination)
def anomaly_alert_list(request: HttpRequest, query: Query[AlertQuery]):
    return selectors.anomaly_alert_list(user=request.user, filters=selectors.AlertFilters(**query.dict()))


@router.post("/anomaly-alerts/{alert_id}/acknowledge", response={200: AnomalyAlertOut, 403: ErrorOut, 404: ErrorOut},
             summary="Mark an alert seen")
def anomaly_alert_acknowledge(request: HttpRequest, alert_id: int) -> AnomalyAlert:
    return services.anomaly_alert_acknowledge(actor=request.user, pk=alert_id)
