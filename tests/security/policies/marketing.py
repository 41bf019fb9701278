"""Marketing: campaigns by the `campaign` resource, segments by `segment`, the campaign report and
market demand by `report` (their figures are scoped by the report scope), first/last touch by
`campaign`. The web-to-lead form is the one anonymous write: public, write-only, spam-checked
(veracity/marketing/tests/test_web_lead.py)."""

from tests.security.policy import perm, public

_CAMPAIGN = {"code": "SWEEP-1", "name": "Sweep", "channel": "email", "start_date": "2026-01-01"}

POLICY = {
    "marketing:campaign_list": perm("campaign", "view"),
    "marketing:campaign_create": perm("campaign", "create", methods=("GET", "POST"),
                                      body=lambda world: dict(_CAMPAIGN)),
    "marketing:campaign_detail": perm("campaign", "view", obj="campaign"),
    "marketing:campaign_edit": perm("campaign", "edit", obj="campaign", methods=("GET", "POST"),
                                    body=lambda world: {**_CAMPAIGN, "name": "Changed", "version": 1}),
    "marketing:campaign_delete": perm("campaign", "delete", obj="campaign", methods=("POST",)),
    "marketing:segment_list": perm("segment", "view"),
    "marketing:segment_create": perm("segment", "create", methods=("GET", "POST"),
                                     body=lambda world: {"name": "Sweep segment", "industry": ["retail"]}),
    "marketing:segment_detail": perm("segment", "view", obj="segment"),
    "marketing:segment_edit": perm("segment", "edit", obj="segment", methods=("GET", "POST"),
                                   body=lambda world: {"name": "Changed", "version": 1}),
    "marketing:segment_delete": perm("segment", "delete", obj="segment", methods=("POST",)),
    "marketing:campaign_report": perm("report", "view"),
    "marketing:campaign_report_export": perm("report", "export"),
    "marketing:attribution_list": perm("campaign", "view"),
    "marketing:customer_touches": perm("customer", "view", obj="customer", owned=True),
    "marketing:market_demand": perm("report", "view"),
    "marketing:demand_orders": perm("report", "view"),  # and order view: its rows are orders
    "marketing:web_lead_form": public(methods=("GET", "POST")),
    "marketing:web_lead_thanks": public(),
    "GET /api/v1/campaigns": perm("campaign", "view"),
    "POST /api/v1/campaigns": perm("campaign", "create", body=lambda world: dict(_CAMPAIGN)),
    "GET /api/v1/campaigns/{campaign_id}": perm("campaign", "view", obj="campaign"),
    "PATCH /api/v1/campaigns/{campaign_id}": perm("campaign", "edit", obj="campaign",
                                                  body=lambda world: {"name": "Changed", "version": 1}),
    "DELETE /api/v1/campaigns/{campaign_id}": perm("campaign", "delete", obj="campaign"),
    "GET /api/v1/campaign-report": perm("report", "view"),
    "GET /api/v1/segment-criteria": perm("segment", "view"),
    "GET /api/v1/segments": perm("segment", "view"),
    "POST /api/v1/segments": perm("segment", "create", body=lambda world: {"name": "Sweep segment"}),
    "GET /api/v1/segments/{segment_id}": perm("segment", "view", obj="segment"),
    "PATCH /api/v1/segments/{segment_id}": perm("segment", "edit", obj="segment",
                                                body=lambda world: {"name": "Changed", "version": 1}),
    "DELETE /api/v1/segments/{segment_id}": perm("segment", "delete", obj="segment"),
    "GET /api/v1/segments/{segment_id}/members": perm("segment", "view", obj="segment"),
    "GET /api/v1/customers/{customer_id}/touches": perm("customer", "view", obj="customer", owned=True),
}
