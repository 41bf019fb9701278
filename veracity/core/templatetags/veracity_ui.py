"""Small template helpers shared by every page: query-string building, sortable headers, money."""

from decimal import Decimal, InvalidOperation

from django import template
from django.utils.html import format_html
from django.utils.http import urlencode

register = template.Library()


@register.simple_tag(takes_context=True)
def query_with(context, **overrides) -> str:
    """The current query string with some parameters replaced (None or "" removes them)."""
    request = context["request"]
    params = request.GET.copy()
    for key, value in overrides.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = value
    return params.urlencode()


@register.simple_tag(takes_context=True)
def sort_header(context, field: str, label: str) -> str:
    """A column header that sorts by `field`, toggling ascending/descending, keeping the filters."""
    request = context["request"]
    current = request.GET.get("sort", "")
    target = f"-{field}" if current == field else field
    params = request.GET.copy()
    params["sort"] = target
    params.pop("page", None)
    arrow = " ▲" if current == field else (" ▼" if current == f"-{field}" else "")
    return format_html('<a href="?{}">{}{}</a>', params.urlencode(), label, arrow)


@register.filter
def money(value, currency: str = "") -> str:
    """1234.5 -> "1,234.50" (with the currency code after it when given)."""
    if value is None or value == "":
        return "—"
    try:
        amount = Decimal(value).quantize(Decimal("0.01"))
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    text = f"{amount:,.2f}"
    return f"{text} {currency}" if currency else text


@register.simple_tag
def urlencode_params(**params) -> str:
    return urlencode({key: value for key, value in params.items() if value not in (None, "")})
