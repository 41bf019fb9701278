"""/api/v1/opportunities and /api/v1/pipeline-stages."""

import datetime as dt

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from veracity.accounts.models import Action
from veracity.core.api import ErrorOut, Pagination, ShapedQuerySet, expected_version, set_etag
from veracity.pipeline import selectors, services
from veracity.pipeline.models import Opportunity, PipelineStage
from veracity.pipeline.schemas import (
    MoveIn,
    OpportunityIn,
    OpportunityOut,
    OpportunityPatch,
    StageIn,
    StageOut,
    StagePatch,
    TransferIn,
)

router = Router(tags=["pipeline"])

WRITE_ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 412: ErrorOut, 422: ErrorOut, 428: ErrorOut}


class OpportunityQuery(Schema):
    q: str = ""
    stage: int | None = None
    owner: int | None = None
    customer: int | None = None
    closing_from: dt.date | None = None
    closing_to: dt.date | None = None
    status: str = ""
    sort: str = selectors.DEFAULT_SORT


def opportunity_out(opportunity: Opportunity) -> dict:
    data = OpportunityOut.from_orm(opportunity).dict()
    data.update(
        customer_name=opportunity.customer.name,
        owner_name=str(opportunity.owner),
        stage_name=opportunity.stage.display_name,
        stage_kind=opportunity.stage.kind,
        probability=opportunity.stage.probability,
        weighted_amount=selectors.weighted_amount(opportunity),
    )
    return data


def stage_out(stage: PipelineStage) -> dict:
    return StageOut.from_orm(stage).dict() | {"display_name": stage.display_name}


def _values_from(payload: dict) -> dict:
    for name in ("customer", "contact"):
        if f"{name}_id" in payload:
            payload[name] = payload.pop(f"{name}_id")
    if "lost_reason" in payload:
        payload["lost_reason"] = payload["lost_reason"] or ""
    return payload


def _reloaded(request: HttpRequest, opportunity: Opportunity) -> Opportunity:
    return selectors.opportunity_list(user=request.user).filter(pk=opportunity.pk).first() or opportunity


@router.get("/opportunities", response={200: list[OpportunityOut], 403: ErrorOut}, summary="List opportunities")
@paginate(Pagination)
def opportunity_list(request: HttpRequest, query: Query[OpportunityQuery]):
    opportunities = selectors.opportunity_list(user=request.user, filters=selectors.OpportunityFilters(**query.dict()))
    return ShapedQuerySet(opportunities, opportunity_out)


@router.get("/opportunities/{opportunity_id}", response={200: OpportunityOut, 403: ErrorOut, 404: ErrorOut},
            summary="Get an opportunity")
def opportunity_get(request: HttpRequest, response: HttpResponse, opportunity_id: int):
    opportunity = selectors.opportunity_get(user=request.user, pk=opportunity_id)
    set_etag(response, opportunity)
    return opportunity_out(opportunity)


@router.post("/opportunities", response={201: OpportunityOut, 403: ErrorOut, 422: ErrorOut},
             summary="Create an opportunity (you become its owner)")
def opportunity_create(request: HttpRequest, response: HttpResponse, payload: OpportunityIn):
    values = _values_from(payload.dict())
    stage_id = values.pop("stage_id")
    opportunity = services.opportunity_create(actor=request.user, values=values, stage=stage_id)
    opportunity = _reloaded(request, opportunity)
    set_etag(response, opportunity)
    return Status(201, opportunity_out(opportunity))


@router.patch("/opportunities/{opportunity_id}", response={200: OpportunityOut, **WRITE_ERRORS},
              summary="Change an opportunity (send If-Match); move it with /move")
def opportunity_update(request: HttpRequest, response: HttpResponse, opportunity_id: int, payload: OpportunityPatch):
    opportunity = selectors.opportunity_get(user=request.user, pk=opportunity_id, action=Action.EDIT)
    values = payload.dict(exclude_unset=True)
    version, from_if_match = expected_version(request, values.pop("version", None))
    opportunity = services.opportunity_update(
        actor=request.user, opportunity=opportunity, values=_values_from(values),
        expected_version=version, from_if_match=from_if_match,
    )
    opportunity = _reloaded(request, opportunity)
    set_etag(response, opportunity)
    return opportunity_out(opportunity)


@router.post("/opportunities/{opportunity_id}/move", response={200: OpportunityOut, **WRITE_ERRORS},
             summary="Move an opportunity to a stage and position (send If-Match or version)")
def opportunity_move(request: HttpRequest, response: HttpResponse, opportunity_id: int, payload: MoveIn):
    opportunity = selectors.opportunity_get(user=request.user, pk=opportunity_id, action=Action.EDIT)
    version, from_if_match = expected_version(request, payload.version)
    opportunity = services.opportunity_move(
        actor=request.user, opportunity=opportunity, stage=payload.stage_id, position=payload.position,
        expected_version=version, from_if_match=from_if_match, lost_reason=payload.lost_reason or "",
        lost_note=payload.lost_note, closed_on=payload.closed_on,
    )
    opportunity = _reloaded(request, opportunity)
    set_etag(response, opportunity)
    return opportunity_out(opportunity)


@router.post("/opportunities/{opportunity_id}/transfer", response={200: OpportunityOut, **WRITE_ERRORS},
             summary="Give an opportunity to another owner (send If-Match or version)")
def opportunity_transfer(request: HttpRequest, response: HttpResponse, opportunity_id: int, payload: TransferIn):
    opportunity = selectors.opportunity_get(user=request.user, pk=opportunity_id, action=Action.EDIT)
    version, from_if_match = expected_version(request, payload.version)
    opportunity = services.opportunity_transfer(actor=request.user, opportunity=opportunity, owner=payload.owner_id,
                                                expected_version=version, from_if_match=from_if_match)
    opportunity = _reloaded(request, opportunity)
    set_etag(response, opportunity)
    return opportunity_out(opportunity)


@router.delete("/opportunities/{opportunity_id}", response={204: None, 403: ErrorOut, 404: ErrorOut},
               summary="Move an opportunity to the trash")
def opportunity_delete(request: HttpRequest, opportunity_id: int):
    opportunity = selectors.opportunity_get(user=request.user, pk=opportunity_id, action=Action.DELETE)
    services.opportunity_delete(actor=request.user, opportunity=opportunity)
    return Status(204, None)


@router.get("/pipeline-stages", response={200: list[StageOut], 403: ErrorOut}, summary="List pipeline stages")
def stage_list(request: HttpRequest, active: bool | None = None):
    stages = selectors.stage_list(user=request.user)
    if active is not None:
        stages = stages.filter(is_active=active)
    return [stage_out(stage) for stage in stages]


@router.post("/pipeline-stages", response={201: StageOut, 403: ErrorOut, 422: ErrorOut},
             summary="Add a pipeline stage (administrators)")
def stage_create(request: HttpRequest, payload: StageIn):
    stage = services.stage_create(actor=request.user, values=payload.dict())
    return Status(201, stage_out(stage))


@router.patch("/pipeline-stages/{stage_id}", response={200: StageOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut,
                                                       422: ErrorOut},
              summary="Change a pipeline stage (administrators)")
def stage_update(request: HttpRequest, stage_id: int, payload: StagePatch):
    stage = selectors.stage_get(user=request.user, pk=stage_id)
    values = {name: value for name, value in payload.dict(exclude_unset=True).items() if value is not None}
    return stage_out(services.stage_update(actor=request.user, stage=stage, values=values))


@router.delete("/pipeline-stages/{stage_id}", response={204: None, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut,
                                                        422: ErrorOut},
               summary="Delete a pipeline stage that holds no opportunity (administrators)")
def stage_delete(request: HttpRequest, stage_id: int):
    stage = selectors.stage_get(user=request.user, pk=stage_id)
    services.stage_delete(actor=request.user, stage=stage)
    return Status(204, None)
