"""The public survey pages: anonymous, write-only. They show a survey's questions and the
invitation's greeting name, accept one answer, and show nothing else: no answers, no customer
data, no ids. Bad, expired and used links get a clear page (404 / 410); too many requests from one
address get 429.

CSRF: these forms are posted by anonymous people, also from inside an iframe on another site (where
the SameSite CSRF cookie is not sent); the unguessable token in the URL is what authorises the
single write, so the views are csrf_exempt."""

from csp.decorators import csp_replace
from django.conf import settings
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt

from veracity.feedback import services
from veracity.feedback.errors import (
    AnswersInvalid,
    InvitationExpired,
    InvitationUnknown,
    InvitationUsed,
    RateLimited,
)
from veracity.feedback.models import QuestionKind

HONEYPOT = "website"  # a field people never see; bots fill it


def _client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


def _language(request, default: str) -> str:
    wanted = request.GET.get("lang") or request.POST.get("lang") or default
    return "en" if wanted.startswith("en") else "zh-hans"


def _refusal(request, error, *, embed: bool):
    return render(request, "feedback/public_refused.html", {"message": error.message, "embed": embed,
                                                            "code": error.code}, status=error.status)


def _questions(survey):
    rows = []
    for question in survey.questions.all():
        rows.append({"question": question, "key": f"q{question.pk}",
                     "scores": list(question.score_range()) if question.kind in (
                         QuestionKind.NPS, QuestionKind.CSAT, QuestionKind.SCALE) else [],
                     "options": question.options() if question.kind == QuestionKind.CHOICE else []})
    return rows


def _handle(request, *, survey, invitation, embed: bool, language: str):
    with translation.override(language):
        errors, values = {}, {}
        if request.method == "POST":
            values = {key: value for key, value in request.POST.items() if key.startswith("q")}
            if request.POST.get(HONEYPOT):
                # Pretend success to the bot; store nothing.
                return render(request, "feedback/public_thanks.html", {"embed": embed})
            try:
                services.response_submit(survey=survey, invitation=invitation, raw_answers=values,
                                         language=language, channel="embed" if embed else "link")
            except AnswersInvalid as error:
                errors = error.fields
            except InvitationUsed as error:
                return _refusal(request, error, embed=embed)
            else:
                return render(request, "feedback/public_thanks.html", {"embed": embed})
        return render(request, "feedback/public_survey.html", {
            "survey": survey, "greeting": invitation.greeting_name if invitation else "",
            "rows": _questions(survey), "errors": errors, "values": values, "embed": embed,
            "language": language, "honeypot": HONEYPOT,
        }, status=422 if errors else 200)


@csrf_exempt
@never_cache
def public_survey(request, token: str):
    if request.method not in ("GET", "POST"):
        return render(request, "feedback/public_refused.html", {"message": ""}, status=405)
    try:
        services.public_hit_record(client_address=_client_address(request))
        invitation = services.invitation_resolve(token)
    except (RateLimited, InvitationUnknown, InvitationExpired, InvitationUsed) as error:
        with translation.override(_language(request, "zh-hans")):
            return _refusal(request, error, embed=False)
    return _handle(request, survey=invitation.survey, invitation=invitation, embed=False,
                   language=_language(request, invitation.language))


@csrf_exempt
@never_cache
@xframe_options_exempt
@csp_replace({"frame-ancestors": settings.FEEDBACK_FRAME_ANCESTORS})
def embed_survey(request, token: str):
    if request.method not in ("GET", "POST"):
        return render(request, "feedback/public_refused.html", {"message": "", "embed": True}, status=405)
    try:
        services.public_hit_record(client_address=_client_address(request))
        survey = services.embed_resolve(token)
    except (RateLimited, InvitationUnknown, InvitationExpired) as error:
        with translation.override(_language(request, "zh-hans")):
            return _refusal(request, error, embed=True)
    return _handle(request, survey=survey, invitation=None, embed=True, language=_language(request, "zh-hans"))
