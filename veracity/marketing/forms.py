from django import forms
from django.utils.translation import gettext_lazy as _

from veracity.core.forms import ServiceValidatedModelForm, StyledFormMixin, VersionedFormMixin
from veracity.marketing import attribution, criteria
from veracity.marketing.models import Campaign, CampaignChannel
from veracity.marketing.reports import COLUMN_DIMENSIONS, ROW_DIMENSIONS

DATE = {"type": "date"}
# ISO values whatever the language: a Chinese date format would leave the browser's date field empty.
DATE_INPUT = forms.DateInput(attrs=DATE, format="%Y-%m-%d")


class CampaignForm(ServiceValidatedModelForm):
    class Meta:
        model = Campaign
        fields = ["code", "name", "channel", "start_date", "end_date", "budget", "actual_cost", "target_segment",
                  "description"]
        widgets = {
            "start_date": DATE_INPUT,
            "end_date": DATE_INPUT,
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, segments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target_segment"].queryset = segments
        self.fields["budget"].help_text = self.fields["actual_cost"].help_text = _("In the reporting currency.")

    def service_values(self) -> dict:
        values = super().service_values()
        if values.get("target_segment") is not None:
            values["target_segment"] = values["target_segment"].pk
        return values


class CampaignFilterForm(StyledFormMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False, widget=forms.TextInput(
        attrs={"placeholder": _("Code or name"), "type": "search"}))
    channel = forms.ChoiceField(label=_("Channel"), required=False,
                                choices=[("", _("All channels")), *CampaignChannel.choices])
    active_on = forms.DateField(label=_("Running on"), required=False, widget=DATE_INPUT)
    sort = forms.CharField(required=False, widget=forms.HiddenInput)


class SegmentForm(StyledFormMixin, VersionedFormMixin, forms.Form):
    """Name and description, then one block of fields per registered criterion."""

    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        fields = criteria.criteria_form_fields()
        super().__init__(*args, **kwargs)
        for name, field in fields.items():
            self.fields[name] = field
        for field in fields.values():
            widget = field.widget
            if isinstance(widget, forms.SelectMultiple):
                widget.attrs.setdefault("class", "form-select")
                widget.attrs.setdefault("size", "4")
            else:
                widget.attrs.setdefault("class", "form-control")

    def criteria_groups(self):
        """[(group label, [(criterion label, [bound fields])])] for the template."""
        groups: dict[str, list] = {}
        for criterion in criteria.CRITERIA.values():
            bound = [self[criterion.field_name(suffix)] for suffix in criterion.fields()]
            groups.setdefault(str(criterion.group), []).append((criterion.label, bound))
        return list(groups.items())

    def service_values(self) -> dict:
        return {"name": self.cleaned_data["name"], "description": self.cleaned_data.get("description") or "",
                "criteria": criteria.criteria_data(self.data)}


class PeriodForm(StyledFormMixin, forms.Form):
    date_from = forms.DateField(label=_("From"), widget=DATE_INPUT)
    date_to = forms.DateField(label=_("To"), widget=DATE_INPUT)


class CampaignReportForm(PeriodForm):
    model = forms.ChoiceField(label=_("Attribution"), choices=[
        (attribution.LAST_TOUCH, _("Last touch")), (attribution.FIRST_TOUCH, _("First touch"))],
        initial=attribution.LAST_TOUCH, required=False)


class DemandForm(PeriodForm):
    rows = forms.ChoiceField(label=_("Rows"), choices=[(key, label) for key, (_p, _c, label) in ROW_DIMENSIONS.items()],
                             initial="region", required=False)
    columns = forms.ChoiceField(label=_("Columns"), required=False, initial="category",
                                choices=[(key, label) for key, (_i, _n, label) in COLUMN_DIMENSIONS.items()])
    segment = forms.ModelChoiceField(label=_("Only members of"), queryset=None, required=False,
                                     empty_label=_("All customers"))

    def __init__(self, *args, segments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["segment"].queryset = segments


class WebLeadForm(forms.Form):
    """The public form. Parsing only: the customers service applies the entry standards."""

    name = forms.CharField(label=_("Your name"), max_length=100)
    company = forms.CharField(label=_("Company"), max_length=200, required=False)
    email = forms.EmailField(label=_("Email"), max_length=254)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    province = forms.CharField(label=_("Province"), max_length=50, required=False)
    city = forms.CharField(label=_("City"), max_length=50, required=False)
    message = forms.CharField(label=_("How can we help?"), max_length=2000, required=False,
                              widget=forms.Textarea(attrs={"rows": 4}))
    # Hidden: the campaign, UTM parameters and the signed time the form was shown.
    campaign = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
    utm_source = forms.CharField(required=False, max_length=100, widget=forms.HiddenInput)
    utm_medium = forms.CharField(required=False, max_length=100, widget=forms.HiddenInput)
    utm_campaign = forms.CharField(required=False, max_length=100, widget=forms.HiddenInput)
    utm_term = forms.CharField(required=False, max_length=100, widget=forms.HiddenInput)
    utm_content = forms.CharField(required=False, max_length=100, widget=forms.HiddenInput)
    token = forms.CharField(required=False, widget=forms.HiddenInput)
    # The honeypot: hidden from people by CSS, filled in by bots that fill every field.
    website = forms.CharField(label=_("Leave this field empty"), required=False, max_length=200,
                              widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if not isinstance(field.widget, forms.HiddenInput):
                field.widget.attrs.setdefault("class", "form-control")
