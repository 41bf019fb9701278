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
from django.utils.translation import pgettext_lazy

from veracity.accounts.access import hidden_fields
from veracity.accounts.models import Action, Resource
from veracity.activities.models import ActivityKind
from veracity.activities.selectors import ActivityFilters, activity_list
from veracity.catalog.models import Unit
from veracity.catalog.selectors import ProductFilters, product_list
from veracity.core.errors import NotFound, ValidationFailed
from veracity.customers.models import CompanySize, CustomerKind, CustomerSource, Industry, LifecycleStatus
from veracity.customers.selectors import ContactFilters, CustomerFilters, contact_list, customer_list
from veracity.feedback.selectors import ResponseFilters, response_list
from veracity.marketing.models import CampaignChannel
from veracity.marketing.selectors import (
    CampaignFilters,
    SegmentMemberFilters,
    campaign_list,
    segment_member_list,
)
from veracity.pipeline.models import LostReason, StageKind
from veracity.pipeline.selectors import OpportunityFilters, opportunity_list
from veracity.sales.models import Channel, OrderLine, OrderStatus, Region
from veracity.sales.selectors import OrderFilters, order_list
from veracity.service.models import TicketPriority, TicketStatus, TicketType
from veracity.service.selectors import TicketFilters, ticket_list

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
    """One column of an export. Headers are translated with the context "column", which keeps
    them apart from other apps' words (a customer's "Name" is 名称, not a person's 姓名)."""

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


_CREATED = C("created_at", pgettext_lazy("column", "Created"), kind=Kind.DATETIME)
_UPDATED = C("updated_at", pgettext_lazy("column", "Updated"), kind=Kind.DATETIME)


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
            C("id", pgettext_lazy("column", "ID"), kind=Kind.INT),
            C("code", pgettext_lazy("column", "Customer code")),
            C("name", pgettext_lazy("column", "Name")),
            C("kind", pgettext_lazy("column", "Kind"), choices=CustomerKind),
            C("lifecycle_status", pgettext_lazy("column", "Lifecycle status"), choices=LifecycleStatus),
            C("industry", pgettext_lazy("column", "Industry"), choices=Industry),
            C("size", pgettext_lazy("column", "Size"), choices=CompanySize),
            C("source", pgettext_lazy("column", "Source"), choices=CustomerSource),
            C("credit_code", pgettext_lazy("column", "Unified social credit code")),
            C("owner", pgettext_lazy("column", "Owner"), lambda c: _person(c.owner)),
            C("owner_username", pgettext_lazy("column", "Owner username"), lambda c: _username(c.owner)),
            C("phone", pgettext_lazy("column", "Phone")),
            C("email", pgettext_lazy("column", "Email")),
            C("website", pgettext_lazy("column", "Website")),
            C("country", pgettext_lazy("column", "Country")),
            C("province", pgettext_lazy("column", "Province")),
            C("city", pgettext_lazy("column", "City")),
            C("district", pgettext_lazy("column", "District")),
            C("address_line", pgettext_lazy("column", "Address")),
            C("postal_code", pgettext_lazy("column", "Postal code")),
            C("tags", pgettext_lazy("column", "Tags"), _tags),
            C("notes", pgettext_lazy("column", "Notes")),
            _CREATED, _UPDATED,
        )),
        Entity("contacts", _("Contacts"), Resource.CONTACT, ContactFilters, contact_list, (
            C("id", pgettext_lazy("column", "ID"), kind=Kind.INT),
            C("customer_code", pgettext_lazy("column", "Customer code"), "customer.code"),
            C("customer", pgettext_lazy("column", "Customer"), "customer.name"),
            C("name", pgettext_lazy("column", "Name")),
            C("title", pgettext_lazy("column", "Job title")),
            C("department", pgettext_lazy("column", "Department")),
            C("mobile", pgettext_lazy("column", "Mobile")),
            C("phone", pgettext_lazy("column", "Phone")),
            C("email", pgettext_lazy("column", "Email")),
            C("wechat", pgettext_lazy("column", "WeChat ID")),
            C("is_primary", pgettext_lazy("column", "Primary contact"), kind=Kind.BOOL),
            C("notes", pgettext_lazy("column", "Notes")),
            _CREATED, _UPDATED,
        )),
        Entity("products", _("Products"), Resource.PRODUCT, ProductFilters, product_list, (
            C("id", pgettext_lazy("column", "ID"), kind=Kind.INT),
            C("sku", pgettext_lazy("column", "SKU")),
            C("name", pgettext_lazy("column", "Name")),
            C("category", pgettext_lazy("column", "Category"), "category.name"),
            C("unit", pgettext_lazy("column", "Unit"), choices=Unit),
            C("list_price", pgettext_lazy("column", "List price"), kind=Kind.DECIMAL),
            C("cost_price", pgettext_lazy("column", "Cost price"), kind=Kind.DECIMAL, restricted="cost_price"),
            C("margin", pgettext_lazy("column", "Margin"), kind=Kind.DECIMAL, restricted="margin"),
            C("currency", pgettext_lazy("column", "Currency")),
            C("is_active", pgettext_lazy("column", "Active"), kind=Kind.BOOL),
            C("description", pgettext_lazy("column", "Description")),
            _CREATED, _UPDATED,
        )),
        Entity("orders", _("Orders"), Resource.ORDER, OrderFilters, order_list, (
            C("id", pgettext_lazy("column", "ID"), kind=Kind.INT),
            C("number", pgettext_lazy("column", "Order number")),
            C("order_date", pgettext_lazy("column", "Order date"), kind=Kind.DATE),
            C("customer_code", pgettext_lazy("column", "Customer code"), "customer.code"),
            C("customer", pgettext_lazy("column", "Customer"), "customer.name"),
            C("salesperson", pgettext_lazy("column", "Salesperson"), lambda o: _person(o.salesperson)),
            C("status", pgettext_lazy("column", "Status"), choices=OrderStatus),
            C("channel", pgettext_lazy("column", "Channel"), choices=Channel),
            C("region", pgettext_lazy("column", "Region"), choices=Region),
            C("currency", pgettext_lazy("column", "Currency")),
            C("exchange_rate", pgettext_lazy("column", "Exchange rate"), kind=Kind.DECIMAL, scale=8),
            C("total_amount", pgettext_lazy("column", "Total"), kind=Kind.DECIMAL),
            C("cost_total", pgettext_lazy("column", "Cost"), kind=Kind.DECIMAL, restricted="cost_total"),
            C("margin", pgettext_lazy("column", "Margin"), kind=Kind.DECIMAL, restricted="margin"),
            C("notes", pgettext_lazy("column", "Notes")),
            _CREATED, _UPDATED,
        )),
        # Lines are part of their order: same permission, same filters, and the line's cost is
        # the order's cost, so it is shown only to those who may see the order's cost.
        Entity("order_lines", _("Order lines"), Resource.ORDER, OrderFilters, order_line_list, (
            C("order_number", pgettext_lazy("column", "Order number"), "order.number"),
            C("order_date", pgettext_lazy("column", "Order date"), "order.order_date", kind=Kind.DATE),
            C("customer_code", pgettext_lazy("column", "Customer code"), "order.customer.code"),
            C("customer", pgettext_lazy("column", "Customer"), "order.customer.name"),
            C("line_no", pgettext_lazy("column", "Line"), kind=Kind.INT),
            C("product_sku", pgettext_lazy("column", "SKU"), "product.sku"),
            C("product", pgettext_lazy("column", "Product"), "product.name"),
            C("description", pgettext_lazy("column", "Description")),
            C("quantity", pgettext_lazy("column", "Quantity"), kind=Kind.DECIMAL, scale=3),
            C("unit_price", pgettext_lazy("column", "Unit price"), kind=Kind.DECIMAL),
            C("discount_percent", pgettext_lazy("column", "Discount (%)"), kind=Kind.DECIMAL),
            C("currency", pgettext_lazy("column", "Currency")),
            C("net_amount", pgettext_lazy("column", "Net amount"), kind=Kind.DECIMAL),
            C("unit_cost", pgettext_lazy("column", "Unit cost"), kind=Kind.DECIMAL, restricted="cost_total"),
        )),
        Entity("opportunities", _("Opportunities"), Resource.OPPORTUNITY, OpportunityFilters, opportunity_list, (
            C("id", pgettext_lazy("column", "ID"), kind=Kind.INT),
            C("name", pgettext_lazy("column", "Name")),
            C("customer_code", pgettext_lazy("column", "Customer code"), "customer.code"),
            C("customer", pgettext_lazy("column", "Customer"), "customer.name"),
            C("contact", pgettext_lazy("column", "Contact"), "contact.name"),
            C("owner", pgettext_lazy("column", "Owner"), lambda o: _person(o.owner)),
            C("owner_username", pgettext_lazy("column", "Owner username"), lambda o: _username(o.owner)),
            C("stage", pgettext_lazy("column", "Stage"), "stage.display_name"),
            C("status", pgettext_lazy("column", "Status"), "stage.kind", choices=StageKind),
            C("amount", pgettext_lazy("column", "Amount"), kind=Kind.DECIMAL),
            C("currency", pgettext_lazy("column", "Currency")),
            C("expected_close_date", pgettext_lazy("column", "Expected close date"), kind=Kind.DATE),
            C("closed_on", pgettext_lazy("column", "Closed on"), kind=Kind.DATE),
            C("lost_reason", pgettext_lazy("column", "Lost reason"), choices=LostReason),
            C("lost_note", pgettext_lazy("column", "Lost note")),
            C("description", pgettext_lazy("column", "Description")),
            _CREATED, _UPDATED,
        )),
        Entity("activities", _("Activities"), Resource.ACTIVITY, ActivityFilters, activity_list, (
            C("id", pgettext_lazy("column", "ID"), kind=Kind.INT),
            C("kind", pgettext_lazy("column", "Kind"), choices=ActivityKind),
            C("subject", pgettext_lazy("column", "Subject")),
            C("customer_code", pgettext_lazy("column", "Customer code"), "customer.code"),
            C("customer", pgettext_lazy("column", "Customer"), "customer.name"),
            C("contact", pgettext_lazy("column", "Contact"), "contact.name"),
            C("owner", pgettext_lazy("column", "Logged by"), lambda a: _person(a.owner)),
            C("assignee", pgettext_lazy("column", "Assignee"), lambda a: _person(a.assignee)),
            C("occurred_at", pgettext_lazy("column", "When"), kind=Kind.DATETIME),
            C("due_at", pgettext_lazy("column", "Due"), kind=Kind.DATETIME),
            C("done", pgettext_lazy("column", "Done"), kind=Kind.BOOL),
            C("done_at", pgettext_lazy("column", "Done at"), kind=Kind.DATETIME),
            C("duration_minutes", pgettext_lazy("column", "Duration (minutes)"), kind=Kind.INT),
            C("location", pgettext_lazy("column", "Location")),
            C("outcome", pgettext_lazy("column", "Outcome")),
            C("body", pgettext_lazy("column", "Details")),
            _CREATED, _UPDATED,
        )),
        Entity("tickets", _("Tickets"), Resource.TICKET, TicketFilters, ticket_list, (
            C("id", pgettext_lazy("column", "ID"), kind=Kind.INT),
            C("number", pgettext_lazy("column", "Ticket number")),
            C("subject", pgettext_lazy("column", "Subject")),
            C("customer_code", pgettext_lazy("column", "Customer code"), "customer.code"),
            C("customer", pgettext_lazy("column", "Customer"), "customer.name"),
            C("order_number", pgettext_lazy("column", "Order number"), "order.number"),
            C("product", pgettext_lazy("column", "Product"), "product.name"),
            C("type", pgettext_lazy("column", "Type"), choices=TicketType),
            C("priority", pgettext_lazy("column", "Priority"), choices=TicketPriority),
            C("status", pgettext_lazy("column", "Status"), choices=TicketStatus),
            C("sla_state", pgettext_lazy("column", "SLA"), lambda t: t.sla_state()),
            C("assignee", pgettext_lazy("column", "Assignee"), lambda t: _person(t.assignee)),
            C("first_response_due_at", pgettext_lazy("column", "First response due"), kind=Kind.DATETIME),
            C("first_responded_at", pgettext_lazy("column", "First response"), kind=Kind.DATETIME),
            C("resolution_due_at", pgettext_lazy("column", "Resolution due"), kind=Kind.DATETIME),
            C("resolved_at", pgettext_lazy("column", "Resolved at"), kind=Kind.DATETIME),
            C("closed_at", pgettext_lazy("column", "Closed at"), kind=Kind.DATETIME),
            C("description", pgettext_lazy("column", "Description")),
            _CREATED, _UPDATED,
        )),
        Entity("survey_responses", _("Survey responses"), Resource.SURVEY_RESPONSE, ResponseFilters, response_list, (
            C("id", pgettext_lazy("column", "ID"), kind=Kind.INT),
            C("survey", pgettext_lazy("column", "Survey"), "survey.name"),
            C("submitted_at", pgettext_lazy("column", "Submitted"), kind=Kind.DATETIME),
            C("customer_code", pgettext_lazy("column", "Customer code"), "customer.code"),
            C("customer", pgettext_lazy("column", "Customer"), "customer.name"),
            C("order_number", pgettext_lazy("column", "Order number"), "order.number"),
            C("ticket_number", pgettext_lazy("column", "Ticket number"), "ticket.number"),
            C("rep", pgettext_lazy("column", "Rep"), lambda r: _person(r.rep)),
            C("nps_score", pgettext_lazy("column", "NPS score"), kind=Kind.INT),
            C("nps_category", pgettext_lazy("column", "NPS category")),
            C("csat_score", pgettext_lazy("column", "CSAT score"), kind=Kind.INT),
            C("sentiment", pgettext_lazy("column", "Sentiment"), lambda r: r.sentiment),
            C("comment", pgettext_lazy("column", "Comments")),
        )),
        Entity("campaigns", _("Campaigns"), Resource.CAMPAIGN, CampaignFilters, campaign_list, (
            C("id", pgettext_lazy("column", "ID"), kind=Kind.INT),
            C("code", pgettext_lazy("column", "Campaign code")),
            C("name", pgettext_lazy("column", "Name")),
            C("channel", pgettext_lazy("column", "Channel"), choices=CampaignChannel),
            C("start_date", pgettext_lazy("column", "Start date"), kind=Kind.DATE),
            C("end_date", pgettext_lazy("column", "End date"), kind=Kind.DATE),
            C("budget", pgettext_lazy("column", "Budget"), kind=Kind.DECIMAL),
            C("actual_cost", pgettext_lazy("column", "Actual cost"), kind=Kind.DECIMAL),
            C("target_segment", pgettext_lazy("column", "Target segment"), "target_segment.name"),
            C("owner", pgettext_lazy("column", "Owner"), lambda c: _person(c.owner)),
            C("description", pgettext_lazy("column", "Description")),
            _CREATED, _UPDATED,
        )),
        # A segment's target list: its current members within the exporter's scope (customers the
        # user may see, narrowed by their segment-export scope). Needs `segment` export.
        Entity("segment_members", _("Segment members"), Resource.SEGMENT, SegmentMemberFilters,
               segment_member_list, (
                   C("id", pgettext_lazy("column", "ID"), kind=Kind.INT),
                   C("code", pgettext_lazy("column", "Customer code")),
                   C("name", pgettext_lazy("column", "Name")),
                   C("kind", pgettext_lazy("column", "Kind"), choices=CustomerKind),
                   C("lifecycle_status", pgettext_lazy("column", "Lifecycle status"), choices=LifecycleStatus),
                   C("industry", pgettext_lazy("column", "Industry"), choices=Industry),
                   C("owner", pgettext_lazy("column", "Owner"), lambda c: _person(c.owner)),
                   C("phone", pgettext_lazy("column", "Phone")),
                   C("email", pgettext_lazy("column", "Email")),
                   C("province", pgettext_lazy("column", "Province")),
                   C("city", pgettext_lazy("column", "City")),
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
