"""form_save: one place that turns a service's conflict and validation errors into form errors."""

import pytest
from django import forms

from veracity.core.errors import ValidationFailed, VersionConflict
from veracity.core.forms import form_save


class NameForm(forms.Form):
    name = forms.CharField()


def _submitted() -> NameForm:
    form = NameForm({"name": "Acme"})
    assert form.is_valid()
    return form


def test_form_save_returns_what_the_service_saved():
    form = _submitted()
    assert form_save(form, lambda: "saved", conflict_message="conflict") == "saved"
    assert form.errors == {}


def test_form_save_shows_the_services_field_errors_inline_and_returns_none():
    form = _submitted()

    def save():
        raise ValidationFailed({"name": ["Taken."], "elsewhere": ["Not a field here."]})

    assert form_save(form, save) is None
    assert form.errors["name"] == ["Taken."]
    assert form.non_field_errors() == ["Not a field here."]


def test_form_save_shows_the_entitys_conflict_message_as_a_form_error():
    form = _submitted()

    def save():
        raise VersionConflict(current_version=3)

    assert form_save(form, save, conflict_message="Someone else changed this widget.") is None
    assert form.non_field_errors() == ["Someone else changed this widget."]


def test_form_save_without_a_conflict_message_lets_an_unexpected_conflict_through():
    def save():
        raise VersionConflict(current_version=3)

    with pytest.raises(VersionConflict):
        form_save(_submitted(), save)
