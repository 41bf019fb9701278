"""Stored dashboard figures (docs/decisions/0010-stored-dashboard-figures.md).

Some figures cannot be read from a few rollup cells at 10M order lines: "bought together" over a range's
ragged ends (a self-join over the basket rows), per-product sums for a team (the owner-or-salesperson
rule over the daily line rows), distinct customers by industry and region, RFM segments over a million
customers. For the dashboards listed in `selectors.STORED_DASHBOARDS` the figures of a (range, reach)
are stored when first shown, with the rollups' data version: the page shows them while current, or for
STALE_SHOWN after the data changed (saying "as of"); the scheduled refresh recomputes the ones people
read, and the nightly job prepares today's preset ranges for the reaches read lately."""

import datetime as dt
import time

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from veracity.analytics.models import StoredFigures
from veracity.analytics.selectors import STORED_DASHBOARDS
from veracity.analytics.selectors.base import (
    ORDER_ATTRIBUTE_FILTERS,
    DashboardFilters,
    preset_ranges,
    report_people,
    rollups_data_version,
    stored_figures,
    stored_figures_remember,
)
from veracity.core.errors import PermissionDenied

READ_MARK = dt.timedelta(hours=1)      # read_at is written at most this often
RECENTLY_READ = dt.timedelta(days=1)   # the scheduled refresh keeps these current
KEPT = dt.timedelta(days=7)            # unread this long: deleted; read within it: presets prepared


def _storable(dashboard: str, filters: DashboardFilters) -> bool:
    """Whether a dashboard's figures for these filters are stored: listed dashboards, dates only."""
    return dashboard in STORED_DASHBOARDS and not any(getattr(filters, name) for name in ORDER_ATTRIBUTE_FILTERS)


def stored_figures_ensure(*, user, dashboard: str, filters: DashboardFilters,
                          now: dt.datetime | None = None) -> StoredFigures | None:
    """Before a stored dashboard is drawn: make sure figures it may show are stored for these filters and
    the user's reach (computing them now when there are none, or they are too old), and note they were
    read. None for other dashboards and with filters beyond the dates (the page computes those itself)."""
    if not _storable(dashboard, filters):
        return None
    now = now or timezone.now()
    stored = stored_figures(user, dashboard, filters, now=now)
    if stored is None:
        return stored_figures_compute(user, dashboard, filters.date_from, filters.date_to, now=now)
    if stored.read_at is None or now - stored.read_at > READ_MARK:
        StoredFigures.objects.filter(pk=stored.pk).update(read_at=now)
    stored_figures_remember(user, stored)
    return stored


def stored_figures_ensure_current(*, user, dashboard: str, filters: DashboardFilters) -> StoredFigures | None:
    """Before an export: make sure the stored figures it would write are current, recomputing them if the
    data moved since (a file has no room to say "as of"; the page can). None as for stored_figures_ensure."""
    if not _storable(dashboard, filters):
        return None
    stored = stored_figures(user, dashboard, filters)
    if stored is None or not stored.is_current:
        return stored_figures_compute(user, dashboard, filters.date_from, filters.date_to, read=False)
    stored_figures_remember(user, stored)
    return stored


def stored_figures_compute(user, dashboard: str, date_from: dt.date, date_to: dt.date, *,
                           now: dt.datetime | None = None, read: bool = True) -> StoredFigures:
    """Compute and store a dashboard's figures for the range and the user's reach. The data version is
    taken before computing: if the data change meanwhile, the stored figures are already behind."""
    now = now or timezone.now()
    version = rollups_data_version()
    figures = STORED_DASHBOARDS[dashboard](user, DashboardFilters(date_from=date_from, date_to=date_to))
    values = {"computed_for": user, "figures": figures, "data_version": version, "computed_at": now}
    key = {"dashboard": dashboard, "date_from": date_from, "date_to": date_to,
           "reach_key": StoredFigures.key_for(report_people(user))}
    try:
        with transaction.atomic():
            stored, created = StoredFigures.objects.update_or_create(**key, defaults=values, create_defaults={
                **values, "read_at": now if read else None})
    except IntegrityError:   # another request stored the same figures first: theirs are as good
        return StoredFigures.objects.get(**key)
    if read and not created and (stored.read_at is None or now - stored.read_at > READ_MARK):
        StoredFigures.objects.filter(pk=stored.pk).update(read_at=now)
    stored.is_current = stored.data_version == rollups_data_version()
    stored_figures_remember(user, stored)
    return stored


def _reach_holder(stored: StoredFigures):
    """The user the figures were computed for, if their report scope still reaches the same people (else
    None: a changed team or role makes a new reach; these figures are left to expire)."""
    user = get_user_model().objects.filter(pk=stored.computed_for_id, is_active=True).first()
    if user is None:
        return None
    try:
        same = StoredFigures.key_for(report_people(user)) == stored.reach_key
    except PermissionDenied:   # the user lost the report permission: nothing to compute for them
        return None
    return user if same else None


def stored_figures_refresh(*, budget_seconds: float = 60.0, now: dt.datetime | None = None) -> int:
    """Recompute the stored figures read in the last day that the data have moved past, most recently
    read first, until `budget_seconds` have passed; delete those unread for KEPT. Returns how many were
    recomputed (the scheduled rollup refresh calls this after bringing the rollups up to date)."""
    now = now or timezone.now()
    StoredFigures.objects.filter(Q(read_at__lt=now - KEPT) | Q(read_at__isnull=True, computed_at__lt=now - KEPT)
                                 ).delete()
    version = rollups_data_version()
    started, done = time.monotonic(), 0
    for stored in StoredFigures.objects.filter(read_at__gte=now - RECENTLY_READ).exclude(
            data_version=version).order_by("-read_at"):
        if time.monotonic() - started > budget_seconds:
            break
        user = _reach_holder(stored)
        if user is not None:
            stored_figures_compute(user, stored.dashboard, stored.date_from, stored.date_to, read=False)
            done += 1
    return done


def stored_figures_prepare(*, today: dt.date | None = None, budget_seconds: float = 900.0) -> int:
    """Store today's preset ranges (this month, last 30 days, …) of every stored dashboard for every reach
    read in the last KEPT days, so the first look of the day reads stored figures. Bounded by
    `budget_seconds`; returns how many were computed (the nightly analytics job calls this)."""
    today = today or timezone.localdate()
    now = timezone.now()
    version = rollups_data_version()
    reaches: dict[tuple[str, str], StoredFigures] = {}
    for stored in StoredFigures.objects.filter(read_at__gte=now - KEPT).order_by("-read_at"):
        reaches.setdefault((stored.dashboard, stored.reach_key), stored)
    started, done = time.monotonic(), 0
    for (dashboard, reach_key), stored in reaches.items():
        user = _reach_holder(stored)
        if user is None:
            continue
        for _name, _label, date_from, date_to in preset_ranges(today):
            if time.monotonic() - started > budget_seconds:
                return done
            if StoredFigures.objects.filter(dashboard=dashboard, date_from=date_from, date_to=date_to,
                                            reach_key=reach_key, data_version=version).exists():
                continue
            stored_figures_compute(user, dashboard, date_from, date_to, read=False)
            done += 1
    return done
