"""Reads for users, teams and tokens."""

from django.db.models import Q, QuerySet

from veracity.accounts.access import access_require, team_ids
from veracity.accounts.models import Action, ApiToken, Resource, RoleCode, Scope, Team, User


def user_list(*, user) -> QuerySet[User]:
    """Users the caller may see: their own account at least, more as the matrix allows."""
    scope = access_require(user, Resource.USER, Action.VIEW)
    queryset = User.objects.filter(is_active=True).select_related("team").prefetch_related("roles")
    return queryset.filter(_user_scope_q(user, scope))


def _user_scope_q(user, scope) -> Q:
    if scope == Scope.ALL:
        return Q()
    if scope == Scope.TEAM:
        return Q(team_id__in=list(team_ids(user))) | Q(pk=user.pk)
    return Q(pk=user.pk)


def assignable_owners(*, user, scope) -> QuerySet[User]:
    """People a record may be assigned to by `user` with `scope`: themselves, their team, or anyone."""
    return User.objects.filter(is_active=True).filter(_user_scope_q(user, scope)).order_by("username")


def team_list() -> QuerySet[Team]:
    return Team.objects.select_related("manager").order_by("name")


def api_token_list(*, user) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at")


def user_role_codes(user) -> set[str]:
    if not getattr(user, "is_authenticated", False):
        return set()
    cached = getattr(user, "_veracity_role_codes", None)
    if cached is None:
        cached = set(user.roles.values_list("code", flat=True))
        user._veracity_role_codes = cached
    return cached


def user_is_manager(user) -> bool:
    return RoleCode.SALES_MANAGER in user_role_codes(user)
