"""The rules. Each reads the live (not trashed) records with as few queries as it can and yields one
Finding per problem. Messages are written in the scanning process's language (English for the
scheduled job); the page shows the rule's translated label beside them."""

import datetime as dt
from decimal import Decimal

import polars as pl
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from veracity.activities.models import Activity
from veracity.core.normalisation import normalise_email, normalise_phone
from veracity.customers.models import Contact, Customer, CustomerKind
from veracity.quality.rules import Finding, Rule, rule_register
from veracity.sales.models import Order, OrderLine
from veracity.standards.services import rule_set

EARLIEST_DATE = dt.date(1900, 1, 1)


def _phone_findings(entity, record, field, value, region, owner_id):
    if not value:
        return
    try:
        normalised = normalise_phone(value, region or "CN")
    except ValueError:
        yield Finding(entity, record, owner_id, _("%(value)s is not a valid phone number.") % {"value": value},
                      field, value, None)
        return
    if normalised != value:
        yield Finding(entity, record, owner_id,
                      _("%(value)s is not stored in the standard form %(normal)s.") % {"value": value,
                                                                                       "normal": normalised},
                      field, value, normalised)


def find_invalid_phones(threshold):
    for customer in Customer.objects.exclude(phone="").only("id", "name", "phone", "country", "owner_id"):
        yield from _phone_findings("customer", customer, "phone", customer.phone, customer.country, customer.owner_id)
    contacts = (Contact.objects.filter(~Q(phone="") | ~Q(mobile=""))
                .select_related("customer").only("id", "name", "phone", "mobile", "customer__country",
                                                 "customer__owner_id"))
    for contact in contacts:
        for field in ("phone", "mobile"):
            yield from _phone_findings("contact", contact, field, getattr(contact, field), contact.customer.country,
                                       contact.customer.owner_id)


def _email_findings(entity, record, value, owner_id):
    if not value:
        return
    try:
        normalised = normalise_email(value)
    except ValueError:
        yield Finding(entity, record, owner_id, _("%(value)s is not a valid email address.") % {"value": value},
                      "email", value, None)
        return
    if normalised != value:
        yield Finding(entity, record, owner_id, _("%(value)s should be written %(normal)s.") % {
            "value": value, "normal": normalised}, "email", value, normalised)


def find_invalid_emails(threshold):
    for customer in Customer.objects.exclude(email="").only("id", "name", "email", "owner_id"):
        yield from _email_findings("customer", customer, customer.email, customer.owner_id)
    for contact in Contact.objects.exclude(email="").select_related("customer").only(
            "id", "name", "email", "customer__owner_id"):
        yield from _email_findings("contact", contact, contact.email, contact.customer.owner_id)


def find_impossible_dates(threshold):
    latest = timezone.localdate() + dt.timedelta(days=threshold or 0)
    orders = Order.objects.filter(Q(order_date__gt=latest) | Q(order_date__lt=EARLIEST_DATE))
    for order in orders.only("id", "number", "order_date", "salesperson_id"):
        message = (_("Order date %(date)s is before 1900.") if order.order_date < EARLIEST_DATE
                   else _("Order date %(date)s is in the future.")) % {"date": order.order_date.isoformat()}
        yield Finding("order", order, order.salesperson_id, message, "order_date", order.order_date.isoformat())
    early = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
    for activity in Activity.objects.filter(Q(occurred_at__lt=early) | Q(due_at__lt=early)).only(
            "id", "subject", "occurred_at", "due_at", "owner_id"):
        field = "due_at" if activity.due_at and activity.due_at < early else "occurred_at"
        yield Finding("activity", activity, activity.owner_id, _("The date is before 1900."), field,
                      getattr(activity, field).date().isoformat())


def order_line_outliers(lines: pl.DataFrame, factor: int) -> pl.DataFrame:
    """Lines priced more than `factor` times their product's median unit price, or negative.
    Columns in: order_id, product_id, unit_price (float); out: the offending lines with `median`."""
    medians = lines.group_by("product_id").agg(pl.col("unit_price").median().alias("median"))
    return (lines.join(medians, on="product_id")
            .filter((pl.col("unit_price") < 0) | ((pl.col("median") > 0)
                                                  & (pl.col("unit_price") > pl.col("median") * factor))))


def find_absurd_amounts(threshold):
    factor = threshold or 1000
    negative = Order.objects.filter(total_amount__lt=0).only("id", "number", "total_amount", "salesperson_id")
    for order in negative:
        yield Finding("order", order, order.salesperson_id, _("The order total %(amount)s is negative.") % {
            "amount": order.total_amount}, "total_amount", str(order.total_amount))
    rows = list(OrderLine.objects.filter(order__deleted_at__isnull=True).values_list("order_id", "product_id",
                                                                                      "unit_price"))
    if not rows:
        return
    frame = pl.DataFrame({"order_id": [row[0] for row in rows], "product_id": [row[1] for row in rows],
                          "unit_price": [float(row[2]) for row in rows]})
    flagged = order_line_outliers(frame, factor)
    orders = Order.objects.in_bulk(flagged["order_id"].unique().to_list())
    seen = set()
    for order_id, price, median in flagged.select("order_id", "unit_price", "median").iter_rows():
        if order_id in seen or order_id not in orders:
            continue
        seen.add(order_id)
        order = orders[order_id]
        yield Finding("order", order, order.salesperson_id,
                      _("A line's unit price %(price)s is more than %(factor)d× the product's median %(median)s.") % {
                          "price": Decimal(str(price)).quantize(Decimal("0.01")), "factor": factor,
                          "median": Decimal(str(median)).quantize(Decimal("0.01"))},
                      "lines", str(Decimal(str(price)).quantize(Decimal("0.01"))))


def find_orders_without_lines(threshold):
    for order in Order.objects.annotate(line_count=Count("lines")).filter(line_count=0).only(
            "id", "number", "salesperson_id"):
        yield Finding("order", order, order.salesperson_id, _("The order has no lines."), "lines")


def find_contacts_without_company(threshold):
    contacts = Contact.objects.filter(~Q(customer__kind=CustomerKind.COMPANY) | Q(customer__deleted_at__isnull=False))
    for contact in contacts.select_related("customer").only("id", "name", "customer__kind", "customer__owner_id",
                                                             "customer__deleted_at"):
        yield Finding("contact", contact, contact.customer.owner_id,
                      _("The contact belongs to no live company (its customer is an individual or in the trash)."),
                      "customer")


REQUIRED_FIELD_ENTITIES = {
    "customer": (Customer, "owner_id", ()),
    "contact": (Contact, "customer__owner_id", ("customer",)),
    "order": (Order, "salesperson_id", ()),
    "activity": (Activity, "owner_id", ()),
}


def find_required_fields_empty(threshold):
    """Fields the entry rules in force require, left empty by records entered before the rule."""
    for entity, (model, owner_path, related) in REQUIRED_FIELD_ENTITIES.items():
        rules = rule_set(entity)
        required = [field for field in rules.fields.values() if field.required and not field.spec.auto
                    and field.spec.default is None]
        for field in required:
            db_field = model._meta.get_field(field.name)
            empty = Q(**{f"{field.name}__isnull": True}) if db_field.null else Q()
            if db_field.get_internal_type() in ("CharField", "TextField"):
                empty |= Q(**{field.name: ""})
            if not empty:
                continue
            queryset = model.objects.filter(empty).select_related(*related)
            for record in queryset:
                owner_id = record.customer.owner_id if owner_path == "customer__owner_id" else getattr(
                    record, owner_path)
                yield Finding(entity, record, owner_id, _("%(field)s is required by the entry rules but empty.") % {
                    "field": field.label.capitalize()}, field.name)


def find_stale_records(threshold):
    """Customers nobody edited and nobody logged an activity for in `threshold` days."""
    cutoff = timezone.now() - dt.timedelta(days=threshold or 180)
    customers = (Customer.objects.filter(updated_at__lt=cutoff)
                 .annotate(last_activity=Max("activities__occurred_at", filter=Q(activities__deleted_at__isnull=True)))
                 .filter(Q(last_activity__isnull=True) | Q(last_activity__lt=cutoff))
                 .only("id", "name", "updated_at", "owner_id"))
    for customer in customers:
        last = max(filter(None, (customer.updated_at, customer.last_activity)))
        yield Finding("customer", customer, customer.owner_id,
                      _("Nobody has touched this customer since %(date)s.") % {"date": last.date().isoformat()},
                      "", last.date().isoformat())


for _rule in (
    Rule("invalid_phone", gettext_lazy("Invalid phone numbers"),
         gettext_lazy("Phone and mobile numbers that are not valid, or not stored in E.164 form (fixable)."),
         "validity", find_invalid_phones),
    Rule("invalid_email", gettext_lazy("Invalid email addresses"),
         gettext_lazy("Email addresses that are not valid, or not lower-cased and trimmed (fixable)."),
         "validity", find_invalid_emails),
    Rule("impossible_date", gettext_lazy("Impossible dates"),
         gettext_lazy("Order dates further in the future than the tolerance, and dates before 1900."),
         "validity", find_impossible_dates, default_threshold=30,
         threshold_label=gettext_lazy("Days an order date may lie in the future"), threshold_min=0, threshold_max=3650),
    Rule("absurd_amount", gettext_lazy("Negative or absurd amounts"),
         gettext_lazy("Negative order totals, and lines priced far above the product's median price."),
         "validity", find_absurd_amounts, default_threshold=1000,
         threshold_label=gettext_lazy("Times the product's median unit price"), threshold_min=2),
    Rule("order_without_lines", gettext_lazy("Orders without lines"),
         gettext_lazy("Orders that have no order lines."), "validity", find_orders_without_lines),
    Rule("contact_without_company", gettext_lazy("Contacts without a company"),
         gettext_lazy("Contacts whose customer is an individual or is in the trash."),
         "validity", find_contacts_without_company),
    Rule("required_field_empty", gettext_lazy("Required fields left empty"),
         gettext_lazy("Fields the current entry rules require, empty in records entered before the rule."),
         "completeness", find_required_fields_empty),
    Rule("stale_record", gettext_lazy("Stale customers"),
         gettext_lazy("Customers nobody has edited or logged an activity for in the given number of days."),
         "freshness", find_stale_records, default_threshold=180,
         threshold_label=gettext_lazy("Days without a change or activity"), threshold_max=3650),
):
    rule_register(_rule)
