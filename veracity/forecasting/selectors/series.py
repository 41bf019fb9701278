"""Revenue series, stored forecasts, and forecasts against what happened.

Who sees which forecast series (resource `forecast`, action view):
- scope ALL (admin, manager, marketing, auditor): every series;
- scope TEAM: the series of the teams they belong to or manage and of those teams' reps;
- scope OWN (reps): only their own series (`rep:<their id>`, revenue they booked). The company,
  team, category and product series sum other people's customers, so a rep does not see them."""

import datetime as dt

import polars as pl
from django.db.models import DecimalField, ExpressionWrapper, F, Prefetch, QuerySet, Sum
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils import timezone
from django.utils.translation import gettext as _

from veracity.accounts.access import access_require, scoped, team_ids
from veracity.accounts.models import Action, Resource, Scope, User
from veracity.core.errors import NotFound, ValidationFailed
from veracity.forecasting.models import (
    ForecastPoint,
    ForecastRun,
    ForecastSeries,
    Frequency,
    RunStatus,
    SeriesKind,
)
from veracity.forecasting.periods import last_complete_period, period_end, period_range
from veracity.sales.models import Order, OrderLine, OrderStatus

# Orders that count as revenue: booked and not cancelled.
REVENUE_STATUSES = (OrderStatus.CONFIRMED, OrderStatus.SHIPPED, OrderStatus.DELIVERED)
# by -> (id lookup, label lookups) from an order line.
_GROUPS: dict[str, tuple[str | None, tuple[str, ...]]] = {
    SeriesKind.COMPANY: (None, ()),
    SeriesKind.TEAM: ("order__salesperson__team_id", ("order__salesperson__team__name",)),
    SeriesKind.CATEGORY: ("product__category_id", ("product__category__name",)),
    SeriesKind.PRODUCT: ("product_id", ("product__sku", "product__name")),
    SeriesKind.REP: ("order__salesperson_id", ("order__salesperson__display_name", "order__salesperson__username")),
}
REVENUE_SCHEMA = {"key": pl.Utf8, "kind": pl.Utf8, "object_id": pl.Int64, "label": pl.Utf8,
                  "period": pl.Date, "revenue": pl.Float64}


def _check_kind(by: str) -> str:
    if by not in _GROUPS:
        raise ValidationFailed({"by": [_("Choose one of: %(kinds)s.") % {"kinds": ", ".join(_GROUPS)}]})
    return by


def _check_freq(freq: str) -> str:
    if freq not in Frequency.values:
        raise ValidationFailed({"freq": [_("Choose month or week.")]})
    return freq


def _label(kind: str, row: dict, object_id) -> str:
    if kind == SeriesKind.COMPANY:
        return str(_("Company"))
    lookups = _GROUPS[kind][1]
    if kind == SeriesKind.PRODUCT:
        return f"{row[lookups[0]]} {row[lookups[1]]}".strip()
    if kind == SeriesKind.REP:
        return row[lookups[0]] or row[lookups[1]]
    return row[lookups[0]] or str(object_id)


def revenue_series(*, user: User | None, by: str = SeriesKind.COMPANY, freq: str = Frequency.MONTH,
                   start: dt.date | None = None, end: dt.date | None = None) -> pl.DataFrame:
    """Revenue per series and period, in the reporting currency at each order's booked exchange rate,
    aggregated by the database. Columns: key, kind, object_id, label, period (first day), revenue.

    `user` limits the order lines to the orders that user may see (resource `order`); `None` is the
    system itself (the forecast job), which reads every order. Periods without orders are absent:
    `series_filled` adds the zeros. Lines without a team or category are left out of those series."""
    _check_kind(by)
    _check_freq(freq)
    lines = OrderLine.objects.filter(order__deleted_at__isnull=True, order__status__in=REVENUE_STATUSES)
    if user is not None:
        lines = lines.filter(order__in=scoped(Order.objects.all(), user=user, resource=Resource.ORDER))
    if start:
        lines = lines.filter(order__order_date__gte=start)
    if end:
        lines = lines.filter(order__order_date__lte=end)
    id_lookup, label_lookups = _GROUPS[by]
    if id_lookup:
        lines = lines.filter(**{f"{id_lookup}__isnull": False})
    trunc = TruncWeek("order__order_date") if freq == Frequency.WEEK else TruncMonth("order__order_date")
    amount = ExpressionWrapper(F("net_amount") * F("order__exchange_rate"),
                               output_field=DecimalField(max_digits=30, decimal_places=10))
    fields = [field for field in (id_lookup, *label_lookups) if field]
    rows = (lines.annotate(period=trunc).values("period", *fields).annotate(revenue=Sum(amount))
            .order_by("period"))
    records = []
    for row in rows:
        object_id = row[id_lookup] if id_lookup else None
        period = row["period"]
        if isinstance(period, dt.datetime):
            period = period.date()
        records.append({
            "key": f"{by}:{object_id}" if id_lookup else by, "kind": by, "object_id": object_id,
            "label": _label(by, row, object_id), "period": period, "revenue": float(row["revenue"] or 0),
        })
    return pl.DataFrame(records, schema=REVENUE_SCHEMA)


def series_filled(frame: pl.DataFrame, *, freq: str, last: dt.date) -> dict[str, tuple[str, int | None, str, list]]:
    """{key: (kind, object_id, label, [(period, revenue), …])} with every period from the series'
    first order to `last` (inclusive), zeros where nothing was sold; periods after `last` dropped."""
    result = {}
    frame = frame.filter(pl.col("period") <= last)
    for (key,), group in frame.group_by(["key"], maintain_order=True):
        values = dict(zip(group["period"].to_list(), group["revenue"].to_list(), strict=True))
        first = min(values)
        row = group.row(0, named=True)
        result[key] = (row["kind"], row["object_id"], row["label"],
                       [(period, values.get(period, 0.0)) for period in period_range(first, last, freq)])
    return result


# --- stored forecasts -------------------------------------------------------------------------------

def series_visible(user: User | None) -> tuple[bool, set[str]]:
    """(sees every series, the keys seen otherwise). Raises PermissionDenied without forecast view.
    `None` is the system itself (CLI without --user, jobs), which sees everything."""
    if user is None:
        return True, set()
    scope = access_require(user, Resource.FORECAST, Action.VIEW)
    if scope == Scope.ALL:
        return True, set()
    keys = {f"{SeriesKind.REP}:{user.pk}"}
    if scope == Scope.TEAM:
        teams = team_ids(user)
        keys |= {f"{SeriesKind.TEAM}:{team}" for team in teams}
        keys |= {f"{SeriesKind.REP}:{pk}" for pk in User.objects.filter(team_id__in=teams).values_list("pk", flat=True)}
    return False, keys


def forecast_run_latest(*, freq: str = Frequency.MONTH) -> ForecastRun | None:
    return ForecastRun.objects.filter(freq=_check_freq(freq), status=RunStatus.DONE).order_by("-created_at", "-id").first()


def forecast_run_list(*, user: User, limit: int = 20) -> list[ForecastRun]:
    access_require(user, Resource.FORECAST, Action.VIEW)
    return list(ForecastRun.objects.select_related("requested_by")[:limit])


def forecast_series_list(*, user: User | None, freq: str = Frequency.MONTH, kind: str = "") -> QuerySet[ForecastSeries]:
    """The series of the latest finished run of `freq` that `user` may see (empty if none ran yet)."""
    sees_all, keys = series_visible(user)
    run = forecast_run_latest(freq=freq)
    if run is None:
        return ForecastSeries.objects.none()
    queryset = ForecastSeries.objects.filter(run=run).select_related("run")
    if kind:
        queryset = queryset.filter(kind=_check_kind(kind))
    if not sees_all:
        queryset = queryset.filter(key__in=keys)
    return queryset.order_by("kind", "label", "id")


def forecast_series_get(*, user: User, key: str, freq: str = Frequency.MONTH) -> ForecastSeries:
    series = (forecast_series_list(user=user, freq=freq).filter(key=key)
              .prefetch_related(Prefetch("points", queryset=ForecastPoint.objects.order_by("period"))).first())
    if series is None:
        raise NotFound()
    return series


def forecast_rows(*, user: User | None, by: str, freq: str = Frequency.MONTH, horizon: int | None = None) -> list[dict]:
    """Flat rows for the CLI and exports: series, period, forecast, lo80, hi80, lo95, hi95, model,
    backtest_mase — the latest run's points, the first `horizon` of each series."""
    series_list = forecast_series_list(user=user, freq=freq, kind=_check_kind(by)).prefetch_related(
        Prefetch("points", queryset=ForecastPoint.objects.order_by("period")))
    rows = []
    for series in series_list:
        points = list(series.points.all())
        for point in points[:horizon] if horizon else points:
            rows.append({
                "series": series.label if series.kind != SeriesKind.COMPANY else "company",
                "period": point.period.isoformat(), "forecast": point.forecast, "lo80": point.lo80,
                "hi80": point.hi80, "lo95": point.lo95, "hi95": point.hi95, "model": series.model,
                "backtest_mase": None if series.backtest_mase is None else round(series.backtest_mase, 3),
            })
    return rows


def forecast_vs_actual(*, user: User, period_start: dt.date, period_end: dt.date, team=None) -> list[dict]:
    """Monthly forecasts from the stored snapshots beside the revenue that came in, for the periodic
    review. For each series (the company and each team the user may see; only `team` when given) and
    each month that started in [period_start, period_end] and is over, the forecast is the one from
    the latest snapshot taken before that month began. Rows: series, period, forecast, actual, lo80,
    hi80, lo95, hi95, error_pct ((forecast − actual) / actual × 100; None when actual is 0)."""
    if period_end < period_start:
        raise ValidationFailed({"period_end": [_("The end must not be before the start.")]})
    sees_all, keys = series_visible(user)
    team_id = getattr(team, "pk", team)
    if team_id is not None:
        wanted = {f"{SeriesKind.TEAM}:{int(team_id)}"}
    else:
        wanted = None  # company and every team
    today = timezone.localdate()
    last_month = last_complete_period(today, Frequency.MONTH)
    points = (ForecastPoint.objects
              .filter(series__run__is_snapshot=True, series__run__status=RunStatus.DONE,
                      series__run__freq=Frequency.MONTH, series__kind__in=(SeriesKind.COMPANY, SeriesKind.TEAM),
                      period__gte=period_start.replace(day=1), period__lte=min(period_end, last_month))
              .select_related("series", "series__run").order_by("series__run__created_at", "series__run_id"))
    chosen: dict[tuple[str, dt.date], ForecastPoint] = {}
    for point in points:
        key = point.series.key
        if wanted is not None and key not in wanted:
            continue
        if not sees_all and key not in keys:
            continue
        history_end = point.series.run.history_end
        if history_end is not None and history_end >= point.period:
            continue  # that run had already seen this month: not a forecast of it
        chosen[(key, point.period)] = point  # later snapshots overwrite earlier ones
    if not chosen:
        return []
    actual: dict[tuple[str, dt.date], float] = {}
    first = min(period for _key, period in chosen)
    last = period_end_of(max(period for _key, period in chosen))
    for kind in {key.split(":")[0] for key, _period in chosen}:
        frame = revenue_series(user=None, by=kind, freq=Frequency.MONTH, start=first, end=last)
        for row in frame.iter_rows(named=True):
            actual[(row["key"], row["period"])] = row["revenue"]
    rows = []
    for (key, period), point in sorted(chosen.items(), key=lambda item: (item[0][0] != "company", item[0])):
        value = round(actual.get((key, period), 0.0), 2)
        forecast = float(point.forecast)
        rows.append({
            "series": point.series.label if point.series.kind != SeriesKind.COMPANY else "company",
            "period": period, "forecast": forecast, "actual": value,
            "lo80": float(point.lo80), "hi80": float(point.hi80), "lo95": float(point.lo95), "hi95": float(point.hi95),
            "error_pct": round((forecast - value) / value * 100, 1) if value else None,
        })
    return rows


def period_end_of(month_start: dt.date) -> dt.date:
    return period_end(month_start, Frequency.MONTH)
