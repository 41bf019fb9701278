from django import forms
from django.utils.translation import gettext_lazy as _

from veracity.core.forms import ServiceValidatedModelForm, StyledFormMixin
from veracity.service.models import MessageKind, Ticket, TicketPriority, TicketStatus, TicketType


class TicketForm(ServiceValidatedModelForm):
    class Meta:
        model = Ticket
        fields = ["customer", "subject", "description", "type", "priority", "contact", "order", "product", "assignee"]
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, customers=None, assignees=None, **kwargs):
        super().__init__(*args, **kwargs)
        if customers is not None:
            self.fields["customer"].queryset = customers
        if assignees is not None:
            self.fields["assignee"].queryset = assignees
        if self.instance.pk:
            self.fields.pop("customer")  # a ticket stays with its customer
        # Contacts and orders are checked against the customer by the service.
        self.fields["contact"].queryset = self.fields["contact"].queryset.select_related("customer")
        self.fields["order"].queryset = self.fields["order"].queryset.select_related("customer")


class TicketFilterForm(StyledFormMixin, forms.Form):
    q = forms.CharField(required=False, widget=forms.TextInput(attrs={"placeholder": _("Number, subject, customer")}))
    status = forms.ChoiceField(required=False, choices=[("", _("Any status")), ("open", _("Open (not resolved)")),
                                                        *TicketStatus.choices])
    priority = forms.ChoiceField(required=False, choices=[("", _("Any priority")), *TicketPriority.choices])
    type = forms.ChoiceField(required=False, choices=[("", _("Any type")), *TicketType.choices])
    sla = forms.ChoiceField(required=False, choices=[("", _("Any SLA state")), ("at_risk", _("Due soon or breached")),
                                                     ("due_soon", _("Due soon")), ("breached", _("Breached"))])
    assignee = forms.IntegerField(required=False, widget=forms.HiddenInput)
    customer = forms.IntegerField(required=False, widget=forms.HiddenInput)
    sort = forms.CharField(required=False, widget=forms.HiddenInput)


class TicketMessageForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=MessageKind.choices, initial=MessageKind.REPLY)
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 4}), max_length=20000)


class SlaPolicyForm(StyledFormMixin, forms.Form):
    first_response_minutes = forms.IntegerField(label=_("First response within (minutes)"), min_value=1,
                                                max_value=525600)
    resolution_minutes = forms.IntegerField(label=_("Resolution within (minutes)"), min_value=1, max_value=525600)
