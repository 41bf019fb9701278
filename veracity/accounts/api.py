from django.http import HttpRequest
from ninja import Router, Status
from ninja.pagination import paginate

from veracity.accounts import selectors, services
from veracity.accounts.access import access_require
from veracity.accounts.models import Action, Resource, Scope, Team
from veracity.accounts.schemas import (
    ApiTokenCreatedOut,
    ApiTokenIn,
    ApiTokenOut,
    PermissionIn,
    PermissionMatrixOut,
    PermissionOut,
    TeamIn,
    TeamOut,
    TeamPatchIn,
    UserAdminOut,
    UserCreateIn,
    UserOut,
    UserPatchIn,
)
from veracity.core.api import ErrorOut, Pagination
from veracity.core.errors import ValidationFailed

router = Router(tags=["accounts"])
ADMIN_ERRORS = {403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


@router.get("/me", response=UserOut, summary="The calling user")
def me(request: HttpRequest):
    return request.user


@router.get("/users", response={200: list[UserOut], 403: ErrorOut}, summary="Users you may see")
@paginate(Pagination)
def users(request: HttpRequest):
    return selectors.user_list(user=request.user)


@router.post("/users", response={201: UserAdminOut, **ADMIN_ERRORS}, summary="Create a user (administrators)")
def user_create(request: HttpRequest, payload: UserCreateIn):
    access_require(request.user, Resource.USER, Action.CREATE)
    team = _team(payload.team_id)
    user = services.user_create(actor=request.user, username=payload.username, password=payload.password,
                                email=payload.email, display_name=payload.display_name, roles=payload.roles,
                                team=team)
    return Status(201, user)


@router.patch("/users/{user_id}", response={200: UserAdminOut, **ADMIN_ERRORS},
              summary="Change a user's roles, team, name, email or active state (administrators)")
def user_patch(request: HttpRequest, user_id: int, payload: UserPatchIn):
    target = selectors.user_admin_get(user=request.user, pk=user_id)
    changes = payload.dict(exclude_unset=True)
    if "team_id" in changes:
        changes["team"] = _team(changes.pop("team_id"))
    return services.user_update(actor=request.user, user=target, changes=changes)


def _team(team_id: int | None) -> Team | None:
    if team_id is None:
        return None
    team = Team.objects.filter(pk=team_id).first()
    if team is None:
        raise ValidationFailed({"team_id": ["No such team."]})
    return team


@router.get("/teams", response=list[TeamOut], summary="Teams")
def teams(request: HttpRequest):
    return list(selectors.team_list())


@router.post("/teams", response={201: TeamOut, **ADMIN_ERRORS}, summary="Create a team (administrators)")
def team_create(request: HttpRequest, payload: TeamIn):
    access_require(request.user, Resource.TEAM, Action.CREATE)
    return Status(201, services.team_create(actor=request.user, name=payload.name,
                                            manager=_active_user(payload.manager_id)))


@router.patch("/teams/{team_id}", response={200: TeamOut, **ADMIN_ERRORS},
              summary="Rename a team or set its manager (administrators)")
def team_patch(request: HttpRequest, team_id: int, payload: TeamPatchIn):
    team = selectors.team_admin_get(user=request.user, pk=team_id)
    changes = payload.dict(exclude_unset=True)
    if "manager_id" in changes:
        changes["manager"] = _active_user(changes.pop("manager_id"))
    return services.team_update(actor=request.user, team=team, changes=changes)


def _active_user(user_id: int | None):
    if user_id is None:
        return None
    from veracity.accounts.models import User

    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise ValidationFailed({"manager_id": ["No such active user."]})
    return user


@router.get("/permissions", response={200: PermissionMatrixOut, 403: ErrorOut},
            summary="The permission matrix (administrators)")
def permissions(request: HttpRequest):
    matrix = selectors.permission_matrix(user=request.user)
    return {
        "permissions": [
            {"role": role, "resource": resource, "action": action, "scope": Scope(scope).name.lower()}
            for role, grants in sorted(matrix["grants"].items()) for (resource, action), scope in sorted(grants.items())
        ],
        "field_permissions": [
            {"role": role, "resource": resource, "field": field}
            for role, fields in sorted(matrix["fields"].items()) for resource, field in sorted(fields)
        ],
    }


@router.put("/permissions/{role}/{resource}/{action}", response={200: PermissionOut, **ADMIN_ERRORS},
            summary="Set one cell of the permission matrix (administrators)")
def permission_set(request: HttpRequest, role: str, resource: str, action: str, payload: PermissionIn):
    scope = None if payload.scope == "none" else Scope[payload.scope.upper()].value
    services.role_permission_set(actor=request.user, role_code=role, resource=resource, action=action, scope=scope)
    return {"role": role, "resource": resource, "action": action, "scope": payload.scope}


@router.get("/tokens", response=list[ApiTokenOut], summary="Your API tokens")
def tokens(request: HttpRequest):
    return list(selectors.api_token_list(user=request.user))


@router.post("/tokens", response={201: ApiTokenCreatedOut}, summary="Create an API token for yourself")
def token_create(request: HttpRequest, payload: ApiTokenIn):
    token, raw = services.api_token_create(actor=request.user, user=request.user, name=payload.name)
    return Status(201, {**ApiTokenOut.from_orm(token).dict(), "token": raw})


@router.delete("/tokens/{token_id}", response={200: ApiTokenOut, 404: ErrorOut}, summary="Revoke one of your tokens")
def token_revoke(request: HttpRequest, token_id: int):
    return services.api_token_revoke(actor=request.user, user=request.user, token_id=token_id)
