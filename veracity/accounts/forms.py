from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import password_validators_help_texts
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from veracity.accounts.models import RoleCode, Team, TwoFactorRequirement, User


class LoginForm(AuthenticationForm):
    username = forms.CharField(label=_("Username"), max_length=150,
                               widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username",
                                                             "class": "form-control"}))
    password = forms.CharField(label=_("Password"), strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password",
                                                                 "class": "form-control"}))


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("Token name"), max_length=100,
                           widget=forms.TextInput(attrs={"class": "form-control",
                                                         "placeholder": _("e.g. Excel sync")}))


class TwoFactorCodeForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=32,
                           widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "one-time-code",
                                                         "inputmode": "numeric", "autofocus": True}))


class UserFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False,
                        widget=forms.TextInput(attrs={"class": "form-control", "placeholder": _("Name, username or email")}))
    role = forms.ChoiceField(label=_("Role"), required=False, choices=[("", _("Any role")), *RoleCode.choices],
                             widget=forms.Select(attrs={"class": "form-select"}))
    team = forms.ModelChoiceField(label=_("Team"), required=False, queryset=Team.objects.all(),
                                  empty_label=_("Any team"), widget=forms.Select(attrs={"class": "form-select"}))
    active = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("Any status")), ("1", _("Active")), ("0", _("Deactivated"))],
                               widget=forms.Select(attrs={"class": "form-select"}))


class UserAdminForm(forms.Form):
    """What an administrator sets on a user; the service's USER_WRITABLE_FIELDS, nothing more."""

    display_name = forms.CharField(label=_("Display name"), max_length=100, required=False,
                                   widget=forms.TextInput(attrs={"class": "form-control"}))
    email = forms.EmailField(label=_("Email"), required=False, widget=forms.EmailInput(attrs={"class": "form-control"}))
    team = forms.ModelChoiceField(label=_("Team"), required=False, queryset=Team.objects.all(),
                                  widget=forms.Select(attrs={"class": "form-select"}))
    roles = forms.MultipleChoiceField(label=_("Roles"), required=False, choices=RoleCode.choices,
                                      widget=forms.CheckboxSelectMultiple)


class UserCreateForm(UserAdminForm):
    username = forms.CharField(label=_("Username"), max_length=150,
                               widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"}))
    password = forms.CharField(label=_("Initial password"), strip=False,
                               help_text=lazy(lambda: " ".join(password_validators_help_texts()), str)(),
                               widget=forms.PasswordInput(attrs={"class": "form-control", "autocomplete": "new-password"}))

    field_order = ["username", "password", "display_name", "email", "team", "roles"]


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, widget=forms.TextInput(attrs={"class": "form-control"}))
    manager = forms.ModelChoiceField(label=_("Manager"), required=False,
                                     queryset=User.objects.filter(is_active=True).order_by("username"),
                                     widget=forms.Select(attrs={"class": "form-select"}))


class SecurityPolicyForm(forms.Form):
    require_two_factor = forms.ChoiceField(label=_("Two-factor authentication"),
                                           choices=TwoFactorRequirement.choices,
                                           widget=forms.RadioSelect)
