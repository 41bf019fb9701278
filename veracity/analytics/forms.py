from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from veracity.analytics.models import ReviewPeriod, SalesTarget
from veracity.core.forms import StyledFormMixin

DATE_INPUT = forms.DateInput(attrs={"type": "date"})


class SalesTargetForm(StyledFormMixin, forms.ModelForm):
    """Parses input only; sales_target_create/update validate and check the scope."""

    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = SalesTarget
        fields = ["user", "period_start", "period_end", "revenue", "orders", "activities", "notes"]
        widgets = {"period_start": DATE_INPUT, "period_end": DATE_INPUT}

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = people if people is not None else get_user_model().objects.none()

    def service_values(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.Meta.fields}


class ReviewSubscribeForm(StyledFormMixin, forms.Form):
    period = forms.ChoiceField(label=_("Period"), choices=ReviewPeriod.choices)
    team = forms.ModelChoiceField(label=_("Team"), queryset=None, required=False,
                                  empty_label=_("Whole company"))

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
