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


def user_admin_list(*, user, q: str = "", role: str = "", team_id: int | None = None,
                    active: bool | None = None) -> QuerySet[User]:
    """Every user, active or not, for the administrators who manage access (needs user:edit)."""
    access_require(user, Resource.USER, Action.EDIT)
    queryset = User.objects.select_related("team").prefetch_related("roles").order_by("username")
    if q:
        queryset = queryset.filter(Q(username__icontains=q) | Q(display_name__icontains=q) | Q(email__icontains=q))
    if role:
        queryset = queryset.filter(roles__code=role)
    if team_id:
        queryset = queryset.filter(team_id=team_id)
    if active is not None:
        queryset = queryset.filter(is_active=active)
    return queryset.distinct()


def user_admin_get(*, user, pk: int) -> User:
    from veracity.core.errors import NotFound

    found = user_admin_list(user=user).filter(pk=pk).first()
    if found is None:
        raise NotFound("No such user.")
    return found


def team_admin_get(*, user, pk: int) -> Team:
    from veracity.core.errors import NotFound

    access_require(user, Resource.TEAM, Action.EDIT)
    team = Team.objects.select_related("manager").filter(pk=pk).first()
    if team is None:
        raise NotFound("No such team.")
    return team


def permission_matrix(*, user) -> dict:
    """The whole matrix for the admin page and the API: {role: {(resource, action): scope}} plus the
    field grants {role: {(resource, field)}}."""
    from veracity.accounts.models import FieldPermission, Role, RolePermission

    access_require(user, Resource.USER, Action.EDIT)
    roles = {role.code: {} for role in Role.objects.all()}
    for code, resource, action, scope in RolePermission.objects.values_list("role__code", "resource", "action",
                                                                             "scope"):
        roles.setdefault(code, {})[(resource, action)] = scope
    fields: dict[str, set] = {code: set() for code in roles}
    for code, resource, field in FieldPermission.objects.values_list("role__code", "resource", "field"):
        fields.setdefault(code, set()).add((resource, field))
    return {"grants": roles, "fields": fields}
