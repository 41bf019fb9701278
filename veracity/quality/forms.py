from django import forms
from django.utils.translation import gettext_lazy as _

from veracity.core.forms import StyledFormMixin
from veracity.quality.models import AwardMetric, AwardOperator
from veracity.quality.services.settings import APPROVABLE_FIELDS


class QualitySettingsForm(StyledFormMixin, forms.Form):
    review_sla_hours = forms.IntegerField(label=_("Review SLA (hours)"), min_value=1, max_value=720)
    audit_top_accounts = forms.IntegerField(label=_("Accounts per monthly audit"), min_value=1, max_value=50)
    audit_days_to_complete = forms.IntegerField(label=_("Days to complete an audit"), min_value=1, max_value=31)
    approval_fields = forms.MultipleChoiceField(
        label=_("Changes by reps that need a manager's approval"), required=False,
        choices=[(name, name) for name in APPROVABLE_FIELDS], widget=forms.CheckboxSelectMultiple)


class RejectForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)


class AwardRuleForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Badge"), max_length=100)
    icon = forms.CharField(label=_("Icon"), max_length=32, initial="award",
                           help_text=_("A Bootstrap icon name, e.g. award, trophy, star."))
    metric = forms.ChoiceField(label=_("Metric"), choices=AwardMetric.choices)
    operator = forms.ChoiceField(label=_("Condition"), choices=AwardOperator.choices)
    value = forms.DecimalField(label=_("Value"), max_digits=8, decimal_places=1)
