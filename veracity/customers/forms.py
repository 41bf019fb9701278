from django import forms
from django.utils.translation import gettext_lazy as _

from veracity.core.forms import ServiceValidatedModelForm, StyledFormMixin, VersionedFormMixin
from veracity.customers.models import Contact, Customer, CustomerKind, Industry, LifecycleStatus
from veracity.standards.forms import EntryRulesFormMixin


class CustomerForm(EntryRulesFormMixin, ServiceValidatedModelForm):
    """Parses the customer form; the service normalises and validates (one rule set with the API)."""
    standards_entity = "customer"

    tags = forms.CharField(
        label=_("Tags"), required=False, max_length=500,
        help_text=_("Separate tags with commas, e.g. VIP, 华东."),
    )
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")

    class Meta:
        model = Customer
        fields = [
            "name", "kind", "code", "lifecycle_status", "industry", "size", "source", "credit_code",
            "phone", "email", "website", "country", "province", "city", "district", "address_line",
            "postal_code", "campaign", "tags", "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].required = False
        self.fields["country"].required = False
        if self.instance is not None and self.instance.pk:
            self.initial["tags"] = ", ".join(tag.name for tag in self.instance.tags.all())


class CustomerFilterForm(StyledFormMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False, widget=forms.TextInput(
        attrs={"placeholder": _("Name, code, phone, email, pinyin…"), "type": "search"}))
    lifecycle_status = forms.ChoiceField(label=_("Lifecycle"), required=False,
                                         choices=[("", _("All stages")), *LifecycleStatus.choices])
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *CustomerKind.choices])
    owner = forms.TypedChoiceField(label=_("Owner"), required=False, coerce=int, empty_value=None)
    industry = forms.ChoiceField(label=_("Industry"), required=False,
                                 choices=[("", _("All industries")), *Industry.choices])
    province = forms.ChoiceField(label=_("Province"), required=False)
    tag = forms.ChoiceField(label=_("Tag"), required=False)
    sort = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, owners=(), provinces=(), tags=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", _("All owners")), *((user.pk, str(user)) for user in owners)]
        self.fields["province"].choices = [("", _("All provinces")), *((name, name) for name in provinces)]
        self.fields["tag"].choices = [("", _("All tags")), *((tag.name, tag.name) for tag in tags)]


class CustomerTransferForm(StyledFormMixin, VersionedFormMixin, forms.Form):
    owner = forms.ModelChoiceField(label=_("New owner"), queryset=None,
                                   help_text=_("Only people within your scope are listed."))

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = candidates


class ContactForm(EntryRulesFormMixin, ServiceValidatedModelForm):
    standards_entity = "contact"

    class Meta:
        model = Contact
        fields = ["customer", "name", "title", "department", "mobile", "phone", "email", "wechat",
                  "is_primary", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}
        help_texts = {
            "mobile": _("Any usual format, e.g. 139 1234 5678 or +86 139-1234-5678."),
            "is_primary": _("The customer's main contact. Marking this one clears the previous primary contact."),
        }

    def __init__(self, *args, companies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = companies
        self.fields["customer"].help_text = _("Contacts belong to company customers you can edit.")


class ContactFilterForm(StyledFormMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False, widget=forms.TextInput(
        attrs={"placeholder": _("Name, company, phone, email, pinyin…"), "type": "search"}))
    customer = forms.IntegerField(required=False, widget=forms.HiddenInput)
    sort = forms.CharField(required=False, widget=forms.HiddenInput)
