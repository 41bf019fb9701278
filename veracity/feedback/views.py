"""Survey, response and analysis pages for staff. Thin: parse, call a selector or service, render."""


from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from veracity.accounts.access import access_require, can
from veracity.accounts.models import Action, Resource
from veracity.core.errors import ValidationFailed
from veracity.core.forms import form_save
from veracity.core.views import paginate
from veracity.customers.selectors import customer_get
from veracity.feedback import selectors, services
from veracity.feedback.forms import InviteForm, QuestionForm, ResponseFilterForm, SurveyForm
from veracity.feedback.models import InvitationSource


def _errors_to_messages(request, error: ValidationFailed) -> None:
    for problems in error.fields.values():
        for problem in problems:
            messages.error(request, problem)


def _response_filters(request) -> tuple[ResponseFilterForm, selectors.ResponseFilters]:
    form = ResponseFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    return form, selectors.ResponseFilters(
        survey=data.get("survey"), customer=data.get("customer"), category=data.get("category") or "",
        theme=data.get("theme") or "", keyword=data.get("keyword") or "", follow_up=data.get("follow_up") or "",
        date_from=data.get("date_from"), date_to=data.get("date_to"),
    )


@login_required
def survey_list(request):
    return render(request, "feedback/survey_list.html", {
        "page_obj": paginate(request, selectors.survey_list(user=request.user)),
        "can_create": can(request.user, Resource.SURVEY, Action.CREATE),
        "can_see_responses": can(request.user, Resource.SURVEY_RESPONSE, Action.VIEW),
    })


@login_required
def survey_create(request):
    access_require(request.user, Resource.SURVEY, Action.CREATE)
    form = SurveyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        survey = form_save(form, lambda: services.survey_create(actor=request.user, values=form.service_values()))
        if survey is not None:
            messages.success(request, _("Survey created."))
            return redirect("feedback:survey_detail", pk=survey.pk)
    return render(request, "feedback/survey_form.html", {"form": form, "survey": None})


@login_required
def survey_edit(request, pk: int):
    survey = selectors.survey_get(user=request.user, pk=pk, action=Action.EDIT)
    form = SurveyForm(request.POST or None, instance=survey)
    if request.method == "POST" and form.is_valid():
        saved = form_save(form, lambda: services.survey_update(
            actor=request.user, survey=selectors.survey_get(user=request.user, pk=pk),
            values=form.service_values(), expected_version=form.cleaned_data.get("version")),
            conflict_message=_("Someone else changed this survey while you were editing. Reload and try again."))
        if saved is not None:
            messages.success(request, _("Survey saved."))
            return redirect("feedback:survey_detail", pk=pk)
    return render(request, "feedback/survey_form.html", {"form": form, "survey": survey})


@login_required
@require_POST
def survey_delete(request, pk: int):
    survey = selectors.survey_get(user=request.user, pk=pk, action=Action.DELETE)
    services.survey_delete(actor=request.user, survey=survey)
    messages.success(request, _("Survey moved to the trash."))
    return redirect("feedback:survey_list")


@login_required
def survey_detail(request, pk: int, *, new_link: str = "", embed_token: str = ""):
    survey = selectors.survey_get(user=request.user, pk=pk)
    can_edit = can(request.user, Resource.SURVEY, Action.EDIT)
    embed_url = services.public_url(reverse("feedback:embed_survey", args=[embed_token])) if embed_token else ""
    return render(request, "feedback/survey_detail.html", {
        "survey": survey, "questions": survey.questions.all(), "can_edit": can_edit,
        "can_delete": can(request.user, Resource.SURVEY, Action.DELETE),
        "question_form": QuestionForm() if can_edit else None,
        "stats": selectors.survey_stats(user=request.user, survey=survey)
        if can(request.user, Resource.SURVEY_RESPONSE, Action.VIEW) else None,
        "new_link": new_link, "embed_url": embed_url,
    })


@login_required
@require_POST
def question_add(request, pk: int):
    survey = selectors.survey_get(user=request.user, pk=pk, action=Action.EDIT)
    form = QuestionForm(request.POST)
    if form.is_valid():
        try:
            services.question_add(actor=request.user, survey=survey, values=form.cleaned_data)
        except ValidationFailed as error:
            _errors_to_messages(request, error)
        else:
            messages.success(request, _("Question added."))
    else:
        messages.error(request, _("Check the question's fields."))
    return redirect("feedback:survey_detail", pk=pk)


@login_required
@require_POST
def question_delete(request, pk: int, question_pk: int):
    survey = selectors.survey_get(user=request.user, pk=pk, action=Action.EDIT)
    question = selectors.question_get(user=request.user, survey=survey, pk=question_pk)
    try:
        services.question_delete(actor=request.user, question=question)
    except ValidationFailed as error:
        _errors_to_messages(request, error)
    else:
        messages.success(request, _("Question removed."))
    return redirect("feedback:survey_detail", pk=pk)


def _invite_customer(request):
    form = InviteForm(request.POST)
    if not form.is_valid():
        return None
    return customer_get(user=request.user, pk=form.cleaned_data["customer"])


@login_required
@require_POST
def invitation_link(request, pk: int):
    """A personal single-use link, shown once (for WeChat, SMS, a phone call…)."""
    survey = selectors.survey_get(user=request.user, pk=pk, action=Action.EDIT)
    customer = _invite_customer(request) if request.POST.get("customer") else None
    try:
        _invitation, raw = services.invitation_create(actor=request.user, survey=survey,
                                                      source=InvitationSource.LINK, customer=customer)
    except ValidationFailed as error:
        _errors_to_messages(request, error)
        return redirect("feedback:survey_detail", pk=pk)
    return survey_detail(request, pk, new_link=services.invitation_url(raw))


@login_required
@require_POST
def invitation_email(request, pk: int):
    survey = selectors.survey_get(user=request.user, pk=pk, action=Action.EDIT)
    customer = _invite_customer(request)
    if customer is None:
        messages.error(request, _("Choose a customer."))
        return redirect("feedback:survey_detail", pk=pk)
    try:
        invitation = services.survey_invite_by_email(actor=request.user, survey=survey, customer=customer)
    except ValidationFailed as error:
        _errors_to_messages(request, error)
    else:
        messages.success(request, _("Survey sent to %(email)s.") % {"email": invitation.email})
    return redirect("feedback:survey_detail", pk=pk)


@login_required
@require_POST
def embed_code(request, pk: int):
    survey = selectors.survey_get(user=request.user, pk=pk, action=Action.EDIT)
    raw = services.embed_code_create(actor=request.user, survey=survey)
    return survey_detail(request, pk, embed_token=raw)


@login_required
def response_list(request):
    form, filters = _response_filters(request)
    return render(request, "feedback/response_list.html", {
        "page_obj": paginate(request, selectors.response_list(user=request.user, filters=filters)),
        "filter_form": form, "filters": filters,
    })


@login_required
def response_detail(request, pk: int):
    response = selectors.response_get(user=request.user, pk=pk)
    return render(request, "feedback/response_detail.html", {
        "response": response, "answers": selectors.response_answers(response),
    })


@login_required
def analysis(request):
    form, filters = _response_filters(request)
    responses = selectors.response_list(user=request.user, filters=filters)
    breakdowns = {dimension: selectors.nps_breakdown(user=request.user, dimension=dimension, filters=filters)
                  for dimension in selectors.DIMENSIONS}
    themes = selectors.text_themes(user=request.user, filters=filters)
    chinese = (get_language() or "").startswith("zh")
    for row in themes["themes"]:
        row["label"] = row["label_zh"] if chinese else row["label_en"]
    chart = {
        "labels": {"nps": "NPS", "csat": "CSAT", "responses": _("Responses")},
        "month": breakdowns["month"],
        "segment": breakdowns["segment"], "product": breakdowns["product"][:15],
        "team": breakdowns["team"], "rep": breakdowns["rep"],
    }
    return render(request, "feedback/analysis.html", {
        "summary": selectors.nps_summary(responses), "breakdowns": breakdowns, "themes": themes,
        "filter_form": form, "chart_data": chart,
        "query": request.GET.urlencode(),
    })
