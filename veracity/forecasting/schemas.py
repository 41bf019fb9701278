"""API schemas of forecasting (one input and one output schema per endpoint)."""

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema


class ForecastPointOut(Schema):
    period: dt.date
    forecast: Decimal
    lo80: Decimal
    hi80: Decimal
    lo95: Decimal
    hi95: Decimal


class ForecastSeriesOut(Schema):
    key: str
    kind: str
    label: str
    model: str
    backtest_mase: float | None
    baseline_mase: float | None
    run_id: int
    history_end: dt.date | None


class ForecastSeriesDetailOut(ForecastSeriesOut):
    history: list[tuple[dt.date, float]]
    points: list[ForecastPointOut]


class ForecastRowOut(Schema):
    series: str
    period: str
    forecast: Decimal
    lo80: Decimal
    hi80: Decimal
    lo95: Decimal
    hi95: Decimal
    model: str
    backtest_mase: float | None


class ForecastRunIn(Schema):
    freq: str = Field("month", description="month or week")
    horizon: int | None = Field(None, description="periods ahead; default 12 months or 13 weeks")


class ForecastRunOut(Schema):
    id: int
    freq: str
    horizon: int
    status: str
    is_snapshot: bool
    history_end: dt.date | None
    created_at: dt.datetime
    finished_at: dt.datetime | None
    duration_ms: int | None
    series_count: int


class ForecastActualOut(Schema):
    series: str
    period: dt.date
    forecast: float
    actual: float
    lo80: float
    hi80: float
    lo95: float
    hi95: float
    error_pct: float | None


class StageForecastOut(Schema):
    stage_id: int
    stage: str
    count: int
    amount: Decimal
    typed_probability: float
    learned_win_rate: float
    closed_through_stage: int
    won_through_stage: int
    typed_weighted: Decimal
    learned_weighted: Decimal


class MonthForecastOut(Schema):
    month: str
    amount: Decimal
    typed_weighted: Decimal
    learned_weighted: Decimal


class PipelineForecastOut(Schema):
    stages: list[StageForecastOut]
    months: list[MonthForecastOut]
    total_amount: Decimal
    total_typed_weighted: Decimal
    total_learned_weighted: Decimal
    unconverted: int
    prior_weight: int


class CustomerValueOut(Schema):
    customer_id: int
    customer_name: str
    computed: bool = True
    clv: Decimal | None
    churn_probability: float | None
    expected_purchases_90d: float | None
    purchases: int | None
    last_purchase: dt.date | None
    average_order_value: Decimal | None
    fitted_at: dt.datetime | None


class AnomalyAlertOut(Schema):
    id: int
    scope: str
    scope_label: str
    customer_id: int | None
    metric: str
    period_start: dt.date
    expected: Decimal
    actual: Decimal
    low: Decimal
    high: Decimal
    score: float
    severity: str
    message: str
    detected_at: dt.datetime
    acknowledged_at: dt.datetime | None
