"""The 360° customer page, as a list of panels.

A panel is a key, a title, a template and a loader `(user, customer) -> dict | None`. The loader
reads through the owning app's scoped selectors; it returns None when the user may not see that
kind of record at all, and the page then leaves the panel out. Field permissions are the loader's
job too (the orders panel shows cost and margin only to those who may see them).

Apps below the workspace cannot add panels themselves (they may not import upward); the workspace
lists them here, including the lifetime value and churn risk panel reading `forecasting.CustomerValue`.
`customer_360_panel_register` adds or replaces a panel from this layer."""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum
from django.utils.translation import gettext_lazy as _

from veracity.accounts.access import can, hidden_fields, scoped
from veracity.accounts.models import Action, Resource
from veracity.activities.selectors import ActivityFilters, activity_list
from veracity.customers.selectors import customer_contacts, customer_get
from veracity.feedback.selectors import ResponseFilters, response_list
from veracity.pipeline.models import Opportunity
from veracity.sales.models import Order, OrderLine, OrderStatus
from veracity.service.selectors import customer_tickets

PANEL_ROWS = 10


@dataclass(frozen=True)
class Panel:
    key: str
    title: Any
    template: str
    loader: Callable[[Any, Any], dict | None]
    order: int = 100
    wide: bool = False


def _profile(user, customer) -> dict:
    return {"customer": customer}


def _contacts(user, customer) -> dict | None:
    if not can(user, Resource.CONTACT, Action.VIEW):
        return None
    return {"contacts": list(customer_contacts(user=user, customer=customer)[:PANEL_ROWS])}


def _orders(user, customer) -> dict | None:
    if not can(user, Resource.ORDER, Action.VIEW):
        return None
    orders = scoped(Order.objects.filter(customer=customer), user=user, resource=Resource.ORDER)
    lines = OrderLine.objects.filter(order__in=orders.exclude(status=OrderStatus.CANCELLED).values("pk"))
    products = (lines.values("product_id", "product__name", "product__sku")
                .annotate(quantity=Sum("quantity"), orders=Count("order", distinct=True))
                .order_by("-orders", "product__name")[:PANEL_ROWS])
    hidden = hidden_fields(user, Resource.ORDER)
    return {"orders": list(orders.order_by("-order_date", "-id")[:PANEL_ROWS]), "order_count": orders.count(),
            "products": list(products), "show_cost": "cost_total" not in hidden}


def _opportunities(user, customer) -> dict | None:
    if not can(user, Resource.OPPORTUNITY, Action.VIEW):
        return None
    opportunities = scoped(Opportunity.objects.filter(customer=customer, stage__kind="open").select_related("stage"),
                           user=user, resource=Resource.OPPORTUNITY)
    return {"opportunities": list(opportunities.order_by("expected_close_date", "id")[:PANEL_ROWS])}


def _tickets(user, customer) -> dict | None:
    if not can(user, Resource.TICKET, Action.VIEW):
        return None
    return {"tickets": list(customer_tickets(user=user, customer_id=customer.pk)[:PANEL_ROWS])}


def _feedback(user, customer) -> dict | None:
    if not can(user, Resource.SURVEY_RESPONSE, Action.VIEW):
        return None
    responses = response_list(user=user, filters=ResponseFilters(customer=customer.pk))
    return {"responses": list(responses[:PANEL_ROWS])}


def _activities(user, customer) -> dict | None:
    if not can(user, Resource.ACTIVITY, Action.VIEW):
        return None
    return {"activities": list(activity_list(user=user, filters=ActivityFilters(customer=customer.pk))[:PANEL_ROWS])}


def _preferences(user, customer) -> dict | None:
    """Which categories and channels the customer buys through, by share of order value."""
    if not can(user, Resource.ORDER, Action.VIEW):
        return None
    orders = scoped(Order.objects.filter(customer=customer).exclude(status=OrderStatus.CANCELLED),
                    user=user, resource=Resource.ORDER)
    channels: Counter = Counter()
    channel_labels = {}
    for order in orders.only("channel", "total_amount", "exchange_rate"):
        channels[order.channel] += (order.total_amount or Decimal(0)) * (order.exchange_rate or Decimal(1))
        channel_labels[order.channel] = order.get_channel_display()
    categories = (OrderLine.objects.filter(order__in=orders.values("pk"))
                  .values("product__category__name").annotate(amount=Sum("net_amount"), lines=Count("id"))
                  .order_by("-amount")[:PANEL_ROWS])
    total = sum(channels.values()) or Decimal(1)
    return {
        "channels": [{"label": channel_labels[key], "share": round(value * 100 / total, 1)}
                     for key, value in channels.most_common()],
        "categories": [{"label": row["product__category__name"] or "—", "lines": row["lines"]} for row in categories],
    }


def _value_slot(user, customer) -> dict | None:
    """Lifetime value and churn risk (forecasting.CustomerValue); hidden from users without the
    forecast permission, "not computed yet" until the nightly fit has seen this customer."""
    from veracity.forecasting.selectors import customer_value_list

    if not can(user, Resource.FORECAST, Action.VIEW):
        return None
    value = customer_value_list(user=user).filter(customer_id=customer.pk).first()
    return {"available": value is not None, "value": value}


PANELS: list[Panel] = [
    Panel("profile", _("Profile"), "workspace/360/profile.html", _profile, order=10),
    Panel("value", _("Lifetime value and churn risk"), "workspace/360/value.html", _value_slot, order=15),
    Panel("preferences", _("Preferences"), "workspace/360/preferences.html", _preferences, order=20),
    Panel("contacts", _("Contacts"), "workspace/360/contacts.html", _contacts, order=30),
    Panel("orders", _("Orders and products owned"), "workspace/360/orders.html", _orders, order=40, wide=True),
    Panel("opportunities", _("Open opportunities"), "workspace/360/opportunities.html", _opportunities, order=50),
    Panel("tickets", _("Tickets"), "workspace/360/tickets.html", _tickets, order=60),
    Panel("feedback", _("Survey answers"), "workspace/360/feedback.html", _feedback, order=70),
    Panel("activities", _("Recent activities"), "workspace/360/activities.html", _activities, order=80, wide=True),
]


def customer_360_panel_register(panel: Panel) -> None:
    """Add a panel, or replace the one with the same key (how the value slot gets its content)."""
    PANELS[:] = [existing for existing in PANELS if existing.key != panel.key] + [panel]


@dataclass
class LoadedPanel:
    panel: Panel
    context: dict


def customer_360(*, user, customer_pk: int) -> tuple[Any, list[LoadedPanel]]:
    """The customer (NotFound outside the user's scope) and every panel the user may see."""
    customer = customer_get(user=user, pk=customer_pk)
    loaded = []
    for panel in sorted(PANELS, key=lambda panel: panel.order):
        context = panel.loader(user, customer)
        if context is not None:
            loaded.append(LoadedPanel(panel, context))
    return customer, loaded
