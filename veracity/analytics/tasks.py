"""Scheduled work of analytics (declared in ops/jobs/schedule.py)."""

from django_tasks import task

from veracity.analytics.services import customer_rfm_refresh, pipeline_snapshot_take, rollups_refresh
from veracity.analytics.services.reviews import periodic_review_run, periodic_review_run_if_month_start
from veracity.analytics.services.stored_figures import stored_figures_prepare, stored_figures_refresh


@task()
def rollups_refresh_task() -> dict:
    """Catch up the rollups, then the stored dashboard figures people read that fell behind."""
    result = rollups_refresh()
    return {"orders": result.orders, "keys": result.keys, "stored_figures": stored_figures_refresh()}


@task()
def analytics_nightly_task() -> dict:
    """Catch up the rollups, then RFM segments, today's pipeline snapshot and the stored dashboard
    figures of today's preset ranges."""
    rollups_refresh()
    return {"rfm_customers": customer_rfm_refresh(), "pipeline_cells": pipeline_snapshot_take(),
            "stored_figures": stored_figures_prepare()}


@task()
def review_weekly_task() -> list[int]:
    return [review.pk for review in periodic_review_run(period="weekly")]


@task()
def review_monthly_task() -> list[int]:
    return [review.pk for review in periodic_review_run_if_month_start()]
