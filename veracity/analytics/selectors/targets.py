"""Reads for sales targets, scoped (reps see their own, managers their team's)."""

from django.db.models import QuerySet

from veracity.accounts.access import scoped
from veracity.accounts.models import Action, Resource
from veracity.analytics.models import SalesTarget
from veracity.core.errors import NotFound


def sales_target_list(*, user, action: str = Action.VIEW, rep: int | None = None) -> QuerySet[SalesTarget]:
    queryset = scoped(SalesTarget.objects.select_related("user", "user__team"), user=user,
                      resource=Resource.SALES_TARGET, action=action)
    if rep:
        queryset = queryset.filter(user_id=rep)
    return queryset.order_by("-period_start", "user__username", "id")


def sales_target_get(*, user, pk: int, action: str = Action.VIEW) -> SalesTarget:
    target = sales_target_list(user=user, action=action).filter(pk=pk).first()
    if target is None:
        raise NotFound()
    return target
