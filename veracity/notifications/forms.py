from django import forms
from django.utils.translation import gettext_lazy as _

from veracity.core.forms import StyledFormMixin
from veracity.notifications.models import Frequency
from veracity.notifications.services import KINDS


class PreferenceForm(StyledFormMixin, forms.Form):
    frequency = forms.ChoiceField(label=_("Email me"), choices=Frequency.choices)

    def __init__(self, *args, preference=None, **kwargs):
        super().__init__(*args, **kwargs)
        current = preference.kind_frequencies if preference is not None else {}
        for code, label in KINDS.items():
            self.fields[f"kind__{code}"] = forms.ChoiceField(
                label=label, required=False, initial=current.get(code, ""),
                choices=[("", _("As above")), *Frequency.choices],
                widget=forms.Select(attrs={"class": "form-select"}),
            )
        if preference is not None:
            self.fields["frequency"].initial = preference.frequency

    def service_values(self) -> dict:
        per_kind = {name.removeprefix("kind__"): value for name, value in self.cleaned_data.items()
                    if name.startswith("kind__") and value}
        return {"frequency": self.cleaned_data["frequency"], "kind_frequencies": per_kind}

    def kind_fields(self):
        return [self[name] for name in self.fields if name.startswith("kind__")]
