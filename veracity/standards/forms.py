"""Forms: the rules' required marks, help texts and picklists applied to any app's form, and the
administrator's forms for changing the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from veracity.core.forms import StyledFormMixin
from veracity.standards import rules
from veracity.standards.models import DateOrder
from veracity.standards.validation import rule_set


def form_apply_rules(form: forms.BaseForm, entity: str) -> None:
    """Required marks, help texts and picklists of `form`'s fields from `entity`'s rules in force, so
    an administrator's change shows on the page the moment it is saved."""
    instance = getattr(form, "instance", None)
    for name, field in rule_set(entity).fields.items():
        form_field = form.fields.get(name)
        if form_field is None:
            continue
        if field.help_text:
            form_field.help_text = field.help_text
        if field.type != rules.BOOLEAN:
            form_field.required = field.required
        if field.choices is None:
            continue
        choices = list(field.choices)
        current = getattr(instance, name, None) if instance is not None and instance.pk else None
        if current and current not in {value for value, _label in choices}:
            choices.append((current, current))  # a value since removed from the list stays visible
        existing = list(getattr(form_field, "choices", []) or [])
        blank = existing[0] if existing and existing[0][0] == "" else ("", "---------")
        form.fields[name] = forms.ChoiceField(
            label=form_field.label, required=field.required, help_text=form_field.help_text,
            initial=form_field.initial, choices=choices if field.required else [blank, *choices],
            widget=forms.Select(attrs={"class": "form-select"}),
        )


class EntryRulesFormMixin:
    """Mix into a form whose fields are named after an entity's fields (set `standards_entity`)."""

    standards_entity = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        form_apply_rules(self, self.standards_entity)


class FieldRuleForm(StyledFormMixin, forms.Form):
    required = forms.TypedChoiceField(
        label=_("Required"), required=False, coerce=lambda value: {"1": True, "0": False}.get(value),
        empty_value=None,
        choices=[("", _("As the default")), ("1", _("Required")), ("0", _("Optional"))],
    )
    picklist_values = forms.CharField(
        label=_("Picklist values"), required=False, widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("One value per line, optionally with a label: value | label. Leave empty for the default list."),
    )
    help_text = forms.CharField(label=_("Help text"), required=False, max_length=255,
                                help_text=_("Leave empty for the default help text."))


class StandardsSettingsForm(StyledFormMixin, forms.Form):
    default_region = forms.CharField(label=_("Default country for phone numbers"), max_length=2,
                                     help_text=_("Two letters, e.g. CN. Numbers without +country are read as this country's."))
    date_order = forms.ChoiceField(label=_("Order of ambiguous dates"), choices=DateOrder.choices)
