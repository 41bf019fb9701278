"""/api/v1/analytics/…, /api/v1/sales-targets and /api/v1/periodic-reviews."""

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status
from ninja.pagination import paginate

from veracity.accounts.access import access_require
from veracity.accounts.models import Action, Resource
from veracity.analytics import selectors, services
from veracity.analytics.schemas import (
    CustomerRfmOut,
    DashboardOut,
    DashboardQuery,
    ReviewDetailOut,
    ReviewOut,
    SalesReportQuery,
    SalesReportRow,
    SalesTargetIn,
    SalesTargetOut,
    SalesTargetPatch,
)
from veracity.analytics.selectors import reviews as review_selectors
from veracity.analytics.selectors.base import money
from veracity.analytics.services.stored_figures import stored_figures_ensure
from veracity.core.api import ErrorOut, Pagination, ShapedQuerySet, expected_version, set_etag
from veracity.core.errors import NotFound
from veracity.core.money import reporting_currency

router = Router(tags=["analytics"])


def _filters(query) -> selectors.DashboardFilters:
    return selectors.dashboard_filters_parse({k: v for k, v in query.dict().items() if k != "by"})


@router.get("/analytics/dashboards/{dashboard}", response={200: DashboardOut, 403: ErrorOut, 404: ErrorOut,
                                                            422: ErrorOut},
            summary="One dashboard's figures (the filters of its page), scoped to what you may see")
def dashboard_get(request: HttpRequest, dashboard: str, query: Query[DashboardQuery]):
    selectors.report_scope(request.user)
    if dashboard not in selectors.DASHBOARDS:
        raise NotFound()
    services.rollups_refresh()
    filters = _filters(query)
    stored_figures_ensure(user=request.user, dashboard=dashboard, filters=filters)
    tables = selectors.DASHBOARDS[dashboard](user=request.user, filters=filters)
    as_of = next((table.extra["as_of"] for table in tables.values() if "as_of" in table.extra), None)
    return {"dashboard": dashboard, "date_from": filters.date_from, "date_to": filters.date_to,
            "reporting_currency": reporting_currency(), "as_of": as_of,
            "blocks": {key: {"title": str(table.title),
                             "columns": [{"key": c.key, "label": str(c.label), "kind": c.kind} for c in table.columns],
                             "rows": [[str(v) if v is not None and not isinstance(v, int | float | str) else v
                                       for v in row] for row in table.rows],
                             "links": list(table.links)} for key, table in tables.items()}}


@router.get("/analytics/sales-report", response={200: list[SalesReportRow], 403: ErrorOut, 422: ErrorOut},
            summary="Sales grouped by month, week, product, customer, region, rep or category")
def sales_report(request: HttpRequest, query: Query[SalesReportQuery]):
    access_require(request.user, Resource.REPORT, Action.VIEW)
    services.rollups_refresh()
    return selectors.sales_report(user=request.user, by=query.by, filters=_filters(query))


def _rfm_out(row) -> dict:
    return {"customer_id": row.customer_id, "segment": row.segment, "recency_days": row.recency_days,
            "frequency": row.frequency, "monetary": money(row.monetary_cents), "r_score": row.r_score,
            "f_score": row.f_score, "m_score": row.m_score, "computed_on": row.computed_on}


@router.get("/analytics/customer-rfm", response={200: list[CustomerRfmOut], 403: ErrorOut},
            summary="RFM scores and segment of each customer you may see")
@paginate(Pagination)
def customer_rfm_list(request: HttpRequest, segment: str = ""):
    rows = selectors.rfm_rows(user=request.user).order_by("customer_id")
    if segment:
        rows = rows.filter(segment=segment)
    return ShapedQuerySet(rows, _rfm_out)


def _target_out(target) -> dict:
    return {"id": target.pk, "user_id": target.user_id, "username": target.user.username,
            "period_start": target.period_start, "period_end": target.period_end, "revenue": target.revenue,
            "orders": target.orders, "activities": target.activities, "notes": target.notes,
            "version": target.version}


def _target_values(values: dict) -> dict:
    if "user_id" in values:
        values["user"] = values.pop("user_id")
    return values


@router.get("/sales-targets", response={200: list[SalesTargetOut], 403: ErrorOut}, summary="Sales targets you may see")
@paginate(Pagination)
def sales_target_list(request: HttpRequest, rep: int | None = None):
    return ShapedQuerySet(selectors.sales_target_list(user=request.user, rep=rep), _target_out)


@router.post("/sales-targets", response={201: SalesTargetOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
             summary="Set a rep's target for a period")
def sales_target_create(request: HttpRequest, response: HttpResponse, payload: SalesTargetIn):
    target = services.sales_target_create(actor=request.user, values=_target_values(payload.dict()))
    set_etag(response, target)
    return Status(201, _target_out(target))


@router.patch("/sales-targets/{target_id}",
              response={200: SalesTargetOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 412: ErrorOut,
                        422: ErrorOut, 428: ErrorOut}, summary="Change a target (send If-Match)")
def sales_target_update(request: HttpRequest, response: HttpResponse, target_id: int, payload: SalesTargetPatch):
    target = selectors.sales_target_get(user=request.user, pk=target_id, action=Action.EDIT)
    values = payload.dict(exclude_unset=True)
    version, from_if_match = expected_version(request, values.pop("version", None))
    target = services.sales_target_update(actor=request.user, target=target, values=_target_values(values),
                                          expected_version=version, from_if_match=from_if_match)
    set_etag(response, target)
    return _target_out(target)


@router.delete("/sales-targets/{target_id}", response={204: None, 403: ErrorOut, 404: ErrorOut},
               summary="Move a target to the trash")
def sales_target_delete(request: HttpRequest, target_id: int):
    target = selectors.sales_target_get(user=request.user, pk=target_id, action=Action.DELETE)
    services.sales_target_delete(actor=request.user, target=target)
    return Status(204, None)


def _review_out(review, *, detail: bool = False) -> dict:
    out = {"id": review.pk, "period": review.period, "period_start": review.period_start,
           "period_end": review.period_end, "team": review.team.name if review.team else None,
           "title": review.title, "created_at": review.created_at}
    if detail:
        out["sections"] = review.sections
    return out


@router.get("/periodic-reviews", response={200: list[ReviewOut], 403: ErrorOut}, summary="Archived periodic reviews")
@paginate(Pagination)
def periodic_review_list(request: HttpRequest):
    return ShapedQuerySet(review_selectors.periodic_review_list(user=request.user), _review_out)


@router.get("/periodic-reviews/{review_id}", response={200: ReviewDetailOut, 403: ErrorOut, 404: ErrorOut},
            summary="One archived review with its sections")
def periodic_review_get(request: HttpRequest, review_id: int):
    return _review_out(review_selectors.periodic_review_get(user=request.user, pk=review_id), detail=True)
