"""Reads for campaigns, segments and attribution, already limited to what the user may see."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from veracity.accounts.access import access_require, scope_q, scoped
from veracity.accounts.models import Action, Resource
from veracity.core.errors import NotFound
from veracity.core.normalisation import clean_text
from veracity.customers.models import Customer
from veracity.customers.selectors import customer_list
from veracity.marketing import attribution, criteria
from veracity.marketing.models import Campaign, Segment
from veracity.pipeline.models import Opportunity
from veracity.sales.models import Order, OrderStatus

CAMPAIGN_SORTS = {"code": "code", "name": "name", "channel": "channel", "start_date": "start_date",
                  "budget": "budget", "actual_cost": "actual_cost"}


@dataclass(frozen=True)
class CampaignFilters:
    q: str = ""
    channel: str = ""
    active_on: dt.date | None = None
    starts_from: dt.date | None = None
    starts_to: dt.date | None = None
    segment: int | None = None
    sort: str = "-start_date"


def _order(queryset: QuerySet, sort: str, allowed: dict[str, str], default: str) -> QuerySet:
    descending = sort.startswith("-")
    field = allowed.get(sort.lstrip("-"))
    if field is None:
        return queryset.order_by(default, "id")
    return queryset.order_by(f"-{field}" if descending else field, "id")


# --- campaigns -----------------------------------------------------------------------------------

def campaign_list(*, user, filters: CampaignFilters = CampaignFilters(), action: str = Action.VIEW
                  ) -> QuerySet[Campaign]:
    queryset = scoped(Campaign.objects.select_related("owner", "target_segment"),
                      user=user, resource=Resource.CAMPAIGN, action=action)
    if filters.q and clean_text(filters.q):
        term = clean_text(filters.q)
        queryset = queryset.filter(Q(code__icontains=term) | Q(name__icontains=term))
    if filters.channel:
        queryset = queryset.filter(channel=filters.channel)
    if filters.active_on:
        queryset = queryset.filter(Q(start_date__lte=filters.active_on)
                                   & (Q(end_date__isnull=True) | Q(end_date__gte=filters.active_on)))
    if filters.starts_from:
        queryset = queryset.filter(start_date__gte=filters.starts_from)
    if filters.starts_to:
        queryset = queryset.filter(start_date__lte=filters.starts_to)
    if filters.segment:
        queryset = queryset.filter(target_segment_id=filters.segment)
    return _order(queryset, filters.sort or "-start_date", CAMPAIGN_SORTS, "-start_date")


def campaign_get(*, user, pk: int, action: str = Action.VIEW) -> Campaign:
    campaign = campaign_list(user=user, action=action).filter(pk=pk).first()
    if campaign is None:
        raise NotFound()
    return campaign


def campaign_code_resolve(code: str) -> Campaign | None:
    """The live campaign with this code (any case, surrounding spaces ignored), for imports and the
    public form's utm_campaign. No permission check: a code alone reveals nothing and writes nothing."""
    code = clean_text(code or "")
    if not code:
        return None
    return Campaign.objects.filter(code__iexact=code).first()


def campaign_attributed_counts(*, user, campaign: Campaign) -> dict[str, int]:
    """How many leads, opportunities and orders carry the campaign, among those the user may see."""
    return {
        "leads": customer_list(user=user).filter(campaign=campaign).count(),
        "opportunities": scoped(Opportunity.objects.filter(campaign=campaign), user=user,
                                resource=Resource.OPPORTUNITY).count(),
        "orders": scoped(Order.objects.filter(campaign=campaign), user=user, resource=Resource.ORDER).count(),
    }


# --- segments ------------------------------------------------------------------------------------

def segment_list(*, user, q: str = "", action: str = Action.VIEW) -> QuerySet[Segment]:
    queryset = scoped(Segment.objects.select_related("owner").annotate(
        campaign_count=Count("campaigns", filter=Q(campaigns__deleted_at__isnull=True))),
                      user=user, resource=Resource.SEGMENT, action=action)
    if q and clean_text(q):
        queryset = queryset.filter(name__icontains=clean_text(q))
    return queryset.order_by("name", "id")


def segment_get(*, user, pk: int, action: str = Action.VIEW) -> Segment:
    segment = segment_list(user=user, action=action).filter(pk=pk).first()
    if segment is None:
        raise NotFound()
    return segment


def segment_get_by_name(*, user, name: str, action: str = Action.VIEW) -> Segment:
    segment = segment_list(user=user, action=action).filter(name=clean_text(name)).first()
    if segment is None:
        raise NotFound(f"There is no segment called {name!r}.")
    return segment


def criteria_members(*, user, criteria_values: dict, action: str = Action.VIEW) -> QuerySet[Customer]:
    """The customers matching stored criteria, within what `user` may see (customer view scope) and,
    for an export, also within their segment-export scope."""
    customers = customer_list(user=user)
    if action == Action.EXPORT:
        scope = access_require(user, Resource.SEGMENT, Action.EXPORT)
        customers = customers.filter(scope_q(user, scope, ("owner",)))
    return criteria.criteria_apply(customers, criteria.criteria_clean(criteria_values))


def segment_members(*, user, segment: Segment, action: str = Action.VIEW) -> QuerySet[Customer]:
    """The segment's current members: evaluated now, scoped to the viewer. Raises ValidationFailed
    when a stored criterion no longer validates (e.g. a product it names was deleted)."""
    access_require(user, Resource.SEGMENT, action)
    return criteria_members(user=user, criteria_values=segment.criteria, action=action)


@dataclass(frozen=True)
class SegmentMemberFilters:
    """What the exports registry needs to export a segment's members: which segment."""

    segment: int | None = None


def segment_member_list(*, user, filters: SegmentMemberFilters = SegmentMemberFilters(),
                        action: str = Action.VIEW) -> QuerySet[Customer]:
    """Members of the segment named by `filters.segment` (an export's selector)."""
    if not filters.segment:
        access_require(user, Resource.SEGMENT, action)
        return Customer.objects.none()
    segment = segment_get(user=user, pk=filters.segment)
    return segment_members(user=user, segment=segment, action=action)


# --- attribution ---------------------------------------------------------------------------------

def _local_date(value: dt.datetime) -> dt.date:
    return timezone.localdate(value) if timezone.is_aware(value) else value.date()


def touches_load(*, customers_q: Q, opportunities_q: Q, orders_q: Q, until: dt.date | None = None
                 ) -> list[attribution.Touch]:
    """Every campaign touch of the customers, opportunities and orders these filters select."""
    touches = [
        attribution.Touch(row["id"], row["campaign_id"], _local_date(row["created_at"]), attribution.LEAD, row["id"])
        for row in Customer.objects.filter(customers_q, campaign__isnull=False).values("id", "campaign_id", "created_at")
    ]
    touches += [
        attribution.Touch(row["customer_id"], row["campaign_id"], _local_date(row["created_at"]),
                          attribution.OPPORTUNITY, row["id"])
        for row in Opportunity.objects.filter(opportunities_q, campaign__isnull=False)
        .values("id", "customer_id", "campaign_id", "created_at")
    ]
    orders = Order.objects.filter(orders_q, campaign__isnull=False).exclude(status=OrderStatus.CANCELLED)
    if until is not None:
        orders = orders.filter(order_date__lte=until)
    touches += [
        attribution.Touch(row["customer_id"], row["campaign_id"], row["order_date"], attribution.ORDER, row["id"])
        for row in orders.values("id", "customer_id", "campaign_id", "order_date")
    ]
    return attribution.touches_sorted(touches)


@dataclass(frozen=True)
class CustomerTouches:
    customer: Customer
    touches: list[attribution.Touch]
    campaigns: dict[int, Campaign]

    @property
    def first(self) -> attribution.Touch | None:
        return self.touches[0] if self.touches else None

    @property
    def last(self) -> attribution.Touch | None:
        return self.touches[-1] if self.touches else None


def customer_touches(*, user, customer: Customer) -> CustomerTouches:
    """A customer's touches in time order (first and last touch at either end), counting only the
    opportunities and orders the user may see."""
    access_require(user, Resource.CAMPAIGN, Action.VIEW)
    opportunities = scoped(Opportunity.objects.filter(customer=customer), user=user, resource=Resource.OPPORTUNITY)
    orders = scoped(Order.objects.filter(customer=customer), user=user, resource=Resource.ORDER)
    touches = touches_load(customers_q=Q(pk=customer.pk), opportunities_q=Q(pk__in=opportunities.values("pk")),
                           orders_q=Q(pk__in=orders.values("pk")))
    campaigns = Campaign.all_objects.in_bulk({touch.campaign_id for touch in touches})
    return CustomerTouches(customer, touches, campaigns)


def attribution_overview(*, user, customers: QuerySet[Customer]) -> list[CustomerTouches]:
    """First and last touch of each of `customers` (already a page of a scoped list)."""
    access_require(user, Resource.CAMPAIGN, Action.VIEW)
    ids = [customer.pk for customer in customers]
    opportunities = scoped(Opportunity.objects.filter(customer_id__in=ids), user=user, resource=Resource.OPPORTUNITY)
    orders = scoped(Order.objects.filter(customer_id__in=ids), user=user, resource=Resource.ORDER)
    touches = touches_load(customers_q=Q(pk__in=ids), opportunities_q=Q(pk__in=opportunities.values("pk")),
                           orders_q=Q(pk__in=orders.values("pk")))
    campaigns = Campaign.all_objects.in_bulk({touch.campaign_id for touch in touches})
    by_customer: dict[int, list[attribution.Touch]] = {pk: [] for pk in ids}
    for touch in touches:
        by_customer[touch.customer_id].append(touch)
    return [CustomerTouches(customer, by_customer[customer.pk], campaigns) for customer in customers]


def attributed_customers(*, user) -> QuerySet[Customer]:
    """Customers the user may see with at least one campaign touch (lead, opportunity or order)."""
    access_require(user, Resource.CAMPAIGN, Action.VIEW)
    return customer_list(user=user).filter(
        Q(campaign__isnull=False) | Q(pk__in=Opportunity.objects.filter(campaign__isnull=False).values("customer_id"))
        | Q(pk__in=Order.objects.filter(campaign__isnull=False).values("customer_id"))
    )
