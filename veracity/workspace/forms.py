from django import forms
from django.utils.translation import gettext_lazy as _

from veracity.audit.models import AuditAction
from veracity.core.forms import StyledFormMixin

# ISO values whatever the language: a Chinese date format would leave the browser's date field empty.
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AuditFilterForm(StyledFormMixin, forms.Form):
    actor = forms.CharField(label=_("User"), required=False,
                            widget=forms.TextInput(attrs={"placeholder": _("Username")}))
    action = forms.ChoiceField(label=_("Action"), required=False, choices=[("", _("All actions")), *AuditAction.choices])
    object_type = forms.CharField(label=_("Record type"), required=False,
                                  widget=forms.TextInput(attrs={"placeholder": _("e.g. customers.customer")}))
    object_id = forms.CharField(label=_("Record id"), required=False, max_length=64)
    date_from = forms.DateField(label=_("From"), required=False, widget=DATE_INPUT)
    date_to = forms.DateField(label=_("To"), required=False, widget=DATE_INPUT)
