"""/api/v1/duplicates/… and /api/v1/customers/duplicates/check."""

from dataclasses import asdict

from django.db import transaction
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from veracity.accounts.access import access_require
from veracity.accounts.models import Action, Resource
from veracity.core.api import ErrorOut, Pagination
from veracity.customers import selectors as customer_selectors
from veracity.dedup import selectors, services
from veracity.dedup.schemas import (
    ClusterOut,
    DuplicateCheckIn,
    DuplicateCheckOut,
    MergeIn,
    MergeOut,
    ScanIn,
    ScanOut,
)

router = Router(tags=["duplicates"])
ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class ClusterQuery(Schema):
    status: str = "open"
    entity: str = ""
    sort: str = "score"


def _cluster_out(view) -> dict:
    cluster = view.cluster
    return {
        "id": cluster.pk, "entity": cluster.entity, "status": cluster.status, "score": cluster.score,
        "value": cluster.value, "size": cluster.size,
        "members": [{"id": m.member.record_id if m.visible else None,
                     "code": getattr(m.record, "code", "") if m.visible else "",
                     "name": m.record.name if m.visible else "", "visible": m.visible} for m in view.members],
        "pairs": [{"left_id": p.left_id, "right_id": p.right_id, "probability": p.probability, "weight": p.weight,
                   "explanation": p.explanation} for p in cluster.pairs.all()] if not view.hidden else [],
    }


@router.get("/duplicates/clusters", response={200: list[ClusterOut], 403: ErrorOut},
            summary="Duplicate clusters touching your records, by score or value")
@paginate(Pagination)
def cluster_list(request: HttpRequest, query: Query[ClusterQuery]):
    clusters = selectors.cluster_list(user=request.user, filters=selectors.ClusterFilters(**query.dict()))
    return [_cluster_out(view) for view in selectors.cluster_views(user=request.user, clusters=clusters)]


@router.get("/duplicates/clusters/{cluster_id}", response={200: ClusterOut, 403: ErrorOut, 404: ErrorOut},
            summary="One duplicate cluster with its explained pairs")
def cluster_get(request: HttpRequest, cluster_id: int):
    cluster = selectors.cluster_get(user=request.user, pk=cluster_id)
    return _cluster_out(selectors.cluster_views(user=request.user, clusters=[cluster])[0])


@router.post("/duplicates/clusters/{cluster_id}/confirm", response={200: ClusterOut, **ERRORS},
             summary="Confirm: these records are duplicates")
def cluster_confirm(request: HttpRequest, cluster_id: int):
    cluster = selectors.cluster_get(user=request.user, pk=cluster_id, action=Action.EDIT)
    services.cluster_confirm(actor=request.user, cluster=cluster)
    return cluster_get(request, cluster_id)


@router.post("/duplicates/clusters/{cluster_id}/dismiss", response={200: ClusterOut, **ERRORS},
             summary="Dismiss: these records are different (they are never proposed again)")
def cluster_dismiss(request: HttpRequest, cluster_id: int):
    cluster = selectors.cluster_get(user=request.user, pk=cluster_id, action=Action.EDIT)
    services.cluster_dismiss(actor=request.user, cluster=cluster)
    return cluster_get(request, cluster_id)


@router.get("/duplicates/scans", response={200: list[ScanOut], 403: ErrorOut}, summary="Duplicate scans")
@paginate(Pagination)
def scan_list(request: HttpRequest):
    return selectors.scan_list(user=request.user)


@router.post("/duplicates/scans", response={202: ScanOut, **ERRORS}, summary="Start a scan of the whole base")
def scan_start(request: HttpRequest, payload: ScanIn):
    scan = services.scan_run_start(actor=request.user, threshold=payload.threshold)
    return Status(202, scan)


@router.post("/duplicates/merges", response={201: MergeOut, **ERRORS},
             summary="Merge two customers or two contacts (the loser goes to the trash)")
def merge_create(request: HttpRequest, payload: MergeIn):
    cluster = (selectors.cluster_get(user=request.user, pk=payload.cluster_id, action=Action.EDIT)
               if payload.cluster_id else None)
    if payload.entity == "contact":
        survivor = customer_selectors.contact_get(user=request.user, pk=payload.survivor_id, action=Action.EDIT)
        loser = customer_selectors.contact_get(user=request.user, pk=payload.loser_id, action=Action.EDIT)
    else:
        survivor = customer_selectors.customer_get(user=request.user, pk=payload.survivor_id, action=Action.EDIT)
        loser = customer_selectors.customer_get(user=request.user, pk=payload.loser_id, action=Action.EDIT)
    with transaction.atomic():
        merge = services.record_merge(actor=request.user, survivor=survivor, loser=loser,
                                      field_choices=payload.field_choices, cluster=cluster)
    return Status(201, merge)


@router.post("/duplicates/merges/{merge_id}/undo", response={200: MergeOut, **ERRORS},
             summary="Undo a merge exactly")
def merge_undo(request: HttpRequest, merge_id: int):
    merge = selectors.merge_get(user=request.user, pk=merge_id)
    return services.merge_undo(actor=request.user, merge=merge)


@router.post("/customers/duplicates/check", response={200: DuplicateCheckOut, 403: ErrorOut},
             summary="Existing customers a new (or edited) customer probably duplicates")
def duplicate_check(request: HttpRequest, payload: DuplicateCheckIn):
    access_require(request.user, Resource.CUSTOMER, Action.VIEW)
    values = payload.dict()
    found = selectors.likely_duplicates(user=request.user, values=values, kind=values.pop("kind"),
                                        exclude_pk=values.pop("exclude_id"))
    return {"likely_duplicates": [asdict(item) for item in found]}
