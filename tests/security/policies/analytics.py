"""Dashboards, exports, targets and periodic reviews (analytics)."""

from tests.security.policy import perm

DASHBOARD = {"dashboard": "overview", "block": "kpis"}


def _target_body(world):
    return {"user_id": world.order.salesperson_id, "period_start": "2026-04-01", "period_end": "2026-04-30",
            "revenue": "100.00"}


POLICY = {
    "analytics:overview": perm("report", "view"),
    "analytics:pipeline": perm("report", "view"),
    "analytics:people": perm("report", "view"),
    "analytics:products": perm("report", "view"),
    "analytics:customers": perm("report", "view"),
    "analytics:customer_drill": perm("report", "view"),
    "analytics:export": perm("report", "export", path_params=DASHBOARD),
    "analytics:target_list": perm("sales_target", "view"),
    "analytics:target_create": perm("sales_target", "create", methods=("GET", "POST")),
    "analytics:target_edit": perm("sales_target", "edit", obj="target", owned=True, methods=("GET", "POST")),
    "analytics:target_delete": perm("sales_target", "delete", obj="target", owned=True, methods=("POST",)),
    "analytics:review_list": perm("periodic_review", "view"),
    "analytics:review_detail": perm("periodic_review", "view", obj="review"),
    "analytics:review_pdf": perm("periodic_review", "view", obj="review"),
    "analytics:review_subscribe": perm("periodic_review", "view", methods=("POST",),
                                       body=lambda world: {"period": "monthly"}),
    # Only one's own subscription; rep_li (the owner) has no periodic_review grant, so only refusals.
    "analytics:review_unsubscribe": perm("periodic_review", "view", obj="subscription", owned=True,
                                         methods=("POST",)),
    "GET /api/v1/analytics/dashboards/{dashboard}": perm("report", "view", path_params=DASHBOARD),
    "GET /api/v1/analytics/sales-report": perm("report", "view"),
    "GET /api/v1/analytics/customer-rfm": perm("report", "view"),
    "GET /api/v1/sales-targets": perm("sales_target", "view"),
    "POST /api/v1/sales-targets": perm("sales_target", "create", body=_target_body),
    "PATCH /api/v1/sales-targets/{target_id}": perm("sales_target", "edit", obj="target", owned=True,
                                                    body=lambda world: {"revenue": "5.00", "version": 1}),
    "DELETE /api/v1/sales-targets/{target_id}": perm("sales_target", "delete", obj="target", owned=True),
    "GET /api/v1/periodic-reviews": perm("periodic_review", "view"),
    "GET /api/v1/periodic-reviews/{review_id}": perm("periodic_review", "view", obj="review"),
}
