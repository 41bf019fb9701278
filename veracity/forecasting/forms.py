"""Filter forms of the forecasting pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from veracity.core.forms import StyledFormMixin
from veracity.forecasting.models import AlertScope, Frequency, SeriesKind, Severity


class SeriesPickForm(StyledFormMixin, forms.Form):
    freq = forms.ChoiceField(label=_("Frequency"), choices=Frequency.choices, required=False)
    kind = forms.ChoiceField(label=_("Level"), choices=[("", _("All levels")), *SeriesKind.choices], required=False)
    series = forms.CharField(label=_("Series"), required=False, max_length=40)


class CustomerValueFilterForm(StyledFormMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"placeholder": _("Customer name or code")}))
    risk = forms.ChoiceField(label=_("Churn risk"), required=False, choices=[
        ("", _("Any churn risk")), ("high", _("High (≥ 70 %)")), ("medium", _("Medium (30–70 %)")),
        ("low", _("Low (< 30 %)"))])
    min_clv = forms.DecimalField(label=_("Lifetime value at least"), required=False, min_value=0,
                                 widget=forms.NumberInput(attrs={"placeholder": _("Min. lifetime value")}))
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=[
        ("-clv", _("Highest value first")), ("-churn", _("Highest churn risk first")),
        ("-expected", _("Most expected purchases first")), ("name", _("Name"))])


class AlertFilterForm(StyledFormMixin, forms.Form):
    open_only = forms.BooleanField(label=_("Only unacknowledged"), required=False)
    severity = forms.ChoiceField(label=_("Severity"), choices=[("", _("Any severity")), *Severity.choices], required=False)
    scope = forms.ChoiceField(label=_("Scope"), choices=[("", _("Any scope")), *AlertScope.choices], required=False)
