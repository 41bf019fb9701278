"""/api/v1/activities and /api/v1/customers/{id}/timeline."""


from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from veracity.activities import selectors, services
from veracity.activities.models import Activity
from veracity.activities.schemas import (
    ActivityIn,
    ActivityOut,
    ActivityPatch,
    CompleteIn,
    TimelineEntryOut,
)
from veracity.core.api import ErrorOut, Pagination, ShapedQuerySet, expected_version, set_etag

router = Router(tags=["activities"])


class ActivityQuery(Schema):
    q: str = ""
    kind: str = ""
    customer: int | None = None
    assignee: int | None = None
    done: bool | None = None
    due: str = ""
    sort: str = "-occurred_at"


def activity_out(activity: Activity) -> dict:
    data = ActivityOut.from_orm(activity).dict()
    data["customer_name"] = activity.customer.name
    data["is_overdue"] = activity.is_overdue
    return data


def _values_from(payload: dict) -> dict:
    for name in ("customer", "contact", "opportunity", "order", "assignee"):
        if f"{name}_id" in payload:
            payload[name] = payload.pop(f"{name}_id")
    return payload


@router.get("/activities", response={200: list[ActivityOut], 403: ErrorOut}, summary="List activities")
@paginate(Pagination)
def activity_list(request: HttpRequest, query: Query[ActivityQuery]):
    activities = selectors.activity_list(user=request.user, filters=selectors.ActivityFilters(**query.dict()))
    return ShapedQuerySet(activities, activity_out)


@router.get("/activities/{activity_id}", response={200: ActivityOut, 403: ErrorOut, 404: ErrorOut},
            summary="Get an activity")
def activity_get(request: HttpRequest, response: HttpResponse, activity_id: int):
    activity = selectors.activity_get(user=request.user, pk=activity_id)
    set_etag(response, activity)
    return activity_out(activity)


@router.post("/activities", response={201: ActivityOut, 403: ErrorOut, 422: ErrorOut},
             summary="Log an activity or schedule a task")
def activity_create(request: HttpRequest, response: HttpResponse, payload: ActivityIn):
    values = payload.dict()
    if values.get("occurred_at") is None:
        values.pop("occurred_at", None)
    activity = services.activity_create(actor=request.user, values=_values_from(values))
    set_etag(response, activity)
    return Status(201, activity_out(activity))


@router.patch(
    "/activities/{activity_id}",
    response={200: ActivityOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 412: ErrorOut, 422: ErrorOut,
              428: ErrorOut},
    summary="Change an activity (send If-Match)",
)
def activity_update(request: HttpRequest, response: HttpResponse, activity_id: int, payload: ActivityPatch):
    activity = selectors.activity_get(user=request.user, pk=activity_id, action="edit")
    values = payload.dict(exclude_unset=True)
    version, from_if_match = expected_version(request, values.pop("version", None))
    activity = services.activity_update(
        actor=request.user, activity=activity, values=_values_from(values),
        expected_version=version, from_if_match=from_if_match,
    )
    set_etag(response, activity)
    return activity_out(selectors.activity_get(user=request.user, pk=activity.pk))


@router.delete("/activities/{activity_id}", response={204: None, 403: ErrorOut, 404: ErrorOut},
               summary="Move an activity to the trash")
def activity_delete(request: HttpRequest, activity_id: int):
    activity = selectors.activity_get(user=request.user, pk=activity_id, action="delete")
    services.activity_delete(actor=request.user, activity=activity)
    return Status(204, None)


@router.post("/activities/{activity_id}/complete", response={200: ActivityOut, 403: ErrorOut, 404: ErrorOut},
             summary="Mark an activity done (or reopen it with done=false)")
def activity_complete(request: HttpRequest, response: HttpResponse, activity_id: int, payload: CompleteIn | None = None):
    activity = selectors.activity_get(user=request.user, pk=activity_id, action="edit")
    action = services.activity_complete if (payload is None or payload.done) else services.activity_reopen
    activity = action(actor=request.user, activity=activity)
    set_etag(response, activity)
    return activity_out(activity)


def _timeline_out(entry: selectors.TimelineEntry) -> dict:
    data = {"type": entry.type, "when": entry.when, "title": entry.title, "object_id": entry.obj.pk}
    if entry.type == "activity":
        data["kind"] = entry.obj.kind
    elif entry.type == "order":
        data.update(total=entry.meta["total"], currency=entry.meta["currency"], status=entry.obj.status)
    elif entry.type == "opportunity":
        data.update(amount=entry.meta["amount"], currency=entry.meta["currency"], stage=entry.meta["stage"])
    else:
        data.update(object_id=entry.obj.opportunity_id, from_stage=entry.meta["from"], to_stage=entry.meta["to"])
    return data


@router.get("/customers/{customer_id}/timeline", response={200: list[TimelineEntryOut], 403: ErrorOut, 404: ErrorOut},
            summary="Everything that happened with a customer, newest first")
def customer_timeline(request: HttpRequest, customer_id: int):
    return [_timeline_out(entry) for entry in selectors.customer_timeline(user=request.user, customer_pk=customer_id)]


