"""The sales overview: revenue, orders, AOV, new and returning customers, gross margin, each against
the previous period and the same period last year."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from veracity.accounts.models import Scope
from veracity.analytics.models import CustomerBuyingDay, CustomerFirstPurchase, CustomerMonthCell
from veracity.analytics.selectors.base import (
    Column,
    DashboardFilters,
    Table,
    buying_days,
    cell_sums,
    change,
    first_in_range_q,
    margin_visible,
    money,
    percent,
    quantity_value,
    ratio,
    report_scope,
    rollup_rows,
    scope_people,
    stored_figures,
    stored_note,
    whole_months,
)
from veracity.sales.models import Channel, Region


@dataclass(frozen=True)
class SalesFigures:
    revenue_cents: int
    orders: int
    quantity: object
    customers: int
    new_customers: int
    cost_cents: int
    costed_revenue_cents: int

    @property
    def returning_customers(self) -> int:
        return self.customers - self.new_customers

    @property
    def aov_cents(self) -> int | None:
        return round(self.revenue_cents / self.orders) if self.orders else None

    @property
    def margin_cents(self) -> int:
        return self.costed_revenue_cents - self.cost_cents

    def stored(self) -> list:
        """As stored figures keep it (JSON): the fields in order, the quantity as exact text."""
        return [self.revenue_cents, self.orders, str(quantity_value(self.quantity)), self.customers,
                self.new_customers, self.cost_cents, self.costed_revenue_cents]

    @classmethod
    def from_stored(cls, values: list) -> "SalesFigures":
        revenue, orders, quantity, customers, new, cost, costed = values
        return cls(revenue_cents=revenue, orders=orders, quantity=Decimal(quantity), customers=customers,
                   new_customers=new, cost_cents=cost, costed_revenue_cents=costed)


SUMS = {"revenue": Sum("revenue_cents"), "orders": Sum("orders"), "quantity": Sum("quantity"),
        "cost": Sum("cost_cents"), "costed": Sum("costed_revenue_cents")}


def _owned_counts(user, filters: DashboardFilters) -> tuple[int, int]:
    """Customers and new customers among those the scope reaches as owner, from buying days: for a range
    [a, b] with whole months [m0, m1), the customers are the ragged start's rows whose previous day is
    before a, plus the month cells of [m0, m1) and the ragged end's rows whose previous day is before m0,
    less the ragged start's rows whose next day falls in [m0, b] (those customers were counted at the
    start already). So a year reads twelve months of cells and at most two months of day rows."""
    scope = report_scope(user)
    days, months = CustomerBuyingDay.objects.all(), CustomerMonthCell.objects.all()
    if scope != Scope.ALL:
        people = scope_people(user, scope)
        days, months = days.filter(owner_id__in=people), months.filter(owner_id__in=people)
    first, last = filters.date_from, filters.date_to
    whole = whole_months(first, last)
    new_q = Q(previous_day__isnull=True)
    if whole is None:
        counts = days.filter(day__range=(first, last)).aggregate(
            customers=Count("day", filter=first_in_range_q(filters)), new=Count("day", filter=new_q))
        return counts["customers"] or 0, counts["new"] or 0
    start, end = whole
    customers = new = 0
    if first < start:
        counts = days.filter(day__range=(first, start - dt.timedelta(days=1))).aggregate(
            customers=Count("day", filter=first_in_range_q(filters)), new=Count("day", filter=new_q),
            again=Count("day", filter=Q(next_day__range=(start, last))))
        customers += (counts["customers"] or 0) - (counts["again"] or 0)
        new += counts["new"] or 0
    counts = months.filter(month__gte=start, month__lt=end).aggregate(
        customers=Sum("days", filter=Q(previous_month__isnull=True) | Q(previous_month__lt=start)),
        new=Sum("days", filter=Q(previous_month__isnull=True)))
    customers += counts["customers"] or 0
    new += counts["new"] or 0
    if end <= last:
        counts = days.filter(day__range=(end, last)).aggregate(
            customers=Count("day", filter=new_q | Q(previous_day__lt=start)), new=Count("day", filter=new_q))
        customers += counts["customers"] or 0
        new += counts["new"] or 0
    return customers, new


def customer_counts(*, user, filters: DashboardFilters) -> tuple[int, int]:
    """Customers who bought in the range and new customers (whose first day of buying falls in it)."""
    split = buying_days(user=user, filters=filters)
    if split is not None:
        _owned, others = split
        customers, new = _owned_counts(user, filters)
        more = others.aggregate(customers=Count("customer_id", distinct=True), new=Count(
            "customer_id", distinct=True, filter=Q(customer_first_day__range=(filters.date_from, filters.date_to))))
        return customers + (more["customers"] or 0), new + (more["new"] or 0)
    rows = rollup_rows(user=user, filters=filters)
    if filters.category:   # line rows carry no first day
        customers = rows.aggregate(customers=Count("customer_id", distinct=True))["customers"]
        new = CustomerFirstPurchase.objects.filter(
            customer_id__in=rows.values("customer_id"), first_day__range=(filters.date_from, filters.date_to)).count()
        return customers or 0, new or 0
    counts = rows.aggregate(customers=Count("customer_id", distinct=True), new=Count(
        "customer_id", distinct=True, filter=Q(customer_first_day__range=(filters.date_from, filters.date_to))))
    return counts["customers"] or 0, counts["new"] or 0


def sales_figures(*, user, filters: DashboardFilters) -> SalesFigures:
    """Sums from the cells (summed over customers); customers and new customers from the buying days
    (or, with a filter on an order attribute, the daily rows)."""
    cells = cell_sums(user=user, filters=filters, sums=SUMS)
    totals = cells[0] if cells is not None else rollup_rows(user=user, filters=filters).aggregate(**SUMS)
    customers, new = customer_counts(user=user, filters=filters)
    return SalesFigures(revenue_cents=totals["revenue"] or 0, orders=totals["orders"] or 0,
                        quantity=totals["quantity"] or 0, customers=customers, new_customers=new,
                        cost_cents=totals["cost"] or 0, costed_revenue_cents=totals["costed"] or 0)


def orders_url(filters: DashboardFilters, **extra) -> str:
    """The order list showing the orders behind a figure."""
    params = {"date_from": filters.date_from.isoformat(), "date_to": filters.date_to.isoformat(), "counted": "on",
              "team": filters.team, "salesperson": filters.rep, "region": filters.region,
              "category": filters.category, "channel": filters.channel, "currency": filters.currency, **extra}
    return reverse("sales:order_list") + "?" + urlencode({k: v for k, v in params.items() if v not in (None, "")})


def _kpi_table(user, filters: DashboardFilters, figures: dict) -> Table:
    now, before, last_year = (SalesFigures.from_stored(figures[key]) for key in ("current", "previous", "last_year"))
    rows = [
        ("revenue", _("Revenue"), money(now.revenue_cents), money(before.revenue_cents),
         money(last_year.revenue_cents)),
        ("orders", _("Orders"), now.orders, before.orders, last_year.orders),
        ("aov", _("Average order value"), money(now.aov_cents), money(before.aov_cents), money(last_year.aov_cents)),
        ("customers", _("Customers who bought"), now.customers, before.customers, last_year.customers),
        ("new_customers", _("New customers"), now.new_customers, before.new_customers, last_year.new_customers),
        ("returning_customers", _("Returning customers"), now.returning_customers, before.returning_customers,
         last_year.returning_customers),
    ]
    if margin_visible(user):
        rows.append(("margin", _("Gross margin"), money(now.margin_cents), money(before.margin_cents),
                     money(last_year.margin_cents)))
        rows.append(("margin_percent", _("Gross margin %"),
                     percent(ratio(now.margin_cents, now.costed_revenue_cents)),
                     percent(ratio(before.margin_cents, before.costed_revenue_cents)),
                     percent(ratio(last_year.margin_cents, last_year.costed_revenue_cents))))
    table = Table("kpis", _("Key figures"), [
        Column("metric", _("Metric")), Column("label", _("Figure")), Column("current", _("This period"), "decimal"),
        Column("previous", _("Previous period"), "decimal"), Column("last_year", _("Same period last year"), "decimal"),
        Column("vs_previous", _("Change vs previous %"), "percent"),
        Column("vs_last_year", _("Change vs last year %"), "percent")])
    previous_filters, year_filters = filters.previous(), filters.last_year()
    for metric, label, current, previous, year in rows:
        table.rows.append((metric, label, current, previous, year, percent(change(current, previous)),
                           percent(change(current, year))))
        table.links.append(orders_url(filters) if metric != "margin_percent" else None)
    table.extra = {"previous": previous_filters, "last_year": year_filters}
    return table


def _bucket(filters: DashboardFilters) -> str:
    return "month" if filters.days > 92 else "day"


def _trend_series(user, filters: DashboardFilters, bucket: str) -> list[list]:
    """[bucket start (ISO), revenue cents, orders] per day or month with sales in the range."""
    sums = {"revenue": Sum("revenue_cents"), "orders": Sum("orders")}
    rows, key = cell_sums(user=user, filters=filters, daily=bucket == "day", by=("period",), sums=sums), "period"
    if rows is None:
        rows, key = rollup_rows(user=user, filters=filters).values("day").annotate(**sums).order_by("day"), "day"
    result: dict[dt.date, list[int]] = {}
    for row in rows:
        value = row[key]
        value = value.date() if isinstance(value, dt.datetime) else value
        cell = result.setdefault(value if bucket == "day" else value.replace(day=1), [0, 0])
        cell[0] += row["revenue"] or 0
        cell[1] += row["orders"] or 0
    return [[start.isoformat(), *values] for start, values in sorted(result.items())]


def _trend_table(filters: DashboardFilters, figures: dict) -> Table:
    """Revenue and orders per day (or month for long ranges), beside the same period last year."""
    bucket = _bucket(filters)
    current, year = ({dt.date.fromisoformat(start): (revenue, orders) for start, revenue, orders in figures[key]}
                     for key in ("current", "last_year"))
    table = Table("trend", _("Revenue over time"), [
        Column("period", _("Period"), "date"), Column("revenue", _("Revenue"), "decimal"),
        Column("orders", _("Orders"), "int"), Column("revenue_last_year", _("Revenue last year"), "decimal")],
        chart={"type": "line", "x": "period", "y": ["revenue", "revenue_last_year"]})
    for period in _periods(filters, bucket):
        revenue, orders = current.get(period, (0, 0))
        table.rows.append((period, money(revenue), orders, money(year.get(_shift_year(period), (0, 0))[0])))
        end = _period_end(period, bucket)
        table.links.append(orders_url(filters, date_from=max(period, filters.date_from).isoformat(),
                                      date_to=min(end, filters.date_to).isoformat()))
    return table


def _shift_year(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def _period_end(start: dt.date, bucket: str) -> dt.date:
    if bucket == "day":
        return start
    return (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def _periods(filters: DashboardFilters, bucket: str) -> list[dt.date]:
    periods, day = [], filters.date_from if bucket == "day" else filters.date_from.replace(day=1)
    while day <= filters.date_to:
        periods.append(day)
        day = day + dt.timedelta(days=1) if bucket == "day" else _period_end(day, "month") + dt.timedelta(days=1)
    return periods


def _split_sums(user, filters: DashboardFilters, field: str) -> list[list]:
    """[value, revenue cents, orders] per value of an order attribute, most revenue first."""
    sums = {"revenue": Sum("revenue_cents"), "orders": Sum("orders")}
    grouped = cell_sums(user=user, filters=filters, group=(field,), by=(field,), sums=sums)
    if grouped is None:
        grouped = rollup_rows(user=user, filters=filters).values(field).annotate(**sums)
    grouped = sorted(grouped, key=lambda row: (-(row["revenue"] or 0), row[field] or ""))
    return [[row[field] or "", row["revenue"] or 0, row["orders"] or 0] for row in grouped]


def _split_table(filters: DashboardFilters, rows: list[list], *, field: str, key: str, title: str, choices) -> Table:
    labels = dict(choices)
    table = Table(key, title, [Column(field, title), Column("revenue", _("Revenue"), "decimal"),
                              Column("orders", _("Orders"), "int")], chart={"type": "pie", "x": field, "y": ["revenue"]})
    for value, revenue, orders in rows:
        table.rows.append((str(labels.get(value, value or _("Unknown"))), money(revenue), orders))
        table.links.append(orders_url(filters, **{field: value}) if value else None)
    return table


def overview_figures(user, filters: DashboardFilters) -> dict:
    """What the overview is drawn from, as stored (JSON): the key figures of the period, the one before
    and the same period last year; revenue and orders per day or month in the period and a year before;
    revenue and orders per channel and region. Cost is kept whoever the reach is; the page shows margin
    only to those allowed to see it."""
    bucket = _bucket(filters)
    return {
        "kpis": {key: sales_figures(user=user, filters=period).stored() for key, period in (
            ("current", filters), ("previous", filters.previous()), ("last_year", filters.last_year()))},
        "trend": {"current": _trend_series(user, filters, bucket),
                  "last_year": _trend_series(user, filters.last_year(), bucket)},
        "channels": _split_sums(user, filters, "channel"),
        "regions": _split_sums(user, filters, "region"),
    }


def sales_overview(*, user, filters: DashboardFilters) -> dict[str, Table]:
    """Every block of the sales overview, already scoped to what `user` may see."""
    stored = stored_figures(user, "overview", filters)
    figures = stored.figures if stored is not None else overview_figures(user, filters)
    return stored_note({
        "kpis": _kpi_table(user, filters, figures["kpis"]),
        "trend": _trend_table(filters, figures["trend"]),
        "channels": _split_table(filters, figures["channels"], field="channel", key="channels",
                                 title=_("Channel"), choices=Channel.choices),
        "regions": _split_table(filters, figures["regions"], field="region", key="regions", title=_("Region"),
                                choices=Region.choices),
    }, stored)
