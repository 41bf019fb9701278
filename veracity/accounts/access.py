"""The access checks every read and write goes through (SECURITY.md R1–R3).

Three questions, in order:
1. function level — may this user do `action` on `resource` at all? (`access_scope`, `access_require`)
2. object level — which records? (`scope_q` builds the filter each selector applies to its queryset)
3. field level — which restricted fields may they see? (`field_visible`, `hidden_fields`)

The answers come from the permission matrix (RolePermission / FieldPermission rows), cached on the
user object for the length of a request."""

from collections.abc import Sequence

from django.db.models import Q

from veracity.accounts.models import Action, FieldPermission, Resource, RolePermission, Scope
from veracity.core.errors import PermissionDenied

# Fields hidden from every role that has no FieldPermission grant for them.
RESTRICTED_FIELDS: dict[str, tuple[str, ...]] = {
    Resource.PRODUCT: ("cost_price", "margin"),
    Resource.ORDER: ("cost_total", "margin"),
}

_GRANTS_CACHE = "_veracity_grants"
_FIELDS_CACHE = "_veracity_field_grants"
_TEAMS_CACHE = "_veracity_team_ids"


def _is_usable(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def grants(user) -> dict[tuple[str, str], int]:
    """{(resource, action): widest scope} for the user's roles."""
    if not _is_usable(user):
        return {}
    cached = getattr(user, _GRANTS_CACHE, None)
    if cached is None:
        cached = {}
        rows = RolePermission.objects.filter(role__users=user).values_list("resource", "action", "scope")
        for resource, action, scope in rows:
            key = (resource, action)
            cached[key] = max(cached.get(key, 0), scope)
        setattr(user, _GRANTS_CACHE, cached)
    return cached


def forget_cached_access(user) -> None:
    for attribute in (_GRANTS_CACHE, _FIELDS_CACHE, _TEAMS_CACHE):
        if hasattr(user, attribute):
            delattr(user, attribute)


def access_scope(user, resource: str, action: str) -> Scope | None:
    scope = grants(user).get((str(resource), str(action)))
    return Scope(scope) if scope else None


def access_require(user, resource: str, action: str) -> Scope:
    scope = access_scope(user, resource, action)
    if scope is None:
        raise PermissionDenied(
            f"You may not {Action(action).label.lower()} {Resource(resource).label.lower()}.",
            detail={"resource": str(resource), "action": str(action)},
        )
    return scope


def can(user, resource: str, action: str) -> bool:
    return access_scope(user, resource, action) is not None


def team_ids(user) -> frozenset[int]:
    """The teams whose records a team-scoped user reaches: their own and those they manage."""
    if not _is_usable(user):
        return frozenset()
    cached = getattr(user, _TEAMS_CACHE, None)
    if cached is None:
        managed = set(user.managed_teams.values_list("id", flat=True))
        if user.team_id:
            managed.add(user.team_id)
        cached = frozenset(managed)
        setattr(user, _TEAMS_CACHE, cached)
    return cached


def scope_q(user, scope: Scope, owner_paths: Sequence[str]) -> Q:
    """A filter selecting the records `scope` reaches. `owner_paths` are lookups to the user(s) that
    own a record, e.g. ("owner",) for customers or ("customer__owner", "assignee") for activities."""
    if scope == Scope.ALL:
        return Q()
    condition = Q(pk__in=[])
    for path in owner_paths:
        if scope == Scope.OWN:
            condition |= Q(**{path: user})
        else:
            condition |= Q(**{f"{path}__team_id__in": list(team_ids(user))}) | Q(**{path: user})
    return condition


def field_grants(user) -> frozenset[tuple[str, str]]:
    if not _is_usable(user):
        return frozenset()
    cached = getattr(user, _FIELDS_CACHE, None)
    if cached is None:
        cached = frozenset(
            FieldPermission.objects.filter(role__users=user).values_list("resource", "field")
        )
        setattr(user, _FIELDS_CACHE, cached)
    return cached


def field_visible(user, resource: str, field: str) -> bool:
    if field not in RESTRICTED_FIELDS.get(str(resource), ()):
        return True
    return (str(resource), field) in field_grants(user)


def hidden_fields(user, resource: str) -> frozenset[str]:
    return frozenset(
        field for field in RESTRICTED_FIELDS.get(str(resource), ()) if not field_visible(user, resource, field)
    )


def user_can_reach_owner(user, scope: Scope, owner) -> bool:
    """Whether a record owned by `owner` falls inside `scope` for `user` (used when assigning)."""
    if scope == Scope.ALL:
        return True
    if owner is None:
        return False
    if owner.pk == user.pk:
        return True
    return scope == Scope.TEAM and owner.team_id in team_ids(user)


# Who "owns" a record of each resource, as lookups from the record to users. A rep's "own" records
# are those where one of these is the rep; a manager's "team" records those where one of these is
# in a team they belong to or manage. One table, so every list, search, export and report agrees.
OWNER_PATHS: dict[str, tuple[str, ...]] = {
    Resource.CUSTOMER: ("owner",),
    Resource.CONTACT: ("customer__owner",),
    Resource.ORDER: ("customer__owner", "salesperson"),
    Resource.OPPORTUNITY: ("customer__owner", "owner"),
    Resource.ACTIVITY: ("customer__owner", "owner", "assignee"),
}


def register_owner_paths(resource: str, paths: tuple[str, ...]) -> None:
    """Let a higher app (tickets, survey responses …) say who owns its records, from its
    AppConfig.ready(), so accounts need not know every app above it. A second, different
    registration for the same resource is a programming error."""
    existing = OWNER_PATHS.get(str(resource))
    if existing is not None and tuple(existing) != tuple(paths):
        raise ValueError(f"owner paths for {resource} already registered as {existing}")
    OWNER_PATHS[str(resource)] = tuple(paths)


def scoped(queryset, *, user, resource: str, action: str = Action.VIEW):
    """The one permission-scoped queryset for `resource`: raises PermissionDenied when the user may
    not do `action` at all, otherwise keeps only the records within their scope. Resources without
    owners (products, stages, rates) are all-or-nothing."""
    scope = access_require(user, resource, action)
    owner_paths = OWNER_PATHS.get(str(resource))
    if owner_paths is None or scope == Scope.ALL:
        return queryset
    # The OR across owner paths follows only to-one relations, so no row is duplicated: no DISTINCT.
    return queryset.filter(scope_q(user, scope, owner_paths))
