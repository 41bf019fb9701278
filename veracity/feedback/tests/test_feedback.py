import datetime as dt

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from veracity.activities.models import ActivityKind
from veracity.activities.tests.factories import make_customer, make_order
from veracity.feedback import selectors, services
from veracity.feedback.errors import InvitationUsed
from veracity.feedback.models import InvitationSource, SurveyInvitation, SurveyResponse, SurveyTrigger
from veracity.feedback.textanalysis import analyse
from veracity.service.services import ticket_create, ticket_status_change

pytestmark = pytest.mark.django_db


@pytest.fixture
def nps_survey(service_sam):
    return services.survey_create(actor=service_sam, values={
        "name": "After delivery", "kind": "nps", "title_en": "How did we do?", "title_zh": "我们做得怎么样？"})


def _link(survey, customer, **extra):
    invitation, raw = services.invitation_create(actor=None, survey=survey, source=InvitationSource.LINK,
                                                 customer=customer, **extra)
    return invitation, raw


def _answers(survey, score, text):
    nps, comment = survey.questions.order_by("position")
    return {f"q{nps.pk}": str(score), f"q{comment.pk}": text}


def test_tokens_are_long_random_and_stored_only_hashed(nps_survey, rep_li):
    invitation, raw = _link(nps_survey, make_customer(rep_li))
    assert len(raw) >= 43  # 32 bytes = 256 bits
    assert raw not in invitation.token_hash and invitation.token_hash == services.token_hash(raw)


def test_detractor_answer_attaches_to_customer_and_creates_follow_up_task_for_owner(nps_survey, rep_li, manager_mei):
    customer = make_customer(rep_li)
    order = make_order(customer, rep_li)
    invitation, _raw = _link(nps_survey, customer, order=order)
    response = services.response_submit(survey=nps_survey, invitation=invitation,
                                        raw_answers=_answers(nps_survey, 3, "物流太慢了，客服态度也不好"))
    assert (response.customer, response.order, response.rep, response.nps_score) == (customer, order, rep_li, 3)
    task = response.follow_up
    assert task.kind == ActivityKind.TASK and task.assignee == rep_li and not task.done
    assert selectors.open_follow_ups(user=manager_mei) == [response]
    task.done = True
    task.save()
    assert selectors.open_follow_ups(user=manager_mei) == []


def test_promoter_creates_no_follow_up(nps_survey, rep_li):
    invitation, _raw = _link(nps_survey, make_customer(rep_li))
    response = services.response_submit(survey=nps_survey, invitation=invitation,
                                        raw_answers=_answers(nps_survey, 10, "Great product"))
    assert response.follow_up is None


def test_one_answer_per_invitation(nps_survey, rep_li):
    invitation, _raw = _link(nps_survey, make_customer(rep_li))
    services.response_submit(survey=nps_survey, invitation=invitation, raw_answers=_answers(nps_survey, 8, ""))
    with pytest.raises(InvitationUsed):
        services.response_submit(survey=nps_survey, invitation=invitation, raw_answers=_answers(nps_survey, 0, ""))
    assert SurveyResponse.objects.count() == 1


def test_text_answers_get_keywords_themes_and_sentiment_in_both_languages():
    chinese = analyse("物流太慢了，客服态度也不好")
    english = analyse("Delivery was late and the support staff were rude and unhelpful.")
    assert {"delivery", "service"} <= set(chinese["themes"]) and chinese["sentiment"] < 0
    assert "delivery" in english["themes"] and "late" in english["keywords"]
    assert analyse("质量很好，非常满意")["sentiment"] > 0


def test_analysis_counts_nps_and_themes_with_answers_one_click_away(nps_survey, rep_li, marketing_ana):
    for score, text in ((3, "物流太慢了"), (10, "Excellent quality"), (9, "")):
        invitation, _raw = _link(nps_survey, make_customer(rep_li))
        services.response_submit(survey=nps_survey, invitation=invitation, raw_answers=_answers(nps_survey, score, text))
    summary = selectors.nps_summary(selectors.response_list(user=marketing_ana))
    assert (summary["promoters"], summary["detractors"], summary["nps"]) == (2, 1, 33.3)
    themes = {row["theme"]: row["count"] for row in selectors.text_themes(user=marketing_ana)["themes"]}
    assert themes["delivery"] == 1
    behind = selectors.response_list(user=marketing_ana, filters=selectors.ResponseFilters(theme="delivery"))
    assert [response.nps_score for response in behind] == [3]
    by_rep = selectors.nps_breakdown(user=marketing_ana, dimension="rep")
    assert by_rep[0]["responses"] == 3


def test_rep_sees_only_answers_about_own_customers(nps_survey, rep_li, rep_bob):
    invitation, _raw = _link(nps_survey, make_customer(rep_bob))
    services.response_submit(survey=nps_survey, invitation=invitation, raw_answers=_answers(nps_survey, 2, ""))
    assert selectors.response_list(user=rep_li).count() == 0
    assert selectors.nps_summary(selectors.response_list(user=rep_li))["responses"] == 0


def test_customer_satisfaction_gives_latest_scores(nps_survey, rep_li):
    customer = make_customer(rep_li)
    for score, when in ((9, timezone.now() - dt.timedelta(days=30)), (4, timezone.now())):
        invitation, _raw = _link(nps_survey, customer)
        services.response_submit(survey=nps_survey, invitation=invitation, raw_answers=_answers(nps_survey, score, ""),
                                 submitted_at=when)
    result = selectors.customer_satisfaction([customer.pk, 999999])
    assert list(result) == [customer.pk]
    assert (result[customer.pk]["nps"], result[customer.pk]["nps_category"], result[customer.pk]["csat"]) == (
        4, "detractor", None)


@override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
def test_automatic_send_after_delivery_and_ticket_close_is_idempotent(service_sam, rep_li):
    services.survey_create(actor=service_sam, values={"name": "Delivered", "kind": "nps", "title_en": "Delivered?",
                                                      "trigger": SurveyTrigger.ORDER_DELIVERED})
    services.survey_create(actor=service_sam, values={"name": "Closed", "kind": "csat", "title_en": "Service?",
                                                      "trigger": SurveyTrigger.TICKET_CLOSED})
    customer = make_customer(rep_li, email="buyer@example.com")
    make_order(customer, rep_li, status="delivered")
    ticket = ticket_create(actor=service_sam, values={"subject": "Help", "customer": customer.pk})
    ticket_status_change(actor=service_sam, ticket=ticket, status="closed")
    first = services.feedback_send_run()
    second = services.feedback_send_run()
    assert first["sent"] == 2 and second["sent"] == 0
    assert SurveyInvitation.objects.count() == 2
    assert len(mail.outbox) == 2
    message = mail.outbox[0]
    assert message.to == ["buyer@example.com"] and "/s/" in message.body
    assert message.alternatives and "/s/" in message.alternatives[0][0]
