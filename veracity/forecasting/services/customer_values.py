"""Customer lifetime value and churn risk: fit MBG/NBD + Gamma–Gamma on every customer's purchase
history, check it on a holdout, store one CustomerValue per customer."""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import numpy as np
from django.db import transaction
from django.db.models import DecimalField, ExpressionWrapper, F, Sum
from django.utils import timezone

from veracity.accounts.access import access_require
from veracity.accounts.models import Action, Resource
from veracity.audit.models import AuditAction
from veracity.audit.services import audit_event_record
from veracity.forecasting.engine.clv import (
    bgnbd_expected_purchases,
    bgnbd_fit,
    bgnbd_p_alive,
    gamma_gamma_expected_spend,
    gamma_gamma_fit,
)
from veracity.forecasting.errors import NotEnoughHistory
from veracity.forecasting.models import ClvFit, CustomerValue
from veracity.forecasting.selectors.series import REVENUE_STATUSES
from veracity.sales.models import Order

MIN_CUSTOMERS = 10
HOLDOUT_DAYS = 90
CLV_HORIZON_DAYS = 365
WEEK = 7.0
CENT = Decimal("0.01")


def customer_histories(*, until: dt.date) -> dict[int, list[tuple[dt.date, float]]]:
    """{customer id: [(purchase day, revenue in the reporting currency), …]} for booked orders up to
    `until`, several orders on one day counted as one purchase (as BG/NBD counts them)."""
    amount = ExpressionWrapper(F("total_amount") * F("exchange_rate"),
                               output_field=DecimalField(max_digits=30, decimal_places=10))
    rows = (Order.objects.filter(status__in=REVENUE_STATUSES, order_date__lte=until,
                                 customer__deleted_at__isnull=True)
            .values("customer_id", "order_date").annotate(revenue=Sum(amount)).order_by("customer_id", "order_date"))
    histories: dict[int, list[tuple[dt.date, float]]] = defaultdict(list)
    for row in rows:
        histories[row["customer_id"]].append((row["order_date"], float(row["revenue"] or 0)))
    return dict(histories)


def _summaries(histories: dict, until: dt.date):
    """Arrays (ids, x, t_x, T, mean repeat spend, mean spend) in weeks, for customers with a purchase by `until`."""
    ids, x, t_x, T, repeat_mean, mean = [], [], [], [], [], []
    for customer_id, purchases in histories.items():
        days = [(day, value) for day, value in purchases if day <= until]
        if not days:
            continue
        first, last = days[0][0], days[-1][0]
        ids.append(customer_id)
        x.append(len(days) - 1)
        t_x.append((last - first).days / WEEK)
        T.append(max((until - first).days, 1) / WEEK)
        repeats = [value for _day, value in days[1:]]
        repeat_mean.append(float(np.mean(repeats)) if repeats else 0.0)
        mean.append(float(np.mean([value for _day, value in days])))
    return (np.array(ids), np.array(x, dtype=float), np.array(t_x), np.array(T),
            np.array(repeat_mean), np.array(mean))


def _finite(value: float) -> float | None:
    return float(value) if value is not None and np.isfinite(value) else None


def _holdout(histories: dict, today: dt.date, holdout_days: int) -> tuple[float, float, float] | None:
    """Fit on the calibration period (up to `holdout_days` before today), predict each calibration
    customer's purchases in the holdout, and compare with what they bought: (predicted, actual, MAE)."""
    calibration_end = today - dt.timedelta(days=holdout_days)
    ids, x, t_x, T, _repeat, _mean = _summaries(histories, calibration_end)
    if ids.size < MIN_CUSTOMERS or not np.any(x > 0):
        return None
    params = bgnbd_fit(x, t_x, T, modified=True)
    predicted = bgnbd_expected_purchases(params, holdout_days / WEEK, x, t_x, T)
    actual = np.array([sum(1 for day, _value in histories[int(pk)] if calibration_end < day <= today) for pk in ids],
                      dtype=float)
    return _finite(predicted.sum()), float(actual.sum()), _finite(np.mean(np.abs(predicted - actual)))


def clv_refresh(*, actor=None, today: dt.date | None = None, holdout_days: int = HOLDOUT_DAYS) -> ClvFit:
    """Fit the models on every customer's purchases up to `today`, validate on a holdout, and replace
    every CustomerValue. CLV is expected purchases over the next 12 months times the expected spend per
    purchase (Gamma–Gamma), undiscounted, in the reporting currency."""
    if actor is not None:
        access_require(actor, Resource.FORECAST, Action.CREATE)
    today = today or timezone.localdate()
    histories = customer_histories(until=today)
    ids, x, t_x, T, repeat_mean, mean = _summaries(histories, today)
    if ids.size < MIN_CUSTOMERS or not np.any(x > 0):
        raise NotEnoughHistory(f"At least {MIN_CUSTOMERS} customers with purchases, some repeated, are needed.")
    validation = _holdout(histories, today, holdout_days)
    params = bgnbd_fit(x, t_x, T, modified=True)
    p_alive = np.clip(bgnbd_p_alive(params, x, t_x, T), 0.0, 1.0)
    expected_90 = bgnbd_expected_purchases(params, 90 / WEEK, x, t_x, T)
    expected_year = bgnbd_expected_purchases(params, CLV_HORIZON_DAYS / WEEK, x, t_x, T)
    try:
        spend_params = gamma_gamma_fit(x, repeat_mean)
        spend = gamma_gamma_expected_spend(spend_params, x, repeat_mean)
        spend = np.where(np.isfinite(spend), spend, mean)
        spend_fit = {"p": spend_params.p, "q": spend_params.q, "v": spend_params.v}
    except ValueError:  # too few repeat buyers for Gamma–Gamma: each customer's own mean spend
        spend, spend_fit = mean, {}
    # A degenerate fit (e.g. hypergeometric overflow) must not store NaN: such a customer gets 0.
    clv = np.nan_to_num(expected_year * spend, nan=0.0, posinf=0.0, neginf=0.0)
    expected_90 = np.nan_to_num(expected_90, nan=0.0, posinf=0.0, neginf=0.0)
    p_alive = np.nan_to_num(p_alive, nan=1.0)
    fitted_at = timezone.now()
    last_purchase = {pk: purchases[-1][0] for pk, purchases in histories.items()}
    with transaction.atomic():
        fit = ClvFit.objects.create(
            observed_until=today, customers=int(ids.size),
            params={**{name: _finite(value) for name, value in {
                "r": params.r, "alpha": params.alpha, "a": params.a, "b": params.b, **spend_fit}.items()},
                "time_unit": "week", "model": "MBG/NBD"},
            holdout_days=holdout_days if validation else 0,
            holdout_predicted=validation[0] if validation else None,
            holdout_actual=validation[1] if validation else None,
            holdout_mae=validation[2] if validation else None,
            model="MBG/NBD + Gamma-Gamma",
        )
        CustomerValue.objects.all().delete()
        CustomerValue.objects.bulk_create([
            CustomerValue(
                customer_id=int(pk), fit=fit, clv=Decimal(str(round(float(value), 2))).quantize(CENT),
                churn_probability=round(float(1 - alive), 6), expected_purchases_90d=round(float(e90), 4),
                purchases=int(count) + 1, last_purchase=last_purchase[int(pk)],
                average_order_value=Decimal(str(round(float(avg), 2))).quantize(CENT), fitted_at=fitted_at,
            )
            for pk, value, alive, e90, count, avg in zip(ids, clv, p_alive, expected_90, x, mean, strict=True)
        ], batch_size=1000)
        audit_event_record(actor=actor, action=AuditAction.CREATE, obj=fit,
                           extra={"customers": int(ids.size), "holdout_predicted": fit.holdout_predicted,
                                  "holdout_actual": fit.holdout_actual})
    return fit
