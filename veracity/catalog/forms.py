from django import forms
from django.utils.translation import gettext_lazy as _

from veracity.catalog.models import Product
from veracity.core.forms import ServiceValidatedModelForm, StyledFormMixin
from veracity.core.money import currency_choices
from veracity.standards.forms import EntryRulesFormMixin


class ProductForm(EntryRulesFormMixin, ServiceValidatedModelForm):
    standards_entity = "product"

    currency = forms.ChoiceField(label=_("Currency"), choices=currency_choices, initial="CNY")

    class Meta:
        model = Product
        fields = ["sku", "name", "category", "unit", "list_price", "cost_price", "currency", "is_active", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class ProductFilterForm(StyledFormMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False,
                        widget=forms.TextInput(attrs={"placeholder": _("SKU or name")}))
    category = forms.IntegerField(required=False, widget=forms.HiddenInput)
    active = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("All")), ("1", _("Active")), ("0", _("Inactive"))])
    sort = forms.CharField(required=False, widget=forms.HiddenInput)
