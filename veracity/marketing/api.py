"""/api/v1/campaigns, /api/v1/segments, /api/v1/segment-criteria, /api/v1/campaign-report and
/api/v1/customers/{id}/touches."""

import datetime as dt

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from veracity.core.api import ErrorOut, Pagination, expected_version, set_etag
from veracity.customers.selectors import customer_get
from veracity.marketing import criteria, reports, selectors, services
from veracity.marketing.schemas import (
    CampaignIn,
    CampaignOut,
    CampaignPatch,
    CampaignReportOut,
    CriterionOut,
    CustomerTouchesOut,
    MemberOut,
    SegmentIn,
    SegmentOut,
    SegmentPatch,
)

router = Router(tags=["marketing"])
WRITE_ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 412: ErrorOut, 422: ErrorOut, 428: ErrorOut}


class CampaignQuery(Schema):
    q: str = ""
    channel: str = ""
    active_on: dt.date | None = None
    segment: int | None = None
    sort: str = "-start_date"


class ReportQuery(Schema):
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    model: str = "last"


def _campaign_values(payload: dict) -> dict:
    if "target_segment_id" in payload:
        payload["target_segment"] = payload.pop("target_segment_id")
    return payload


@router.get("/campaigns", response={200: list[CampaignOut], 403: ErrorOut}, summary="List campaigns")
@paginate(Pagination)
def campaign_list(request: HttpRequest, query: Query[CampaignQuery]):
    return selectors.campaign_list(user=request.user, filters=selectors.CampaignFilters(**query.dict()))


@router.post("/campaigns", response={201: CampaignOut, 403: ErrorOut, 422: ErrorOut}, summary="Create a campaign")
def campaign_create(request: HttpRequest, response: HttpResponse, payload: CampaignIn):
    campaign = services.campaign_create(actor=request.user, values=_campaign_values(payload.dict()))
    set_etag(response, campaign)
    return Status(201, campaign)


@router.get("/campaigns/{campaign_id}", response={200: CampaignOut, 403: ErrorOut, 404: ErrorOut},
            summary="Get a campaign")
def campaign_get(request: HttpRequest, response: HttpResponse, campaign_id: int):
    campaign = selectors.campaign_get(user=request.user, pk=campaign_id)
    set_etag(response, campaign)
    return campaign


@router.patch("/campaigns/{campaign_id}", response={200: CampaignOut, **WRITE_ERRORS},
              summary="Change a campaign (send If-Match)")
def campaign_update(request: HttpRequest, response: HttpResponse, campaign_id: int, payload: CampaignPatch):
    campaign = selectors.campaign_get(user=request.user, pk=campaign_id, action="edit")
    values = payload.dict(exclude_unset=True)
    version, from_if_match = expected_version(request, values.pop("version", None))
    campaign = services.campaign_update(actor=request.user, campaign=campaign, values=_campaign_values(values),
                                        expected_version=version, from_if_match=from_if_match)
    set_etag(response, campaign)
    return campaign


@router.delete("/campaigns/{campaign_id}", response={204: None, 403: ErrorOut, 404: ErrorOut},
               summary="Move a campaign to the trash")
def campaign_delete(request: HttpRequest, campaign_id: int):
    campaign = selectors.campaign_get(user=request.user, pk=campaign_id, action="delete")
    services.campaign_delete(actor=request.user, campaign=campaign)
    return Status(204, None)


@router.get("/campaign-report", response={200: CampaignReportOut, 403: ErrorOut, 422: ErrorOut},
            summary="Leads, conversions, revenue, CPA and ROI per campaign and channel (default: last quarter)")
def campaign_report(request: HttpRequest, query: Query[ReportQuery]):
    start, end = reports.last_quarter()
    report = reports.campaign_report(user=request.user, date_from=query.date_from or start,
                                     date_to=query.date_to or end, model=query.model)
    return {"date_from": report.date_from, "date_to": report.date_to, "model": report.model,
            "reporting_currency": settings.REPORTING_CURRENCY,
            "campaigns": [line.as_dict() for line in report.campaigns],
            "channels": [line.as_dict() for line in report.channels],
            "unattributed_revenue": report.unattributed_revenue}


@router.get("/segment-criteria", response={200: list[CriterionOut], 403: ErrorOut},
            summary="The criteria a segment can use, with their field names")
def segment_criteria(request: HttpRequest):
    selectors.segment_list(user=request.user)  # permission check
    result = []
    for criterion in criteria.CRITERIA.values():
        fields = []
        for suffix, field in criterion.fields().items():
            choices = getattr(field, "choices", None)
            fields.append({
                "name": criterion.field_name(suffix), "label": str(field.label or criterion.label),
                "kind": type(field).__name__,
                "choices": [[str(value), str(label)] for value, label in choices] if choices is not None else None,
            })
        result.append({"key": criterion.key, "label": str(criterion.label), "group": str(criterion.group),
                       "fields": fields})
    return result


@router.get("/segments", response={200: list[SegmentOut], 403: ErrorOut}, summary="List segments")
@paginate(Pagination)
def segment_list(request: HttpRequest, q: str = ""):
    return selectors.segment_list(user=request.user, q=q)


@router.post("/segments", response={201: SegmentOut, 403: ErrorOut, 422: ErrorOut}, summary="Save a segment")
def segment_create(request: HttpRequest, response: HttpResponse, payload: SegmentIn):
    segment = services.segment_create(actor=request.user, values=payload.dict())
    set_etag(response, segment)
    return Status(201, segment)


@router.get("/segments/{segment_id}", response={200: SegmentOut, 403: ErrorOut, 404: ErrorOut},
            summary="Get a segment")
def segment_get(request: HttpRequest, response: HttpResponse, segment_id: int):
    segment = selectors.segment_get(user=request.user, pk=segment_id)
    set_etag(response, segment)
    return segment


@router.patch("/segments/{segment_id}", response={200: SegmentOut, **WRITE_ERRORS},
              summary="Change a segment (send If-Match)")
def segment_update(request: HttpRequest, response: HttpResponse, segment_id: int, payload: SegmentPatch):
    segment = selectors.segment_get(user=request.user, pk=segment_id, action="edit")
    values = payload.dict(exclude_unset=True)
    version, from_if_match = expected_version(request, values.pop("version", None))
    segment = services.segment_update(actor=request.user, segment=segment, values=values,
                                      expected_version=version, from_if_match=from_if_match)
    set_etag(response, segment)
    return segment


@router.delete("/segments/{segment_id}", response={204: None, 403: ErrorOut, 404: ErrorOut},
               summary="Move a segment to the trash")
def segment_delete(request: HttpRequest, segment_id: int):
    segment = selectors.segment_get(user=request.user, pk=segment_id, action="delete")
    services.segment_delete(actor=request.user, segment=segment)
    return Status(204, None)


@router.get("/segments/{segment_id}/members", response={200: list[MemberOut], 403: ErrorOut, 404: ErrorOut,
                                                         422: ErrorOut},
            summary="The segment's current members you may see (evaluated now)")
@paginate(Pagination)
def segment_members(request: HttpRequest, segment_id: int):
    segment = selectors.segment_get(user=request.user, pk=segment_id)
    return selectors.segment_members(user=request.user, segment=segment)


@router.get("/customers/{customer_id}/touches", response={200: CustomerTouchesOut, 403: ErrorOut, 404: ErrorOut},
            summary="A customer's campaign touches in time order, with first and last touch")
def customer_touches(request: HttpRequest, customer_id: int):
    customer = customer_get(user=request.user, pk=customer_id)
    touches = selectors.customer_touches(user=request.user, customer=customer)

    def shape(touch):
        if touch is None:
            return None
        campaign = touches.campaigns.get(touch.campaign_id)
        return {"kind": touch.kind, "on": touch.on, "campaign_id": touch.campaign_id,
                "campaign_code": campaign.code if campaign else "", "record_id": touch.record_id}

    return {"customer_id": customer.pk, "first": shape(touches.first), "last": shape(touches.last),
            "touches": [shape(touch) for touch in touches.touches]}
