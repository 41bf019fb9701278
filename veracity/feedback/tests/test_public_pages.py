"""The public survey pages are anonymous but write-only (SECURITY.md R23, T16)."""

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone

from veracity.activities.tests.factories import make_customer
from veracity.feedback import services
from veracity.feedback.models import InvitationSource, SurveyInvitation, SurveyResponse

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(service_sam):
    return services.survey_create(actor=service_sam, values={
        "name": "NPS", "kind": "nps", "title_en": "How did we do?", "title_zh": "我们做得怎么样？"})


@pytest.fixture
def link(survey, rep_li):
    customer = make_customer(rep_li, name="北京远景科技", email="secret@example.com", phone="+8613800138000")
    invitation, raw = services.invitation_create(actor=None, survey=survey, source=InvitationSource.LINK,
                                                 customer=customer, greeting_name="王女士")
    return invitation, raw


def _post(client, raw, survey, score, text, **extra):
    nps, comment = survey.questions.order_by("position")
    return client.post(f"/s/{raw}/", {f"q{nps.pk}": score, f"q{comment.pk}": text, **extra})


def test_anonymous_person_answers_once_and_sees_only_the_greeting(client, survey, link):
    invitation, raw = link
    page = client.get(f"/s/{raw}/")
    assert page.status_code == 200
    assert "王女士" in page.content.decode()
    for secret in ("secret@example.com", "13800138000", "北京远景科技"):
        assert secret not in page.content.decode()
    answered = _post(client, raw, survey, "3", "物流太慢了")
    assert answered.status_code == 200 and SurveyResponse.objects.get().nps_score == 3
    again = client.get(f"/s/{raw}/")
    assert again.status_code == 410
    assert "物流太慢了" not in again.content.decode()  # never shows an answer back
    second = _post(client, raw, survey, "10", "changed my mind")
    assert second.status_code == 410 and SurveyResponse.objects.get().nps_score == 3


def test_expired_link_is_refused_with_a_clear_page(client, survey, link):
    invitation, raw = link
    SurveyInvitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    response = _post(client, raw, survey, "9", "")
    assert response.status_code == 410 and b"expired" in response.content
    assert not SurveyResponse.objects.exists()


def test_unknown_token_reads_nothing(client, survey, link):
    response = client.get("/s/not-a-real-token-at-all/")
    assert response.status_code == 404
    assert survey.title_en.encode() not in response.content


def test_honeypot_submission_stores_nothing(client, survey, link):
    _invitation, raw = link
    response = _post(client, raw, survey, "5", "buy pills", website="http://spam.example")
    assert response.status_code == 200 and not SurveyResponse.objects.exists()


@override_settings(FEEDBACK_RATE_LIMIT=3)
def test_rate_limit_per_address_kicks_in(client, survey, link):
    _invitation, raw = link
    codes = [client.get(f"/s/{raw}/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert _post(client, raw, survey, "9", "").status_code == 429
    assert not SurveyResponse.objects.exists()


def test_invalid_score_is_refused_and_nothing_is_stored(client, survey, link):
    _invitation, raw = link
    response = _post(client, raw, survey, "11", "")
    assert response.status_code == 422 and not SurveyResponse.objects.exists()


def test_embeddable_form_may_be_framed_but_other_pages_may_not(client, survey, service_sam, web_client_for):
    raw = services.embed_code_create(actor=service_sam, survey=survey)
    embed = client.get(f"/s/embed/{raw}/")
    assert embed.status_code == 200
    assert "X-Frame-Options" not in embed
    policy = embed["Content-Security-Policy"]
    assert "frame-ancestors 'self' https:" in policy
    nps, _comment = survey.questions.order_by("position")
    assert client.post(f"/s/embed/{raw}/", {f"q{nps.pk}": "7"}).status_code == 200
    assert SurveyResponse.objects.get().customer is None
    staff_page = web_client_for(service_sam).get("/feedback/")
    assert staff_page["X-Frame-Options"] == "DENY" and "frame-ancestors 'none'" in staff_page["Content-Security-Policy"]


def test_staff_pages_render(survey, link, service_sam, manager_mei, web_client_for):
    _invitation, raw = link
    services.response_submit(survey=survey, invitation=_invitation, raw_answers={
        f"q{q.pk}": v for q, v in zip(survey.questions.order_by("position"), ("2", "Delivery was late"), strict=True)})
    client = web_client_for(service_sam)
    for url in ("/feedback/", f"/feedback/surveys/{survey.pk}/", "/feedback/responses/?theme=delivery",
                "/feedback/analysis/", "/exports/survey_responses/?format=csv"):
        assert client.get(url).status_code == 200, url
    link_page = client.post(f"/feedback/surveys/{survey.pk}/link/", {})
    assert link_page.status_code == 200 and b"/s/" in link_page.content
    home = web_client_for(manager_mei).get("/")
    assert "Unhappy customers to follow up" in home.content.decode()
