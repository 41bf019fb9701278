"""Attribution and the campaign report as pure functions over plain rows (no database), so each
rule can be tested on a hand-written history.

A customer's *touches* are, in time order: the campaign on the lead (when the customer was created),
the campaign on each opportunity (when it was opened) and the campaign on each order (its order
date). Ties on the same day go lead, then opportunity, then order. For an order:
- first touch credits the customer's earliest touch on or before the order date;
- last touch credits the latest touch on or before it (the order's own campaign, when it has one).
An order with no touch up to its date is unattributed."""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from veracity.core.money import round_money

LEAD, OPPORTUNITY, ORDER = "lead", "opportunity", "order"
_KIND_RANK = {LEAD: 0, OPPORTUNITY: 1, ORDER: 2}
FIRST_TOUCH, LAST_TOUCH = "first", "last"
MODELS = (FIRST_TOUCH, LAST_TOUCH)


@dataclass(frozen=True)
class Touch:
    customer_id: int
    campaign_id: int
    on: dt.date
    kind: str          # lead | opportunity | order
    record_id: int

    @property
    def sort_key(self) -> tuple:
        return (self.on, _KIND_RANK[self.kind], self.record_id)


@dataclass(frozen=True)
class OrderRow:
    order_id: int
    customer_id: int
    on: dt.date
    revenue: Decimal               # in the reporting currency, at the rate booked with the order
    campaign_id: int | None = None


@dataclass(frozen=True)
class LeadRow:
    customer_id: int
    campaign_id: int
    created_on: dt.date


@dataclass(frozen=True)
class CampaignRow:
    campaign_id: int
    code: str
    name: str
    channel: str
    cost: Decimal


def touches_sorted(touches: Iterable[Touch]) -> list[Touch]:
    return sorted(touches, key=lambda touch: touch.sort_key)


def touch_for_order(touches: list[Touch], order: OrderRow, model: str) -> Touch | None:
    """The touch credited with `order` under `model`, from the customer's sorted touches."""
    if order.campaign_id is not None and model == LAST_TOUCH:
        return Touch(order.customer_id, order.campaign_id, order.on, ORDER, order.order_id)
    before = [touch for touch in touches if touch.on <= order.on
              and not (touch.kind == ORDER and touch.record_id != order.order_id and touch.on == order.on
                       and touch.record_id > order.order_id)]
    if not before:
        return None
    return before[0] if model == FIRST_TOUCH else before[-1]


def revenue_by_campaign(touches: Iterable[Touch], orders: Iterable[OrderRow], model: str) -> dict[int, Decimal]:
    """{campaign id: revenue credited to it} under `model`; unattributed revenue is left out."""
    per_customer: dict[int, list[Touch]] = defaultdict(list)
    for touch in touches:
        per_customer[touch.customer_id].append(touch)
    for customer_id in per_customer:
        per_customer[customer_id] = touches_sorted(per_customer[customer_id])
    credited: dict[int, Decimal] = defaultdict(lambda: Decimal("0"))
    for order in orders:
        touch = touch_for_order(per_customer.get(order.customer_id, []), order, model)
        if touch is not None:
            credited[touch.campaign_id] += order.revenue
    return dict(credited)


@dataclass
class ReportLine:
    key: str                      # campaign code, or channel value
    label: str
    channel: str = ""
    campaign_id: int | None = None
    leads: int = 0
    conversions: int = 0
    cost: Decimal = Decimal("0")
    revenue_first: Decimal = Decimal("0")
    revenue_last: Decimal = Decimal("0")
    model: str = LAST_TOUCH
    campaigns: list[str] = field(default_factory=list)

    @property
    def revenue(self) -> Decimal:
        return self.revenue_first if self.model == FIRST_TOUCH else self.revenue_last

    @property
    def cost_per_acquisition(self) -> Decimal | None:
        return round_money(self.cost / self.conversions) if self.conversions else None

    @property
    def return_on_spend(self) -> Decimal | None:
        """ROI = (revenue − cost) / cost, as a fraction (0.5 is +50%); None when nothing was spent."""
        if not self.cost:
            return None
        return ((self.revenue - self.cost) / self.cost).quantize(Decimal("0.0001"))

    def as_dict(self) -> dict:
        return {
            "key": self.key, "label": self.label, "channel": self.channel, "campaign_id": self.campaign_id,
            "leads": self.leads, "conversions": self.conversions, "cost": self.cost,
            "revenue": round_money(self.revenue), "revenue_first_touch": round_money(self.revenue_first),
            "revenue_last_touch": round_money(self.revenue_last),
            "cost_per_acquisition": self.cost_per_acquisition, "return_on_spend": self.return_on_spend,
        }


def _rank_key(line: ReportLine):
    roi = line.return_on_spend
    return (roi is None, -(roi if roi is not None else Decimal("0")), -line.revenue, line.key)


def campaign_report_compute(
    *, campaigns: Iterable[CampaignRow], leads: Iterable[LeadRow], touches: Iterable[Touch],
    orders: Iterable[OrderRow], first_orders: dict[int, dt.date], date_from: dt.date, date_to: dt.date,
    model: str = LAST_TOUCH,
) -> tuple[list[ReportLine], list[ReportLine]]:
    """(per campaign, per channel) for the period, each ranked by return on spend (best first).

    - leads: customers created in the period with the campaign as their lead source;
    - conversions: customers with the campaign as lead source whose first order (`first_orders`:
      customer id -> date of the first non-cancelled order) falls in the period;
    - revenue: orders dated in the period, credited by first touch and by last touch;
    - cost: the campaign's actual cost. `model` picks which revenue ranks and drives ROI."""
    campaigns = list(campaigns)
    orders = [order for order in orders if date_from <= order.on <= date_to]
    touches = list(touches)
    first = revenue_by_campaign(touches, orders, FIRST_TOUCH)
    last = revenue_by_campaign(touches, orders, LAST_TOUCH)
    lines = {c.campaign_id: ReportLine(key=c.code, label=c.name, channel=c.channel, campaign_id=c.campaign_id,
                                       cost=c.cost, model=model) for c in campaigns}
    for lead in leads:
        line = lines.get(lead.campaign_id)
        if line is None:
            continue
        if date_from <= lead.created_on <= date_to:
            line.leads += 1
        converted_on = first_orders.get(lead.customer_id)
        if converted_on is not None and date_from <= converted_on <= date_to:
            line.conversions += 1
    for campaign_id, line in lines.items():
        line.revenue_first = first.get(campaign_id, Decimal("0"))
        line.revenue_last = last.get(campaign_id, Decimal("0"))
    per_campaign = sorted(lines.values(), key=_rank_key)
    channels: dict[str, ReportLine] = {}
    for line in per_campaign:
        total = channels.setdefault(line.channel, ReportLine(key=line.channel, label=line.channel,
                                                             channel=line.channel, model=model))
        total.leads += line.leads
        total.conversions += line.conversions
        total.cost += line.cost
        total.revenue_first += line.revenue_first
        total.revenue_last += line.revenue_last
        total.campaigns.append(line.key)
    return per_campaign, sorted(channels.values(), key=_rank_key)
