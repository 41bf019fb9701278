"""/api/v1/search, /api/v1/trash, /api/v1/audit-events and /api/v1/saved-views."""

import datetime as dt

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from veracity.audit.models import AuditEvent
from veracity.core.api import ErrorOut, Pagination, ShapedQuerySet
from veracity.workspace import selectors, services
from veracity.workspace.schemas import (
    AuditEventOut,
    RestoreOut,
    SavedViewIn,
    SavedViewOut,
    SearchGroupOut,
    TrashEntryOut,
)

router = Router(tags=["workspace"])


@router.get("/search", response={200: list[SearchGroupOut], 403: ErrorOut},
            summary="Search customers, contacts, orders, opportunities and products")
def search(request: HttpRequest, q: str = "", limit: int = 10):
    groups = selectors.global_search(user=request.user, query=q, limit=max(1, min(limit, 50)))
    return [{"key": group.key, "label": group.label,
             "items": [{"label": hit.label, "sublabel": hit.sublabel, "url": hit.url} for hit in group.items]}
            for group in groups]


def _trash_out(entry: selectors.TrashEntry) -> dict:
    return {
        "deletion_id": str(entry.deletion_id), "type": entry.root._meta.label_lower, "record_id": entry.root.pk,
        "record": str(entry.root), "deleted_at": entry.deleted_at,
        "deleted_by": entry.deleted_by.username if entry.deleted_by else None,
        "records": {model._meta.label_lower: len(rows) for model, rows in entry.records.items()},
    }


@router.get("/trash", response={200: list[TrashEntryOut], 403: ErrorOut}, summary="Deleted records you may restore")
@paginate(Pagination)
def trash_list(request: HttpRequest):
    return [_trash_out(entry) for entry in selectors.trash_entries(user=request.user)]


@router.post("/trash/{deletion_id}/restore", response={200: RestoreOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
             summary="Restore a deleted record and everything deleted with it")
def trash_restore(request: HttpRequest, deletion_id: str):
    entry = services.trash_restore(actor=request.user, deletion_id=deletion_id)
    return {"deletion_id": str(entry.deletion_id),
            "restored": {model._meta.label_lower: len(rows) for model, rows in entry.records.items()}}


class AuditQuery(Schema):
    actor: str = ""
    action: str = ""
    object_type: str = ""
    object_id: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def _event_out(event: AuditEvent) -> dict:
    return AuditEventOut.from_orm(event).dict()


@router.get("/audit-events", response={200: list[AuditEventOut], 403: ErrorOut}, summary="The audit trail (read-only)")
@paginate(Pagination)
def audit_event_list(request: HttpRequest, query: Query[AuditQuery]):
    events = selectors.audit_event_list(user=request.user, filters=selectors.AuditFilters(**query.dict()))
    return ShapedQuerySet(events, _event_out)


@router.get("/saved-views", response={200: list[SavedViewOut]}, summary="Your saved list views")
def saved_view_list(request: HttpRequest, list_name: str = ""):
    return list(selectors.saved_view_list(user=request.user, list_name=list_name or None))


@router.post("/saved-views", response={201: SavedViewOut, 422: ErrorOut}, summary="Save a list view")
def saved_view_create(request: HttpRequest, payload: SavedViewIn):
    view = services.saved_view_create(actor=request.user, **payload.dict())
    return Status(201, view)


@router.delete("/saved-views/{view_id}", response={204: None, 404: ErrorOut}, summary="Delete one of your saved views")
def saved_view_delete(request: HttpRequest, view_id: int):
    services.saved_view_delete(actor=request.user, saved_view=selectors.saved_view_get(user=request.user, pk=view_id))
    return Status(204, None)
