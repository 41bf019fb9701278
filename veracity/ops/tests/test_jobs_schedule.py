"""The schedule and the scheduler: due times, exactly-once enqueueing, disabled and missing entries."""

import datetime as dt
import logging

import pytest
from freezegun import freeze_time

from veracity.ops.jobs import scheduler
from veracity.ops.jobs.models import ScheduledJob
from veracity.ops.jobs.schedule import InvalidSpec, ScheduleEntry, next_due

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def local(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


@pytest.mark.parametrize(("spec", "after", "due"), [
    ("daily at 03:00", local(2026, 3, 5, 2, 59), local(2026, 3, 5, 3, 0)),
    ("daily at 03:00", local(2026, 3, 5, 3, 0), local(2026, 3, 6, 3, 0)),      # strictly after
    ("daily at 03:00", local(2026, 12, 31, 23, 0), local(2027, 1, 1, 3, 0)),
    ("hourly at :15", local(2026, 3, 5, 10, 14, 59), local(2026, 3, 5, 10, 15)),
    ("hourly at :15", local(2026, 3, 5, 10, 15), local(2026, 3, 5, 11, 15)),
    ("hourly at :15", local(2026, 3, 5, 23, 30), local(2026, 3, 6, 0, 15)),
    ("every 15 minutes", local(2026, 3, 5, 10, 7), local(2026, 3, 5, 10, 15)),
    ("every 15 minutes", local(2026, 3, 5, 23, 50), local(2026, 3, 6, 0, 0)),
    ("every 7 minutes", local(2026, 3, 5, 23, 58), local(2026, 3, 6, 0, 0)),   # restarts at midnight
    ("weekly on mon at 06:30", local(2026, 3, 5, 12, 0), local(2026, 3, 9, 6, 30)),  # a Thursday
    ("weekly on thu at 06:30", local(2026, 3, 5, 6, 30), local(2026, 3, 12, 6, 30)),
    ("Daily at 3:00", local(2026, 3, 5, 1, 0), local(2026, 3, 5, 3, 0)),
])
def test_next_due_is_the_first_matching_moment_after(spec, after, due):
    assert next_due(spec, after) == due
    assert next_due(spec, after).tzinfo == dt.UTC


def test_next_due_reads_times_in_the_configured_zone(settings):
    settings.TIME_ZONE = "Europe/London"  # 03:00 in London is 11:00 in Shanghai (winter)
    assert next_due("daily at 03:00", local(2026, 1, 5, 10, 0)) == local(2026, 1, 5, 11, 0)


@pytest.mark.parametrize("spec", ["daily at 25:00", "hourly at :60", "every 0 minutes", "monthly", ""])
def test_invalid_specs_are_refused(spec):
    with pytest.raises(InvalidSpec):
        next_due(spec, local(2026, 3, 5, 0, 0))


@pytest.fixture
def enqueued(monkeypatch):
    """Record the entries the scheduler enqueues instead of running them (the queue itself is
    exercised end to end in test_jobs_worker.py)."""
    calls: list[str] = []

    def fake_resolve(entry):
        if not entry.target.startswith("veracity.workspace"):
            return None  # as when that app is not installed: these tests follow purge_trash alone
        return lambda: calls.append(entry.name) or type("R", (), {"id": f"r{len(calls)}"})()

    monkeypatch.setattr(scheduler, "_resolve", fake_resolve)
    return calls


@pytest.mark.django_db
def test_a_job_is_enqueued_when_due_and_its_next_run_moves_a_day_on(enqueued, django_capture_on_commit_callbacks):
    with freeze_time(local(2026, 3, 5, 1, 0)):
        scheduler.schedule_sync()
    purge = ScheduledJob.objects.get(name="purge_trash")
    assert purge.next_due_at == local(2026, 3, 5, 3, 0)
    with freeze_time(local(2026, 3, 5, 2, 59)), django_capture_on_commit_callbacks(execute=True):
        assert scheduler.scheduler_tick() == []
    with freeze_time(local(2026, 3, 5, 3, 0, 5)), django_capture_on_commit_callbacks(execute=True):
        assert scheduler.scheduler_tick() == ["purge_trash"]
        assert scheduler.scheduler_tick() == []   # the same run is not enqueued twice
    purge.refresh_from_db()
    assert enqueued == ["purge_trash"]
    assert purge.last_enqueued_at == local(2026, 3, 5, 3, 0, 5)
    assert purge.next_due_at == local(2026, 3, 6, 3, 0)
    assert purge.last_result_id == "r1"


@pytest.mark.django_db
def test_a_scheduler_that_was_down_enqueues_a_missed_job_once_not_once_per_missed_day(enqueued):
    with freeze_time(local(2026, 3, 1, 1, 0)):
        scheduler.schedule_sync()
    with freeze_time(local(2026, 3, 5, 12, 0)):
        assert scheduler.scheduler_tick() == ["purge_trash"]
        assert scheduler.scheduler_tick() == []
    assert ScheduledJob.objects.get(name="purge_trash").next_due_at == local(2026, 3, 6, 3, 0)


@pytest.mark.django_db
def test_two_schedulers_racing_on_the_same_due_row_enqueue_it_once(enqueued, monkeypatch,
                                                                    django_capture_on_commit_callbacks):
    """Scheduler A reads the due row; before A claims it, scheduler B runs a whole pass. A's
    conditional UPDATE then matches nothing, so only B enqueues."""
    with freeze_time(local(2026, 3, 5, 1, 0)):
        scheduler.schedule_sync()
    fake_resolve = scheduler._resolve
    results = {}

    def resolve_while_b_runs(entry):
        if "b" not in results:
            monkeypatch.setattr(scheduler, "_resolve", fake_resolve)
            results["b"] = scheduler.scheduler_tick()   # B, in between A's read and A's claim
        return fake_resolve(entry)

    monkeypatch.setattr(scheduler, "_resolve", resolve_while_b_runs)
    with freeze_time(local(2026, 3, 5, 3, 1)), django_capture_on_commit_callbacks(execute=True):
        results["a"] = scheduler.scheduler_tick()
    assert results == {"b": ["purge_trash"], "a": []}
    assert enqueued == ["purge_trash"]


@pytest.mark.django_db
def test_the_claim_succeeds_for_exactly_one_of_two_stale_readers():
    with freeze_time(local(2026, 3, 5, 1, 0)):
        scheduler.schedule_sync()
    first, second = ScheduledJob.objects.get(name="purge_trash"), ScheduledJob.objects.get(name="purge_trash")
    following = local(2026, 3, 6, 3, 0)
    claims = [ScheduledJob.objects.filter(pk=row.pk, enabled=True, next_due_at=row.next_due_at)
              .update(next_due_at=following) for row in (first, second)]
    assert claims == [1, 0]


@pytest.mark.django_db
def test_disabled_jobs_are_not_enqueued(enqueued):
    with freeze_time(local(2026, 3, 5, 1, 0)):
        scheduler.schedule_sync()
    ScheduledJob.objects.filter(name="purge_trash").update(enabled=False)
    with freeze_time(local(2026, 3, 5, 4, 0)):
        assert scheduler.scheduler_tick() == []
    assert enqueued == []


@pytest.fixture
def schedule_with_a_missing_target(monkeypatch):
    """The declared schedule plus two entries whose code is not installed."""
    from veracity.ops.jobs import schedule as schedule_module

    missing = (
        ScheduleEntry("report_daily", "daily at 02:30", "veracity.nowhere.tasks.report_run"),
        ScheduleEntry("report_hourly", "hourly at :15", "veracity.nowhere.tasks.report_run"),
    )
    monkeypatch.setattr(schedule_module, "SCHEDULE", schedule_module.SCHEDULE + missing)
    return missing


@pytest.mark.django_db
def test_entries_whose_target_does_not_import_are_skipped_with_a_warning(caplog, schedule_with_a_missing_target):
    scheduler._warned_unavailable.clear()
    with freeze_time(local(2026, 3, 5, 1, 0)):
        scheduler.schedule_sync()
    ScheduledJob.objects.exclude(name__startswith="report").update(enabled=False)
    with freeze_time(local(2026, 3, 6, 1, 0)), caplog.at_level(logging.WARNING, logger="veracity.jobs"):
        assert scheduler.scheduler_tick() == []
        assert scheduler.scheduler_tick() == []
    warnings = [r.getMessage() for r in caplog.records if "does not import" in r.getMessage()]
    assert sorted(w.split()[2] for w in warnings) == ["report_daily", "report_hourly"]  # once each
    # The skipped entries keep their due time, so they run as soon as the code is there.
    assert ScheduledJob.objects.get(name="report_daily").next_due_at == local(2026, 3, 5, 2, 30)


def test_the_backup_entries_name_the_backup_task():
    from veracity.ops.jobs.schedule import entries

    for name in ("backup_hourly", "backup_daily"):
        assert scheduler.target_available(entries()[name]) is True


def test_a_missing_target_is_reported_unavailable():
    entry = ScheduleEntry("x", "daily at 01:00", "veracity.ops.nowhere.run")
    assert scheduler.target_available(entry) is False
    assert scheduler._resolve(entry) is None


@pytest.mark.django_db
def test_the_loop_sleeps_until_the_next_due_time_but_at_most_a_minute():
    with freeze_time(local(2026, 3, 5, 2, 59, 50)):
        scheduler.schedule_sync()
        ScheduledJob.objects.exclude(name="purge_trash").update(enabled=False)
        assert scheduler.seconds_until_next() == 10
    with freeze_time(local(2026, 3, 5, 1, 0)):
        assert scheduler.seconds_until_next() == scheduler.MAX_SLEEP_SECONDS
    ScheduledJob.objects.update(enabled=False)
    assert scheduler.seconds_until_next() == scheduler.MAX_SLEEP_SECONDS


@pytest.mark.django_db
def test_a_changed_spec_in_code_moves_the_next_due_time(monkeypatch):
    with freeze_time(local(2026, 3, 5, 1, 0)):
        scheduler.schedule_sync()
        monkeypatch.setattr("veracity.ops.jobs.scheduler.entries", lambda: {
            "purge_trash": ScheduleEntry("purge_trash", "daily at 01:30", "veracity.workspace.tasks.trash_purge_run")})
        scheduler.schedule_sync()
    row = ScheduledJob.objects.get(name="purge_trash")
    assert (row.spec, row.next_due_at) == ("daily at 01:30", local(2026, 3, 5, 1, 30))
