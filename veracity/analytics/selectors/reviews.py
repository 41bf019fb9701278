"""Reads of the review archive and subscriptions."""

from django.db.models import QuerySet

from veracity.accounts.access import scoped
from veracity.accounts.models import Action, Resource, Team
from veracity.analytics.models import PeriodicReview, ReviewSubscription
from veracity.core.errors import NotFound


def periodic_review_list(*, user, action: str = Action.VIEW) -> QuerySet[PeriodicReview]:
    return scoped(PeriodicReview.objects.select_related("team").defer("pdf", "html"), user=user,
                  resource=Resource.PERIODIC_REVIEW, action=action).order_by("-period_start", "-id")


def periodic_review_get(*, user, pk: int) -> PeriodicReview:
    review = scoped(PeriodicReview.objects.select_related("team"), user=user,
                    resource=Resource.PERIODIC_REVIEW, action=Action.VIEW).filter(pk=pk).first()
    if review is None:
        raise NotFound()
    return review


def review_subscription_list(*, user) -> QuerySet[ReviewSubscription]:
    scoped(ReviewSubscription.objects.none(), user=user, resource=Resource.PERIODIC_REVIEW, action=Action.VIEW)
    return ReviewSubscription.objects.filter(user=user).select_related("team").order_by("period", "team__name")


def review_team_choices(*, user) -> QuerySet[Team]:
    scoped(Team.objects.none(), user=user, resource=Resource.PERIODIC_REVIEW, action=Action.VIEW)
    return Team.objects.order_by("name")
