from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from veracity.accounts.access import access_scope, team_ids
from veracity.accounts.models import Action, Resource, Scope
from veracity.catalog import selectors as catalog_selectors
from veracity.core.errors import ValidationFailed
from veracity.core.forms import ServiceValidatedModelForm, StyledFormMixin
from veracity.core.money import currency_choices
from veracity.customers.models import Contact
from veracity.sales import selectors
from veracity.sales.models import Channel, ExchangeRate, Order, OrderStatus, Region
from veracity.standards.forms import EntryRulesFormMixin

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def salesperson_choices(user):
    """The people a user may book orders for, or None when that is only themselves (reps)."""
    scope = access_scope(user, Resource.ORDER, Action.VIEW)
    if scope is None or scope == Scope.OWN:
        return None
    users = get_user_model().objects.filter(is_active=True, roles__code__in=["sales_rep", "sales_manager"])
    if scope == Scope.TEAM:
        users = users.filter(Q(team_id__in=list(team_ids(user))) | Q(pk=user.pk))
    return users.distinct().order_by("display_name", "username")


class OrderForm(EntryRulesFormMixin, ServiceValidatedModelForm):
    standards_entity = "order"

    number = forms.CharField(label=_("Order number"), required=False, max_length=64,
                             help_text=_("Leave empty to number it automatically (SO-YYYYMM-NNNNN)."))
    currency = forms.ChoiceField(label=_("Currency"), choices=currency_choices, initial="CNY")
    region = forms.ChoiceField(label=_("Region"), required=False,
                               choices=[("", _("From the customer's province"))] + Region.choices)

    class Meta:
        model = Order
        fields = ["number", "customer", "contact", "opportunity", "order_date", "status", "salesperson", "channel",
                  "region", "currency", "campaign", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 2}), "order_date": DATE_INPUT}

    def __init__(self, *args, user, customer=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = selectors.order_customer_choices(user=user)
        customer_pk = self.instance.customer_id if self.instance.pk else customer
        if self.is_bound:
            customer_pk = self.data.get(self.add_prefix("customer")) or customer_pk
        try:
            customer_pk = int(customer_pk) if customer_pk else None
        except (TypeError, ValueError):
            customer_pk = None
        self.fields["contact"].queryset = Contact.objects.filter(customer_id=customer_pk) if customer_pk \
            else Contact.objects.none()
        self.fields["contact"].help_text = _("Contacts of the chosen customer (save once to list them).") \
            if not customer_pk else ""
        # The deal this order closes; pipeline is a sibling app, so its model is reached through the field.
        opportunities = Order._meta.get_field("opportunity").related_model.objects
        self.fields["opportunity"].queryset = opportunities.filter(customer_id=customer_pk).order_by("-id") \
            if customer_pk else opportunities.none()
        if self.instance.pk:
            del self.fields["status"]
            if not self.is_bound:
                self.initial["region"] = self.instance.region
        else:
            self.fields["status"].choices = [(OrderStatus.DRAFT, OrderStatus.DRAFT.label),
                                             (OrderStatus.CONFIRMED, OrderStatus.CONFIRMED.label)]
            self.fields["status"].initial = OrderStatus.CONFIRMED
        people = salesperson_choices(user)
        if people is None:
            del self.fields["salesperson"]
        else:
            self.fields["salesperson"].queryset = people
            self.fields["salesperson"].required = False
            self.fields["salesperson"].empty_label = _("Me")
        self.fields["channel"].choices = Channel.choices

    def service_values(self) -> dict:
        values = super().service_values()
        for name in ("customer", "contact", "salesperson", "opportunity", "campaign"):
            if name in values and values[name] is not None:
                values[name] = values[name].pk
        if "salesperson" in values and values["salesperson"] is None and self.instance.pk:
            values.pop("salesperson")  # "Me" on an existing order means: keep its salesperson
        if not values.get("region") and not self.instance.pk:
            values.pop("region", None)
        return values


class OrderLineForm(EntryRulesFormMixin, StyledFormMixin, forms.Form):
    standards_entity = "order_line"

    product = forms.ModelChoiceField(label=_("Product"), queryset=None)
    description = forms.CharField(label=_("Description"), required=False, max_length=255)
    quantity = forms.DecimalField(label=_("Quantity"), max_digits=14, decimal_places=3, initial=1)
    unit_price = forms.DecimalField(label=_("Unit price"), max_digits=14, decimal_places=2, required=False,
                                    widget=forms.NumberInput(attrs={"placeholder": _("List price"), "step": "0.01"}))
    discount_percent = forms.DecimalField(label=_("Discount (%)"), max_digits=5, decimal_places=2, required=False,
                                          widget=forms.NumberInput(attrs={"placeholder": "0", "step": "0.01"}))

    def __init__(self, *args, products=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = products
        self.fields["quantity"].widget.attrs["step"] = "any"

    def service_line(self) -> dict:
        data = self.cleaned_data
        return {"product": data["product"].pk, "quantity": data["quantity"], "unit_price": data.get("unit_price"),
                "discount_percent": data.get("discount_percent"), "description": data.get("description") or ""}


class BaseOrderLineFormSet(forms.BaseFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        if not self.live_forms():
            raise forms.ValidationError(_("An order needs at least one line."))

    def live_forms(self) -> list[OrderLineForm]:
        """The rows the user kept: not deleted, not left blank."""
        return [form for form in self.forms
                if form.has_changed() and not (self.can_delete and self._should_delete_form(form))
                and form.cleaned_data.get("product")]


OrderLineFormSet = forms.formset_factory(OrderLineForm, formset=BaseOrderLineFormSet, extra=0, can_delete=True)


def order_line_formset(*, user, data=None, order: Order | None = None):
    existing = [line.product_id for line in order.lines.all()] if order else []
    products = catalog_selectors.product_list(user=user).filter(Q(is_active=True) | Q(pk__in=existing))
    initial = None
    if order is not None and data is None:
        initial = [{"product": line.product_id, "description": line.description, "quantity": line.quantity,
                    "unit_price": line.unit_price, "discount_percent": line.discount_percent}
                   for line in order.lines.all()]
    formset = OrderLineFormSet(data, prefix="lines", initial=initial, form_kwargs={"products": products})
    if order is None and data is None:
        formset.extra = 1
    return formset


def add_order_errors(form: forms.Form, formset: BaseOrderLineFormSet, lines: list[OrderLineForm],
                     error: ValidationFailed) -> None:
    """Show a service's errors inline: header fields on the form, "lines.<i>.<field>" on the i-th kept row."""
    for key, messages in error.fields.items():
        parts = key.split(".")
        if parts[0] == "lines" and len(parts) == 3 and parts[1].isdigit() and int(parts[1]) < len(lines):
            row, field = lines[int(parts[1])], parts[2]
            for message in messages:
                row.add_error(field if field in row.fields else None, message)
        elif parts[0] == "lines":
            formset._non_form_errors = formset.error_class([*formset.non_form_errors(), *messages])
        else:
            for message in messages:
                form.add_error(key if key in form.fields else None, message)


class OrderFilterForm(StyledFormMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False,
                        widget=forms.TextInput(attrs={"placeholder": _("Number, customer or code")}))
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All statuses"))] + OrderStatus.choices)
    channel = forms.ChoiceField(label=_("Channel"), required=False, choices=[("", _("All channels"))] + Channel.choices)
    region = forms.ChoiceField(label=_("Region"), required=False, choices=[("", _("All regions"))] + Region.choices)
    salesperson = forms.ModelChoiceField(label=_("Salesperson"), required=False, queryset=None,
                                         empty_label=_("All salespeople"))
    date_from = forms.DateField(label=_("From"), required=False, widget=DATE_INPUT)
    date_to = forms.DateField(label=_("To"), required=False, widget=DATE_INPUT)
    customer = forms.IntegerField(required=False, widget=forms.HiddenInput)
    sort = forms.CharField(required=False, widget=forms.HiddenInput)
    # Drill-down filters the analytics dashboards link with (kept as hidden fields).
    product = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)
    category = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)
    currency = forms.CharField(required=False, max_length=3, widget=forms.HiddenInput)
    team = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)
    counted = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        people = salesperson_choices(user)
        if people is None:
            del self.fields["salesperson"]
        else:
            self.fields["salesperson"].queryset = people

    def filters(self) -> selectors.OrderFilters:
        data = self.cleaned_data if self.is_valid() else {}
        salesperson = data.get("salesperson")
        return selectors.OrderFilters(
            q=data.get("q") or "", status=data.get("status") or "", channel=data.get("channel") or "",
            region=data.get("region") or "", salesperson=salesperson.pk if salesperson else None,
            customer=data.get("customer"), date_from=data.get("date_from"), date_to=data.get("date_to"),
            sort=data.get("sort") or selectors.DEFAULT_ORDER_SORT,
            product=data.get("product"), category=data.get("category"), currency=data.get("currency") or "",
            team=data.get("team"), counted=bool(data.get("counted")),
        )


class ExchangeRateForm(StyledFormMixin, forms.ModelForm):
    """Parses input only; exchange_rate_create/update validate."""

    currency = forms.ChoiceField(label=_("Currency"), choices=currency_choices, initial="USD")

    class Meta:
        model = ExchangeRate
        fields = ["currency", "rate_date", "rate"]
        widgets = {"rate_date": DATE_INPUT}

    def _post_clean(self):
        """Skip ModelForm's model validation: the service does it."""

    def service_values(self) -> dict:
        return dict(self.cleaned_data)
