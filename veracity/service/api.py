"""/api/v1/tickets and /api/v1/sla-policies."""

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from veracity.accounts.models import Action
from veracity.core.api import ErrorOut, Pagination, expected_version, set_etag
from veracity.core.errors import NotFound
from veracity.service import selectors, services
from veracity.service.schemas import (
    SlaPolicyIn,
    SlaPolicyOut,
    TicketIn,
    TicketMessageIn,
    TicketMessageOut,
    TicketOut,
    TicketPatch,
    TicketStatusIn,
)

router = Router(tags=["service"])
WRITE_ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 412: ErrorOut, 422: ErrorOut, 428: ErrorOut}


class TicketQuery(Schema):
    q: str = ""
    status: str = ""
    priority: str = ""
    type: str = ""
    sla: str = ""
    assignee: int | None = None
    customer: int | None = None
    order: int | None = None
    sort: str = "-created_at"


def _values(payload: dict) -> dict:
    return {name.removesuffix("_id"): value for name, value in payload.items()}


@router.get("/tickets", response={200: list[TicketOut], 403: ErrorOut}, summary="List tickets")
@paginate(Pagination)
def ticket_list(request: HttpRequest, query: Query[TicketQuery]):
    return selectors.ticket_list(user=request.user, filters=selectors.TicketFilters(**query.dict()))


@router.post("/tickets", response={201: TicketOut, 403: ErrorOut, 422: ErrorOut}, summary="Open a ticket")
def ticket_create(request: HttpRequest, response: HttpResponse, payload: TicketIn):
    ticket = services.ticket_create(actor=request.user, values=_values(payload.dict()))
    set_etag(response, ticket)
    return Status(201, selectors.ticket_get(user=request.user, pk=ticket.pk))


@router.get("/tickets/{ticket_id}", response={200: TicketOut, 403: ErrorOut, 404: ErrorOut}, summary="Get a ticket")
def ticket_get(request: HttpRequest, response: HttpResponse, ticket_id: int):
    ticket = selectors.ticket_get(user=request.user, pk=ticket_id)
    set_etag(response, ticket)
    return ticket


@router.patch("/tickets/{ticket_id}", response={200: TicketOut, **WRITE_ERRORS},
              summary="Change a ticket (send If-Match)")
def ticket_update(request: HttpRequest, response: HttpResponse, ticket_id: int, payload: TicketPatch):
    ticket = selectors.ticket_get(user=request.user, pk=ticket_id, action=Action.EDIT)
    values = payload.dict(exclude_unset=True)
    version, from_if_match = expected_version(request, values.pop("version", None))
    services.ticket_update(actor=request.user, ticket=ticket, values=_values(values),
                           expected_version=version, from_if_match=from_if_match)
    ticket = selectors.ticket_get(user=request.user, pk=ticket_id)
    set_etag(response, ticket)
    return ticket


@router.post("/tickets/{ticket_id}/status", response={200: TicketOut, **WRITE_ERRORS},
             summary="Move a ticket to another status")
def ticket_status(request: HttpRequest, response: HttpResponse, ticket_id: int, payload: TicketStatusIn):
    ticket = selectors.ticket_get(user=request.user, pk=ticket_id, action=Action.EDIT)
    version, from_if_match = expected_version(request, payload.version)
    services.ticket_status_change(actor=request.user, ticket=ticket, status=payload.status,
                                  expected_version=version, from_if_match=from_if_match)
    ticket = selectors.ticket_get(user=request.user, pk=ticket_id)
    set_etag(response, ticket)
    return ticket


@router.get("/tickets/{ticket_id}/messages", response={200: list[TicketMessageOut], 403: ErrorOut, 404: ErrorOut},
            summary="A ticket's internal notes and replies")
def ticket_messages(request: HttpRequest, ticket_id: int):
    ticket = selectors.ticket_get(user=request.user, pk=ticket_id)
    return list(selectors.ticket_messages(user=request.user, ticket=ticket))


@router.post("/tickets/{ticket_id}/messages", response={201: TicketMessageOut, **WRITE_ERRORS},
             summary="Add an internal note or a reply (logged on the customer's timeline)")
def ticket_message_add(request: HttpRequest, ticket_id: int, payload: TicketMessageIn):
    ticket = selectors.ticket_get(user=request.user, pk=ticket_id, action=Action.EDIT)
    message = services.ticket_message_add(actor=request.user, ticket=ticket, kind=payload.kind, body=payload.body)
    return Status(201, message)


@router.delete("/tickets/{ticket_id}", response={204: None, 403: ErrorOut, 404: ErrorOut},
               summary="Move a ticket to the trash")
def ticket_delete(request: HttpRequest, ticket_id: int):
    ticket = selectors.ticket_get(user=request.user, pk=ticket_id, action=Action.DELETE)
    services.ticket_delete(actor=request.user, ticket=ticket)
    return Status(204, None)


@router.get("/sla-policies", response={200: list[SlaPolicyOut], 403: ErrorOut}, summary="SLA targets per priority")
def sla_policy_list(request: HttpRequest):
    return selectors.sla_policy_rows(user=request.user)


@router.put("/sla-policies/{priority}", response={200: SlaPolicyOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
            summary="Set the SLA targets of a priority (administrators)")
def sla_policy_set(request: HttpRequest, priority: str, payload: SlaPolicyIn):
    services.sla_policy_set(actor=request.user, priority=priority, **payload.dict())
    row = next((row for row in selectors.sla_policy_rows(user=request.user) if row["priority"] == priority), None)
    if row is None:
        raise NotFound()
    return row
