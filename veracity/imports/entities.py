"""One handler per importable entity: parse a unit of rows into service input, then persist it
through the domain services (so every rule that applies on a form applies here too).

A *unit* is the rows that make one record: one row for most entities, all the rows sharing an order
number for orders. A handler returns the records it wrote, with their previous values for revert."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext as _

from veracity.accounts.access import scoped
from veracity.accounts.models import Action, Resource
from veracity.activities import services as activity_services
from veracity.activities.models import Activity, ActivityKind
from veracity.catalog import services as catalog_services
from veracity.catalog.models import Product, ProductCategory, Unit
from veracity.core.errors import DomainError, ValidationFailed
from veracity.core.normalisation import normalise_credit_code, normalise_email, normalise_phone
from veracity.core.services import audit_value
from veracity.customers import services as customer_services
from veracity.customers.models import Contact, Customer, CustomerKind, Industry
from veracity.dedup.selectors import likely_duplicates
from veracity.imports import parsing
from veracity.marketing.selectors import campaign_code_resolve
from veracity.pipeline import services as pipeline_services
from veracity.pipeline.models import Opportunity
from veracity.sales import services as sales_services
from veracity.sales.models import Channel, Order, Region
from veracity.standards.services import validate_record


@dataclass
class MappedRow:
    number: int
    values: dict[str, Any]


@dataclass
class Issue:
    row: int
    column: str
    value: str
    message: str


@dataclass
class Written:
    obj: Any
    action: str                      # "created" | "updated"
    previous: dict[str, Any] = field(default_factory=dict)
    main: bool = True                # the entity imported (not a customer or product an order named)


@dataclass
class Outcome:
    status: str                      # "created" | "updated" | "unchanged"
    writes: list[Written] = field(default_factory=list)


class RowFailure(Exception):
    def __init__(self, issues: list[Issue]):
        super().__init__("; ".join(issue.message for issue in issues))
        self.issues = issues


@dataclass
class Context:
    actor: Any
    mode: str
    _users: dict[str, Any] = field(default_factory=dict)

    def user(self, raw: str):
        """An active user named by username, display name or email (None when blank)."""
        key = parsing.clean(raw)
        if not key:
            return None
        if key not in self._users:
            self._users[key] = get_user_model().objects.filter(
                Q(username__iexact=key) | Q(display_name=key) | Q(email__iexact=key), is_active=True).first()
        return self._users[key]


def _v(row: MappedRow, column: str) -> str:
    return parsing.text(row.values.get(column))


def _has(row: MappedRow, column: str) -> bool:
    return column in row.values and _v(row, column) != ""


def issues_from(error: DomainError, rows: list[MappedRow], field_columns: dict[str, str],
                line_columns: dict[str, str] | None = None) -> list[Issue]:
    """A service's error as row issues, each on the column the field came from."""
    first = rows[0]
    if not isinstance(error, ValidationFailed):
        column = field_columns.get(str(error.detail.get("field", "")), "")
        return [Issue(first.number, column, _v(first, column) if column else "", error.message)]
    issues = []
    for name, messages in error.fields.items():
        row, column = first, field_columns.get(name, "")
        if name.startswith("lines.") and line_columns is not None:
            parts = name.split(".")
            if len(parts) >= 2 and parts[1].isdigit() and int(parts[1]) < len(rows):
                row = rows[int(parts[1])]
            column = line_columns.get(parts[-1], "") if len(parts) == 3 else ""
        value = _v(row, column) if column else ""
        for message in messages:
            text = message if column or name in ("__all__", "lines") else f"{name}: {message}"
            issues.append(Issue(row.number, column, value, text))
    return issues


def _snapshot(obj, names) -> dict[str, Any]:
    return {name: audit_value(getattr(obj, name)) for name in names}


def _changed(obj, version_before: int) -> bool:
    return obj.version != version_before


def _update_existing(existing, values: dict, update, previous: dict | None = None) -> Outcome:
    """Update a record the row names through its service (`update(existing)` returns it) and report
    "unchanged", or "updated" with the values it had before so a revert can put them back."""
    previous = _snapshot(existing, values) if previous is None else previous
    before = existing.version
    updated = update(existing)
    if not _changed(updated, before):
        return Outcome("unchanged")
    return Outcome("updated", [Written(updated, "updated", previous)])


def _campaign(row: MappedRow) -> int | None:
    """The campaign named by the row's campaign_code (None when the column is absent or blank); an
    unknown code fails the row, the same rule for customers, opportunities and order lines."""
    if not _has(row, "campaign_code"):
        return None
    campaign = campaign_code_resolve(_v(row, "campaign_code"))
    if campaign is None:
        raise RowFailure([Issue(row.number, "campaign_code", _v(row, "campaign_code"),
                                _("No campaign has this code."))])
    return campaign.pk


# ---------------------------------------------------------------------------------------------
# Customers

CUSTOMER_FIELDS = {"customer_code": "code", "name": "name", "kind": "kind", "phone": "phone", "email": "email",
                   "province": "province", "city": "city", "address": "address_line", "industry": "industry",
                   "credit_code": "credit_code"}
CUSTOMER_COLUMNS = {service: column for column, service in CUSTOMER_FIELDS.items()} | {
    "owner": "owner", "campaign": "campaign_code"}


def customer_values(row: MappedRow) -> dict[str, Any]:
    values = {}
    for column, name in CUSTOMER_FIELDS.items():
        if _has(row, column):
            raw = _v(row, column)
            if name == "kind":
                raw = _customer_kind(raw)
            elif name == "industry":
                raw = parsing.choice_value(Industry, raw)
            values[name] = raw
    return values


def _customer_kind(raw: str) -> str:
    key = parsing.clean(raw).casefold()
    if key in ("个人", "individual", "person", "private", "自然人"):
        return CustomerKind.PERSON
    if key in ("公司", "企业", "单位", "company", "business", "organisation", "organization"):
        return CustomerKind.COMPANY
    return parsing.choice_value(CustomerKind, raw)


class CustomerHandler:
    entity = "customers"
    model = Customer

    def key(self, row: MappedRow) -> str:
        return parsing.clean(_v(row, "customer_code")).upper()

    def warnings(self, unit: list[MappedRow], ctx: Context) -> list[Issue]:
        """Existing customers (that the user can see) that look like the same one."""
        row = unit[0]
        code = self.key(row)
        queryset = Customer.objects.all()
        if ctx.actor is not None:
            queryset = scoped(queryset, user=ctx.actor, resource=Resource.CUSTOMER, action=Action.VIEW)
        checks = [("phone", "phone", normalise_phone), ("email", "email", normalise_email),
                  ("credit_code", "credit_code", normalise_credit_code)]
        if ctx.mode == "create" and code:
            checks.insert(0, ("customer_code", "code", lambda raw: parsing.clean(raw).upper()))
        issues = []
        for column, field_name, normalise in checks:
            if not _has(row, column):
                continue
            try:
                value = normalise(_v(row, column))
            except ValueError:
                continue
            matches = queryset.filter(**{field_name: value})
            if field_name != "code" and code:
                matches = matches.exclude(code=code)
            for match in matches[:3]:
                issues.append(Issue(row.number, column, _v(row, column),
                                    _("Possibly the same as existing customer %(code)s %(name)s (same %(column)s).")
                                    % {"code": match.code, "name": match.name, "column": column}))
        if ctx.actor is not None and _has(row, "name"):
            # The duplicate matcher (canonical names, pinyin, phone formats) for what exact keys miss.
            values = customer_values(row)
            reported = {issue.message for issue in issues}
            for found in likely_duplicates(user=ctx.actor, values=values, kind=values.get("kind") or "company"):
                if found.code == code or any(found.code in message for message in reported):
                    continue
                issues.append(Issue(row.number, "name", _v(row, "name"),
                                    _("Probably the same as existing customer %(code)s %(name)s (match %(score).2f).")
                                    % {"code": found.code, "name": found.name, "score": found.probability}))
        return issues

    def persist(self, unit: list[MappedRow], ctx: Context) -> Outcome:
        row = unit[0]
        values = customer_values(row)
        if (campaign := _campaign(row)) is not None:
            values["campaign"] = campaign
        code = self.key(row)
        existing = Customer.objects.select_related("owner").filter(code=code).first() if code else None
        try:
            if existing is not None and ctx.mode == "upsert":
                return _update_existing(existing, values, lambda record: customer_services.customer_update(
                    actor=ctx.actor, customer=record, values=values, expected_version=record.version))
            owner = None
            if _has(row, "owner"):
                owner = ctx.user(_v(row, "owner"))
                if owner is None:
                    raise RowFailure([Issue(row.number, "owner", _v(row, "owner"), _("No active user has this name."))])
            customer = customer_services.customer_create(actor=ctx.actor, values=values, owner=owner)
        except DomainError as error:
            raise RowFailure(issues_from(error, unit, CUSTOMER_COLUMNS)) from error
        return Outcome("created", [Written(customer, "created")])

    def restore(self, *, actor, obj, previous):
        return customer_services.customer_update(actor=actor, customer=obj, values=previous,
                                                 expected_version=obj.version)

    def delete(self, *, actor, obj):
        customer_services.customer_delete(actor=actor, customer=obj)


# ---------------------------------------------------------------------------------------------
# Contacts

CONTACT_COLUMNS = ("name", "title", "department", "phone", "mobile", "email", "wechat")


def _customer_by_code(row: MappedRow) -> Customer:
    code = parsing.clean(_v(row, "customer_code")).upper()
    customer = Customer.objects.filter(code=code).first() if code else None
    if customer is None:
        raise RowFailure([Issue(row.number, "customer_code", _v(row, "customer_code"),
                                _("No customer has this code."))])
    return customer


class ContactHandler:
    entity = "contacts"
    model = Contact

    def persist(self, unit: list[MappedRow], ctx: Context) -> Outcome:
        row = unit[0]
        customer = _customer_by_code(row)
        values = {name: _v(row, name) for name in CONTACT_COLUMNS if _has(row, name)}
        field_columns = {name: name for name in CONTACT_COLUMNS} | {"customer": "customer_code"}
        existing = Contact.objects.filter(customer=customer, name=parsing.clean(_v(row, "name"))).first()
        try:
            if existing is not None and ctx.mode == "upsert":
                return _update_existing(existing, values, lambda record: customer_services.contact_update(
                    actor=ctx.actor, contact=record, values=values, expected_version=record.version))
            contact = customer_services.contact_create(actor=ctx.actor, values={**values, "customer": customer.pk})
        except DomainError as error:
            raise RowFailure(issues_from(error, unit, field_columns)) from error
        return Outcome("created", [Written(contact, "created")])

    def restore(self, *, actor, obj, previous):
        return customer_services.contact_update(actor=actor, contact=obj, values=previous,
                                                expected_version=obj.version)

    def delete(self, *, actor, obj):
        customer_services.contact_delete(actor=actor, contact=obj)


# ---------------------------------------------------------------------------------------------
# Products

PRODUCT_COLUMNS = {"sku": "sku", "name": "name", "list_price": "list_price", "currency": "currency",
                   "unit": "unit", "category": "category", "description": "description"}


class ProductHandler:
    entity = "products"
    model = Product

    def values(self, row: MappedRow, ctx: Context) -> dict[str, Any]:
        values = {}
        for column in PRODUCT_COLUMNS:
            if not _has(row, column):
                continue
            raw = _v(row, column)
            if column == "list_price":
                raw = parsing.parse_number(raw)
            elif column == "unit":
                raw = parsing.choice_value(Unit, raw)
            elif column == "category":
                category = ProductCategory.objects.filter(name=parsing.clean(raw)).first()
                raw = category.pk if category else catalog_services.category_get_or_create(
                    actor=ctx.actor, name=raw).pk
            values[column] = raw
        return values

    def persist(self, unit: list[MappedRow], ctx: Context) -> Outcome:
        row = unit[0]
        try:
            values = self.values(row, ctx)
            sku = " ".join(_v(row, "sku").split()).upper()
            existing = Product.objects.filter(sku=sku).first() if sku else None
            if existing is not None and ctx.mode == "upsert":
                previous = _snapshot(existing, values)
                if "category" in previous:
                    previous["category"] = existing.category_id
                return _update_existing(existing, values, lambda record: catalog_services.product_update(
                    actor=ctx.actor, product=record, values=values, expected_version=record.version), previous)
            product = catalog_services.product_create(actor=ctx.actor, values=values)
        except DomainError as error:
            raise RowFailure(issues_from(error, unit, PRODUCT_COLUMNS)) from error
        return Outcome("created", [Written(product, "created")])

    def restore(self, *, actor, obj, previous):
        return catalog_services.product_update(actor=actor, product=obj, values=previous,
                                               expected_version=obj.version)

    def delete(self, *, actor, obj):
        catalog_services.product_delete(actor=actor, product=obj)


# ---------------------------------------------------------------------------------------------
# Orders: one row per line; rows sharing an order number make one order

ORDER_HEADER_COLUMNS = {"number": "order_number", "order_date": "order_date", "customer": "customer_code",
                        "salesperson": "salesperson", "channel": "channel", "region": "region",
                        "currency": "currency", "campaign": "campaign_code"}
ORDER_LINE_COLUMNS = {"product": "sku", "quantity": "quantity", "unit_price": "unit_price",
                      "discount_percent": "discount", "currency": "currency"}
_ORDER_HEADER_FIELDS = ("number", "customer", "order_date", "salesperson", "channel", "region", "currency")


class OrderHandler:
    entity = "orders"
    model = Order
    groups_rows = True

    def key(self, row: MappedRow) -> str:
        return " ".join(_v(row, "order_number").split()).upper()

    def _customer(self, row: MappedRow, ctx: Context, writes: list[Written]) -> Customer:
        code = parsing.clean(_v(row, "customer_code")).upper()
        name = parsing.clean(_v(row, "customer_name"))
        if code:
            existing = Customer.objects.filter(code=code).first()
        elif name:
            existing = Customer.objects.filter(name=name).first()
        else:
            raise RowFailure([Issue(row.number, "customer_code", "", _("Give a customer code or a customer name."))])
        values = {"name": name} if name else {}
        for column in ("phone", "email"):
            if _has(row, column):
                values[column] = _v(row, column)
        try:
            if existing is None:
                if not name:
                    raise RowFailure([Issue(row.number, "customer_name", "",
                                            _("No customer has this code: give the customer name to create it."))])
                owner = ctx.user(_v(row, "salesperson")) if ctx.actor is None else None
                customer = customer_services.customer_create(actor=ctx.actor, values={"code": code, **values},
                                                             owner=owner)
                writes.append(Written(customer, "created", main=False))
                return customer
            if ctx.mode == "upsert" and values:
                previous = _snapshot(existing, values)
                before = existing.version
                customer = customer_services.customer_update(actor=ctx.actor, customer=existing, values=values,
                                                             expected_version=existing.version)
                if _changed(customer, before):
                    writes.append(Written(customer, "updated", previous, main=False))
                return customer
        except DomainError as error:
            raise RowFailure(issues_from(error, [row], {"code": "customer_code", "name": "customer_name",
                                                        "phone": "phone", "email": "email"})) from error
        return existing

    def _product(self, row: MappedRow, ctx: Context, currency: str, writes: list[Written]) -> Product:
        sku = " ".join(_v(row, "sku").split()).upper()
        name = parsing.clean(_v(row, "product_name"))
        existing = Product.objects.filter(sku=sku).first() if sku else None
        try:
            if existing is None:
                values = {"sku": sku, "name": name or sku,
                          "list_price": parsing.parse_number(_v(row, "unit_price")) or "0"}
                if currency:
                    values["currency"] = currency
                product = catalog_services.product_create(actor=ctx.actor, values=values)
                writes.append(Written(product, "created", main=False))
                return product
            if ctx.mode == "upsert" and name and name != existing.name:
                previous = {"name": existing.name}
                product = catalog_services.product_update(actor=ctx.actor, product=existing, values={"name": name},
                                                          expected_version=existing.version)
                writes.append(Written(product, "updated", previous, main=False))
                return product
        except DomainError as error:
            raise RowFailure(issues_from(error, [row], {"sku": "sku", "name": "product_name",
                                                        "list_price": "unit_price", "currency": "currency"})) from error
        return existing

    def persist(self, unit: list[MappedRow], ctx: Context) -> Outcome:
        first = unit[0]
        writes: list[Written] = []
        issues = []
        try:  # the entry rules read the date (the same rule order_create applies)
            order_date = validate_record("order", {"order_date": first.values.get("order_date")},
                                         partial=True)["order_date"]
        except ValidationFailed as error:
            raise RowFailure(issues_from(error, unit, ORDER_HEADER_COLUMNS)) from None
        for row in unit[1:]:
            if _has(row, "order_date") and _v(row, "order_date") != _v(first, "order_date"):
                issues.append(Issue(row.number, "order_date", _v(row, "order_date"),
                                    _("Every line of an order must have the same order date.")))
        if issues:
            raise RowFailure(issues)
        currency = _v(first, "currency").upper()
        customer = self._customer(first, ctx, writes)
        header: dict[str, Any] = {"number": self.key(first), "customer": customer.pk, "order_date": order_date}
        if currency:
            header["currency"] = currency
        if _has(first, "salesperson"):
            salesperson = ctx.user(_v(first, "salesperson"))
            if salesperson is None:
                raise RowFailure([Issue(first.number, "salesperson", _v(first, "salesperson"),
                                        _("No active user has this name."))])
            header["salesperson"] = salesperson.pk
        if _has(first, "channel"):
            header["channel"] = parsing.choice_value(Channel, _v(first, "channel"))
        if _has(first, "region"):
            header["region"] = parsing.choice_value(Region, _v(first, "region"))
        if (campaign := _campaign(first)) is not None:
            header["campaign"] = campaign
        lines = []
        for row in unit:
            product = self._product(row, ctx, currency, writes)
            line: dict[str, Any] = {"product": product.pk, "quantity": parsing.parse_number(_v(row, "quantity"))}
            if _has(row, "unit_price"):
                line["unit_price"] = parsing.parse_number(_v(row, "unit_price"))
            if _has(row, "discount"):
                line["discount_percent"] = parsing.parse_number(_v(row, "discount"))
            lines.append(line)
        existing = Order.objects.filter(number=header["number"]).first()
        try:
            if existing is not None and ctx.mode == "upsert":
                previous = self.previous(existing, header)
                before = existing.version
                order = sales_services.order_update(actor=ctx.actor, order=existing, values=header, lines=lines,
                                                    expected_version=existing.version)
                if not _changed(order, before):
                    return Outcome("unchanged", writes)
                return Outcome("updated", [*writes, Written(order, "updated", previous)])
            if ctx.actor is None and "salesperson" not in header:
                header["salesperson"] = customer.owner_id
            order = sales_services.order_create(actor=ctx.actor, values=header, lines=lines)
        except DomainError as error:
            raise RowFailure(issues_from(error, unit, ORDER_HEADER_COLUMNS, ORDER_LINE_COLUMNS)) from error
        return Outcome("created", [*writes, Written(order, "created")])

    def previous(self, order: Order, header: dict[str, Any]) -> dict[str, Any]:
        previous = _snapshot(order, [name for name in header if name in _ORDER_HEADER_FIELDS])
        previous["lines"] = [
            {"product": line.product_id, "quantity": str(line.quantity), "unit_price": str(line.unit_price),
             "discount_percent": str(line.discount_percent), "description": line.description}
            for line in order.lines.order_by("line_no")
        ]
        return previous

    def restore(self, *, actor, obj, previous):
        values = dict(previous)
        lines = values.pop("lines", None)
        if isinstance(values.get("order_date"), str):
            values["order_date"] = dt.date.fromisoformat(values["order_date"])
        return sales_services.order_update(actor=actor, order=obj, values=values, lines=lines,
                                           expected_version=obj.version)

    def delete(self, *, actor, obj):
        sales_services.order_delete(actor=actor, order=obj)


# ---------------------------------------------------------------------------------------------
# Opportunities and activities: created (or, for opportunities, updated by customer + name)

class OpportunityHandler:
    entity = "opportunities"
    model = Opportunity

    def persist(self, unit: list[MappedRow], ctx: Context) -> Outcome:
        row = unit[0]
        customer = _customer_by_code(row)
        values: dict[str, Any] = {"name": parsing.clean(_v(row, "name"))}
        if _has(row, "amount"):
            values["amount"] = Decimal(parsing.parse_number(_v(row, "amount"))) if _number(_v(row, "amount")) \
                else _v(row, "amount")
        if _has(row, "currency"):
            values["currency"] = _v(row, "currency").upper()
        if _has(row, "description"):
            values["description"] = _v(row, "description")
        if (campaign := _campaign(row)) is not None:
            values["campaign"] = campaign
        if _has(row, "expected_close_date"):
            try:
                values["expected_close_date"] = parsing.parse_date(row.values["expected_close_date"])
            except (TypeError, ValueError):
                raise RowFailure([Issue(row.number, "expected_close_date", _v(row, "expected_close_date"),
                                        _("Enter a date such as 2026-03-05."))]) from None
        field_columns = {"name": "name", "amount": "amount", "currency": "currency", "customer": "customer_code",
                         "expected_close_date": "expected_close_date", "description": "description",
                         "campaign": "campaign_code"}
        existing = Opportunity.objects.filter(customer=customer, name=values["name"]).first()
        try:
            if existing is not None and ctx.mode == "upsert":
                return _update_existing(existing, values, lambda record: pipeline_services.opportunity_update(
                    actor=ctx.actor, opportunity=record, values=values, expected_version=record.version))
            opportunity = pipeline_services.opportunity_create(actor=ctx.actor, values={**values, "customer": customer})
        except DomainError as error:
            raise RowFailure(issues_from(error, unit, field_columns)) from error
        return Outcome("created", [Written(opportunity, "created")])

    def restore(self, *, actor, obj, previous):
        values = dict(previous)
        if isinstance(values.get("expected_close_date"), str):
            values["expected_close_date"] = dt.date.fromisoformat(values["expected_close_date"])
        return pipeline_services.opportunity_update(actor=actor, opportunity=obj, values=values,
                                                    expected_version=obj.version)

    def delete(self, *, actor, obj):
        pipeline_services.opportunity_delete(actor=actor, opportunity=obj)


def _number(raw: str) -> bool:
    try:
        Decimal(parsing.parse_number(raw))
    except ArithmeticError:
        return False
    return True


class ActivityHandler:
    entity = "activities"
    model = Activity

    def persist(self, unit: list[MappedRow], ctx: Context) -> Outcome:
        row = unit[0]
        customer = _customer_by_code(row)
        values: dict[str, Any] = {"customer": customer.pk, "kind": parsing.choice_value(ActivityKind, _v(row, "kind")),
                                  "subject": _v(row, "subject")}
        for column in ("body", "location", "outcome"):
            if _has(row, column):
                values[column] = _v(row, column)
        if _has(row, "occurred_at"):
            try:
                values["occurred_at"] = parsing.parse_datetime(row.values["occurred_at"])
            except (TypeError, ValueError):
                raise RowFailure([Issue(row.number, "occurred_at", _v(row, "occurred_at"),
                                        _("Enter a date such as 2026-03-05."))]) from None
        field_columns = {"customer": "customer_code", "kind": "kind", "subject": "subject", "body": "body",
                         "occurred_at": "occurred_at", "location": "location", "outcome": "outcome"}
        try:
            activity = activity_services.activity_create(actor=ctx.actor, values=values, owner=customer.owner)
        except DomainError as error:
            raise RowFailure(issues_from(error, unit, field_columns)) from error
        return Outcome("created", [Written(activity, "created")])

    def delete(self, *, actor, obj):
        activity_services.activity_delete(actor=actor, activity=obj)


HANDLERS = {handler.entity: handler for handler in (
    CustomerHandler(), ContactHandler(), ProductHandler(), OrderHandler(), OpportunityHandler(), ActivityHandler())}
HANDLERS_BY_MODEL = {handler.model._meta.label_lower: handler for handler in HANDLERS.values()}
