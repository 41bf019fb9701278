from django import forms
from django.utils.translation import gettext_lazy as _

from veracity.core.forms import StyledFormMixin
from veracity.imports.mapping import ENTITY_LABELS, columns_for
from veracity.imports.models import ImportMode, ImportPolicy


class ImportUploadForm(StyledFormMixin, forms.Form):
    file = forms.FileField(label=_("File (CSV or XLSX)"))
    entity = forms.ChoiceField(label=_("The file contains"), choices=list(ENTITY_LABELS.items()))
    mode = forms.ChoiceField(label=_("Mode"), choices=ImportMode.choices, initial=ImportMode.CREATE)
    policy = forms.ChoiceField(label=_("Invalid rows"), choices=ImportPolicy.choices,
                               initial=ImportPolicy.ALL_OR_NOTHING)
    one_pass = forms.BooleanField(
        label=_("Load now, in one pass, without a preview"), required=False,
        help_text=_("Only with \"load the valid rows\": each batch is checked as it is loaded, which is faster "
                    "for a large file; the problems are listed when it is done."))
    sheet = forms.CharField(label=_("Sheet (XLSX; the first one if empty)"), required=False, max_length=100)
    mapping_name = forms.CharField(label=_("Saved mapping to use"), required=False, max_length=100)


class ImportMappingForm(StyledFormMixin, forms.Form):
    save_as = forms.CharField(label=_("Save this mapping as"), required=False, max_length=100)

    def __init__(self, *args, run, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("— ignore this column —"))] + [
            (column.name, f"{column.label}{' *' if column.required else ''}") for column in columns_for(run.entity)]
        self.header_fields = []
        for index, header in enumerate(run.headers):
            name = f"column_{index}"
            self.fields[name] = forms.ChoiceField(label=header, choices=choices, required=False,
                                                  initial=run.mapping.get(header, ""))
            self.header_fields.append((header, name))

    def mapping(self) -> dict[str, str]:
        return {header: self.cleaned_data.get(name) or "" for header, name in self.header_fields}
