import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from veracity.analytics.models import PeriodicReview, ReviewSubscription
from veracity.analytics.services.review_sections import (
    REVIEW_SECTIONS,
    ReviewSection,
    review_section_register,
)
from veracity.analytics.services.reviews import (
    periodic_review_run,
    review_period_bounds,
    review_subscription_create,
)
from veracity.analytics.tests.factories import book, customer, product

pytestmark = pytest.mark.django_db


def test_period_bounds_are_the_last_complete_week_and_month():
    assert review_period_bounds("weekly", dt.date(2026, 3, 11)) == (dt.date(2026, 3, 2), dt.date(2026, 3, 8))
    assert review_period_bounds("monthly", dt.date(2026, 3, 11)) == (dt.date(2026, 2, 1), dt.date(2026, 2, 28))


def test_weekly_review_is_archived_with_a_pdf_and_mailed_to_subscribers(manager_mei, rep_li, team_north):
    manager_mei.email = "mei@example.com"
    manager_mei.save()
    book(customer(rep_li, name="华北重工"), dt.date(2026, 3, 3), [(product(name="液压泵"), 2, "100.00")])
    review_subscription_create(actor=manager_mei, period="weekly", team=None)
    reviews = periodic_review_run(period="weekly", today=dt.date(2026, 3, 11))
    company = reviews[0]
    assert company.team is None and len(reviews) == 1 + len(type(team_north).objects.all())
    keys = [section["key"] for section in company.sections]
    assert keys[:4] == ["summary", "segments", "products", "pipeline"]
    assert {"forecast", "quality"} <= set(keys)
    summary = company.sections[0]
    assert summary["rows"][0][1] == "200.00"
    assert bytes(company.pdf).startswith(b"%PDF")
    assert b"FontFile2" in bytes(company.pdf)  # an embedded TrueType font that has Chinese glyphs
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.bcc == ["mei@example.com"]
    assert message.attachments[0][2] == "application/pdf"
    assert "液压泵" in message.alternatives[0][0]
    assert company.sent_to == ["mei@example.com"]


def test_review_in_chinese_renders_chinese_headings(manager_mei):
    reviews = periodic_review_run(period="monthly", today=dt.date(2026, 3, 11), language="zh-hans")
    with translation.override("zh-hans"):
        assert reviews[0].sections[0]["title"] == "销售概况"


def test_another_app_adds_a_section_after_a_named_one(manager_mei):
    original = list(REVIEW_SECTIONS)
    try:
        review_section_register("extra", lambda ctx: ReviewSection("extra", "Extra", rows=[["a", "b"]]),
                                after="summary")
        review = periodic_review_run(period="weekly", today=dt.date(2026, 3, 11))[0]
        assert [section["key"] for section in review.sections][:2] == ["summary", "extra"]
    finally:
        REVIEW_SECTIONS[:] = original


def test_archive_pages_and_pdf_download(manager_mei, rep_li, web_client_for):
    review = periodic_review_run(period="weekly", today=dt.date(2026, 3, 11))[0]
    client = web_client_for(manager_mei)
    assert review.title in client.get(reverse("analytics:review_list")).content.decode()
    assert client.get(reverse("analytics:review_detail", args=[review.pk])).status_code == 200
    pdf = client.get(reverse("analytics:review_pdf", args=[review.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert web_client_for(rep_li).get(reverse("analytics:review_detail", args=[review.pk])).status_code == 403


def test_subscribe_and_unsubscribe_from_the_page(manager_mei, team_north, web_client_for):
    client = web_client_for(manager_mei)
    client.post(reverse("analytics:review_subscribe"), {"period": "monthly", "team": team_north.pk})
    subscription = ReviewSubscription.objects.get(user=manager_mei)
    assert (subscription.period, subscription.team) == ("monthly", team_north)
    client.post(reverse("analytics:review_unsubscribe", args=[subscription.pk]))
    assert not ReviewSubscription.objects.exists()


def test_review_send_command_for_one_team(team_north, capsys):
    call_command("review", "send", "--period", "weekly", "--team", team_north.name, "--today", "2026-03-11")
    assert PeriodicReview.objects.get().team == team_north
