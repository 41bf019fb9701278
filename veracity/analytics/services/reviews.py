"""Periodic reviews: build the sections for a period and team, render them as an HTML email and a
PDF, archive them, and mail them to subscribers."""

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from veracity.accounts.access import access_require, can
from veracity.accounts.models import Action, Resource, Team
from veracity.analytics.models import PeriodicReview, ReviewPeriod, ReviewSubscription
from veracity.analytics.services.review_pdf import review_pdf_render
from veracity.analytics.services.review_sections import ReviewContext, review_sections_build
from veracity.analytics.services.rollups import rollups_refresh
from veracity.analytics.services.system import system_reader
from veracity.audit.models import AuditAction
from veracity.audit.services import audit_event_record
from veracity.core.errors import NotFound, ValidationFailed

logger = logging.getLogger(__name__)


def review_period_bounds(period: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """The last complete week (Monday–Sunday) or calendar month before `today`."""
    if period == ReviewPeriod.WEEKLY:
        end = today - dt.timedelta(days=today.weekday() + 1)
        return end - dt.timedelta(days=6), end
    if period == ReviewPeriod.MONTHLY:
        end = today.replace(day=1) - dt.timedelta(days=1)
        return end.replace(day=1), end
    raise ValidationFailed({"period": [_("Choose weekly or monthly.")]})


def review_title(period: str, start: dt.date, end: dt.date, team: Team | None) -> str:
    scope = team.name if team else _("Company")
    kind = ReviewPeriod(period).label
    return _("%(kind)s review %(start)s – %(end)s: %(scope)s") % {
        "kind": kind, "start": start.isoformat(), "end": end.isoformat(), "scope": scope}


@transaction.atomic
def periodic_review_create(*, actor, period: str, team: Team | None = None,
                           today: dt.date | None = None) -> PeriodicReview:
    """Build and archive the review of the last complete period. `actor=None` (the scheduler, the CLI)
    computes it as the all-seeing system reader; a person needs periodic_review edit."""
    if actor is not None:
        access_require(actor, Resource.PERIODIC_REVIEW, Action.EDIT)
    today = today or timezone.localdate()
    start, end = review_period_bounds(period, today)
    rollups_refresh()
    previous = PeriodicReview.objects.filter(period=period, team=team).order_by("-period_start", "-id").first()
    context = ReviewContext(user=system_reader(), period=period, period_start=start, period_end=end, team=team,
                            previous=previous)
    sections = [section.as_json() for section in review_sections_build(context)]
    title = review_title(period, start, end, team)
    html = render_to_string("analytics/review_email.html", {"title": title, "sections": sections,
                                                              "start": start, "end": end})
    review = PeriodicReview.objects.create(
        period=period, period_start=start, period_end=end, team=team, title=title, sections=sections, html=html,
        pdf=review_pdf_render(title=title, subtitle=f"{start.isoformat()} – {end.isoformat()}", sections=sections))
    audit_event_record(actor=actor, action=AuditAction.CREATE, obj=review, changes={"title": [None, title]})
    return review


def review_recipients(review: PeriodicReview) -> list[str]:
    """Subscribers of this kind of review who may still read reviews and have an address."""
    subscriptions = ReviewSubscription.objects.filter(period=review.period, team=review.team).select_related("user")
    return sorted({sub.user.email for sub in subscriptions
                   if sub.user.is_active and sub.user.email and can(sub.user, Resource.PERIODIC_REVIEW, Action.VIEW)})


def periodic_review_send(*, review: PeriodicReview) -> list[str]:
    recipients = review_recipients(review)
    if not recipients:
        return []
    message = EmailMultiAlternatives(subject=review.title, body=strip_tags(review.html),
                                     from_email=settings.DEFAULT_FROM_EMAIL, to=[],
                                     bcc=recipients)
    message.attach_alternative(review.html, "text/html")
    message.attach(f"review-{review.period_start.isoformat()}.pdf", bytes(review.pdf), "application/pdf")
    message.send()
    PeriodicReview.objects.filter(pk=review.pk).update(sent_to=recipients)
    review.sent_to = recipients
    return recipients


def periodic_review_run(*, period: str, team_name: str | None = None, today: dt.date | None = None,
                        language: str | None = None) -> list[PeriodicReview]:
    """Build, archive and send the company review and each team's (or one team's) for the period."""
    if period not in ReviewPeriod.values:
        raise ValidationFailed({"period": [_("Choose weekly or monthly.")]})
    if team_name:
        team = Team.objects.filter(name=team_name).first()
        if team is None:
            raise NotFound(_("There is no team called %(name)s.") % {"name": team_name})
        teams: list[Team | None] = [team]
    else:
        teams = [None, *Team.objects.order_by("name")]
    reviews = []
    with translation.override(language or settings.LANGUAGE_CODE):
        for team in teams:
            review = periodic_review_create(actor=None, period=period, team=team, today=today)
            periodic_review_send(review=review)
            reviews.append(review)
    return reviews


def periodic_review_run_if_month_start(*, today: dt.date | None = None) -> list[PeriodicReview]:
    """The scheduler has no monthly spec: this runs daily and acts on the first of the month."""
    today = today or timezone.localdate()
    if today.day != 1:
        return []
    return periodic_review_run(period=ReviewPeriod.MONTHLY, today=today)


def review_subscription_create(*, actor, period: str, team: Team | None) -> ReviewSubscription:
    access_require(actor, Resource.PERIODIC_REVIEW, Action.VIEW)
    if period not in ReviewPeriod.values:
        raise ValidationFailed({"period": [_("Choose weekly or monthly.")]})
    subscription, _created = ReviewSubscription.objects.get_or_create(user=actor, period=period, team=team)
    audit_event_record(actor=actor, action=AuditAction.CREATE, obj=subscription,
                       changes={"period": [None, period], "team": [None, team.name if team else None]})
    return subscription


def review_subscription_delete(*, actor, pk: int) -> None:
    """Only one's own subscriptions: another user's is NotFound."""
    access_require(actor, Resource.PERIODIC_REVIEW, Action.VIEW)
    subscription = ReviewSubscription.objects.filter(pk=pk, user=actor).first()
    if subscription is None:
        raise NotFound()
    audit_event_record(actor=actor, action=AuditAction.DELETE, obj=subscription)
    subscription.delete()


