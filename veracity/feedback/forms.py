from django import forms
from django.utils.translation import gettext_lazy as _

from veracity.core.forms import ServiceValidatedModelForm, StyledFormMixin
from veracity.feedback.models import Question, Survey

CATEGORY_CHOICES = [("", _("Any score")), ("promoter", _("Promoters (9–10)")), ("passive", _("Passives (7–8)")),
                    ("detractor", _("Detractors (0–6)")), ("low_csat", _("Low CSAT (1–2)"))]

# ISO values whatever the language: a Chinese date format would leave the browser's date field empty.
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SurveyForm(ServiceValidatedModelForm):
    class Meta:
        model = Survey
        fields = ["name", "kind", "trigger", "title_en", "title_zh", "intro_en", "intro_zh", "is_active"]
        widgets = {"intro_en": forms.Textarea(attrs={"rows": 3}), "intro_zh": forms.Textarea(attrs={"rows": 3})}


class QuestionForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Question
        fields = ["kind", "text_en", "text_zh", "choices_en", "choices_zh", "scale_min", "scale_max", "required"]
        widgets = {"choices_en": forms.Textarea(attrs={"rows": 3}), "choices_zh": forms.Textarea(attrs={"rows": 3})}

    def _post_clean(self):
        """The service validates."""


class InviteForm(StyledFormMixin, forms.Form):
    customer = forms.IntegerField(label=_("Customer"), widget=forms.HiddenInput)


class ResponseFilterForm(StyledFormMixin, forms.Form):
    survey = forms.IntegerField(required=False, widget=forms.HiddenInput)
    customer = forms.IntegerField(required=False, widget=forms.HiddenInput)
    category = forms.ChoiceField(required=False, choices=CATEGORY_CHOICES)
    theme = forms.CharField(required=False, widget=forms.HiddenInput)
    keyword = forms.CharField(required=False, max_length=50,
                              widget=forms.TextInput(attrs={"placeholder": _("Keyword")}))
    follow_up = forms.ChoiceField(required=False, choices=[("", _("Any follow-up")), ("open", _("Follow-up open")),
                                                           ("done", _("Follow-up done"))])
    date_from = forms.DateField(required=False, widget=DATE_INPUT)
    date_to = forms.DateField(required=False, widget=DATE_INPUT)
