"""Background jobs of forecasting (run by `veracity worker`; scheduled in ops/jobs/schedule.py)."""

from django_tasks import task

from veracity.forecasting import services
from veracity.forecasting.models import ForecastRun


@task()
def forecast_run_task(run_id: int) -> dict:
    """Execute a run queued by `forecast_run_request`."""
    run = services.forecast_run_execute(run=ForecastRun.objects.get(pk=run_id))
    return {"run": run.pk, "series": run.series_count, "duration_ms": run.duration_ms}


@task()
def forecast_refresh_task() -> dict:
    """Daily: refresh monthly and weekly forecasts; the month's first run is kept as its snapshot."""
    return services.forecast_refresh_scheduled()


@task()
def clv_refresh_task() -> dict:
    fit = services.clv_refresh()
    return {"fit": fit.pk, "customers": fit.customers}


@task()
def alerts_detect_task() -> dict:
    """Daily: raise anomaly alerts and notify the people who act on them."""
    created = services.alerts_detect()
    return {"created": len(created), "notified": services.alerts_notify(created)}
