from django import forms
from django.utils.translation import gettext_lazy as _

from veracity.core.forms import StyledFormMixin
from veracity.dedup.models import ClusterStatus, Entity


class ClusterFilterForm(StyledFormMixin, forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All")), *ClusterStatus.choices])
    entity = forms.ChoiceField(label=_("Records"), required=False, choices=[("", _("All records")), *Entity.choices])
    sort = forms.ChoiceField(label=_("Sort by"), required=False,
                             choices=[("score", _("Score")), ("value", _("Value of the customers"))])


class MergeForm(forms.Form):
    """Survivor and, per field, which record's value to keep. Built from the two records on the page."""
    survivor = forms.IntegerField(widget=forms.HiddenInput)
    loser = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, fields: tuple[str, ...] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.merge_fields = fields
        for name in fields:
            self.fields[f"keep_{name}"] = forms.ChoiceField(
                choices=[("survivor", "survivor"), ("loser", "loser")], required=False, widget=forms.RadioSelect)

    def field_choices(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(f"keep_{name}") or "survivor" for name in self.merge_fields}
