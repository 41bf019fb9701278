"""Template helpers for order pages."""

from django import template

register = template.Library()

_STATUS_BADGES = {
    "draft": "text-bg-secondary",
    "confirmed": "text-bg-primary",
    "shipped": "text-bg-info",
    "delivered": "text-bg-success",
    "cancelled": "text-bg-dark",
}


@register.filter
def status_badge(status: str) -> str:
    """The Bootstrap badge class for an order status."""
    return _STATUS_BADGES.get(status, "text-bg-secondary")


@register.filter
def plain_number(value) -> str:
    """A Decimal without trailing zeros or exponent: 2.000 -> "2", 7.20000000 -> "7.2"."""
    if value is None or value == "":
        return "—"
    try:
        return f"{value.normalize():f}"
    except AttributeError:
        return str(value)
