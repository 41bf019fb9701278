"""The segment builder's criteria registry: one entry per criterion.

A criterion is declared once, as data: its `key` (stored in Segment.criteria), its `label`, the form
field(s) the builder shows for it, and `apply`, how it narrows a Customer queryset. The builder form,
the API, validation, the summary text and evaluation are all derived from this registry, so adding a
criterion is adding one entry (see `criterion_register` and docs/marketing.md).

Stored criteria are the builder's form data ({field name: value or [values]}), validated again every
time a segment is evaluated, so a criterion that stops making sense (a deleted product) is reported
instead of silently matching everyone."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import Count, DecimalField, ExpressionWrapper, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from veracity.accounts.models import Team, User
from veracity.catalog.models import Product, ProductCategory
from veracity.core.errors import ValidationFailed
from veracity.core.normalisation import clean_text
from veracity.customers.models import CompanySize, CustomerKind, CustomerSource, Industry, LifecycleStatus
from veracity.sales.models import Order, OrderLine, OrderStatus, Region
from veracity.sales.regions import PROVINCE_REGIONS

DATE_WIDGET = {"type": "date"}
# ISO values whatever the language: a Chinese date format would leave the browser's date field empty.
DATE_INPUT = forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d")
LIST_SEPARATORS = (",", "，", "、", ";", "；")


@dataclass(frozen=True)
class Criterion:
    key: str                                                  # stable name, stored in Segment.criteria
    label: Any                                                # shown in the builder and the summary
    fields: Callable[[], dict[str, forms.Field]]              # suffix -> form field; "" is the main one
    apply: Callable[[QuerySet, dict[str, Any]], QuerySet]     # (customers, cleaned values by suffix) -> customers
    group: Any = _("Profile")

    def field_name(self, suffix: str) -> str:
        return f"{self.key}__{suffix}" if suffix else self.key


CRITERIA: dict[str, Criterion] = {}


def criterion_register(criterion: Criterion) -> Criterion:
    """Add a criterion to the builder. Keys are stored in saved segments, so they never change."""
    if criterion.key in CRITERIA:
        raise ValueError(f"criterion {criterion.key!r} is already registered")
    if "__" in criterion.key:
        raise ValueError("criterion keys may not contain '__'")
    CRITERIA[criterion.key] = criterion
    return criterion


# --- form plumbing ------------------------------------------------------------------------------

def criteria_form_fields() -> dict[str, forms.Field]:
    """Every criterion's fields, named `key` or `key__suffix`, none required."""
    fields: dict[str, forms.Field] = {}
    for criterion in CRITERIA.values():
        for suffix, field in criterion.fields().items():
            field.required = False
            if not field.label:
                field.label = criterion.label
            fields[criterion.field_name(suffix)] = field
    return fields


def _is_multiple(field: forms.Field) -> bool:
    return isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField)


def _raw(data: Mapping, name: str, field: forms.Field):
    if _is_multiple(field):
        values = data.getlist(name) if hasattr(data, "getlist") else data.get(name) or []
        if isinstance(values, str | int):
            values = [values]
        return [str(value).strip() for value in values if str(value).strip()]
    value = data.get(name)
    if isinstance(value, list):
        value = value[-1] if value else ""
    return "" if value is None else str(value).strip()


def criteria_data(data: Mapping) -> dict[str, Any]:
    """The criteria part of submitted data, as stored: only the fields that were filled in."""
    stored: dict[str, Any] = {}
    for name, field in criteria_form_fields().items():
        value = _raw(data, name, field)
        if value not in ("", []):
            stored[name] = value
    return stored


def _empty(value) -> bool:
    return value in (None, "", [], ()) or (isinstance(value, QuerySet) and not value.exists())


def criteria_clean(data: Mapping) -> dict[str, dict[str, Any]]:
    """{criterion key: {suffix: cleaned value}} for the criteria that are set, or ValidationFailed
    naming each bad field (unknown field names are refused, never ignored)."""
    fields = criteria_form_fields()
    errors = {name: [str(_("There is no such criterion."))] for name in sorted(set(data) - set(fields))}
    form = forms.Form(data=criteria_data(data))
    form.fields.update(fields)
    if not form.is_valid():
        errors.update({name: [str(message) for message in messages] for name, messages in form.errors.items()})
    if errors:
        raise ValidationFailed(errors)
    cleaned: dict[str, dict[str, Any]] = {}
    for criterion in CRITERIA.values():
        values = {suffix: form.cleaned_data.get(criterion.field_name(suffix)) for suffix in criterion.fields()}
        if any(not _empty(value) for value in values.values()):
            cleaned[criterion.key] = values
    return cleaned


def criteria_apply(customers: QuerySet, cleaned: dict[str, dict[str, Any]]) -> QuerySet:
    for key, values in cleaned.items():
        customers = CRITERIA[key].apply(customers, values)
    return customers


def _display(field: forms.Field, value) -> str:
    if isinstance(value, QuerySet):
        return ", ".join(str(item) for item in value)
    if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
        labels = dict(field.choices)
        items = value if isinstance(value, list) else [value]
        return ", ".join(str(labels.get(item, item)) for item in items)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def criteria_describe(cleaned: dict[str, dict[str, Any]]) -> list[tuple[str, str]]:
    """[(label, "value, value · from … to …")] for a summary of a segment."""
    lines = []
    for key, values in cleaned.items():
        criterion = CRITERIA[key]
        fields = criterion.fields()
        parts = []
        for suffix, value in values.items():
            if _empty(value):
                continue
            text = _display(fields[suffix], value)
            parts.append(f"{fields[suffix].label}: {text}" if suffix else text)
        lines.append((str(criterion.label), " · ".join(parts)))
    return lines


# --- helpers for the built-in criteria ------------------------------------------------------------

def _names(text: str) -> list[str]:
    for separator in LIST_SEPARATORS[1:]:
        text = text.replace(separator, LIST_SEPARATORS[0])
    return [clean_text(part) for part in text.split(LIST_SEPARATORS[0]) if clean_text(part)]


def _choices(field_name: str, choices, label=None) -> Callable[[QuerySet, dict], QuerySet]:
    def apply(customers: QuerySet, values: dict) -> QuerySet:
        return customers.filter(**{f"{field_name}__in": values[""]}) if values[""] else customers
    return apply


def _live_orders() -> QuerySet:
    return Order.objects.exclude(status=OrderStatus.CANCELLED)


def _date_range(queryset: QuerySet, path: str, values: dict) -> QuerySet:
    if values.get("from"):
        queryset = queryset.filter(**{f"{path}__gte": values["from"]})
    if values.get("to"):
        queryset = queryset.filter(**{f"{path}__lte": values["to"]})
    return queryset


def _period_fields(main: forms.Field) -> Callable[[], dict[str, forms.Field]]:
    def fields() -> dict[str, forms.Field]:
        return {
            "": main() if callable(main) else main,
            "from": forms.DateField(label=_("bought from"), widget=DATE_INPUT),
            "to": forms.DateField(label=_("bought until"), widget=DATE_INPUT),
        }
    return fields


def _bought(line_filter: str) -> Callable[[QuerySet, dict], QuerySet]:
    def apply(customers: QuerySet, values: dict) -> QuerySet:
        lines = OrderLine.objects.filter(order__deleted_at__isnull=True).exclude(order__status=OrderStatus.CANCELLED)
        if values[""] is not None and values[""].exists():
            lines = lines.filter(**{f"{line_filter}__in": values[""]})
        lines = _date_range(lines, "order__order_date", values)
        return customers.filter(pk__in=lines.values("order__customer_id"))
    return apply


def _range_fields(kind: type[forms.Field], low_label, high_label, **kw) -> Callable[[], dict[str, forms.Field]]:
    def fields() -> dict[str, forms.Field]:
        return {"min": kind(label=low_label, **kw), "max": kind(label=high_label, **kw)}
    return fields


def _spend_subquery():
    amount = ExpressionWrapper(F("total_amount") * F("exchange_rate"),
                               output_field=DecimalField(max_digits=30, decimal_places=10))
    total = (_live_orders().filter(customer=OuterRef("pk")).order_by().values("customer")
             .annotate(total=Sum(amount)).values("total"))
    return Coalesce(Subquery(total, output_field=DecimalField(max_digits=30, decimal_places=10)),
                    Decimal("0"), output_field=DecimalField(max_digits=30, decimal_places=10))


def _apply_spend(customers: QuerySet, values: dict) -> QuerySet:
    customers = customers.annotate(_segment_spend=_spend_subquery())
    if values.get("min") is not None:
        customers = customers.filter(_segment_spend__gte=values["min"])
    if values.get("max") is not None:
        customers = customers.filter(_segment_spend__lte=values["max"])
    return customers


def _apply_order_count(customers: QuerySet, values: dict) -> QuerySet:
    count = (_live_orders().filter(customer=OuterRef("pk")).order_by().values("customer")
             .annotate(count=Count("pk")).values("count"))
    customers = customers.annotate(_segment_orders=Coalesce(Subquery(count), 0))
    if values.get("min") is not None:
        customers = customers.filter(_segment_orders__gte=values["min"])
    if values.get("max") is not None:
        customers = customers.filter(_segment_orders__lte=values["max"])
    return customers


def _apply_last_purchase(customers: QuerySet, values: dict) -> QuerySet:
    last = _live_orders().filter(customer=OuterRef("pk")).order_by("-order_date").values("order_date")[:1]
    customers = customers.annotate(_segment_last_purchase=Subquery(last))
    if values.get("after"):
        customers = customers.filter(_segment_last_purchase__gte=values["after"])
    if values.get("before"):
        customers = customers.filter(_segment_last_purchase__lte=values["before"])
    return customers


def _apply_region(customers: QuerySet, values: dict) -> QuerySet:
    if not values[""]:
        return customers
    condition = Q(pk__in=[])
    for region in values[""]:
        if region == Region.INTERNATIONAL:
            condition |= ~Q(country="CN")
            continue
        names = [name for name, value in PROVINCE_REGIONS.items() if value == region]
        in_region = Q(pk__in=[])
        for name in names:
            in_region |= Q(province__istartswith=name)
        condition |= Q(country="CN") & in_region
    return customers.filter(condition)


def _apply_places(field_name: str) -> Callable[[QuerySet, dict], QuerySet]:
    def apply(customers: QuerySet, values: dict) -> QuerySet:
        names = _names(values[""] or "")
        if not names:
            return customers
        condition = Q(pk__in=[])
        for name in names:
            condition |= Q(**{f"{field_name}__istartswith": name})  # "广东" matches "广东省"
        return customers.filter(condition)
    return apply


def _multiple(choices) -> Callable[[], dict[str, forms.Field]]:
    return lambda: {"": forms.MultipleChoiceField(choices=choices)}


def _people() -> QuerySet:
    return User.objects.filter(is_active=True).order_by("username")


# --- the built-in criteria ------------------------------------------------------------------------

PROFILE, PLACE, OWNERSHIP, PURCHASES = _("Profile"), _("Place"), _("Ownership"), _("Purchases")

for _criterion in (
    Criterion("industry", _("Industry"), _multiple(Industry.choices), _choices("industry", Industry)),
    Criterion("kind", _("Kind"), _multiple(CustomerKind.choices), _choices("kind", CustomerKind)),
    Criterion("size", _("Size"), _multiple(CompanySize.choices), _choices("size", CompanySize)),
    Criterion("source", _("Source"), _multiple(CustomerSource.choices), _choices("source", CustomerSource)),
    Criterion("lifecycle", _("Lifecycle status"), _multiple(LifecycleStatus.choices),
              _choices("lifecycle_status", LifecycleStatus)),
    Criterion("region", _("Region"), _multiple(Region.choices), _apply_region, group=PLACE),
    Criterion("province", _("Province"),
              lambda: {"": forms.CharField(max_length=200, help_text=_("Separate several with commas, e.g. 广东, 浙江."))},
              _apply_places("province"), group=PLACE),
    Criterion("city", _("City"),
              lambda: {"": forms.CharField(max_length=200, help_text=_("Separate several with commas."))},
              _apply_places("city"), group=PLACE),
    Criterion("owner", _("Owner"), lambda: {"": forms.ModelMultipleChoiceField(queryset=_people())},
              lambda customers, values: customers.filter(owner__in=values[""]) if values[""] else customers,
              group=OWNERSHIP),
    Criterion("team", _("Owner's team"), lambda: {"": forms.ModelMultipleChoiceField(queryset=Team.objects.all())},
              lambda customers, values: customers.filter(owner__team__in=values[""]) if values[""] else customers,
              group=OWNERSHIP),
    Criterion("bought_products", _("Bought products"),
              _period_fields(lambda: forms.ModelMultipleChoiceField(queryset=Product.objects.order_by("sku"))),
              _bought("product"), group=PURCHASES),
    Criterion("bought_categories", _("Bought categories"),
              _period_fields(lambda: forms.ModelMultipleChoiceField(queryset=ProductCategory.objects.all())),
              _bought("product__category"), group=PURCHASES),
    Criterion("last_purchase", _("Last purchase"),
              lambda: {"after": forms.DateField(label=_("on or after"), widget=DATE_INPUT),
                       "before": forms.DateField(label=_("on or before"), widget=DATE_INPUT)},
              _apply_last_purchase, group=PURCHASES),
    Criterion("total_spend", _("Total spend (reporting currency)"),
              _range_fields(forms.DecimalField, _("at least"), _("at most"), max_digits=16, decimal_places=2,
                            min_value=0),
              _apply_spend, group=PURCHASES),
    Criterion("order_count", _("Number of orders"),
              _range_fields(forms.IntegerField, _("at least"), _("at most"), min_value=0),
              _apply_order_count, group=PURCHASES),
):
    criterion_register(_criterion)


# --- Criteria read from the apps below marketing: analytics (RFM), forecasting (value), feedback ---------
def _apply_rfm_segment(customers: QuerySet, values: dict) -> QuerySet:
    from veracity.analytics.models import CustomerRfm

    if not values[""]:
        return customers
    return customers.filter(pk__in=CustomerRfm.objects.filter(segment__in=values[""]).values("customer_id"))


def _apply_customer_value(field_name: str) -> Callable[[QuerySet, dict], QuerySet]:
    def apply(customers: QuerySet, values: dict) -> QuerySet:
        from veracity.forecasting.models import CustomerValue

        bounds = {}
        if values.get("min") is not None:
            bounds[f"{field_name}__gte"] = values["min"]
        if values.get("max") is not None:
            bounds[f"{field_name}__lte"] = values["max"]
        if not bounds:
            return customers
        return customers.filter(pk__in=CustomerValue.objects.filter(**bounds).values("customer_id"))
    return apply


def _apply_satisfaction(customers: QuerySet, values: dict) -> QuerySet:
    """Customers whose latest NPS answer (0–10) lies in the range."""
    from veracity.feedback.selectors import customer_satisfaction

    low, high = values.get("min"), values.get("max")
    if low is None and high is None:
        return customers
    scores = customer_satisfaction(list(customers.values_list("pk", flat=True)))
    keep = [pk for pk, answer in scores.items() if answer.get("nps") is not None
            and (low is None or answer["nps"] >= low) and (high is None or answer["nps"] <= high)]
    return customers.filter(pk__in=keep)


def _rfm_choices():
    from veracity.analytics.models import RfmSegment

    return RfmSegment.choices


for _criterion in (
    Criterion("rfm_segment", _("RFM segment"), lambda: {"": forms.MultipleChoiceField(choices=_rfm_choices())},
              _apply_rfm_segment, group=PURCHASES),
    Criterion("lifetime_value", _("Lifetime value (reporting currency)"),
              _range_fields(forms.DecimalField, _("at least"), _("at most"), max_digits=16, decimal_places=2),
              _apply_customer_value("clv"), group=PURCHASES),
    Criterion("churn_risk", _("Churn risk (0–1)"),
              _range_fields(forms.DecimalField, _("at least"), _("at most"), max_digits=4, decimal_places=3,
                            min_value=0, max_value=1),
              _apply_customer_value("churn_probability"), group=PURCHASES),
    Criterion("satisfaction", _("Latest NPS score (0–10)"),
              _range_fields(forms.IntegerField, _("at least"), _("at most"), min_value=0, max_value=10),
              _apply_satisfaction, group=PURCHASES),
):
    criterion_register(_criterion)
