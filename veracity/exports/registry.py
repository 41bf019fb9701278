"""What can be exported: per entity, the permission resource, the list selector and its filters, and
the columns.

Every export reads through the same selector as the list page (`*_list(user=…, filters=…,
action="export")`), so a file holds exactly the records that list shows with the same filters and the
same scope (SECURITY.md R2): one scoped queryset, nothing assembled beside it. Restricted fields
(`accounts.access.RESTRICTED_FIELDS`) are columns only for users who may see them."""

import dataclasses
import datetime as dt
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from veracity.accounts.access import hidden_fields
from veracity.accounts.models import Action, Resource
from veracity.activities.models import ActivityKind
from veracity.activities.selectors import ActivityFilters, activity_list
from veracity.catalog.models import Unit
from veracity.catalog.selectors import ProductFilters, product_list
from veracity.core.errors import NotFound, ValidationFailed
from veracity.customers.models import CompanySize, CustomerKind, CustomerSource, Industry, LifecycleStatus
from veracity.customers.selectors import ContactFilters, CustomerFilters, contact_list, customer_list
from veracity.pipeline.models import LostReason, StageKind
from veracity.pipeline.selectors import OpportunityFilters, opportunity_list
from veracity.sales.models import Channel, OrderLine, OrderStatus, Region
from veracity.sales.selectors import OrderFilters, order_list

# Largest id a filter may name: beyond a 64-bit integer the database cannot compare it.
_MAX_ID = 2**63 - 1


class Kind:
    """How a column's values are typed, which decides how each writer renders them."""

    TEXT = "text"
    INT = "int"
    DECIMAL = "decimal"
    DATE = "date"
    DATETIME = "datetime"
    BOOL = "bool"


@dataclass(frozen=True)
class Column:
    key: str                                  # stable machine name (Parquet and raw use it)
    label: Any                                # lazily translated header (CSV and XLSX use it)
    get: Callable[[Any], Any]                 # record -> value (codes for choices, not labels)
    kind: str = Kind.TEXT
    choices: type | None = None               # a TextChoices class: spreadsheets show its labels
    scale: int = 2                            # decimal places, for Kind.DECIMAL in Parquet
    restricted: str = ""                      # field name in RESTRICTED_FIELDS[entity.resource]

    def display(self, value):
        """The value as the list page shows it: choice labels instead of codes."""
        if self.choices is not None and value:
            return str(dict(self.choices.choices).get(value, value))
        return value


@dataclass(frozen=True)
class Entity:
    name: str                                  # URL and CLI name, also the file name's slug
    label: Any
    resource: str
    filters: type                              # the list's *Filters dataclass
    select: Callable[..., QuerySet]            # (user=, filters=, action=) -> scoped queryset
    columns: tuple[Column, ...]

    def visible_columns(self, user) -> list[Column]:
        hidden = hidden_fields(user, self.resource)
        return [column for column in self.columns if not (column.restricted and column.restricted in hidden)]

    def queryset(self, *, user, filters) -> QuerySet:
        return self.select(user=user, filters=filters, action=Action.EXPORT)


def _person(user) -> str:
    return str(user) if user is not None else ""


def _username(user) -> str:
    return user.username if user is not None else ""


def _attr(path: str) -> Callable[[Any], Any]:
    """A getter following `a.b.c`, giving None when a link on the way is empty."""
    parts = path.split(".")

    def get(obj):
        for part in parts:
            if obj is None:
                return None
            obj = getattr(obj, part)
        return obj

    return get


def C(key: str, label, getter: str | Callable | None = None, **kw) -> Column:  # noqa: N802 (a table row)
    if getter is None:
        getter = key
    return Column(key=key, label=label, get=_attr(getter) if isinstance(getter, str) else getter, **kw)


_CREATED = C("created_at", _("Created"), kind=Kind.DATETIME)
_UPDATED = C("updated_at", _("Updated"), kind=Kind.DATETIME)


def _tags(customer) -> str:
    # Sorted in Python: the tags are prefetched per chunk, a new order_by would query again.
    return "; ".join(sorted(tag.name for tag in customer.tags.all()))


def order_line_list(*, user, filters: OrderFilters | None = None, action: str = Action.VIEW
                    ) -> QuerySet[OrderLine]:
    """The lines of exactly the orders `order_list` gives for these filters (same scope, same
    filters), in the same order as the list, lines by number."""
    orders = order_list(user=user, filters=filters or OrderFilters(), action=action)
    sort = orders.query.order_by  # e.g. ("-order_date", "-id"): follow it through the order
    return (
        OrderLine.objects.filter(order__in=orders.order_by().values("pk"))
        .select_related("order", "order__customer", "product")
        .order_by(*(f"-order__{f[1:]}" if f.startswith("-") else f"order__{f}" for f in sort), "line_no")
    )


ENTITIES: dict[str, Entity] = {
    entity.name: entity for entity in (
        Entity("customers", _("Customers"), Resource.CUSTOMER, CustomerFilters, customer_list, (
            C("id", _("ID"), kind=Kind.INT),
            C("code", _("Customer code")),
            C("name", _("Name")),
            C("kind", _("Kind"), choices=CustomerKind),
            C("lifecycle_status", _("Lifecycle status"), choices=LifecycleStatus),
            C("industry", _("Industry"), choices=Industry),
            C("size", _("Size"), choices=CompanySize),
            C("source", _("Source"), choices=CustomerSource),
            C("credit_code", _("Unified social credit code")),
            C("owner", _("Owner"), lambda c: _person(c.owner)),
            C("owner_username", _("Owner username"), lambda c: _username(c.owner)),
            C("phone", _("Phone")),
            C("email", _("Email")),
            C("website", _("Website")),
            C("country", _("Country")),
            C("province", _("Province")),
            C("city", _("City")),
            C("district", _("District")),
            C("address_line", _("Address")),
            C("postal_code", _("Postal code")),
            C("tags", _("Tags"), _tags),
            C("notes", _("Notes")),
            _CREATED, _UPDATED,
        )),
        Entity("contacts", _("Contacts"), Resource.CONTACT, ContactFilters, contact_list, (
            C("id", _("ID"), kind=Kind.INT),
            C("customer_code", _("Customer code"), "customer.code"),
            C("customer", _("Customer"), "customer.name"),
            C("name", _("Name")),
            C("title", _("Job title")),
            C("department", _("Department")),
            C("mobile", _("Mobile")),
            C("phone", _("Phone")),
            C("email", _("Email")),
            C("wechat", _("WeChat ID")),
            C("is_primary", _("Primary contact"), kind=Kind.BOOL),
            C("notes", _("Notes")),
            _CREATED, _UPDATED,
        )),
        Entity("products", _("Products"), Resource.PRODUCT, ProductFilters, product_list, (
            C("id", _("ID"), kind=Kind.INT),
            C("sku", _("SKU")),
            C("name", _("Name")),
            C("category", _("Category"), "category.name"),
            C("unit", _("Unit"), choices=Unit),
            C("list_price", _("List price"), kind=Kind.DECIMAL),
            C("cost_price", _("Cost price"), kind=Kind.DECIMAL, restricted="cost_price"),
            C("margin", _("Margin"), kind=Kind.DECIMAL, restricted="margin"),
            C("currency", _("Currency")),
            C("is_active", _("Active"), kind=Kind.BOOL),
            C("description", _("Description")),
            _CREATED, _UPDATED,
        )),
        Entity("orders", _("Orders"), Resource.ORDER, OrderFilters, order_list, (
            C("id", _("ID"), kind=Kind.INT),
            C("number", _("Order number")),
            C("order_date", _("Order date"), kind=Kind.DATE),
            C("customer_code", _("Customer code"), "customer.code"),
            C("customer", _("Customer"), "customer.name"),
            C("salesperson", _("Salesperson"), lambda o: _person(o.salesperson)),
            C("status", _("Status"), choices=OrderStatus),
            C("channel", _("Channel"), choices=Channel),
            C("region", _("Region"), choices=Region),
            C("currency", _("Currency")),
            C("exchange_rate", _("Exchange rate"), kind=Kind.DECIMAL, scale=8),
            C("total_amount", _("Total"), kind=Kind.DECIMAL),
            C("cost_total", _("Cost"), kind=Kind.DECIMAL, restricted="cost_total"),
            C("margin", _("Margin"), kind=Kind.DECIMAL, restricted="margin"),
            C("notes", _("Notes")),
            _CREATED, _UPDATED,
        )),
        # Lines are part of their order: same permission, same filters, and the line's cost is
        # the order's cost, so it is shown only to those who may see the order's cost.
        Entity("order_lines", _("Order lines"), Resource.ORDER, OrderFilters, order_line_list, (
            C("order_number", _("Order number"), "order.number"),
            C("order_date", _("Order date"), "order.order_date", kind=Kind.DATE),
            C("customer_code", _("Customer code"), "order.customer.code"),
            C("customer", _("Customer"), "order.customer.name"),
            C("line_no", _("Line"), kind=Kind.INT),
            C("product_sku", _("SKU"), "product.sku"),
            C("product", _("Product"), "product.name"),
            C("description", _("Description")),
            C("quantity", _("Quantity"), kind=Kind.DECIMAL, scale=3),
            C("unit_price", _("Unit price"), kind=Kind.DECIMAL),
            C("discount_percent", _("Discount (%)"), kind=Kind.DECIMAL),
            C("currency", _("Currency")),
            C("net_amount", _("Net amount"), kind=Kind.DECIMAL),
            C("unit_cost", _("Unit cost"), kind=Kind.DECIMAL, restricted="cost_total"),
        )),
        Entity("opportunities", _("Opportunities"), Resource.OPPORTUNITY, OpportunityFilters, opportunity_list, (
            C("id", _("ID"), kind=Kind.INT),
            C("name", _("Name")),
            C("customer_code", _("Customer code"), "customer.code"),
            C("customer", _("Customer"), "customer.name"),
            C("contact", _("Contact"), "contact.name"),
            C("owner", _("Owner"), lambda o: _person(o.owner)),
            C("owner_username", _("Owner username"), lambda o: _username(o.owner)),
            C("stage", _("Stage"), "stage.display_name"),
            C("status", _("Status"), "stage.kind", choices=StageKind),
            C("amount", _("Amount"), kind=Kind.DECIMAL),
            C("currency", _("Currency")),
            C("expected_close_date", _("Expected close date"), kind=Kind.DATE),
            C("closed_on", _("Closed on"), kind=Kind.DATE),
            C("lost_reason", _("Lost reason"), choices=LostReason),
            C("lost_note", _("Lost note")),
            C("description", _("Description")),
            _CREATED, _UPDATED,
        )),
        Entity("activities", _("Activities"), Resource.ACTIVITY, ActivityFilters, activity_list, (
            C("id", _("ID"), kind=Kind.INT),
            C("kind", _("Kind"), choices=ActivityKind),
            C("subject", _("Subject")),
            C("customer_code", _("Customer code"), "customer.code"),
            C("customer", _("Customer"), "customer.name"),
            C("contact", _("Contact"), "contact.name"),
            C("owner", _("Logged by"), lambda a: _person(a.owner)),
            C("assignee", _("Assignee"), lambda a: _person(a.assignee)),
            C("occurred_at", _("When"), kind=Kind.DATETIME),
            C("due_at", _("Due"), kind=Kind.DATETIME),
            C("done", _("Done"), kind=Kind.BOOL),
            C("done_at", _("Done at"), kind=Kind.DATETIME),
            C("duration_minutes", _("Duration (minutes)"), kind=Kind.INT),
            C("location", _("Location")),
            C("outcome", _("Outcome")),
            C("body", _("Details")),
            _CREATED, _UPDATED,
        )),
    )
}


def entity_get(name: str) -> Entity:
    entity = ENTITIES.get(name)
    if entity is None:
        raise NotFound(f"There is no export called {name!r}.", detail={"entity": name})
    return entity


def _field_kind(annotation) -> type:
    """The scalar type of a filter field: `int | None` -> int."""
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        return next(arg for arg in typing.get_args(annotation) if arg is not type(None))
    return annotation


def filter_names(entity: Entity) -> list[str]:
    return [field.name for field in dataclasses.fields(entity.filters)]


def filters_parse(entity: Entity, params: Mapping[str, str]):
    """The list's filter dataclass from query parameters named as on the list page (`q`, `status`,
    `owner`, `date_from`, …). Unknown parameters (`page`, `format`, …) are ignored; a malformed value
    is refused rather than silently dropped, so an export is never wider than asked."""
    hints = typing.get_type_hints(entity.filters)
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for field in dataclasses.fields(entity.filters):
        raw = params.get(field.name)
        if raw is None or str(raw).strip() == "":
            continue
        raw = str(raw).strip()
        kind = _field_kind(hints[field.name])
        try:
            values[field.name] = _parse_value(kind, raw)
        except ValueError:
            errors[field.name] = [str(_("Enter a valid value."))]
    if errors:
        raise ValidationFailed(errors)
    return entity.filters(**values)


def _parse_value(kind: type, raw: str):
    if kind is bool:
        if raw not in ("0", "1"):
            raise ValueError(raw)
        return raw == "1"
    if kind is int:
        number = int(raw) if raw.isascii() and raw.isdigit() else -1
        if not 0 < number <= _MAX_ID:
            raise ValueError(raw)
        return number
    if kind is dt.date:
        return dt.date.fromisoformat(raw)
    if kind is Decimal:
        return Decimal(raw)
    return raw


def filters_describe(filters) -> dict[str, Any]:
    """The filters that were set, as JSON-safe values (for the audit trail)."""
    defaults = type(filters)()
    return {
        name: value.isoformat() if isinstance(value, dt.date) else value
        for name, value in dataclasses.asdict(filters).items()
        if value != getattr(defaults, name)
    }
