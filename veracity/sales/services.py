"""Writes for orders, their lines and exchange rates. Every path (page, API, CLI, import) calls these."""

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from veracity.accounts.access import access_require, scoped, user_can_reach_owner
from veracity.accounts.models import Action, Resource
from veracity.audit.models import AuditAction
from veracity.audit.services import audit_event_record
from veracity.catalog import selectors as catalog_selectors
from veracity.catalog.models import Product
from veracity.core.errors import NotFound, PreconditionFailed, ValidationFailed, VersionConflict
from veracity.core.money import is_supported_currency, normalise_currency, reporting_currency
from veracity.core.services import (
    audit_value,
    check_version,
    record_create,
    record_full_clean,
    record_soft_delete,
    record_update,
    reference_resolve,
)
from veracity.customers.models import Contact, Customer
from veracity.sales import pricing
from veracity.sales.errors import (
    ExchangeRateMissing,
    ExchangeRateTaken,
    InvalidStatusTransition,
    OrderNumberTaken,
)
from veracity.sales.models import ExchangeRate, Order, OrderLine, OrderStatus
from veracity.sales.regions import region_for
from veracity.sales.selectors import rate_for
from veracity.standards.services import validate_record

# The only order fields a client may set. Totals, cost, the exchange rate and bookkeeping are computed;
# status changes go through order_status_change (it may be set once, when the order is created).
ORDER_WRITABLE_FIELDS = (
    "number", "customer", "contact", "order_date", "salesperson", "channel", "region", "currency", "notes",
    "campaign", "opportunity",
)
ORDER_CREATE_FIELDS = (*ORDER_WRITABLE_FIELDS, "status")
# What a client may say about one line. net_amount and unit_cost are computed.
ORDER_LINE_FIELDS = ("product", "quantity", "unit_price", "discount_percent", "description", "currency")
ORDER_LINE_RULE_FIELDS = ("quantity", "unit_price", "discount_percent", "description", "currency")
EXCHANGE_RATE_WRITABLE_FIELDS = ("currency", "rate_date", "rate")

# Where an order may go next. Delivered and cancelled are final.
STATUS_TRANSITIONS: dict[str, frozenset[str]] = {
    OrderStatus.DRAFT: frozenset({OrderStatus.CONFIRMED, OrderStatus.CANCELLED}),
    OrderStatus.CONFIRMED: frozenset({OrderStatus.SHIPPED, OrderStatus.CANCELLED}),
    OrderStatus.SHIPPED: frozenset({OrderStatus.DELIVERED, OrderStatus.CANCELLED}),
    OrderStatus.DELIVERED: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
}
MAX_LINES = 500


def _require(actor, resource: str, action: str):
    if actor is not None:
        return access_require(actor, resource, action)
    return None


def _pk_of(value) -> Any:
    return getattr(value, "pk", value)


def _decimal(raw, errors: dict[str, list[str]], key: str, *, example: str) -> Decimal | None:
    try:
        amount = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        errors.setdefault(key, []).append(_("Enter a number such as %(example)s.") % {"example": example})
        return None
    if not amount.is_finite():
        errors.setdefault(key, []).append(_("Enter a number such as %(example)s.") % {"example": example})
        return None
    return amount


# --- header -----------------------------------------------------------------------------------------

def _customer_for(actor, value) -> Customer:
    """The customer an order is booked for: one the actor may edit (reps: their own)."""
    pk = _pk_of(value)
    if actor is None:
        customer = Customer.objects.filter(pk=pk).first()
    else:
        customer = scoped(Customer.objects.all(), user=actor, resource=Resource.CUSTOMER, action=Action.EDIT).filter(
            pk=pk).first()
    if customer is None:
        raise NotFound(_("The customer does not exist or you may not book orders for it."), detail={"field": "customer"})
    return customer


def _clean_header(*, actor, values: dict[str, Any], instance: Order | None) -> dict[str, Any]:
    allowed = ORDER_CREATE_FIELDS if instance is None else ORDER_WRITABLE_FIELDS
    unknown = set(values) - set(allowed)
    if unknown:
        raise ValidationFailed({name: [_("This field cannot be set.")] for name in sorted(unknown)})
    errors: dict[str, list[str]] = {}
    try:
        cleaned = validate_record("order", values, partial=instance is not None, instance=instance)
    except ValidationFailed as error:  # reported together with the checks below
        errors, cleaned = dict(error.fields), error.cleaned
    if "customer" in cleaned:
        if cleaned["customer"] in (None, ""):
            errors["customer"] = [_("A customer is required.")]
        else:
            cleaned["customer"] = _customer_for(actor, cleaned["customer"])
    customer = cleaned.get("customer") or (instance.customer if instance else None)
    if instance is not None and "number" in values and not cleaned.get("number") and "number" not in errors:
        errors["number"] = [_("An order number is required.")]
    if "salesperson" in cleaned:
        cleaned["salesperson"] = _salesperson_for(actor, cleaned["salesperson"], errors)
    if "contact" in cleaned:
        if cleaned["contact"] in (None, ""):
            cleaned["contact"] = None
        elif customer is not None:
            contact = Contact.objects.filter(pk=_pk_of(cleaned["contact"]), customer=customer).first()
            if contact is None:
                errors["contact"] = [_("Choose a contact of this order's customer.")]
            cleaned["contact"] = contact
    elif instance is not None and "customer" in cleaned and instance.contact_id:
        if instance.contact.customer_id != customer.pk:  # a new customer: the old contact no longer fits
            cleaned["contact"] = None
    if "campaign" in cleaned:
        try:
            cleaned["campaign"] = reference_resolve(model=Order, field="campaign", value=cleaned["campaign"])
        except LookupError:
            errors["campaign"] = [_("Choose an existing campaign.")]
    if "opportunity" in cleaned:
        cleaned["opportunity"] = _opportunity_for(cleaned["opportunity"], customer, errors)
    if errors:
        raise ValidationFailed(errors)
    if cleaned.get("number"):
        clash = Order.objects.filter(number=cleaned["number"])
        if instance is not None:
            clash = clash.exclude(pk=instance.pk)
        if clash.exists():
            raise OrderNumberTaken(cleaned["number"])
    return cleaned


def _opportunity_for(value, customer: Customer | None, errors: dict[str, list[str]]):
    """The deal this order closes: one of the order's customer's opportunities (so a won deal traces
    to its orders). pipeline is a sibling app, so the model is reached through the field."""
    try:
        opportunity = reference_resolve(model=Order, field="opportunity", value=value)
    except LookupError:
        opportunity = None
        errors["opportunity"] = [_("Choose an opportunity of this order's customer.")]
    if opportunity is not None and (customer is None or opportunity.customer_id != customer.pk):
        errors["opportunity"] = [_("Choose an opportunity of this order's customer.")]
    return opportunity


def _salesperson_for(actor, value, errors: dict[str, list[str]]):
    if value in (None, ""):
        return actor if getattr(actor, "pk", None) else None
    user = get_user_model().objects.filter(pk=_pk_of(value), is_active=True).first()
    if user is None:
        errors["salesperson"] = [_("Choose an active user.")]
        return None
    if actor is not None:
        scope = access_require(actor, Resource.ORDER, Action.EDIT)
        if not user_can_reach_owner(actor, scope, user):
            errors["salesperson"] = [_("You may not book orders for this salesperson.")]
    return user


def _exchange_rate(currency: str, on_date: dt.date) -> Decimal:
    rate = rate_for(currency, on_date)
    if rate is None:
        raise ExchangeRateMissing(reporting=reporting_currency(), currency=currency, on_date=on_date)
    return rate


# --- lines ------------------------------------------------------------------------------------------

def _products_for(actor, lines: list[dict[str, Any]]) -> dict[int, Product]:
    ids = set()
    for line in lines:
        try:
            ids.add(int(_pk_of(line.get("product"))))
        except (TypeError, ValueError):
            continue
    if actor is None:
        queryset = Product.objects.all()
    else:
        queryset = catalog_selectors.product_list(user=actor)
    return {product.pk: product for product in queryset.filter(pk__in=ids)}


def _clean_lines(*, actor, lines: list[dict[str, Any]], currency: str, allowed_inactive: frozenset[int] = frozenset()
                 ) -> list[OrderLine]:
    """Validate and price the lines (unsaved). Errors are keyed "lines.<index>.<field>"."""
    if not lines:
        raise ValidationFailed({"lines": [_("An order needs at least one line.")]})
    if len(lines) > MAX_LINES:
        raise ValidationFailed({"lines": [_("An order can have at most %(count)s lines.") % {"count": MAX_LINES}]})
    products = _products_for(actor, lines)
    errors: dict[str, list[str]] = {}
    priced: list[OrderLine] = []
    for index, raw in enumerate(lines):
        key = f"lines.{index}"
        unknown = set(raw) - set(ORDER_LINE_FIELDS)
        for name in sorted(unknown):
            errors[f"{key}.{name}"] = [_("This field cannot be set.")]
        try:
            product = products.get(int(_pk_of(raw.get("product"))))
        except (TypeError, ValueError):
            product = None
        if product is None:
            errors[f"{key}.product"] = [_("Choose a product.")]
        elif not product.is_active and product.pk not in allowed_inactive:
            errors[f"{key}.product"] = [_("Product %(sku)s is inactive.") % {"sku": product.sku}]
        given = {name: raw[name] for name in ORDER_LINE_RULE_FIELDS if name in raw}
        try:
            line = validate_record("order_line", given)
        except ValidationFailed as error:
            errors.update({f"{key}.{name}": messages for name, messages in error.fields.items()})
            continue
        line_currency = line.get("currency") or currency
        if line_currency != currency:
            errors[f"{key}.currency"] = [
                _("This line is in %(line)s but the order is in %(order)s: every line must use the order's "
                  "currency.") % {"line": line_currency, "order": currency}]
        quantity, unit_price = line["quantity"], line.get("unit_price")
        discount = line.get("discount_percent")
        discount = Decimal("0") if discount is None else discount
        description = line.get("description", "")
        if unit_price is None and product is not None:
            if product.currency != currency:
                errors[f"{key}.unit_price"] = [
                    _("%(sku)s is listed in %(listed)s; enter a unit price in %(currency)s.") % {
                        "sku": product.sku, "listed": product.currency, "currency": currency}]
            else:
                unit_price = product.list_price
        if any(name.startswith(f"{key}.") for name in errors):
            continue
        quantity = quantity.quantize(Decimal("0.001"))
        unit_price = unit_price.quantize(Decimal("0.01"))
        discount = discount.quantize(Decimal("0.01"))
        # A cost snapshot only when it is in the order's currency: costs are never converted or mixed.
        unit_cost = product.cost_price if product.currency == currency else None
        priced.append(OrderLine(
            line_no=index + 1, product=product, description=description, quantity=quantity,
            unit_price=unit_price, discount_percent=discount, currency=currency, unit_cost=unit_cost,
            net_amount=pricing.line_net(quantity=quantity, unit_price=unit_price, discount_percent=discount),
        ))
    if errors:
        raise ValidationFailed(errors)
    return priced


def _totals(lines: list[OrderLine]) -> dict[str, Decimal | None]:
    totals = pricing.order_totals(
        pricing.PricedLine(quantity=line.quantity, net_amount=line.net_amount, unit_cost=line.unit_cost)
        for line in lines
    )
    return {"total_amount": totals.total_amount, "cost_total": totals.cost_total}


def lines_summary(lines) -> list[str]:
    """One short line of text per order line, for the audit trail: "1: SKU × 2 @ 100.00 -5% = 190.00"."""
    summary = []
    for line in lines:
        text = f"{line.line_no}: {line.product.sku} × {line.quantity.normalize():f} @ {line.unit_price}"
        if line.discount_percent:
            text += f" -{line.discount_percent.normalize():f}%"
        text += f" = {line.net_amount} {line.currency}"
        if line.description:
            text += f" ({line.description})"
        summary.append(text)
    return summary


def _save_lines(order: Order, lines: list[OrderLine]) -> None:
    for line in lines:
        line.order = order
    OrderLine.objects.bulk_create(lines)


# --- orders -----------------------------------------------------------------------------------------

def _next_number(on_date: dt.date) -> str:
    """SO-YYYYMM-NNNNN, one more than the highest number used that month (including the trash)."""
    prefix = f"SO-{on_date:%Y%m}-"
    used = Order.all_objects.filter(number__startswith=prefix).values_list("number", flat=True)
    highest = max((int(number[len(prefix):]) for number in used if number[len(prefix):].isdigit()), default=0)
    return f"{prefix}{highest + 1:05d}"


@transaction.atomic
def order_create(*, actor, values: dict[str, Any], lines: list[dict[str, Any]]) -> Order:
    _require(actor, Resource.ORDER, Action.CREATE)
    values = dict(values)
    values.setdefault("salesperson", None)
    cleaned = _clean_header(actor=actor, values=values, instance=None)
    errors = {name: [_("This field is required.")] for name in ("customer", "order_date") if not cleaned.get(name)}
    if errors:
        raise ValidationFailed(errors)
    if cleaned.get("salesperson") is None:
        raise ValidationFailed({"salesperson": [_("A salesperson is required.")]})
    customer = cleaned["customer"]
    cleaned.setdefault("currency", reporting_currency())
    if not cleaned.get("region"):
        cleaned["region"] = region_for(country=customer.country, province=customer.province)
    priced = _clean_lines(actor=actor, lines=lines, currency=cleaned["currency"])
    rate = _exchange_rate(cleaned["currency"], cleaned["order_date"])
    order = Order(**cleaned, exchange_rate=rate, **_totals(priced))
    extra = {"lines": lines_summary(priced)}
    if cleaned.get("number"):
        order = record_create(instance=order, actor=actor, extra=extra)
    else:
        order = _create_with_generated_number(order, actor=actor, extra=extra)
    _save_lines(order, priced)
    return order


def _create_with_generated_number(order: Order, *, actor, extra: dict) -> Order:
    """Two bookings in the same instant may pick the same number: the second one retries."""
    for _attempt in range(5):
        order.number = _next_number(order.order_date)
        try:
            with transaction.atomic():
                return record_create(instance=order, actor=actor, extra=extra)
        except (IntegrityError, OrderNumberTaken):
            order.pk = None
        except ValidationFailed as error:
            if "number" not in error.fields and "__all__" not in error.fields:
                raise
            order.pk = None
    raise ValidationFailed({"number": [_("Could not pick a free order number: enter one.")]})


# Once goods have left (or the order is void) its lines are history: correct them with a new order.
LINES_LOCKED_STATUSES = frozenset({OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.CANCELLED})


@transaction.atomic
def order_update(
    *, actor, order: Order, values: dict[str, Any], lines: list[dict[str, Any]] | None = None,
    expected_version: int | None, from_if_match: bool = False,
) -> Order:
    """Change the header and, when `lines` is given, replace all lines. Totals, cost and the exchange
    rate follow. Lines are not fields of the order, so this does record_update's work itself
    (version check in the UPDATE's WHERE, one audit event) with the lines' old → new summary included."""
    _require(actor, Resource.ORDER, Action.EDIT)
    check_version(order, expected_version, from_if_match=from_if_match)
    cleaned = _clean_header(actor=actor, values=values, instance=order)
    currency = cleaned.get("currency", order.currency)
    order_date = cleaned.get("order_date", order.order_date)
    old_lines = list(order.lines.select_related("product").order_by("line_no"))
    if lines is None:
        if currency != order.currency:
            raise ValidationFailed({"currency": [_("Send the lines too when changing the currency.")]})
        priced = None
    else:
        priced = _clean_lines(actor=actor, lines=lines, currency=currency,
                              allowed_inactive=frozenset(line.product_id for line in old_lines))
    computed: dict[str, Any] = {"exchange_rate": _exchange_rate(currency, order_date)}
    if priced is not None:
        computed.update(_totals(priced))
    diffs: dict[str, list[Any]] = {}
    for name, new_value in {**cleaned, **computed}.items():
        field = order._meta.get_field(name)
        old_value = getattr(order, field.name)
        if old_value != new_value:
            diffs[name] = [audit_value(old_value), audit_value(new_value)]
            setattr(order, field.name, new_value)
    if priced is not None:
        old_summary, new_summary = lines_summary(old_lines), lines_summary(priced)
        if old_summary != new_summary:
            diffs["lines"] = [old_summary, new_summary]
    if not diffs:
        return order
    money_changed = {"lines", "currency", "exchange_rate", "total_amount"} & set(diffs)
    if money_changed and order.status in LINES_LOCKED_STATUSES:
        raise ValidationFailed(
            {"lines": [_("The lines and amounts of a shipped, delivered or cancelled order cannot change.")]},
            code="order_lines_locked",
        )
    record_full_clean(order)
    now = timezone.now()
    user = actor if getattr(actor, "pk", None) else None
    field_names = [name for name in diffs if name != "lines"]
    updated = Order.objects.filter(pk=order.pk, version=expected_version).update(
        **{name: getattr(order, order._meta.get_field(name).attname) for name in field_names},
        version=F("version") + 1, updated_at=now, updated_by=user,
    )
    if updated == 0:
        current = Order.all_objects.filter(pk=order.pk).values_list("version", flat=True).first()
        if current is None:
            raise NotFound()
        error = PreconditionFailed if from_if_match else VersionConflict
        raise error(current_version=current)
    if "lines" in diffs:
        order.lines.all().delete()
        _save_lines(order, priced)
        if hasattr(order, "_prefetched_objects_cache"):
            order._prefetched_objects_cache.pop("lines", None)
    order.version = int(expected_version) + 1
    order.updated_at, order.updated_by = now, user
    audit_event_record(actor=actor, action=AuditAction.UPDATE, obj=order, changes=diffs)
    return order


def allowed_transitions(order: Order) -> list[str]:
    return [status for status in OrderStatus.values if status in STATUS_TRANSITIONS[order.status]]


@transaction.atomic
def order_status_change(
    *, actor, order: Order, status: str, expected_version: int | None = None, from_if_match: bool = False
) -> Order:
    """Move an order along draft → confirmed → shipped → delivered, or cancel it before delivery.

    Without an expected version the order as loaded is the one changed; the UPDATE still refuses
    if someone changed it in between."""
    _require(actor, Resource.ORDER, Action.EDIT)
    if status not in OrderStatus.values:
        raise ValidationFailed({"status": [_("Choose one of the listed statuses.")]})
    if status not in STATUS_TRANSITIONS[order.status]:
        raise InvalidStatusTransition(order.status, status)
    version = order.version if expected_version is None else expected_version
    return record_update(instance=order, actor=actor, values={"status": status}, expected_version=version,
                         from_if_match=from_if_match)


@transaction.atomic
def order_delete(*, actor, order: Order) -> None:
    _require(actor, Resource.ORDER, Action.DELETE)
    record_soft_delete(instance=order, actor=actor)


# --- exchange rates ---------------------------------------------------------------------------------

def _clean_rate_values(values: dict[str, Any], instance: ExchangeRate | None) -> dict[str, Any]:
    unknown = set(values) - set(EXCHANGE_RATE_WRITABLE_FIELDS)
    if unknown:
        raise ValidationFailed({name: [_("This field cannot be set.")] for name in sorted(unknown)})
    cleaned = dict(values)
    errors: dict[str, list[str]] = {}
    if "currency" in cleaned:
        cleaned["currency"] = normalise_currency(cleaned["currency"])
        if not is_supported_currency(cleaned["currency"]):
            errors["currency"] = [_("%(currency)s is not a supported currency.") % {
                "currency": cleaned["currency"] or _("An empty value")}]
        elif cleaned["currency"] == reporting_currency():
            errors["currency"] = [_("%(currency)s is the reporting currency: its rate is always 1.") % {
                "currency": reporting_currency()}]
    if "rate_date" in cleaned:
        if isinstance(cleaned["rate_date"], str):
            try:
                cleaned["rate_date"] = dt.date.fromisoformat(cleaned["rate_date"])
            except ValueError:
                errors["rate_date"] = [_("Enter a date such as 2026-03-05.")]
        elif not isinstance(cleaned["rate_date"], dt.date):
            errors["rate_date"] = [_("A date is required.")]
    if "rate" in cleaned:
        rate = _decimal(cleaned["rate"], errors, "rate", example="7.1234")
        if rate is not None:
            if not (Decimal("0") < rate < Decimal("1e10")):
                errors["rate"] = [_("The rate must be more than zero.")]
            elif rate != rate.quantize(Decimal("0.00000001")):
                errors["rate"] = [_("Use at most eight decimal places.")]
        cleaned["rate"] = rate.quantize(Decimal("0.00000001")) if "rate" not in errors else rate
    if errors:
        raise ValidationFailed(errors)
    currency = cleaned.get("currency", instance.currency if instance else None)
    rate_date = cleaned.get("rate_date", instance.rate_date if instance else None)
    if currency and rate_date:
        clash = ExchangeRate.objects.filter(currency=currency, rate_date=rate_date)
        if instance is not None:
            clash = clash.exclude(pk=instance.pk)
        if clash.exists():
            raise ExchangeRateTaken(currency, rate_date)
    return cleaned


def _rate_audit_values(rate: ExchangeRate) -> dict[str, Any]:
    return {name: audit_value(getattr(rate, name)) for name in EXCHANGE_RATE_WRITABLE_FIELDS}


@transaction.atomic
def exchange_rate_create(*, actor, values: dict[str, Any]) -> ExchangeRate:
    """Record a rate. Existing orders keep the rate they were booked with."""
    _require(actor, Resource.EXCHANGE_RATE, Action.CREATE)
    cleaned = _clean_rate_values(values, None)
    missing = {name: [_("This field is required.")] for name in EXCHANGE_RATE_WRITABLE_FIELDS if cleaned.get(name) is None}
    if missing:
        raise ValidationFailed(missing)
    rate = ExchangeRate(**cleaned)
    record_full_clean(rate)
    rate.save(force_insert=True)
    audit_event_record(actor=actor, action=AuditAction.CREATE, obj=rate,
                       changes={name: [None, value] for name, value in _rate_audit_values(rate).items()})
    return rate


@transaction.atomic
def exchange_rate_update(*, actor, rate: ExchangeRate, values: dict[str, Any]) -> ExchangeRate:
    _require(actor, Resource.EXCHANGE_RATE, Action.EDIT)
    cleaned = _clean_rate_values(values, rate)
    before = _rate_audit_values(rate)
    for name, value in cleaned.items():
        setattr(rate, name, value)
    after = _rate_audit_values(rate)
    changes = {name: [before[name], after[name]] for name in before if before[name] != after[name]}
    if not changes:
        return rate
    record_full_clean(rate)
    rate.save(update_fields=list(cleaned))
    audit_event_record(actor=actor, action=AuditAction.UPDATE, obj=rate, changes=changes)
    return rate


@transaction.atomic
def exchange_rate_delete(*, actor, rate: ExchangeRate) -> None:
    """Rates are reference data, deleted outright (the audit event keeps what it was)."""
    _require(actor, Resource.EXCHANGE_RATE, Action.DELETE)
    snapshot = _rate_audit_values(rate)
    audit_event_record(actor=actor, action=AuditAction.DELETE, obj=rate,
                       changes={name: [value, None] for name, value in snapshot.items()})
    rate.delete()


# --- for bulk writers -------------------------------------------------------------------------------
# imports.bulk prices lines, totals orders and picks regions without calling order_create per order;
# these are the very functions order_create uses, named here so other apps need only this module.
line_net = pricing.line_net
order_cost_total = pricing.order_cost_total
region_for_address = region_for
