"""Reads for orders and exchange rates, already permission-scoped."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet

from veracity.accounts.access import hidden_fields, scoped
from veracity.accounts.models import Action, Resource
from veracity.core.errors import NotFound
from veracity.core.money import normalise_currency, reporting_currency
from veracity.customers.models import Customer
from veracity.sales.models import ExchangeRate, Order, OrderLine, OrderStatus

ORDER_SORTS = {
    "number", "-number", "order_date", "-order_date", "total_amount", "-total_amount", "status", "-status",
    "customer__name", "-customer__name", "created_at", "-created_at",
}
DEFAULT_ORDER_SORT = "-order_date"
# The statuses whose orders count as sales in reports (analytics uses the same set).
COUNTED_STATUSES = (OrderStatus.CONFIRMED, OrderStatus.SHIPPED, OrderStatus.DELIVERED)


@dataclass(frozen=True)
class OrderFilters:
    q: str = ""
    status: str = ""
    channel: str = ""
    region: str = ""
    salesperson: int | None = None
    customer: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    sort: str = DEFAULT_ORDER_SORT
    # Drill-down filters from the analytics dashboards.
    product: int | None = None
    category: int | None = None
    currency: str = ""
    team: int | None = None
    counted: bool = False  # only orders that count as sales (confirmed, shipped, delivered)


def order_list(*, user, filters: OrderFilters = OrderFilters(), action: str = Action.VIEW) -> QuerySet[Order]:
    queryset = scoped(
        Order.objects.select_related("customer", "salesperson"), user=user, resource=Resource.ORDER, action=action
    )
    if filters.q:
        term = filters.q.strip()
        queryset = queryset.filter(
            Q(number__icontains=term) | Q(customer__name__icontains=term) | Q(customer__code__icontains=term)
        )
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.channel:
        queryset = queryset.filter(channel=filters.channel)
    if filters.region:
        queryset = queryset.filter(region=filters.region)
    if filters.salesperson:
        queryset = queryset.filter(salesperson_id=filters.salesperson)
    if filters.customer:
        queryset = queryset.filter(customer_id=filters.customer)
    if filters.date_from:
        queryset = queryset.filter(order_date__gte=filters.date_from)
    if filters.date_to:
        queryset = queryset.filter(order_date__lte=filters.date_to)
    if filters.product:
        queryset = queryset.filter(pk__in=OrderLine.objects.filter(product_id=filters.product).values("order_id"))
    if filters.category:
        queryset = queryset.filter(pk__in=OrderLine.objects.filter(
            Q(product__category_id=filters.category) | Q(product__category__parent_id=filters.category)
        ).values("order_id"))
    if filters.currency:
        queryset = queryset.filter(currency=normalise_currency(filters.currency))
    if filters.team:
        queryset = queryset.filter(salesperson__team_id=filters.team)
    if filters.counted:
        queryset = queryset.filter(status__in=COUNTED_STATUSES)
    sort = filters.sort if filters.sort in ORDER_SORTS else DEFAULT_ORDER_SORT
    return queryset.order_by(sort, "-id")


def order_get(*, user, pk: int, action: str = Action.VIEW) -> Order:
    """One order with its lines and their products (one query each)."""
    lines = Prefetch("lines", queryset=OrderLine.objects.select_related("product").order_by("line_no"))
    order = (
        order_list(user=user, action=action).select_related("contact", "customer__owner")
        .prefetch_related(lines).filter(pk=pk).first()
    )
    if order is None:
        raise NotFound()
    return order


def customer_order_list(*, user, customer_pk: int) -> QuerySet[Order]:
    """The orders of one customer that the user may see (the customer page's orders panel).

    A customer outside the user's scope is NotFound, not an empty list, so the panel cannot be used
    to probe which customers exist."""
    if not scoped(Customer.objects.filter(pk=customer_pk), user=user, resource=Resource.CUSTOMER).exists():
        raise NotFound()
    return order_list(user=user, filters=OrderFilters(customer=customer_pk))


def order_hidden_fields(*, user) -> frozenset[str]:
    return hidden_fields(user, Resource.ORDER)


def order_customer_choices(*, user, action: str = Action.EDIT) -> QuerySet[Customer]:
    """The customers the user may book orders for."""
    return scoped(Customer.objects.all(), user=user, resource=Resource.CUSTOMER, action=action).order_by("name", "id")


def exchange_rate_list(*, user, currency: str = "", action: str = Action.VIEW) -> QuerySet[ExchangeRate]:
    queryset = scoped(ExchangeRate.objects.all(), user=user, resource=Resource.EXCHANGE_RATE, action=action)
    if currency:
        queryset = queryset.filter(currency=normalise_currency(currency))
    return queryset.order_by("currency", "-rate_date", "-id")


def exchange_rate_get(*, user, pk: int, action: str = Action.VIEW) -> ExchangeRate:
    rate = scoped(ExchangeRate.objects.all(), user=user, resource=Resource.EXCHANGE_RATE, action=action).filter(
        pk=pk).first()
    if rate is None:
        raise NotFound()
    return rate


def rate_for(currency: str, on_date: dt.date) -> Decimal | None:
    """Units of the reporting currency per unit of `currency` on `on_date`: 1 for the reporting
    currency itself, else the latest rate on or before that date; None when there is none.

    Not user-scoped: every role that may book an order may convert it."""
    currency = normalise_currency(currency)
    if currency == reporting_currency():
        return Decimal("1")
    return (
        ExchangeRate.objects.filter(currency=currency, rate_date__lte=on_date)
        .order_by("-rate_date").values_list("rate", flat=True).first()
    )
