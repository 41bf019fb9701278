"""What every dashboard shares: the filters (which travel in the URL), the permission-scoped rollup
querysets, and the Table every chart and export is made of."""

import datetime as dt
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from functools import reduce
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from veracity.accounts.access import access_require, hidden_fields, scope_q, team_ids
from veracity.accounts.models import Action, Resource, Scope
from veracity.analytics.errors import InvalidReportFilter
from veracity.analytics.models import (
    CellGrain,
    CustomerBuyingDay,
    RollupCursor,
    SalesCell,
    SalesLineDaily,
    SalesOrderDaily,
    StoredFigures,
)
from veracity.analytics.services.rollups import LINE_SHAPES, ORDER_SHAPES
from veracity.catalog.models import Product
from veracity.core.money import normalise_currency, reporting_currency
from veracity.sales.models import Channel, Region

# Who owns a rollup row (the same as the orders behind it: OWNER_PATHS[order] is ("customer__owner",
# "salesperson"); rollup rows carry the customer's owner as `owner`) and an opportunity or activity row.
ROLLUP_OWNERS = ("owner", "salesperson")
OPPORTUNITY_OWNERS = ("customer__owner", "owner")
ACTIVITY_OWNERS = ("customer__owner", "owner", "assignee")
CUSTOMER_OWNERS = ("customer__owner",)
MAX_RANGE_DAYS = 366 * 10
FILTER_KEYS = ("date_from", "date_to", "team", "rep", "region", "category", "channel", "currency")


@dataclass(frozen=True)
class DashboardFilters:
    date_from: dt.date
    date_to: dt.date
    team: int | None = None
    rep: int | None = None
    region: str = ""
    category: int | None = None
    channel: str = ""
    currency: str = ""

    def query(self, **overrides) -> str:
        """The filters as a URL query string (links keep them; a shared URL shows the same figures)."""
        values = {key: getattr(replace(self, **overrides) if overrides else self, key) for key in FILTER_KEYS}
        return urlencode({key: value.isoformat() if isinstance(value, dt.date) else value
                          for key, value in values.items() if value not in (None, "")})

    @property
    def days(self) -> int:
        return (self.date_to - self.date_from).days + 1

    def previous(self) -> "DashboardFilters":
        """The period of the same length just before."""
        return replace(self, date_from=self.date_from - dt.timedelta(days=self.days),
                       date_to=self.date_from - dt.timedelta(days=1))

    def last_year(self) -> "DashboardFilters":
        return replace(self, date_from=_year_earlier(self.date_from), date_to=_year_earlier(self.date_to))


def _year_earlier(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def _int(params, key) -> int | None:
    raw = (params.get(key) or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or int(raw) > 2**63 - 1 or int(raw) == 0:
        raise InvalidReportFilter(key, _("Choose one of the listed values."))
    return int(raw)


def _date(params, key, default: dt.date) -> dt.date:
    raw = (params.get(key) or "").strip()
    if not raw:
        return default
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise InvalidReportFilter(key, _("Enter a date such as 2026-03-05.")) from None


def dashboard_filters_parse(params, *, today: dt.date | None = None) -> DashboardFilters:
    """Filters from a query string; by default the last 30 days. Bad values are a clear error."""
    today = today or timezone.localdate()
    date_to = _date(params, "date_to", today)
    date_from = _date(params, "date_from", date_to - dt.timedelta(days=29))
    if date_from > date_to:
        raise InvalidReportFilter("date_to", _("The end date must be on or after the start date."))
    if (date_to - date_from).days > MAX_RANGE_DAYS:
        raise InvalidReportFilter("date_from", _("Choose a range of at most ten years."))
    region = (params.get("region") or "").strip()
    if region and region not in Region.values:
        raise InvalidReportFilter("region", _("Choose one of the listed values."))
    channel = (params.get("channel") or "").strip()
    if channel and channel not in Channel.values:
        raise InvalidReportFilter("channel", _("Choose one of the listed values."))
    currency = normalise_currency(params.get("currency") or "")
    if currency and (len(currency) != 3 or not currency.isalpha()):
        raise InvalidReportFilter("currency", _("Enter a three-letter currency code such as USD."))
    return DashboardFilters(date_from=date_from, date_to=date_to, team=_int(params, "team"), rep=_int(params, "rep"),
                            region=region, category=_int(params, "category"), channel=channel, currency=currency)


def _quarter_start(day: dt.date) -> dt.date:
    return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)


def preset_ranges(today: dt.date) -> list[tuple[str, str, dt.date, dt.date]]:
    """The one-tap date ranges of every dashboard: (key, label, first day, last day)."""
    quarter = _quarter_start(today)
    last_quarter_end = quarter - dt.timedelta(days=1)
    return [
        ("this_month", _("This month"), today.replace(day=1), today),
        ("this_quarter", _("This quarter"), quarter, today),
        ("last_quarter", _("Last quarter"), _quarter_start(last_quarter_end), last_quarter_end),
        ("this_year", _("This year"), today.replace(month=1, day=1), today),
        ("last_30_days", _("Last 30 days"), today - dt.timedelta(days=29), today),
        ("last_365_days", _("Last 365 days"), today - dt.timedelta(days=364), today),
    ]


def report_scope(user, action: str = Action.VIEW) -> Scope:
    return access_require(user, Resource.REPORT, action)


def scoped_rows(queryset: QuerySet, *, user, owners=ROLLUP_OWNERS, action: str = Action.VIEW) -> QuerySet:
    """Rows of `queryset` inside the user's report scope (own customers' orders, the team's, all)."""
    scope = report_scope(user, action)
    if scope == Scope.ALL:
        return queryset
    return queryset.filter(scope_q(user, scope, owners))


def category_q(category: int, path: str = "product__category") -> Q:
    return Q(**{f"{path}_id": category}) | Q(**{f"{path}__parent_id": category})


def _members(teams) -> list[int]:
    """The users whose team is one of `teams` (what `<user path>__team_id__in` matches)."""
    return list(get_user_model().objects.filter(team_id__in=list(teams)).values_list("pk", flat=True))


def rollup_scope_q(user, scope: Scope, days: tuple[dt.date, dt.date] | None = None) -> Q:
    """scope_q for rollup rows, without joins: the order rule (the customer's owner or the salesperson is
    the user, or, for a team scope, in the user's teams) on the `owner_id` and `salesperson_id` the rows
    carry. The same rule as scoped(Order), so dashboards and the order list agree.

    With `days`, when no row in those days has its salesperson in scope but its owner outside (one
    look at a covering index), the rule there is just `owner_id IN …`: the same rows, and SQLite serves
    it from one index instead of an OR across two."""
    if scope == Scope.ALL:
        return Q()
    people = scope_people(user, scope)
    if days is not None and not _reached_as_salesperson_only(user, tuple(people), days):
        return Q(owner_id__in=people)
    return Q(owner_id__in=people) | Q(salesperson_id__in=people)


def _reached_as_salesperson_only(user, people: tuple[int, ...], days: tuple[dt.date, dt.date]) -> bool:
    """Whether some row in `days` has its salesperson among `people` but its owner not. Remembered on the
    user object, which lives for one request: a dashboard asks the same question for every figure it
    reads (seven times for a manager's overview, ~110 ms each at 10M lines)."""
    memo = user.__dict__.setdefault("_analytics_salesperson_only", {})
    key = (people, days)
    if key not in memo:
        # Asked of the (salesperson, owner) cells, not the daily rows: when there is no such row, the rows'
        # index made SQLite walk every row of the people's year (~120 ms at 10M lines); the cells are at
        # most (salespeople × owners) per month. A cell left at zero by deletions only answers "maybe",
        # which costs speed (the OR of both rules), never a wrong figure.
        cells = SalesCell.objects.filter(shape=SALESPERSON_OWNER_SHAPE, salesperson_id__in=people).exclude(
            owner_id__in=people)
        memo[key] = any(cells.filter(part).exists() for part in period_parts(*days))
    return memo[key]


SALESPERSON_OWNER_SHAPE = next(number for number, dims in ORDER_SHAPES.items() if set(dims) == {"salesperson", "owner"})


def scope_people(user, scope: Scope) -> list[int]:
    """The users whose records an OWN or TEAM scope reaches as owner or salesperson."""
    return [user.pk] if scope == Scope.OWN else sorted({user.pk, *_members(team_ids(user))})


def report_people(user, action: str = Action.VIEW) -> tuple[int, ...] | None:
    """Whom the user's report scope reaches: None for an all scope, else the people of scope_people. Two
    users with the same answer see the same figures (what stored results are keyed by)."""
    scope = report_scope(user, action)
    return None if scope == Scope.ALL else tuple(scope_people(user, scope))


# How long after the data changed stored figures may still be shown (the page says "as of"): the
# scheduled refresh recomputes those people read every few minutes (services/stored_figures.py).
STALE_SHOWN = dt.timedelta(minutes=15)


def rollups_data_version() -> int:
    return RollupCursor.objects.filter(pk=1).values_list("data_version", flat=True).first() or 0


def stored_figures(user, dashboard: str, filters: DashboardFilters, *,
                   now: dt.datetime | None = None) -> StoredFigures | None:
    """The stored figures a dashboard shows for these filters and the user's reach: those computed at the
    current data version, or outdated ones at most STALE_SHOWN old (`is_current` False: the page says "as
    of"). None when there are none, or filters beyond the dates apply: the dashboard computes them."""
    if any(getattr(filters, name) for name in ORDER_ATTRIBUTE_FILTERS):
        return None
    # Handed over once: kept on the user past the page, the figures (thousands of small lists) would live
    # as long as the request's reference cycles, reach the oldest GC generation and make its collections
    # slow (~100 ms every ~25 product pages at 10M lines).
    stored = user.__dict__.get("_analytics_stored_figures", {}).pop((dashboard, filters.date_from, filters.date_to),
                                                                     None)
    if stored is None:
        stored = StoredFigures.objects.filter(dashboard=dashboard, date_from=filters.date_from,
                                              date_to=filters.date_to,
                                              reach_key=StoredFigures.key_for(report_people(user))).first()
        if stored is None:
            return None
        stored.is_current = stored.data_version == rollups_data_version()
    if stored.is_current or (now or timezone.now()) - stored.computed_at <= STALE_SHOWN:
        return stored
    return None


def stored_figures_remember(user, stored: StoredFigures) -> None:
    """Hand stored figures to the next `stored_figures` call for the same user object (one request): the
    view makes sure of them, then the page reads them without a second query or JSON decode."""
    user.__dict__.setdefault("_analytics_stored_figures", {})[
        (stored.dashboard, stored.date_from, stored.date_to)] = stored


def stored_note(tables: dict[str, "Table"], stored: StoredFigures | None) -> dict[str, "Table"]:
    """Mark a dashboard's tables drawn from outdated stored figures with the time they were computed."""
    if stored is not None and not stored.is_current:
        for table in tables.values():
            table.extra["as_of"] = stored.computed_at
    return tables


def _filtered(queryset: QuerySet, filters: DashboardFilters) -> QuerySet:
    if filters.team:
        queryset = queryset.filter(salesperson_id__in=_members([filters.team]))
    if filters.rep:
        queryset = queryset.filter(salesperson_id=filters.rep)
    if filters.region:
        queryset = queryset.filter(region=filters.region)
    if filters.channel:
        queryset = queryset.filter(channel=filters.channel)
    if filters.currency:
        queryset = queryset.filter(currency=filters.currency)
    if filters.category:
        queryset = queryset.filter(product_id__in=Product.all_objects.filter(
            category_q(filters.category, "category")).values("pk"))
    return queryset


def rollup_rows(*, user, filters: DashboardFilters, lines: bool = False, action: str = Action.VIEW,
                dated: bool = True) -> QuerySet:
    """The scoped, filtered daily rollup rows (per customer): order grain, or line grain when `lines` (or
    when filtering by product category, which only the line grain knows)."""
    model = SalesLineDaily if (lines or filters.category) else SalesOrderDaily
    days = (filters.date_from, filters.date_to) if dated else None
    queryset = model.objects.filter(rollup_scope_q(user, report_scope(user, action), days))
    if dated:
        queryset = queryset.filter(day__range=(filters.date_from, filters.date_to))
    return _filtered(queryset, filters)


def _filter_dimensions(filters: DashboardFilters) -> set[str]:
    needed = set()
    if filters.team or filters.rep:
        needed.add("salesperson")
    for name in ("region", "channel", "currency"):
        if getattr(filters, name):
            needed.add(name)
    if filters.category:
        needed.add("product")
    return needed


def _month_after(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def whole_months(date_from: dt.date, date_to: dt.date) -> tuple[dt.date, dt.date] | None:
    """[first, end) of the whole calendar months inside the range, None when there is none."""
    first_whole = date_from if date_from.day == 1 else _month_after(date_from)
    end_whole = _month_after(date_to) if _month_after(date_to) - dt.timedelta(days=1) == date_to else date_to.replace(
        day=1)
    return (first_whole, end_whole) if first_whole < end_whole else None


def period_parts(date_from: dt.date, date_to: dt.date) -> list[Q]:
    """Month cells for the whole months inside the range, day cells for the ragged ends: one condition
    per part, each a single range (read separately, see cell_sums)."""
    first_whole = date_from if date_from.day == 1 else _month_after(date_from)
    end_whole = _month_after(date_to) if _month_after(date_to) - dt.timedelta(days=1) == date_to else date_to.replace(
        day=1)
    if first_whole >= end_whole:   # no whole month inside
        return [Q(grain=CellGrain.DAY, period__range=(date_from, date_to))]
    parts = [Q(grain=CellGrain.MONTH, period__gte=first_whole, period__lt=end_whole)]
    if date_from < first_whole:
        parts.append(Q(grain=CellGrain.DAY, period__range=(date_from, first_whole - dt.timedelta(days=1))))
    if end_whole <= date_to:
        parts.append(Q(grain=CellGrain.DAY, period__range=(end_whole, date_to)))
    return parts


def period_q(date_from: dt.date, date_to: dt.date) -> Q:
    """Month cells for the whole months inside the range, day cells for the ragged ends."""
    return reduce(operator.or_, period_parts(date_from, date_to))


def _cell_base(*, user, filters: DashboardFilters, group: tuple[str, ...], lines: bool, action: str) -> QuerySet | None:
    scope = report_scope(user, action)
    needed = _filter_dimensions(filters) | set(group)
    if scope != Scope.ALL:
        needed |= {"owner", "salesperson"}
    shapes = LINE_SHAPES if (lines or filters.category) else ORDER_SHAPES
    shape = next((number for number, dims in shapes.items() if needed <= set(dims)), None)
    if shape is None:
        return None
    # Month cells cover whole months: the salesperson-only check looks at the range's whole months.
    days = (filters.date_from.replace(day=1), _month_after(filters.date_to) - dt.timedelta(days=1))
    return _filtered(SalesCell.objects.filter(shape=shape).filter(rollup_scope_q(user, scope, days)), filters)


def cell_rows(*, user, filters: DashboardFilters, group: tuple[str, ...] = (), lines: bool = False,
              action: str = Action.VIEW, daily: bool = False) -> QuerySet | None:
    """The scoped, filtered SalesCell rows (summed over customers) of the smallest shape holding every
    dimension needed, or None when no shape holds them all (the caller reads the daily rows instead).
    Sums over them equal the same sums over rollup_rows(); they have `period` instead of `day` (a
    month's first day for month cells; `daily=True` reads day cells only, for per-day series)."""
    queryset = _cell_base(user=user, filters=filters, group=group, lines=lines, action=action)
    if queryset is None:
        return None
    if daily:
        return queryset.filter(grain=CellGrain.DAY, period__range=(filters.date_from, filters.date_to))
    return queryset.filter(period_q(filters.date_from, filters.date_to))


def cell_sums(*, user, filters: DashboardFilters, sums: dict, by: tuple[str, ...] = (), group: tuple[str, ...] = (),
              lines: bool = False, daily: bool = False, action: str = Action.VIEW) -> list[dict] | None:
    """cell_rows(...).values(*by).annotate(**sums), read one period part at a time and added up: with a
    scope (owner OR salesperson) SQLite keeps the period range in its index search only when the period
    condition is a single range. None when no shape fits."""
    queryset = _cell_base(user=user, filters=filters, group=group, lines=lines, action=action)
    if queryset is None:
        return None
    parts = ([Q(grain=CellGrain.DAY, period__range=(filters.date_from, filters.date_to))] if daily
             else period_parts(filters.date_from, filters.date_to))
    merged: dict[tuple, dict] = {}
    for part in parts:
        rows = queryset.filter(part)
        rows = rows.values(*by).annotate(**sums).order_by() if by else [rows.aggregate(**sums)]
        for row in rows:
            key = tuple(row[name] for name in by)
            total = merged.get(key)
            if total is None:
                merged[key] = dict(row)
                continue
            for name in sums:
                if row[name] is not None:
                    total[name] = row[name] if total[name] is None else total[name] + row[name]
    return list(merged.values()) if by else [merged.get((), {name: None for name in sums})]


ORDER_ATTRIBUTE_FILTERS = ("team", "rep", "region", "category", "channel", "currency")


def buying_days(*, user, filters: DashboardFilters, action: str = Action.VIEW) -> tuple[QuerySet, QuerySet] | None:
    """For distinct-customer counts: (the buying days in the range of the customers the user's scope
    reaches as owner, the daily order rows of customers reached only as salesperson) — disjoint, because
    a customer's rows all carry its one owner. The second is empty (`.none()`) for an all scope. None when
    a filter on an order attribute applies (buying days are per customer and day, not per order).

    On a buying day, `previous_day` is the customer's buying day before: the customers who bought in
    [a, b] are the rows in [a, b] with no previous day or one before a; new customers the rows with none."""
    if any(getattr(filters, name) for name in ORDER_ATTRIBUTE_FILTERS):
        return None
    scope = report_scope(user, action)
    owned = CustomerBuyingDay.objects.filter(day__range=(filters.date_from, filters.date_to))
    if scope == Scope.ALL:
        return owned, SalesOrderDaily.objects.none()
    people = scope_people(user, scope)
    days = (filters.date_from, filters.date_to)
    if not _reached_as_salesperson_only(user, tuple(people), days):
        return owned.filter(owner_id__in=people), SalesOrderDaily.objects.none()
    others = SalesOrderDaily.objects.filter(day__range=days, salesperson_id__in=people).exclude(owner_id__in=people)
    return owned.filter(owner_id__in=people), others


def first_in_range_q(filters: DashboardFilters) -> Q:
    """A buying day that is its customer's first inside the range (counts each customer once)."""
    return Q(previous_day__isnull=True) | Q(previous_day__lt=filters.date_from)


def margin_visible(user) -> bool:
    return "margin" not in hidden_fields(user, Resource.ORDER)


def money(cents: int | None) -> Decimal | None:
    if cents is None:
        return None
    return (Decimal(int(cents)) / 100).quantize(Decimal("0.01"))


def quantity_value(total) -> Decimal:
    """A summed quantity as the field holds it (three places, no trailing zeros). SQLite sums decimal
    columns as floats, so a sum of 6572.2 comes back as Decimal('6572.20000000000')."""
    exact = Decimal(str(total or 0)).quantize(Decimal("0.001"))
    return exact.quantize(Decimal(1)) if exact == exact.to_integral_value() else exact.normalize()


def ratio(part, whole) -> float | None:
    if not whole:
        return None
    return float(part) / float(whole)


def change(current, previous) -> float | None:
    """Relative change, None when there is nothing to compare with."""
    if previous in (None, 0) or current is None:
        return None
    return (float(current) - float(previous)) / abs(float(previous))


def percent(value: float | None) -> Decimal | None:
    if value is None:
        return None
    return (Decimal(str(value)) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class Column:
    key: str
    label: str
    kind: str = "text"   # text, int, decimal, date, percent


class RowsOnDemand(Sequence):
    """A long table's rows (or links), each built when first read: the page shows the first 25 of a
    product list thousands long, the export writes them all. `build(key)` makes the row of one key."""

    def __init__(self, keys: list, build: Callable[[Any], Any]):
        self._keys, self._build, self._built = keys, build, {}

    def __len__(self) -> int:
        return len(self._keys)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[position] for position in range(*index.indices(len(self._keys)))]
        key = self._keys[index]
        if key not in self._built:
            self._built[key] = self._build(key)
        return self._built[key]

    def __eq__(self, other) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)

    __hash__ = None


@dataclass
class Table:
    """The data behind one chart or table: what the page shows, what exports write, what links drill to."""

    key: str
    title: str
    columns: list[Column]
    rows: list[tuple] | RowsOnDemand = field(default_factory=list)
    links: list[str | None] | RowsOnDemand = field(default_factory=list)   # per row: the drill-down URL
    chart: dict[str, Any] | None = None                     # ECharts hints: {"type": "bar", "x": key, "y": [keys]}
    extra: dict[str, Any] = field(default_factory=dict)      # anything else the page shows beside it

    def as_dicts(self) -> list[dict[str, Any]]:
        return [dict(zip([column.key for column in self.columns], row, strict=True)) for row in self.rows]


def currency_label() -> str:
    return reporting_currency()
