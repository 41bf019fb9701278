"""Background tasks of the quality app (scheduled in ops/jobs/schedule.py)."""

from django_tasks import task

from veracity.quality.scorecards import current_period, previous_period
from veracity.quality.services.incentives import awards_give
from veracity.quality.services.issues import issue_scan
from veracity.quality.services.reviews import reviews_run
from veracity.quality.services.scores import score_snapshot_take


@task()
def quality_scan_run() -> dict:
    return issue_scan()


@task()
def quality_scores_run() -> int:
    return score_snapshot_take()


@task()
def quality_reviews_run() -> dict:
    return reviews_run()


@task()
def quality_awards_run() -> int:
    """Give last month's badges (the month is over, so the figures are final)."""
    return len(awards_give(period=previous_period(current_period())))
