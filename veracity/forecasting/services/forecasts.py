"""Forecast runs: load the revenue series, choose and fit a model per series, store the points."""

import datetime as dt
import time
from collections.abc import Callable, Sequence
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from veracity.accounts.access import access_require
from veracity.accounts.models import Action, Resource
from veracity.audit.models import AuditAction
from veracity.audit.services import audit_event_record
from veracity.core.errors import ValidationFailed
from veracity.forecasting.engine.selection import ALL_CANDIDATES, DEFAULT_CANDIDATES, select_and_forecast
from veracity.forecasting.models import (
    ForecastPoint,
    ForecastRun,
    ForecastSeries,
    Frequency,
    RunStatus,
    SeriesKind,
)
from veracity.forecasting.periods import (
    DEFAULT_HORIZON,
    MAX_HORIZON,
    SEASON,
    last_complete_period,
    period_shift,
    period_start,
)
from veracity.forecasting.selectors.series import revenue_series, series_filled

ALL_KINDS = (SeriesKind.COMPANY, SeriesKind.TEAM, SeriesKind.CATEGORY, SeriesKind.PRODUCT, SeriesKind.REP)
# AutoARIMA is the slowest candidate (~0.5 s a series): it joins the contest only in runs small enough
# to stay fast; large runs (one series per product) choose among ETS, Theta and seasonal naive.
ARIMA_SERIES_LIMIT = 40
# How much history the models see.
HISTORY_PERIODS = {Frequency.MONTH: 60, Frequency.WEEK: 156}
# Ordinary runs kept per frequency besides snapshots (which are kept for ever).
RUNS_KEPT = 5
CENT = Decimal("0.01")

ProgressCallback = Callable[[int, int, str], None]


def _validated(freq: str, horizon: int | None, kinds: Sequence[str]) -> tuple[str, int, list[str]]:
    errors = {}
    if freq not in Frequency.values:
        errors["freq"] = [_("Choose month or week.")]
        freq = Frequency.MONTH
    horizon = DEFAULT_HORIZON[freq] if horizon is None else horizon
    if not isinstance(horizon, int) or not 1 <= horizon <= MAX_HORIZON[freq]:
        errors["horizon"] = [_("The horizon must be 1 to %(max)s periods.") % {"max": MAX_HORIZON[freq]}]
    unknown = [kind for kind in kinds if kind not in ALL_KINDS]
    if unknown or not kinds:
        errors["kinds"] = [_("Choose from: %(kinds)s.") % {"kinds": ", ".join(ALL_KINDS)}]
    if errors:
        raise ValidationFailed(errors)
    return freq, horizon, list(kinds)


def forecast_run_request(*, actor, freq: str = Frequency.MONTH, horizon: int | None = None,
                         kinds: Sequence[str] = ALL_KINDS) -> ForecastRun:
    """Queue a forecast run as a background job (the page's and API's "run now")."""
    access_require(actor, Resource.FORECAST, Action.CREATE)
    freq, horizon, kinds = _validated(freq, horizon, kinds)
    run = ForecastRun.objects.create(freq=freq, horizon=horizon, kinds=kinds, requested_by=actor)
    audit_event_record(actor=actor, action=AuditAction.CREATE, obj=run, extra={"freq": freq, "horizon": horizon})
    from veracity.forecasting.tasks import forecast_run_task

    transaction.on_commit(lambda: forecast_run_task.enqueue(run_id=run.pk))
    return run


def _money(value: float) -> Decimal:
    return Decimal(str(round(float(value), 2))).quantize(CENT)


def _load_series(freq: str, kinds: Sequence[str], history_end: dt.date) -> dict:
    first = period_shift(history_end, freq, -(HISTORY_PERIODS[freq] - 1))
    series = {}
    for kind in kinds:
        frame = revenue_series(user=None, by=kind, freq=freq, start=first,
                               end=period_shift(history_end, freq, 1) - dt.timedelta(days=1))
        series.update(series_filled(frame, freq=freq, last=history_end))
    return series


def forecast_run_execute(*, actor=None, run: ForecastRun | None = None, freq: str = Frequency.MONTH,
                         horizon: int | None = None, kinds: Sequence[str] = ALL_KINDS, snapshot: bool = False,
                         today: dt.date | None = None, progress: ProgressCallback | None = None) -> ForecastRun:
    """Fit every series of `kinds` and store the forecasts. With `run` (queued by
    forecast_run_request) its settings are used; otherwise a run is created (actor None: the system)."""
    if run is None:
        if actor is not None:
            access_require(actor, Resource.FORECAST, Action.CREATE)
        freq, horizon, kinds = _validated(freq, horizon, kinds)
        run = ForecastRun.objects.create(freq=freq, horizon=horizon, kinds=list(kinds), is_snapshot=snapshot,
                                         requested_by=actor if getattr(actor, "pk", None) else None)
    today = today or timezone.localdate()
    started = time.perf_counter()
    history_end = last_complete_period(today, run.freq)
    ForecastRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING, history_end=history_end)
    try:
        series = _load_series(run.freq, run.kinds, history_end)
        candidates = ALL_CANDIDATES if len(series) <= ARIMA_SERIES_LIMIT else DEFAULT_CANDIDATES
        season = SEASON[run.freq]
        first_period = period_shift(history_end, run.freq, 1)
        stored_series, points = [], []
        for index, (key, (kind, object_id, label, history)) in enumerate(series.items(), 1):
            values = [value for _period, value in history]
            result = select_and_forecast(values, season=season, horizon=run.horizon, candidates=candidates)
            row = ForecastSeries(
                run=run, key=key, kind=kind, object_id=object_id, label=label[:200], model=result.model,
                backtest_mase=result.backtest_mase, baseline_mase=result.baseline_mase,
                backtest_windows=result.windows,
                history=[[period.isoformat(), round(value, 2)] for period, value in history],
            )
            stored_series.append(row)
            points.append([
                ForecastPoint(period=period_shift(first_period, run.freq, step), forecast=_money(mean),
                              lo80=_money(lo80), hi80=_money(hi80), lo95=_money(lo95), hi95=_money(hi95))
                for step, (mean, lo80, hi80, lo95, hi95) in enumerate(result.rows())
            ])
            if progress and (index % 25 == 0 or index == len(series)):
                progress(index, len(series), _("Fitting forecasts"))
        with transaction.atomic():
            ForecastSeries.objects.bulk_create(stored_series, batch_size=500)
            for row, row_points in zip(stored_series, points, strict=True):
                for point in row_points:
                    point.series = row
            ForecastPoint.objects.bulk_create([p for row_points in points for p in row_points], batch_size=1000)
            ForecastRun.objects.filter(pk=run.pk).update(
                status=RunStatus.DONE, finished_at=timezone.now(), series_count=len(stored_series),
                duration_ms=int((time.perf_counter() - started) * 1000))
    except Exception as error:  # record the failure on the run, then let the job fail loudly
        ForecastRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED, finished_at=timezone.now(), error=f"{type(error).__name__}: {error}"[:2000])
        raise
    _prune(run.freq)
    run.refresh_from_db()
    return run


def _prune(freq: str) -> None:
    """Drop ordinary runs beyond the newest RUNS_KEPT of a frequency; snapshots stay."""
    keep = list(ForecastRun.objects.filter(freq=freq, is_snapshot=False, status=RunStatus.DONE)
                .order_by("-created_at", "-id").values_list("pk", flat=True)[:RUNS_KEPT])
    ForecastRun.objects.filter(freq=freq, is_snapshot=False, status__in=(RunStatus.DONE, RunStatus.FAILED)).exclude(
        pk__in=keep).delete()


def forecast_refresh_scheduled(*, today: dt.date | None = None) -> dict[str, int]:
    """The scheduled job: refresh the monthly and weekly forecasts. The first monthly run of each
    calendar month is kept as that month's snapshot (for forecast-against-actual reviews)."""
    today = today or timezone.localdate()
    month = period_start(today, Frequency.MONTH)
    snapshot_due = not ForecastRun.objects.filter(
        freq=Frequency.MONTH, is_snapshot=True, status=RunStatus.DONE, history_end=period_shift(month, Frequency.MONTH, -1),
    ).exists()
    monthly = forecast_run_execute(freq=Frequency.MONTH, snapshot=snapshot_due, today=today)
    weekly = forecast_run_execute(freq=Frequency.WEEK, kinds=(SeriesKind.COMPANY, SeriesKind.TEAM, SeriesKind.CATEGORY),
                                  today=today)
    audit_event_record(actor=None, action=AuditAction.CREATE, obj=monthly,
                       extra={"scheduled": True, "snapshot": snapshot_due, "weekly_run": weekly.pk})
    return {"monthly_run": monthly.pk, "weekly_run": weekly.pk, "snapshot": int(snapshot_due),
            "series": monthly.series_count + weekly.series_count}
