"""The periodic jobs, declared in code. An admin can enable or disable each one (the `ScheduledJob`
row); when it runs is decided here.

A spec is one of (times in settings.TIME_ZONE):
    "daily at HH:MM"        once a day
    "hourly at :MM"         once an hour, MM minutes past
    "every N minutes"       on multiples of N minutes since midnight (N divides 60 or 1440 for even spacing)
    "weekly on DAY at HH:MM" DAY is mon … sun

A target is the dotted path of a django-tasks `Task` (enqueued as is, with `kwargs`) or of a plain
function (run inside the `scheduled_job_run` task). Targets are strings so an entry can name code
another app adds later: an entry whose target does not import is skipped with a warning."""

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class ScheduleEntry:
    name: str
    spec: str
    target: str
    description: str = ""
    kwargs: dict[str, Any] = field(default_factory=dict)
    enabled_by_default: bool = True


SCHEDULE: tuple[ScheduleEntry, ...] = (
    ScheduleEntry("purge_trash", "daily at 03:00", "veracity.workspace.tasks.trash_purge_run",
                  _("Permanently delete records that have been in the trash longer than the retention window.")),
    ScheduleEntry("import_prepared_sweep", "daily at 03:20", "veracity.imports.tasks.import_prepared_sweep_task",
                  _("Delete the checked batches of imports that were never loaded, after a week.")),
    # Each backup run also drills the new backup (alerting admins if it fails) and prunes by retention.
    ScheduleEntry("backup_hourly", "hourly at :15", "veracity.ops.backups.tasks.backup_scheduled_task",
                  _("Hourly backup of the database."), kwargs={"kind": "hourly"}),
    ScheduleEntry("backup_daily", "daily at 02:30", "veracity.ops.backups.tasks.backup_scheduled_task",
                  _("Daily backup of the database and uploaded files."), kwargs={"kind": "daily"}),
    # Data quality (quality app) and the notification digests (notifications app).
    ScheduleEntry("quality_scan", "daily at 01:30", "veracity.quality.tasks.quality_scan_run",
                  _("Run the data-quality rules and flag invalid and decaying records.")),
    ScheduleEntry("quality_scores", "daily at 01:50", "veracity.quality.tasks.quality_scores_run",
                  _("Store today's data-quality scores for the trend charts.")),
    ScheduleEntry("quality_reviews", "daily at 06:30", "veracity.quality.tasks.quality_reviews_run",
                  _("Open due data audits, escalate overdue ones and remind people of stale records, "
                    "overdue tasks and pending reviews.")),
    ScheduleEntry("quality_awards", "daily at 02:10", "veracity.quality.tasks.quality_awards_run",
                  _("Give the badges earned last period under the award rules.")),
    ScheduleEntry("notification_digests", "daily at 07:30", "veracity.notifications.tasks.digest_send_due_run",
                  _("Email the daily and weekly notification digests that are due.")),
    ScheduleEntry("ticket_sla_check", "every 15 minutes", "veracity.service.tasks.ticket_sla_check_run",
                  _("Flag open service tickets that went past their SLA targets.")),
    ScheduleEntry("repeat_purchase_prompts", "daily at 07:00", "veracity.service.tasks.repeat_purchase_prompts_task",
                  _("Raise tasks for owners of customers due to buy again, from their purchase rhythm.")),
    ScheduleEntry("feedback_send", "hourly at :40", "veracity.feedback.tasks.feedback_send_task",
                  _("Send survey invitations for orders delivered and tickets closed since the last run.")),
    # Forecasting: the first monthly run of each month is kept as that month's forecast snapshot.
    ScheduleEntry("forecast_refresh", "daily at 04:00", "veracity.forecasting.tasks.forecast_refresh_task",
                  _("Refit the revenue forecasts; keep the month's first run as its snapshot.")),
    ScheduleEntry("clv_refresh", "daily at 04:30", "veracity.forecasting.tasks.clv_refresh_task",
                  _("Refit customer lifetime values and churn risk.")),
    ScheduleEntry("anomalies_detect", "daily at 05:00", "veracity.forecasting.tasks.alerts_detect_task",
                  _("Raise anomaly alerts on weekly revenue and order rhythms.")),
    ScheduleEntry("analytics_rollups", "every 5 minutes", "veracity.analytics.tasks.rollups_refresh_task",
                  _("Bring the sales rollups up to date with changed orders.")),
    ScheduleEntry("analytics_nightly", "daily at 01:30", "veracity.analytics.tasks.analytics_nightly_task",
                  _("Refresh RFM customer segments and take the daily pipeline snapshot.")),
    ScheduleEntry("review_weekly", "weekly on mon at 07:00", "veracity.analytics.tasks.review_weekly_task",
                  _("Build, archive and email the weekly reviews.")),
    ScheduleEntry("review_monthly", "daily at 07:10", "veracity.analytics.tasks.review_monthly_task",
                  _("On the first of the month, build, archive and email the monthly reviews.")),
)

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAILY = re.compile(r"^daily at (\d{1,2}):(\d{2})$")
_HOURLY = re.compile(r"^hourly at :(\d{2})$")
_EVERY = re.compile(r"^every (\d{1,4}) minutes?$")
_WEEKLY = re.compile(r"^weekly on (mon|tue|wed|thu|fri|sat|sun) at (\d{1,2}):(\d{2})$")


class InvalidSpec(ValueError):
    pass


def entries() -> dict[str, ScheduleEntry]:
    return {entry.name: entry for entry in SCHEDULE}


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _time(hour: str, minute: str, spec: str) -> dt.time:
    if int(hour) > 23 or int(minute) > 59:
        raise InvalidSpec(f"No such time of day in {spec!r}.")
    return dt.time(int(hour), int(minute))


def _at(day: dt.date, time: dt.time, zone: ZoneInfo) -> dt.datetime:
    """`day` at `time` local, as an aware datetime. A time skipped by a DST change (fold) resolves
    forward; zoneinfo handles it."""
    return dt.datetime.combine(day, time, tzinfo=zone)


def next_due(spec: str, after: dt.datetime) -> dt.datetime:
    """The first moment strictly after `after` (aware) at which `spec` is due, in UTC."""
    spec = spec.strip().lower()
    zone = _zone()
    local = after.astimezone(zone)
    if match := _DAILY.match(spec):
        time = _time(*match.groups(), spec)
        candidate = _at(local.date(), time, zone)
        if candidate <= local:
            candidate = _at(local.date() + dt.timedelta(days=1), time, zone)
    elif match := _WEEKLY.match(spec):
        day_name, hour, minute = match.groups()
        time = _time(hour, minute, spec)
        ahead = (DAYS.index(day_name) - local.weekday()) % 7
        candidate = _at(local.date() + dt.timedelta(days=ahead), time, zone)
        if candidate <= local:
            candidate = _at(local.date() + dt.timedelta(days=ahead + 7), time, zone)
    elif match := _HOURLY.match(spec):
        minute = int(match.group(1))
        if minute > 59:
            raise InvalidSpec(f"No such minute in {spec!r}.")
        candidate = local.replace(minute=minute, second=0, microsecond=0)
        if candidate <= local:
            candidate += dt.timedelta(hours=1)
    elif match := _EVERY.match(spec):
        step = int(match.group(1))
        if not 1 <= step <= 1440:
            raise InvalidSpec(f"The interval in {spec!r} must be 1 to 1440 minutes.")
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
        minutes = int((local - midnight).total_seconds() // 60)
        candidate = midnight + dt.timedelta(minutes=(minutes // step + 1) * step)
        if candidate.date() != midnight.date():
            candidate = _at(midnight.date() + dt.timedelta(days=1), dt.time(0, 0), zone)
    else:
        raise InvalidSpec(f"Unknown schedule {spec!r}: use 'daily at HH:MM', 'hourly at :MM', "
                          "'every N minutes' or 'weekly on DAY at HH:MM'.")
    return candidate.astimezone(dt.UTC)
