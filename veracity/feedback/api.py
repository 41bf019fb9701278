"""/api/v1/surveys, /api/v1/survey-responses and /api/v1/feedback/analysis."""

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from veracity.accounts.models import Action
from veracity.core.api import ErrorOut, Pagination
from veracity.customers.selectors import customer_get
from veracity.feedback import selectors, services
from veracity.feedback.models import InvitationSource
from veracity.feedback.schemas import (
    BreakdownRow,
    InvitationIn,
    InvitationOut,
    ResponseOut,
    SurveyIn,
    SurveyOut,
)

router = Router(tags=["feedback"])


class ResponseQuery(Schema):
    survey: int | None = None
    customer: int | None = None
    category: str = ""
    theme: str = ""
    keyword: str = ""
    follow_up: str = ""


@router.get("/surveys", response={200: list[SurveyOut], 403: ErrorOut}, summary="List surveys")
@paginate(Pagination)
def survey_list(request: HttpRequest):
    return selectors.survey_list(user=request.user)


@router.post("/surveys", response={201: SurveyOut, 403: ErrorOut, 422: ErrorOut}, summary="Create a survey")
def survey_create(request: HttpRequest, payload: SurveyIn):
    return Status(201, services.survey_create(actor=request.user, values=payload.dict()))


@router.get("/surveys/{survey_id}", response={200: SurveyOut, 403: ErrorOut, 404: ErrorOut}, summary="Get a survey")
def survey_get(request: HttpRequest, survey_id: int):
    return selectors.survey_get(user=request.user, pk=survey_id)


@router.post("/surveys/{survey_id}/invitations", response={201: InvitationOut, 403: ErrorOut, 404: ErrorOut,
                                                            422: ErrorOut},
             summary="Create a personal single-use link (the URL is returned once)")
def invitation_create(request: HttpRequest, survey_id: int, payload: InvitationIn):
    survey = selectors.survey_get(user=request.user, pk=survey_id, action=Action.EDIT)
    customer = customer_get(user=request.user, pk=payload.customer_id) if payload.customer_id else None
    invitation, raw = services.invitation_create(actor=request.user, survey=survey, source=InvitationSource.LINK,
                                                 customer=customer)
    return Status(201, {"id": invitation.pk, "url": services.invitation_url(raw), "expires_at": invitation.expires_at})


@router.get("/survey-responses", response={200: list[ResponseOut], 403: ErrorOut}, summary="List survey responses")
@paginate(Pagination)
def response_list(request: HttpRequest, query: Query[ResponseQuery]):
    return selectors.response_list(user=request.user, filters=selectors.ResponseFilters(**query.dict()))


@router.get("/survey-responses/{response_id}", response={200: ResponseOut, 403: ErrorOut, 404: ErrorOut},
            summary="Get a survey response")
def response_get(request: HttpRequest, response_id: int):
    return selectors.response_get(user=request.user, pk=response_id)


@router.get("/feedback/nps", response={200: list[BreakdownRow], 403: ErrorOut, 404: ErrorOut},
            summary="NPS and CSAT by month, segment, product, team or rep")
def nps_breakdown(request: HttpRequest, by: str = "month", survey: int | None = None):
    return selectors.nps_breakdown(user=request.user, dimension=by,
                                   filters=selectors.ResponseFilters(survey=survey))
