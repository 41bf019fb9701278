"""The campaign report and market demand: load rows within the viewer's report scope, then compute
with the pure functions of `attribution` (campaigns) or plain grouping (demand).

Scope: the `report` permission's scope limits the figures (a rep's report counts only the rep's own
customers and orders; marketing sees all); seeing campaigns needs `campaign` view."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Min, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from veracity.accounts.access import access_require, scope_q
from veracity.accounts.models import Action, Resource
from veracity.core.errors import ValidationFailed
from veracity.core.money import round_money
from veracity.customers.models import CompanySize, Customer, CustomerKind, Industry
from veracity.marketing import attribution
from veracity.marketing.models import Campaign, CampaignChannel, Segment
from veracity.marketing.selectors import segment_members, touches_load
from veracity.sales.models import Order, OrderLine, OrderStatus, Region


def last_quarter(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The calendar quarter before the one `today` is in."""
    today = today or timezone.localdate()
    quarter_start = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    end = quarter_start - dt.timedelta(days=1)
    return dt.date(end.year, 3 * ((end.month - 1) // 3) + 1, 1), end


def period_check(date_from: dt.date, date_to: dt.date) -> None:
    if date_from > date_to:
        raise ValidationFailed({"date_to": [str(_("The end of the period is before its start."))]})


@dataclass(frozen=True)
class ReportScope:
    customers: Q
    opportunities: Q
    orders: Q


def report_scope(user, action: str = Action.VIEW) -> ReportScope:
    scope = access_require(user, Resource.REPORT, action)
    access_require(user, Resource.CAMPAIGN, Action.VIEW)
    return ReportScope(
        customers=scope_q(user, scope, ("owner",)),
        opportunities=scope_q(user, scope, ("customer__owner", "owner")),
        orders=scope_q(user, scope, ("customer__owner", "salesperson")),
    )


@dataclass
class CampaignReport:
    date_from: dt.date
    date_to: dt.date
    model: str
    campaigns: list[attribution.ReportLine]
    channels: list[attribution.ReportLine]
    unattributed_revenue: Decimal = Decimal("0")


def campaign_report(*, user, date_from: dt.date, date_to: dt.date, model: str = attribution.LAST_TOUCH,
                    action: str = Action.VIEW) -> CampaignReport:
    """Leads, conversions, revenue (first and last touch), CPA and ROI per campaign and channel for
    the period, ranked by return on spend. Campaigns shown: those running during the period or with
    any lead, conversion or revenue in it."""
    period_check(date_from, date_to)
    if model not in attribution.MODELS:
        raise ValidationFailed({"model": [str(_("Choose first or last touch."))]})
    scope = report_scope(user, action)
    campaigns = list(Campaign.objects.order_by("code"))
    orders = Order.objects.filter(scope.orders).exclude(status=OrderStatus.CANCELLED)
    order_rows = [
        attribution.OrderRow(row["id"], row["customer_id"], row["order_date"],
                             round_money(row["total_amount"] * row["exchange_rate"]), row["campaign_id"])
        for row in orders.filter(order_date__gte=date_from, order_date__lte=date_to)
        .values("id", "customer_id", "order_date", "total_amount", "exchange_rate", "campaign_id")
    ]
    leads = [
        attribution.LeadRow(row["id"], row["campaign_id"], timezone.localdate(row["created_at"]))
        for row in Customer.objects.filter(scope.customers, campaign__isnull=False)
        .values("id", "campaign_id", "created_at")
    ]
    first_orders = dict(
        orders.filter(customer__campaign__isnull=False).order_by().values("customer_id")
        .annotate(first=Min("order_date")).values_list("customer_id", "first")
    )
    touches = touches_load(customers_q=scope.customers, opportunities_q=scope.opportunities,
                           orders_q=scope.orders, until=date_to)
    per_campaign, _channels = attribution.campaign_report_compute(
        campaigns=[attribution.CampaignRow(c.pk, c.code, c.name, c.channel, c.actual_cost) for c in campaigns],
        leads=leads, touches=touches, orders=order_rows, first_orders=first_orders,
        date_from=date_from, date_to=date_to, model=model,
    )
    running = {c.pk for c in campaigns
               if c.start_date <= date_to and (c.end_date is None or c.end_date >= date_from)}
    shown = [line for line in per_campaign
             if line.campaign_id in running or line.leads or line.conversions or line.revenue_first
             or line.revenue_last]
    shown_ids = {line.campaign_id for line in shown}
    _lines, channels = attribution.campaign_report_compute(
        campaigns=[attribution.CampaignRow(c.pk, c.code, c.name, c.channel, c.actual_cost)
                   for c in campaigns if c.pk in shown_ids],
        leads=leads, touches=touches, orders=order_rows, first_orders=first_orders,
        date_from=date_from, date_to=date_to, model=model,
    )
    labels = dict(CampaignChannel.choices)
    for line in channels:
        line.label = str(labels.get(line.key, line.key))
    credited = sum((line.revenue for line in shown), Decimal("0"))
    total = sum((row.revenue for row in order_rows), Decimal("0"))
    return CampaignReport(date_from, date_to, model, shown, channels, total - credited)


# --- market demand -------------------------------------------------------------------------------

ROW_DIMENSIONS = {
    "region": ("order__region", Region, _("Region")),
    "industry": ("order__customer__industry", Industry, _("Industry")),
    "size": ("order__customer__size", CompanySize, _("Size")),
    "kind": ("order__customer__kind", CustomerKind, _("Kind")),
}
COLUMN_DIMENSIONS = {
    "category": ("product__category_id", "product__category__name", _("Category")),
    "product": ("product_id", "product__name", _("Product")),
}
MAX_COLUMNS = 20


@dataclass
class DemandCell:
    previous: Decimal = Decimal("0")
    current: Decimal = Decimal("0")

    @property
    def growth(self) -> Decimal | None:
        """(current − previous) / previous; None when there was nothing before (new demand)."""
        if not self.previous:
            return None
        return ((self.current - self.previous) / self.previous).quantize(Decimal("0.0001"))


@dataclass
class MarketDemand:
    date_from: dt.date
    date_to: dt.date
    previous_from: dt.date
    previous_to: dt.date
    rows: list[tuple[str, str]]             # (value, label)
    columns: list[tuple[int | None, str]]   # (id, label)
    cells: dict[tuple[str, int | None], DemandCell] = field(default_factory=dict)

    def cell(self, row: str, column: int | None) -> DemandCell:
        return self.cells.get((row, column), DemandCell())


def market_demand(*, user, date_from: dt.date, date_to: dt.date, rows: str = "region", columns: str = "category",
                  segment: Segment | None = None) -> MarketDemand:
    """Revenue (reporting currency) per row value × product or category in the period and in the
    period of the same length just before it, with the growth between them."""
    period_check(date_from, date_to)
    if rows not in ROW_DIMENSIONS:
        raise ValidationFailed({"rows": [str(_("Choose one of the listed dimensions."))]})
    if columns not in COLUMN_DIMENSIONS:
        raise ValidationFailed({"columns": [str(_("Choose one of the listed dimensions."))]})
    scope = report_scope(user)
    length = date_to - date_from
    previous_to = date_from - dt.timedelta(days=1)
    previous_from = previous_to - length
    row_path, row_choices, _label = ROW_DIMENSIONS[rows]
    column_id, column_name, _label = COLUMN_DIMENSIONS[columns]
    orders = Order.objects.filter(scope.orders).exclude(status=OrderStatus.CANCELLED)
    if segment is not None:
        orders = orders.filter(customer__in=segment_members(user=user, segment=segment).values("pk"))
    lines = OrderLine.objects.filter(order__in=orders.values("pk"), order__order_date__gte=previous_from,
                                     order__order_date__lte=date_to)
    result = MarketDemand(date_from, date_to, previous_from, previous_to, [], [])
    names: dict[int | None, str] = {}
    totals: dict[int | None, Decimal] = defaultdict(Decimal)
    row_totals: dict[str, Decimal] = defaultdict(Decimal)
    for row in lines.values(row_path, column_id, column_name, "net_amount", "order__exchange_rate",
                            "order__order_date"):
        amount = round_money(row["net_amount"] * row["order__exchange_rate"])
        key = (row[row_path] or "", row[column_id])
        cell = result.cells.setdefault(key, DemandCell())
        if row["order__order_date"] >= date_from:
            cell.current += amount
            totals[row[column_id]] += amount
            row_totals[key[0]] += amount
        else:
            cell.previous += amount
            totals.setdefault(row[column_id], Decimal("0"))
            row_totals.setdefault(key[0], Decimal("0"))
        names[row[column_id]] = row[column_name] or str(_("Uncategorised"))
    labels = dict(row_choices.choices)
    result.rows = [(value, str(labels.get(value, value)) if value else str(_("Unknown")))
                   for value, _total in sorted(row_totals.items(), key=lambda item: (-item[1], item[0]))]
    top = sorted(totals.items(), key=lambda item: (-item[1], names[item[0]]))[:MAX_COLUMNS]
    result.columns = [(pk, names[pk]) for pk, _total in top]
    return result


def demand_orders(*, user, orders, date_from: dt.date, date_to: dt.date, rows: str, row: str, columns: str,
                  column: int | None):
    """The orders behind one demand cell: `orders` is the user's scoped order list."""
    period_check(date_from, date_to)
    if rows not in ROW_DIMENSIONS or columns not in COLUMN_DIMENSIONS:
        raise ValidationFailed({"rows": [str(_("Choose one of the listed dimensions."))]})
    report_scope(user)
    row_path = ROW_DIMENSIONS[rows][0].removeprefix("order__")
    column_path = COLUMN_DIMENSIONS[columns][0]
    line_filter = {column_path: column} if column is not None else {f"{column_path}__isnull": True}
    matching = OrderLine.objects.filter(**line_filter).values("order_id")
    return (orders.exclude(status=OrderStatus.CANCELLED)
            .filter(order_date__gte=date_from, order_date__lte=date_to, pk__in=matching, **{row_path: row})
            .order_by("-order_date", "-id"))
