"""Form behaviour shared by every app's pages."""

from collections.abc import Callable
from typing import TypeVar

from django import forms

from veracity.core.errors import ValidationFailed, VersionConflict
from veracity.core.rejections import rejection_note


class StyledFormMixin:
    """Gives widgets Bootstrap's classes so templates can render `{{ field }}` plainly."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.HiddenInput):
                continue
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")


class VersionedFormMixin(forms.Form):
    """Carries the version the user loaded, so a stale form gets a conflict instead of overwriting."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ServiceValidatedModelForm(StyledFormMixin, VersionedFormMixin, forms.ModelForm):
    """A ModelForm that only parses input. The business rules run in the app's service (one rule set
    for forms, API and imports), whose ValidationFailed is shown inline with `add_validation_errors`."""

    def __init__(self, *args, hidden_fields=frozenset(), **kwargs):
        super().__init__(*args, **kwargs)
        for name in hidden_fields:
            self.fields.pop(name, None)
        if self.instance is not None and self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def _post_clean(self):
        """Skip ModelForm's model validation and instance mutation: the service does both. Input the
        form itself cannot parse is a rejected save like the rules' own (counted on scorecards)."""
        if self._errors:
            rejection_note(self._meta.model._meta.model_name, self._errors)

    def service_values(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name != "version"}


def add_validation_errors(form: forms.Form, error: ValidationFailed) -> None:
    """Show a service's field errors inline on the form that was submitted."""
    for field, messages in error.fields.items():
        target = field if field in form.fields else None
        for message in messages:
            form.add_error(target, message)


Saved = TypeVar("Saved")


def form_save(form: forms.Form, save: Callable[[], Saved], *, conflict_message: str | None = None) -> Saved | None:
    """Run a service save for a submitted form: the saved object, or None after showing why not on the
    form — the service's field errors inline, and `conflict_message` as a form-wide error when someone
    else changed the record first. Without a conflict message a VersionConflict is not expected (a create)
    and propagates."""
    try:
        return save()
    except VersionConflict:
        if conflict_message is None:
            raise
        form.add_error(None, conflict_message)
    except ValidationFailed as error:
        add_validation_errors(form, error)
    return None
