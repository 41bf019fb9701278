"""Revenue series, forecast runs, visibility of series, snapshots against actuals, the CLI contract."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from veracity.core.errors import PermissionDenied, ValidationFailed
from veracity.forecasting import selectors, services
from veracity.forecasting.models import ForecastPoint, ForecastRun, RunStatus
from veracity.forecasting.tests.conftest import TODAY
from veracity.forecasting.tests.factories import customer_for, order_for

pytestmark = pytest.mark.django_db


def test_revenue_series_converts_at_each_orders_booked_rate_and_skips_cancelled_and_deleted(rep_li):
    customer = customer_for(rep_li)
    order_for(customer, day=dt.date(2026, 3, 3), amount="100.00")
    order_for(customer, day=dt.date(2026, 3, 20), amount="10.00", currency="USD", rate="7.1")
    order_for(customer, day=dt.date(2026, 3, 21), amount="999.00", status="cancelled")
    deleted = order_for(customer, day=dt.date(2026, 3, 22), amount="555.00")
    deleted.deleted_at = deleted.created_at
    deleted.save()
    frame = selectors.revenue_series(user=None, by="company", freq="month")
    assert frame.to_dicts() == [{"key": "company", "kind": "company", "object_id": None, "label": "Company",
                                 "period": dt.date(2026, 3, 1), "revenue": pytest.approx(171.0)}]


def test_revenue_series_for_a_rep_counts_only_orders_the_rep_may_see(sales_history, rep_li):
    frame = selectors.revenue_series(user=rep_li, by="company", freq="month")
    assert frame["revenue"].sum() == pytest.approx(sum(
        float(o.total_amount) for o in sales_history[0].orders.all()))


def test_revenue_series_rejects_an_unknown_grouping(admin):
    with pytest.raises(ValidationFailed):
        selectors.revenue_series(user=admin, by="galaxy")


def test_forecast_run_stores_nested_intervals_and_mase_for_every_series(sales_history):
    run = services.forecast_run_execute(freq="month", horizon=6, today=TODAY)
    assert run.status == RunStatus.DONE
    keys = set(run.series.values_list("key", flat=True))
    assert {"company", f"rep:{sales_history[0].owner_id}"} <= keys
    company = run.series.get(key="company")
    assert company.backtest_mase is not None and company.baseline_mase is not None
    points = list(ForecastPoint.objects.filter(series=company))
    assert [p.period for p in points] == [dt.date(2026, 7, 1), dt.date(2026, 8, 1), dt.date(2026, 9, 1),
                                          dt.date(2026, 10, 1), dt.date(2026, 11, 1), dt.date(2026, 12, 1)]
    for p in points:
        assert p.lo95 <= p.lo80 <= p.forecast <= p.hi80 <= p.hi95


def test_rep_sees_only_their_own_series_and_manager_sees_the_company(sales_history, rep_li, rep_bob, manager_mei):
    services.forecast_run_execute(freq="month", horizon=3, today=TODAY)
    assert set(selectors.forecast_series_list(user=rep_li).values_list("key", flat=True)) == {f"rep:{rep_li.pk}"}
    assert "company" in set(selectors.forecast_series_list(user=manager_mei).values_list("key", flat=True))
    with pytest.raises(Exception) as refused:
        selectors.forecast_series_get(user=rep_bob, key=f"rep:{rep_li.pk}")
    assert getattr(refused.value, "code", "") == "not_found"


def test_service_cannot_see_forecasts_at_all(service_sam):
    with pytest.raises(PermissionDenied):
        selectors.forecast_series_list(user=service_sam)


def test_rep_cannot_start_a_forecast_run_and_nothing_is_stored(rep_li):
    with pytest.raises(PermissionDenied):
        services.forecast_run_request(actor=rep_li)
    assert not ForecastRun.objects.exists()


def test_forecast_run_request_rejects_a_horizon_out_of_range(manager_mei):
    with pytest.raises(ValidationFailed) as error:
        services.forecast_run_request(actor=manager_mei, horizon=500)
    assert "horizon" in error.value.detail["fields"]
    assert not ForecastRun.objects.exists()


def test_forecast_vs_actual_compares_the_snapshot_made_before_each_month(sales_history, manager_mei):
    customer = sales_history[0]
    services.forecast_run_execute(freq="month", horizon=3, today=dt.date(2026, 4, 5), snapshot=True)
    order_for(customer, day=dt.date(2026, 4, 8), amount="5000.00")
    rows = selectors.forecast_vs_actual(user=manager_mei, period_start=dt.date(2026, 4, 1),
                                        period_end=dt.date(2026, 5, 31))
    april = [row for row in rows if row["series"] == "company" and row["period"] == dt.date(2026, 4, 1)][0]
    assert set(april) == {"series", "period", "forecast", "actual", "lo80", "hi80", "lo95", "hi95", "error_pct"}
    expected_actual = sum(float(o.total_amount * o.exchange_rate) for o in
                          customer.orders.model.objects.filter(order_date__range=(dt.date(2026, 4, 1), dt.date(2026, 4, 30))))
    assert april["actual"] == pytest.approx(expected_actual)
    assert april["error_pct"] == pytest.approx((april["forecast"] - april["actual"]) / april["actual"] * 100, abs=0.1)
    team_rows = selectors.forecast_vs_actual(user=manager_mei, period_start=dt.date(2026, 4, 1),
                                             period_end=dt.date(2026, 5, 31), team=manager_mei.team_id)
    assert {row["series"] for row in team_rows} == {"North"}


def test_a_rep_gets_no_company_rows_in_forecast_vs_actual(sales_history, rep_li):
    services.forecast_run_execute(freq="month", horizon=3, today=dt.date(2026, 4, 5), snapshot=True)
    assert selectors.forecast_vs_actual(user=rep_li, period_start=dt.date(2026, 4, 1),
                                        period_end=dt.date(2026, 5, 31)) == []


def test_cli_prints_exactly_the_documented_columns(sales_history):
    out = io.StringIO()
    call_command("forecast", "--by", "team", "--horizon", "2", "--format", "csv", stdout=out)
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0] == ["series", "period", "forecast", "lo80", "hi80", "lo95", "hi95", "model", "backtest_mase"]
    assert {row[0] for row in rows[1:]} == {"North", "South"}
    assert len(rows) == 1 + 2 * 2
    for row in rows[1:]:
        lo95, lo80, mean, hi80, hi95 = (Decimal(row[i]) for i in (5, 3, 2, 4, 6))
        assert lo95 <= lo80 <= mean <= hi80 <= hi95


def test_scheduled_refresh_takes_one_snapshot_a_month(sales_history):
    first = services.forecast_refresh_scheduled(today=TODAY)
    second = services.forecast_refresh_scheduled(today=TODAY)
    assert first["snapshot"] == 1 and second["snapshot"] == 0
    assert ForecastRun.objects.filter(is_snapshot=True).count() == 1
