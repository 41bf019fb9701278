from django.http import HttpRequest
from ninja import Router, Status
from ninja.pagination import paginate

from veracity.accounts import selectors, services
from veracity.accounts.schemas import ApiTokenCreatedOut, ApiTokenIn, ApiTokenOut, TeamOut, UserOut
from veracity.core.api import ErrorOut, Pagination

router = Router(tags=["accounts"])


@router.get("/me", response=UserOut, summary="The calling user")
def me(request: HttpRequest):
    return request.user


@router.get("/users", response={200: list[UserOut], 403: ErrorOut}, summary="Users you may see")
@paginate(Pagination)
def users(request: HttpRequest):
    return selectors.user_list(user=request.user)


@router.get("/teams", response=list[TeamOut], summary="Teams")
def teams(request: HttpRequest):
    return list(selectors.team_list())


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
