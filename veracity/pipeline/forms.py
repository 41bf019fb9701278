from django import forms
from django.utils.translation import gettext_lazy as _

from veracity.core.forms import ServiceValidatedModelForm, StyledFormMixin
from veracity.core.money import currency_choices
from veracity.pipeline import selectors
from veracity.pipeline.models import LostReason, Opportunity, PipelineStage, StageKind
from veracity.standards.forms import EntryRulesFormMixin

DATE = {"type": "date"}


class OpportunityForm(EntryRulesFormMixin, ServiceValidatedModelForm):
    standards_entity = "opportunity"

    currency = forms.ChoiceField(label=_("Currency"), choices=currency_choices, initial="CNY")

    class Meta:
        model = Opportunity
        fields = ["name", "customer", "amount", "currency", "expected_close_date", "closed_on", "lost_reason",
                  "lost_note", "campaign", "description"]
        widgets = {
            "expected_close_date": forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
            "closed_on": forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        customers = selectors.editable_customers(user=user)
        creating = not self.instance.pk
        if not creating:
            customers = customers | type(self.instance.customer).objects.filter(pk=self.instance.customer_id)
        self.fields["customer"].queryset = customers.order_by("name", "id")
        if creating:
            stages = selectors.stage_list(user=user, active_only=True)
            self.fields["stage"] = forms.ModelChoiceField(label=_("Stage"), queryset=stages, required=False,
                                                          empty_label=None,
                                                          widget=forms.Select(attrs={"class": "form-select"}))
            self.order_fields(["name", "customer", "stage"])
            kind = None
        else:
            kind = self.instance.stage.kind
        # Closing fields only where they mean something; moves set them (see opportunity_move).
        if kind != StageKind.LOST:
            for name in ("lost_reason", "lost_note"):
                self.fields.pop(name)
        if kind is None or kind == StageKind.OPEN:
            self.fields.pop("closed_on")

    def service_values(self) -> dict:
        values = super().service_values()
        values.pop("stage", None)
        return values


class OpportunityFilterForm(StyledFormMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False,
                        widget=forms.TextInput(attrs={"placeholder": _("Name or customer")}))
    stage = forms.TypedChoiceField(label=_("Stage"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("Open, won and lost"))] + list(StageKind.choices))
    owner = forms.TypedChoiceField(label=_("Owner"), required=False, coerce=int, empty_value=None)
    closing_from = forms.DateField(label=_("Closing from"), required=False, widget=forms.DateInput(attrs=DATE))
    closing_to = forms.DateField(label=_("Closing to"), required=False, widget=forms.DateInput(attrs=DATE))
    sort = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = [("", _("All stages"))] + [
            (stage.pk, stage.display_name) for stage in selectors.stage_list(user=user)
        ]
        owners = selectors.owner_choices(user=user)
        if owners is None:
            self.fields.pop("owner")
        else:
            self.fields["owner"].choices = [("", _("Everyone"))] + [(u.pk, str(u)) for u in owners]

    def filters(self, **overrides) -> selectors.OpportunityFilters:
        data = self.cleaned_data if self.is_valid() else {}
        values = {
            "q": data.get("q") or "", "stage": data.get("stage"), "status": data.get("status") or "",
            "owner": data.get("owner"), "closing_from": data.get("closing_from"),
            "closing_to": data.get("closing_to"), "sort": data.get("sort") or selectors.DEFAULT_SORT,
        }
        values.update(overrides)
        return selectors.OpportunityFilters(**values)


class BoardFilterForm(OpportunityFilterForm):
    """The board shows every active stage, so it filters by search and owner only."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("stage", "status", "closing_from", "closing_to", "sort"):
            self.fields.pop(name)


class MoveForm(StyledFormMixin, forms.Form):
    stage = forms.ModelChoiceField(label=_("Move to"), queryset=PipelineStage.objects.none(), empty_label=None)
    position = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    lost_reason = forms.ChoiceField(label=_("Lost reason"), required=False,
                                    choices=[("", "—")] + list(LostReason.choices))
    lost_note = forms.CharField(label=_("Lost note"), required=False, max_length=255)
    closed_on = forms.DateField(label=_("Closed on"), required=False, widget=forms.DateInput(attrs=DATE),
                                help_text=_("For won and lost stages; today when left empty."))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].queryset = selectors.stage_list(user=user, active_only=True)


class StageForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = PipelineStage
        fields = ["name", "name_zh", "probability", "kind", "is_active"]

    def _post_clean(self):
        """The service validates and saves (see ServiceValidatedModelForm)."""
