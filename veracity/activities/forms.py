from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from veracity.accounts.access import access_scope, scoped, team_ids
from veracity.accounts.models import Action, Resource, Scope, User
from veracity.activities.models import Activity, ActivityKind
from veracity.core.forms import ServiceValidatedModelForm, StyledFormMixin
from veracity.customers.models import Contact, Customer
from veracity.pipeline.models import Opportunity
from veracity.sales.models import Order
from veracity.standards.forms import EntryRulesFormMixin

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def _datetime_widget():
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT)


def assignable_users(user):
    """People the user may assign tasks to: themselves, their team(s), everyone for ALL scope."""
    scope = access_scope(user, Resource.ACTIVITY, Action.CREATE)
    users = User.objects.filter(is_active=True)
    if scope == Scope.ALL:
        return users.order_by("username")
    if scope == Scope.TEAM:
        return users.filter(Q(team_id__in=list(team_ids(user))) | Q(pk=user.pk)).order_by("username")
    return users.filter(pk=user.pk)


class ActivityForm(EntryRulesFormMixin, ServiceValidatedModelForm):
    """Parses input only; activities.services applies the rules (scope, task due date, …)."""
    standards_entity = "activity"

    class Meta:
        model = Activity
        fields = ["kind", "subject", "customer", "contact", "opportunity", "order", "assignee",
                  "occurred_at", "due_at", "duration_minutes", "location", "outcome", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 4}), "occurred_at": _datetime_widget(),
                   "due_at": _datetime_widget()}

    def __init__(self, *args, user, customer=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("occurred_at", "due_at"):
            self.fields[name].input_formats = [DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%d"]
        self.fields["customer"].queryset = scoped(Customer.objects.only("id", "name"), user=user,
                                                  resource=Resource.CUSTOMER)
        customer_id = customer.pk if customer else (self.instance.customer_id if self.instance.pk else None)
        if customer is not None:
            self.fields["customer"].initial = customer.pk
        related = {"contact": Contact.objects.all(), "opportunity": Opportunity.objects.all(),
                   "order": Order.objects.all()}
        for name, queryset in related.items():
            self.fields[name].queryset = queryset.filter(customer_id=customer_id) if customer_id else queryset
        self.fields["assignee"].queryset = assignable_users(user)
        self.fields["occurred_at"].required = False


class QuickLogForm(StyledFormMixin, forms.Form):
    """The one-line "log a call / visit / note" form at the top of the customer timeline."""

    kind = forms.ChoiceField(label=_("Kind"), choices=[
        (ActivityKind.CALL, ActivityKind.CALL.label), (ActivityKind.VISIT, ActivityKind.VISIT.label),
        (ActivityKind.NOTE, ActivityKind.NOTE.label), (ActivityKind.MEETING, ActivityKind.MEETING.label),
        (ActivityKind.EMAIL, ActivityKind.EMAIL.label),
    ])
    subject = forms.CharField(label=_("What happened?"), max_length=200,
                              widget=forms.TextInput(attrs={"placeholder": _("e.g. Called about the renewal")}))
    body = forms.CharField(label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ActivityFilterForm(StyledFormMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False,
                        widget=forms.TextInput(attrs={"placeholder": _("Subject or customer")}))
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *ActivityKind.choices])
    done = forms.ChoiceField(label=_("Status"), required=False,
                             choices=[("", _("Open and done")), ("0", _("Open")), ("1", _("Done"))])
    due = forms.ChoiceField(label=_("Due"), required=False, choices=[
        ("", _("Any due date")), ("overdue", _("Overdue")), ("today", _("Due today")), ("week", _("Due this week")),
    ])
    assignee = forms.ModelChoiceField(label=_("Assignee"), required=False, queryset=User.objects.none(),
                                      empty_label=_("Anyone"))
    customer = forms.IntegerField(required=False, widget=forms.HiddenInput)
    sort = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.show_assignee = access_scope(user, Resource.ACTIVITY, Action.VIEW) in (Scope.TEAM, Scope.ALL)
        if self.show_assignee:
            self.fields["assignee"].queryset = assignable_users(user)
