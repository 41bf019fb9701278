"""The customers dashboard: RFM segments, revenue by industry, region, size and source, and cohort
retention by first-purchase month."""

import datetime as dt
import operator
from collections import defaultdict
from functools import reduce
from urllib.parse import urlencode

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils.translation import gettext as _

from veracity.accounts.models import Scope
from veracity.analytics.models import (
    CohortCell,
    CustomerBuyingDay,
    CustomerFirstPurchase,
    CustomerRfm,
    CustomerValueMonthCell,
    RfmSegment,
    SalesOrderDaily,
)
from veracity.analytics.selectors.base import (
    Column,
    DashboardFilters,
    Table,
    buying_days,
    first_in_range_q,
    money,
    percent,
    ratio,
    report_scope,
    rollup_rows,
    scope_people,
    scoped_rows,
    stored_figures,
    stored_note,
    whole_months,
)
from veracity.analytics.selectors.sales import orders_url
from veracity.analytics.services.value_cells import ALL_OWNERS
from veracity.customers.models import CompanySize, Customer, CustomerSource, Industry
from veracity.customers.selectors import customer_list
from veracity.sales.models import Region

COHORT_MONTHS = 12


def customers_url(**params) -> str:
    """The analytics customer list behind a figure (segments, cohorts, sizes and sources are filters the
    customer list page does not have)."""
    return reverse("analytics:customer_drill") + "?" + urlencode(
        {k: v for k, v in params.items() if v not in (None, "")})


def rfm_rows(*, user):
    """CustomerRfm rows of the customers the user's report scope reaches (the customer's owner is the user
    or, for a team scope, in the user's teams: scope_q over CUSTOMER_OWNERS, written as a lookup of the
    owners' customers by the owner index instead of a join through customers to users)."""
    scope = report_scope(user)
    if scope == Scope.ALL:
        return CustomerRfm.objects.all()
    return CustomerRfm.objects.filter(customer_id__in=Customer.all_objects.filter(
        owner_id__in=scope_people(user, scope)).values("pk"))


def customer_drill_list(*, user, params) -> "object":
    """Customers behind a customers-dashboard figure: by RFM segment, cohort month, size, source or
    industry; only customers the user may see (customer scope) and reach in reports."""
    queryset = customer_list(user=user)
    queryset = queryset.filter(pk__in=scoped_rows(Customer.objects.all(), user=user, owners=("owner",)).values("pk"))
    segment = params.get("segment") or ""
    if segment:
        queryset = queryset.filter(rfm__segment=segment)
    cohort = params.get("cohort") or ""
    if cohort:
        try:
            month = dt.date.fromisoformat(cohort + "-01" if len(cohort) == 7 else cohort).replace(day=1)
        except ValueError:
            month = None
        if month is not None:
            end = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
            queryset = queryset.filter(pk__in=CustomerFirstPurchase.objects.filter(
                first_day__gte=month, first_day__lt=end).values("customer_id"))
    for field in ("size", "source", "industry"):
        value = params.get(field)
        if value:
            queryset = queryset.filter(**{field: "" if value == "-" else value})
    return queryset


CUSTOMER_FIELDS = ("industry", "size", "source")


def _customer_field_table(filters: DashboardFilters, field: str, title: str, choices, rows) -> Table:
    """rows: (value, revenue cents, customers, orders), largest revenue first."""
    labels = dict(choices)
    table = Table(field, title, [Column(field, title), Column("revenue", _("Revenue"), "decimal"),
                                 Column("customers", _("Customers"), "int"), Column("orders", _("Orders"), "int")],
                  chart={"type": "bar", "x": field, "y": ["revenue"]})
    for value, revenue, customers, orders in rows:
        value = value or ""
        table.rows.append((str(labels.get(value, value or _("Unknown"))), money(revenue), customers, orders))
        if field == "region":
            table.links.append(orders_url(filters, region=value) if value else None)
        else:
            table.links.append(customers_url(**{field: value or "-"}))
    return table


def _sorted(sums: dict) -> list[tuple]:
    return sorted(((value, *figures) for value, figures in sums.items()), key=lambda row: (-(row[1] or 0), row[0]))


def _value_cells_owned(user, filters: DashboardFilters, whole: tuple[dt.date, dt.date]) -> dict[str, dict]:
    """Revenue, customers and orders by industry, size, source and region among the customers the scope
    reaches as owner, for a range with whole months [m0, m1): the month cells of [m0, m1) count each
    customer whose first day there with that value has no earlier one since m0 (previous month before
    m0); the ragged ends add their sums and their customers not counted there: for the customer's fields
    by the buying days' previous and next day, for region by a lookup of a day in that region in [m0, m1)."""
    start, end = whole
    scope = report_scope(user)
    cells = CustomerValueMonthCell.objects.filter(month__gte=start, month__lt=end)
    days = CustomerBuyingDay.objects.all()
    orders = SalesOrderDaily.objects.all()
    if scope == Scope.ALL:
        cells = cells.filter(owner_id=ALL_OWNERS)
    else:
        people = scope_people(user, scope)
        cells = cells.filter(owner_id__in=people)
        days, orders = days.filter(owner_id__in=people), orders.filter(owner_id__in=people)
    sums = {field: defaultdict(lambda: [0, 0, 0]) for field in (*CUSTOMER_FIELDS, "region")}

    def add(field, value, revenue, customers, count):
        figures = sums[field][value or ""]
        figures[0] += revenue or 0
        figures[1] += customers or 0
        figures[2] += count or 0

    for field, value, revenue, customers, count in cells.values("field", "value").annotate(
            revenue=Sum("revenue_cents"), customers=Sum("days", filter=Q(previous_month__isnull=True) | Q(
                previous_month__lt=start)), count=Sum("orders")).values_list(
            "field", "value", "revenue", "customers", "count").order_by():
        add(field, value, revenue, customers, count)
    edges = [edge for edge in ((filters.date_from, start - dt.timedelta(days=1)), (end, filters.date_to))
             if edge[0] <= edge[1]]
    if not edges:
        return sums
    edge_q = reduce(operator.or_, (Q(day__range=edge) for edge in edges))
    # Buying days carry the customer's next one, so no lookup per row (as the overview counts): a ragged
    # start counts its customers' first days in the range less their last days there followed by one in
    # [m0, b] (counted later); a ragged end counts its days whose previous one is before m0.
    for edge in edges:
        counted = first_in_range_q(filters) if edge[1] < start else (
            Q(previous_day__isnull=True) | Q(previous_day__lt=start))
        # At the end edge nothing follows in [m0, b] that is not counted there: next_day is after it.
        again = Q(next_day__range=(start, filters.date_to)) if edge[1] < start else Q(next_day__lt=edge[0])
        for industry, size, source, revenue, customers, later, count in days.filter(day__range=edge).values_list(
                *CUSTOMER_FIELDS).annotate(revenue=Sum("revenue_cents"), customers=Count("day", filter=counted),
                                           later=Count("day", filter=again), count=Sum("orders")).values_list(
                *CUSTOMER_FIELDS, "revenue", "customers", "later", "count").order_by():
            for field, value in zip(CUSTOMER_FIELDS, (industry, size, source), strict=True):
                add(field, value, revenue, (customers or 0) - (later or 0), count)
    not_in_whole = ~Exists(SalesOrderDaily.objects.filter(customer_id=OuterRef("customer_id"), region=OuterRef(
        "region"), day__gte=start, day__lt=end))
    for region, revenue, customers, count in orders.filter(edge_q).values("region").annotate(
            revenue=Sum("revenue_cents"), customers=Count("customer_id", distinct=True, filter=not_in_whole),
            count=Sum("orders")).values_list("region", "revenue", "customers", "count").order_by():
        add("region", region, revenue, customers, count)
    return sums


def _by_customer_fields(user, filters: DashboardFilters) -> dict[str, list[tuple]]:
    """Revenue, customers and orders by the customer's industry, size and source (and by the order's
    region): among customers reached as owner, month cells for whole months and buying days for the rest
    (each customer once per range), plus the customers reached only as salesperson from their daily rows;
    with an order-attribute filter, everything over the daily rows."""
    sums = {field: defaultdict(lambda: [0, 0, 0]) for field in (*CUSTOMER_FIELDS, "region")}

    def add(rows, fields=CUSTOMER_FIELDS):
        for *values, revenue, customers, orders in rows:
            for field, value in zip(fields, values, strict=True):
                figures = sums[field][value or ""]
                figures[0] += revenue or 0
                figures[1] += customers or 0
                figures[2] += orders or 0

    split = buying_days(user=user, filters=filters)
    whole = whole_months(filters.date_from, filters.date_to)
    region_done = False
    if split is not None:
        owned, others = split
        if whole is not None:
            sums = _value_cells_owned(user, filters, whole)
            region_done = True
        else:
            add(owned.values_list(*CUSTOMER_FIELDS).annotate(revenue=Sum("revenue_cents"), customers=Count(
                "day", filter=first_in_range_q(filters)), orders=Sum("orders")).values_list(
                *CUSTOMER_FIELDS, "revenue", "customers", "orders").order_by())
        if others.query.is_empty():
            return {field: _sorted(values) for field, values in sums.items()} | (
                {} if region_done else {"region": None})
    else:
        others = rollup_rows(user=user, filters=filters)
    fields = (*CUSTOMER_FIELDS, *(("region",) if region_done else ()))
    if others.model is SalesOrderDaily and region_done:
        # Customers reached only as salesperson: their rows read once, counted per value here (one pass
        # instead of one grouped query per field over the same rows).
        customers: dict[tuple, set] = defaultdict(set)
        for *values, customer, revenue, orders in others.values_list(*fields, "customer_id", "revenue_cents",
                                                                      "orders"):
            for field, value in zip(fields, values, strict=True):
                figures = sums[field][value or ""]
                figures[0] += revenue or 0
                figures[2] += orders or 0
                customers[(field, value or "")].add(customer)
        for (field, value), reached in customers.items():
            sums[field][value][1] += len(reached)
        return {field: _sorted(values) for field, values in sums.items()}
    for field in fields:
        # Line rows (a category filter) do not carry the customer's fields: those join the customer.
        path = field if others.model is SalesOrderDaily or field == "region" else f"customer__{field}"
        add(others.values_list(path).annotate(
            revenue=Sum("revenue_cents"), customers=Count("customer_id", distinct=True),
            orders=Sum("orders")).values_list(path, "revenue", "customers", "orders").order_by(), (field,))
    return {field: _sorted(values) for field, values in sums.items()} | ({} if region_done else {"region": None})


def _by_region(user, filters: DashboardFilters) -> list[tuple]:
    rows = rollup_rows(user=user, filters=filters).values("region").annotate(
        revenue=Sum("revenue_cents"), customers=Count("customer_id", distinct=True), orders=Sum("orders")
    ).values_list("region", "revenue", "customers", "orders").order_by()
    return sorted(rows, key=lambda row: (-(row[1] or 0), row[0] or ""))


def _cohorts_direct(in_scope, cohort_start: dt.date, date_to: dt.date) -> tuple[dict, dict]:
    """Cohort sizes and {(cohort, offset): customers} from daily rows: customers with an in-scope row
    whose first purchase falls in the range, and the months their in-scope rows fall in."""
    first_months = {}
    for customer, first in CustomerFirstPurchase.objects.filter(
            first_day__gte=cohort_start, first_day__lte=date_to,
            customer_id__in=in_scope.values("customer_id")).values_list("customer_id", "first_day"):
        first_months[customer] = first.replace(day=1)
    active = defaultdict(set)
    activity = in_scope.filter(day__gte=cohort_start, day__lte=date_to)
    for customer, month in activity.annotate(month=TruncMonth("day")).values_list("customer_id", "month").distinct():
        if customer not in first_months:
            continue
        month = month.date() if isinstance(month, dt.datetime) else month
        offset = (month.year - first_months[customer].year) * 12 + month.month - first_months[customer].month
        if offset > 0:
            active[(first_months[customer], offset)].add(customer)
    sizes = defaultdict(int)
    for month in first_months.values():
        sizes[month] += 1
    return sizes, {key: len(customers) for key, customers in active.items()}


def _cohorts_from_cells(user, cohort_start: dt.date, date_to: dt.date) -> tuple[dict, dict]:
    """The same from CohortCell. Exact because a customer's rows all carry its owner: customers owned
    inside the scope come from the cells (by owner), the few reached only as salesperson from their
    daily rows."""
    scope = report_scope(user)
    cells = CohortCell.objects.filter(cohort__gte=cohort_start, cohort__lte=date_to)
    people = None
    if scope != Scope.ALL:
        people = scope_people(user, scope)
        cells = cells.filter(owner_id__in=people)
    sizes, active = defaultdict(int), defaultdict(int)
    for cohort, month, customers in cells.values("cohort", "month").annotate(count=Sum("customers")).values_list(
            "cohort", "month", "count"):
        offset = (month.year - cohort.year) * 12 + month.month - cohort.month
        if offset == 0:
            sizes[cohort] += customers
        elif month <= date_to:
            active[(cohort, offset)] += customers
    if people is not None:
        # Rows before the first cohort month belong to customers who first bought before it (not counted).
        others = SalesOrderDaily.objects.filter(salesperson_id__in=people, day__gte=cohort_start).exclude(
            owner_id__in=people)
        more_sizes, more_active = _cohorts_direct(others, cohort_start, date_to)
        for key, count in more_sizes.items():
            sizes[key] += count
        for key, count in more_active.items():
            active[key] += count
    return sizes, active


def cohort_table(*, user, filters: DashboardFilters, months: int = COHORT_MONTHS) -> Table:
    """For each first-purchase month in the range (the last `months`), the share of its customers who
    bought again 1, 2, … months later."""
    return _cohort_table(filters, *_cohort_counts(user, filters, months), months)


def _cohort_counts(user, filters: DashboardFilters, months: int = COHORT_MONTHS) -> tuple[dict, dict]:
    """(customers per cohort month, {(cohort month, months later): customers who bought then})."""
    cohort_start = max(filters.date_from.replace(day=1), _add_months(filters.date_to.replace(day=1), -(months - 1)))
    month_end = _add_months(filters.date_to.replace(day=1), 1) - dt.timedelta(days=1)
    unfiltered = not any(getattr(filters, name) for name in ("team", "rep", "region", "category", "channel",
                                                             "currency"))
    # Month cells count the whole month: usable when nothing was sold after the range's end in its month.
    if unfiltered and not SalesOrderDaily.objects.filter(day__gt=filters.date_to, day__lte=month_end).exists():
        sizes, active = _cohorts_from_cells(user, cohort_start, filters.date_to)
    else:
        sizes, active = _cohorts_direct(rollup_rows(user=user, filters=filters, dated=False), cohort_start,
                                        filters.date_to)
    return sizes, active


def _cohort_table(filters: DashboardFilters, sizes: dict, active: dict, months: int = COHORT_MONTHS) -> Table:
    columns = [Column("cohort", _("First purchase month")), Column("customers", _("Customers"), "int")]
    columns += [Column(f"m{offset}", _("Month %(n)s %%") % {"n": offset}, "percent") for offset in range(1, months)]
    table = Table("cohorts", _("Cohort retention"), columns)
    for month in sorted(key for key, size in sizes.items() if size):
        row = [month.strftime("%Y-%m"), sizes[month]]
        for offset in range(1, months):
            if _add_months(month, offset) > filters.date_to:
                row.append(None)
            else:
                row.append(percent(ratio(active.get((month, offset), 0), sizes[month])))
        table.rows.append(tuple(row))
        table.links.append(customers_url(cohort=month.strftime("%Y-%m")))
    return table


def _add_months(day: dt.date, count: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def customers_figures(user, filters: DashboardFilters) -> dict:
    """What the page is drawn from, as stored (JSON): RFM segments [segment, customers, lifetime revenue
    cents, summed recency days], revenue / customers / orders by industry, region, size and source, and the
    cohorts' sizes and returning customers."""
    segments = rfm_rows(user=user).values("segment").annotate(customers=Count("segment"), monetary=Sum(
        "monetary_cents"), recency=Sum("recency_days")).values_list("segment", "customers", "monetary", "recency")
    by_field = _by_customer_fields(user, filters)
    if by_field["region"] is None:
        by_field["region"] = _by_region(user, filters)
    sizes, active = _cohort_counts(user, filters)
    return {
        "segments": [list(row) for row in segments],
        "by_field": {field: [[value or "", revenue or 0, customers or 0, orders or 0]
                             for value, revenue, customers, orders in rows] for field, rows in by_field.items()},
        "cohort_sizes": [[month.isoformat(), count] for month, count in sizes.items()],
        "cohort_active": [[month.isoformat(), offset, count] for (month, offset), count in active.items()],
    }


def customers_dashboard(*, user, filters: DashboardFilters) -> dict[str, Table]:
    stored = stored_figures(user, "customers", filters)
    figures = stored.figures if stored is not None else customers_figures(user, filters)
    segments = Table("segments", _("RFM segments"), [
        Column("segment", _("Segment")), Column("customers", _("Customers"), "int"),
        Column("monetary", _("Lifetime revenue"), "decimal"), Column("recency_days", _("Average days since last order"),
                                                                     "decimal")],
        chart={"type": "pie", "x": "segment", "y": ["customers"]})
    labels = dict(RfmSegment.choices)
    by_segment = {segment: (customers, monetary, recency) for segment, customers, monetary, recency
                  in figures["segments"]}
    by_field = {field: [tuple(row) for row in rows] for field, rows in figures["by_field"].items()}
    for segment in RfmSegment.values:
        row = by_segment.get(segment)
        if row is None:
            continue
        customers, monetary, recency = row
        segments.rows.append((str(labels[segment]), customers, money(monetary), round(recency / customers, 1)))
        segments.links.append(customers_url(segment=segment))
    sizes = {dt.date.fromisoformat(month): count for month, count in figures["cohort_sizes"]}
    active = {(dt.date.fromisoformat(month), offset): count for month, offset, count in figures["cohort_active"]}
    return stored_note({
        "segments": segments,
        "industry": _customer_field_table(filters, "industry", _("Industry"), Industry.choices, by_field["industry"]),
        "region": _customer_field_table(filters, "region", _("Region"), Region.choices, by_field["region"]),
        "size": _customer_field_table(filters, "size", _("Company size"), CompanySize.choices, by_field["size"]),
        "source": _customer_field_table(filters, "source", _("Source"), CustomerSource.choices, by_field["source"]),
        "cohorts": _cohort_table(filters, sizes, active),
    }, stored)
