"""Writes for surveys, questions, invitations and answers; the automatic sends; the closed loop.

The public pages call only `invitation_resolve`, `embed_resolve`, `public_hit_record` and
`response_submit`: they can write an answer and read nothing but the survey's own questions and
the invitation's greeting name."""

import datetime as dt
import hashlib
import hmac
import secrets
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from veracity.accounts.access import access_require, scoped
from veracity.accounts.models import Action, Resource
from veracity.activities.models import ActivityKind
from veracity.activities.services import activity_create
from veracity.audit.models import AuditAction
from veracity.audit.services import audit_event_record
from veracity.core.errors import ValidationFailed
from veracity.core.normalisation import clean_text
from veracity.core.services import record_create, record_soft_delete, record_update
from veracity.customers.models import Customer
from veracity.feedback import textanalysis
from veracity.feedback.errors import (
    AnswersInvalid,
    InvitationExpired,
    InvitationUnknown,
    InvitationUsed,
    QuestionInvalid,
    RateLimited,
)
from veracity.feedback.models import (
    Answer,
    InvitationSource,
    PublicHit,
    Question,
    QuestionKind,
    SendRun,
    Survey,
    SurveyInvitation,
    SurveyKind,
    SurveyResponse,
    SurveyTrigger,
)
from veracity.sales.models import Order, OrderStatus
from veracity.service.models import Ticket, TicketStatus

SURVEY_WRITABLE_FIELDS = ("name", "kind", "trigger", "title_en", "title_zh", "intro_en", "intro_zh", "is_active")
QUESTION_WRITABLE_FIELDS = ("kind", "text_en", "text_zh", "choices_en", "choices_zh", "scale_min", "scale_max",
                            "required", "position")
DETRACTOR_MAX = 6      # NPS 0–6
LOW_CSAT_MAX = 2       # CSAT 1–2 of 5
FOLLOW_UP_DAYS = 2
FIRST_RUN_LOOKBACK = dt.timedelta(days=14)  # the first automatic send does not mail all history
TEXT_MAX = 5000


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def token_new() -> tuple[str, str]:
    """(raw token for the link, its hash for the database): 256 random bits."""
    raw = secrets.token_urlsafe(32)
    return raw, token_hash(raw)


# ---------------------------------------------------------------------------------------------
# Surveys and questions

def _clean_survey(values: dict[str, Any], *, instance: Survey | None) -> dict[str, Any]:
    unknown = set(values) - set(SURVEY_WRITABLE_FIELDS)
    if unknown:
        raise ValidationFailed({name: [_("This field cannot be set.")] for name in sorted(unknown)})
    cleaned = dict(values)
    errors: dict[str, list[str]] = {}
    for name in ("name", "title_en", "title_zh"):
        if name in cleaned:
            cleaned[name] = clean_text(str(cleaned[name] or ""))
    for name in ("intro_en", "intro_zh"):
        if name in cleaned:
            cleaned[name] = str(cleaned[name] or "").strip()
    if (instance is None or "name" in cleaned) and not cleaned.get("name", instance.name if instance else ""):
        errors["name"] = [_("Name the survey.")]
    if (instance is None or "title_en" in cleaned) and not (cleaned.get("title_en") or cleaned.get("title_zh")
                                                           or (instance and (instance.title_en or instance.title_zh))):
        errors["title_en"] = [_("Give the survey a title in English or Chinese.")]
    if "kind" in cleaned and cleaned["kind"] not in SurveyKind.values:
        errors["kind"] = [_("Choose one of the listed values.")]
    if "trigger" in cleaned and cleaned["trigger"] not in SurveyTrigger.values:
        errors["trigger"] = [_("Choose one of the listed values.")]
    if errors:
        raise ValidationFailed(errors)
    return cleaned


@transaction.atomic
def survey_create(*, actor, values: dict[str, Any], with_default_questions: bool = True) -> Survey:
    """A new survey. NPS and CSAT surveys start with their score question and a comment question."""
    if actor is not None:
        access_require(actor, Resource.SURVEY, Action.CREATE)
    cleaned = _clean_survey(values, instance=None)
    survey = record_create(instance=Survey(**cleaned), actor=actor)
    if with_default_questions and survey.kind in (SurveyKind.NPS, SurveyKind.CSAT):
        if survey.kind == SurveyKind.NPS:
            Question.objects.create(survey=survey, position=1, kind=QuestionKind.NPS, required=True,
                                    text_en="How likely are you to recommend us to a friend or colleague?",
                                    text_zh="您有多大可能向朋友或同事推荐我们？")
        else:
            Question.objects.create(survey=survey, position=1, kind=QuestionKind.CSAT, required=True,
                                    text_en="How satisfied are you with us?", text_zh="您对我们的服务满意吗？")
        Question.objects.create(survey=survey, position=2, kind=QuestionKind.TEXT,
                                text_en="What is the main reason for your score?", text_zh="您给出这个评分的主要原因是什么？")
    return survey


@transaction.atomic
def survey_update(*, actor, survey: Survey, values: dict[str, Any], expected_version: int | None,
                  from_if_match: bool = False) -> Survey:
    if actor is not None:
        access_require(actor, Resource.SURVEY, Action.EDIT)
    cleaned = _clean_survey(values, instance=survey)
    return record_update(instance=survey, actor=actor, values=cleaned, expected_version=expected_version,
                         from_if_match=from_if_match)


@transaction.atomic
def survey_delete(*, actor, survey: Survey) -> None:
    if actor is not None:
        access_require(actor, Resource.SURVEY, Action.DELETE)
    record_soft_delete(instance=survey, actor=actor)


@transaction.atomic
def question_add(*, actor, survey: Survey, values: dict[str, Any]) -> Question:
    if actor is not None:
        access_require(actor, Resource.SURVEY, Action.EDIT)
    unknown = set(values) - set(QUESTION_WRITABLE_FIELDS)
    if unknown:
        raise QuestionInvalid({name: [_("This field cannot be set.")] for name in sorted(unknown)})
    question = Question(survey=survey, **values)
    question.text_en = clean_text(question.text_en or "")
    question.text_zh = clean_text(question.text_zh or "")
    errors: dict[str, list[str]] = {}
    if question.kind not in QuestionKind.values:
        errors["kind"] = [_("Choose one of the listed values.")]
    if not (question.text_en or question.text_zh):
        errors["text_en"] = [_("Write the question in English or Chinese.")]
    if question.kind == QuestionKind.CHOICE:
        options_en = [line for line in (question.choices_en or "").splitlines() if line.strip()]
        options_zh = [line for line in (question.choices_zh or "").splitlines() if line.strip()]
        if len(options_en) < 2:
            errors["choices_en"] = [_("A choice question needs at least two options, one per line.")]
        elif options_zh and len(options_zh) != len(options_en):
            errors["choices_zh"] = [_("Give as many Chinese options as English ones, in the same order.")]
    if question.kind == QuestionKind.SCALE and not (-10 <= question.scale_min < question.scale_max <= 100):
        errors["scale_max"] = [_("The scale must run from a lower to a higher number (−10 to 100).")]
    if errors:
        raise QuestionInvalid(errors)
    if not values.get("position"):
        last = survey.questions.order_by("-position").values_list("position", flat=True).first()
        question.position = (last or 0) + 1
    question.save()
    audit_event_record(actor=actor, action=AuditAction.UPDATE, obj=survey, changes={"question": [None, question.text_en]})
    return question


@transaction.atomic
def question_delete(*, actor, question: Question) -> None:
    if actor is not None:
        access_require(actor, Resource.SURVEY, Action.EDIT)
    if question.answers.exists():
        raise QuestionInvalid({"__all__": [_("This question has answers; it cannot be removed.")]})
    audit_event_record(actor=actor, action=AuditAction.UPDATE, obj=question.survey,
                       changes={"question": [question.text_en, None]})
    question.delete()


# ---------------------------------------------------------------------------------------------
# Invitations and links

def _language_for(customer: Customer | None) -> str:
    return "en" if customer is not None and customer.country and customer.country != "CN" else "zh-hans"


def public_url(path: str) -> str:
    return f"{settings.PUBLIC_BASE_URL}{path}"


def invitation_url(raw_token: str) -> str:
    return public_url(reverse("feedback:public_survey", args=[raw_token]))


def invitation_create(*, actor, survey: Survey, source: str, customer: Customer | None = None,
                      order: Order | None = None, ticket: Ticket | None = None, rep=None, email: str = "",
                      greeting_name: str = "", language: str | None = None) -> tuple[SurveyInvitation, str]:
    """A personal, single-use link. Returns the invitation and the raw token, which is not stored
    and cannot be shown again."""
    if actor is not None:
        access_require(actor, Resource.SURVEY, Action.EDIT)
        if customer is not None:
            # Inviting needs sight of the customer: no links for customers outside one's scope.
            scoped(Customer.objects.filter(pk=customer.pk), user=actor, resource=Resource.CUSTOMER).get()
    if not survey.is_active:
        raise ValidationFailed({"survey": [_("This survey is not active.")]})
    raw, hashed = token_new()
    invitation = SurveyInvitation.objects.create(
        survey=survey, token_hash=hashed, source=source, customer=customer, order=order, ticket=ticket,
        rep=rep or (customer.owner if customer else None), email=email,
        greeting_name=(greeting_name or (customer.name if customer else ""))[:100],
        language=language or _language_for(customer), created_by=actor if getattr(actor, "pk", None) else None,
        expires_at=timezone.now() + dt.timedelta(days=settings.FEEDBACK_LINK_DAYS),
    )
    audit_event_record(actor=actor, action=AuditAction.CREATE, obj=survey,
                       changes={"invitation": [None, invitation.pk]}, extra={"source": source})
    return invitation, raw


def invitation_email_send(*, invitation: SurveyInvitation, raw_token: str) -> bool:
    """Mail the personal link (HTML and plain text, in the invitation's language). False when
    there is no address to send to."""
    if not invitation.email:
        return False
    context = {"survey": invitation.survey, "name": invitation.greeting_name, "url": invitation_url(raw_token),
               "expires_at": invitation.expires_at}
    with translation.override(invitation.language):
        subject = invitation.survey.title
        text = render_to_string("feedback/email/invitation.txt", context)
        html = render_to_string("feedback/email/invitation.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[invitation.email])
    message.attach_alternative(html, "text/html")
    message.send()
    SurveyInvitation.objects.filter(pk=invitation.pk).update(sent_at=timezone.now())
    return True


def _customer_email(customer: Customer, contact=None) -> tuple[str, str]:
    """(address, greeting name): the contact's when there is one with an address, else the customer's."""
    if contact is not None and contact.email:
        return contact.email, contact.name
    if customer.email:
        return customer.email, customer.name
    primary = customer.contacts.exclude(email="").order_by("-is_primary", "id").first()
    if primary is not None:
        return primary.email, primary.name
    return "", customer.name


def survey_invite_by_email(*, actor, survey: Survey, customer: Customer) -> SurveyInvitation:
    email, name = _customer_email(customer)
    if not email:
        raise ValidationFailed({"customer": [_("This customer has no e-mail address, nor a contact with one.")]})
    invitation, raw = invitation_create(actor=actor, survey=survey, source=InvitationSource.EMAIL,
                                        customer=customer, email=email, greeting_name=name)
    transaction.on_commit(lambda: invitation_email_send(invitation=invitation, raw_token=raw))
    return invitation


@transaction.atomic
def embed_code_create(*, actor, survey: Survey, days: int = 365) -> str:
    """A new token for the embeddable form (replacing any earlier one). Returns the raw token."""
    if actor is not None:
        access_require(actor, Resource.SURVEY, Action.EDIT)
    raw, hashed = token_new()
    Survey.objects.filter(pk=survey.pk).update(embed_token_hash=hashed,
                                               embed_expires_at=timezone.now() + dt.timedelta(days=days))
    audit_event_record(actor=actor, action=AuditAction.UPDATE, obj=survey, changes={"embed_code": [None, "new"]})
    return raw


def invitation_resolve(raw_token: str, *, for_update: bool = False) -> SurveyInvitation:
    """The invitation behind a link, if it may still be answered."""
    if not raw_token or len(raw_token) > 100:
        raise InvitationUnknown()
    queryset = SurveyInvitation.objects.select_related("survey")
    if for_update:
        queryset = queryset.select_for_update()
    invitation = queryset.filter(token_hash=token_hash(raw_token)).first()
    if invitation is None or invitation.survey.deleted_at is not None:
        raise InvitationUnknown()
    if invitation.answered_at is not None:
        raise InvitationUsed()
    if invitation.expires_at <= timezone.now() or not invitation.survey.is_active:
        raise InvitationExpired()
    return invitation


def embed_resolve(raw_token: str) -> Survey:
    if not raw_token or len(raw_token) > 100:
        raise InvitationUnknown()
    survey = Survey.objects.filter(embed_token_hash=token_hash(raw_token)).first() if raw_token else None
    if survey is None:
        raise InvitationUnknown()
    if not survey.is_active or survey.embed_expires_at is None or survey.embed_expires_at <= timezone.now():
        raise InvitationExpired()
    return survey


def _client_hash(address: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), (address or "unknown").encode(), hashlib.sha256).hexdigest()


def public_hit_record(*, client_address: str, now: dt.datetime | None = None) -> None:
    """Count one public request from this address; RateLimited past the allowance in the window."""
    now = now or timezone.now()
    window_start = now - dt.timedelta(seconds=settings.FEEDBACK_RATE_WINDOW_SECONDS)
    client = _client_hash(client_address)
    PublicHit.objects.filter(created_at__lt=window_start - dt.timedelta(days=1)).delete()
    if PublicHit.objects.filter(client_hash=client, created_at__gte=window_start).count() >= settings.FEEDBACK_RATE_LIMIT:
        raise RateLimited()
    PublicHit.objects.create(client_hash=client, created_at=now)


# ---------------------------------------------------------------------------------------------
# Answers

def _clean_answers(survey: Survey, raw: dict[str, str]) -> list[Answer]:
    answers: list[Answer] = []
    errors: dict[str, list[str]] = {}
    for question in survey.questions.all():
        key = f"q{question.pk}"
        value = str(raw.get(key, "") or "").strip()
        if not value:
            if question.required:
                errors[key] = [_("Please answer this question.")]
            continue
        answer = Answer(question=question)
        if question.kind in (QuestionKind.NPS, QuestionKind.CSAT, QuestionKind.SCALE):
            number = int(value) if value.lstrip("-").isdigit() else None
            if number is None or number not in question.score_range():
                errors[key] = [_("Choose one of the offered scores.")]
                continue
            answer.number = number
        elif question.kind == QuestionKind.CHOICE:
            if value not in [stored for stored, _label in question.options()]:
                errors[key] = [_("Choose one of the offered options.")]
                continue
            answer.choice = value
        else:
            if len(value) > TEXT_MAX:
                errors[key] = [_("Please keep your answer under 5,000 characters.")]
                continue
            answer.text = value
        answers.append(answer)
    if not answers and not errors:
        errors["__all__"] = [_("Please answer at least one question.")]
    if errors:
        raise AnswersInvalid(errors, message=_("Some answers need another look."))
    return answers


@transaction.atomic
def response_submit(*, survey: Survey, raw_answers: dict[str, str], invitation: SurveyInvitation | None = None,
                    language: str = "", channel: str = "link", submitted_at: dt.datetime | None = None
                    ) -> SurveyResponse:
    """Store one filled-in survey. The customer, order, ticket and rep come from the invitation
    (never from the form). A detractor (NPS ≤ 6) or a low CSAT (≤ 2) raises a follow-up task for
    the customer's owner. A second answer to the same invitation is refused."""
    if invitation is not None:
        invitation = SurveyInvitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.answered_at is not None:
            raise InvitationUsed()
    answers = _clean_answers(survey, raw_answers)
    response = SurveyResponse(
        survey=survey, invitation=invitation, language=language[:8], channel=channel,
        submitted_at=submitted_at or timezone.now(),
        customer=invitation.customer if invitation else None, order=invitation.order if invitation else None,
        ticket=invitation.ticket if invitation else None, rep=invitation.rep if invitation else None,
    )
    texts = []
    for answer in answers:
        kind = answer.question.kind
        if kind == QuestionKind.NPS and response.nps_score is None:
            response.nps_score = answer.number
        elif kind == QuestionKind.CSAT and response.csat_score is None:
            response.csat_score = answer.number
        elif answer.text:
            analysis = textanalysis.analyse(answer.text)
            answer.keywords, answer.themes, answer.sentiment = (analysis["keywords"], analysis["themes"],
                                                                analysis["sentiment"])
            texts.append(answer.text)
    response.comment = "\n".join(texts)
    scores = [answer.sentiment for answer in answers if answer.sentiment is not None]
    response.sentiment = round(sum(scores) / len(scores), 3) if scores else None
    try:
        with transaction.atomic():
            response.save()
    except IntegrityError as error:  # the OneToOne on invitation: someone answered first
        raise InvitationUsed() from error
    for answer in answers:
        answer.response = response
    Answer.objects.bulk_create(answers)
    if invitation is not None:
        SurveyInvitation.objects.filter(pk=invitation.pk).update(answered_at=response.submitted_at)
    audit_event_record(actor=None, action=AuditAction.CREATE, obj=response,
                       changes={"nps_score": [None, response.nps_score], "csat_score": [None, response.csat_score]})
    if needs_follow_up(response):
        follow_up_create(response=response)
    return response


def needs_follow_up(response: SurveyResponse) -> bool:
    return bool(response.customer_id and (
        (response.nps_score is not None and response.nps_score <= DETRACTOR_MAX)
        or (response.csat_score is not None and response.csat_score <= LOW_CSAT_MAX)))


def follow_up_create(*, response: SurveyResponse):
    """The closed loop: a task for the customer's owner, due in two days, linked to the answer. It
    stays on the manager's dashboard until the task is done."""
    if response.follow_up_id:
        return response.follow_up
    customer = response.customer
    score = (_("NPS %(score)s/10") % {"score": response.nps_score} if response.nps_score is not None
             else _("CSAT %(score)s/5") % {"score": response.csat_score})
    activity = activity_create(actor=None, owner=customer.owner, values={
        "kind": ActivityKind.TASK, "customer": customer.pk, "assignee": customer.owner_id,
        "order": response.order_id,
        "due_at": response.submitted_at + dt.timedelta(days=FOLLOW_UP_DAYS),
        "subject": (_("Follow up on feedback (%(score)s): %(name)s") % {"score": score, "name": customer.name})[:200],
        "body": response.comment or _("No comment was left."),
    })
    SurveyResponse.objects.filter(pk=response.pk).update(follow_up=activity)
    response.follow_up = activity
    return activity


# ---------------------------------------------------------------------------------------------
# Automatic sends

def _send_for(survey: Survey, *, source: str, customer: Customer, contact, order=None, ticket=None, rep=None
              ) -> str:
    email, name = _customer_email(customer, contact)
    try:
        with transaction.atomic():
            invitation, raw = invitation_create(actor=None, survey=survey, source=source, customer=customer,
                                                order=order, ticket=ticket, rep=rep, email=email, greeting_name=name)
    except IntegrityError:
        return "already"
    if not email:
        return "no_email"
    invitation_email_send(invitation=invitation, raw_token=raw)
    return "sent"


def feedback_send_run(*, now: dt.datetime | None = None) -> dict[str, int]:
    """The scheduled send: a survey invitation for each order delivered and each ticket closed since
    the last run, for every active survey with that trigger. Idempotent: an order or ticket gets
    one invitation per survey whatever runs again (the database refuses a second)."""
    now = now or timezone.now()
    counts = {"sent": 0, "no_email": 0, "already": 0}
    plans = (
        (SurveyTrigger.ORDER_DELIVERED, "order_delivered"),
        (SurveyTrigger.TICKET_CLOSED, "ticket_closed"),
    )
    for trigger, run_name in plans:
        run = SendRun.objects.filter(name=run_name).first()
        since = (run.last_run_at if run else now - FIRST_RUN_LOOKBACK) - dt.timedelta(minutes=5)  # overlap
        surveys = list(Survey.objects.filter(trigger=trigger, is_active=True))
        if surveys and trigger == SurveyTrigger.ORDER_DELIVERED:
            orders = (Order.objects.filter(status=OrderStatus.DELIVERED, updated_at__gte=since, updated_at__lte=now)
                      .select_related("customer", "contact", "salesperson"))
            for survey in surveys:
                for order in orders:
                    if SurveyInvitation.objects.filter(survey=survey, order=order,
                                                       source=InvitationSource.ORDER_DELIVERED).exists():
                        counts["already"] += 1
                        continue
                    outcome = _send_for(survey, source=InvitationSource.ORDER_DELIVERED, customer=order.customer,
                                        contact=order.contact, order=order, rep=order.salesperson)
                    counts[outcome] += 1
        elif surveys:
            tickets = (Ticket.objects.filter(status=TicketStatus.CLOSED, closed_at__gte=since, closed_at__lte=now)
                       .select_related("customer", "contact", "assignee", "order"))
            for survey in surveys:
                for ticket in tickets:
                    if SurveyInvitation.objects.filter(survey=survey, ticket=ticket,
                                                       source=InvitationSource.TICKET_CLOSED).exists():
                        counts["already"] += 1
                        continue
                    outcome = _send_for(survey, source=InvitationSource.TICKET_CLOSED, customer=ticket.customer,
                                        contact=ticket.contact, order=ticket.order, ticket=ticket,
                                        rep=ticket.assignee or ticket.customer.owner)
                    counts[outcome] += 1
        SendRun.objects.update_or_create(name=run_name, defaults={"last_run_at": now})
    return counts
