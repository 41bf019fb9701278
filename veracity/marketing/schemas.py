import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Schema
from pydantic import Field


class CampaignOut(Schema):
    id: int
    code: str
    name: str
    channel: str
    start_date: dt.date
    end_date: dt.date | None
    budget: Decimal
    actual_cost: Decimal
    target_segment_id: int | None
    owner_id: int
    description: str
    version: int


class CampaignIn(Schema):
    code: str
    name: str
    channel: str
    start_date: dt.date
    end_date: dt.date | None = None
    budget: Decimal = Decimal("0")
    actual_cost: Decimal = Decimal("0")
    target_segment_id: int | None = None
    description: str = ""


class CampaignPatch(Schema):
    code: str | None = None
    name: str | None = None
    channel: str | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    budget: Decimal | None = None
    actual_cost: Decimal | None = None
    target_segment_id: int | None = None
    description: str | None = None
    version: int | None = None


class SegmentOut(Schema):
    id: int
    name: str
    description: str
    criteria: dict[str, Any]
    owner_id: int
    version: int


class SegmentIn(Schema):
    name: str
    description: str = ""
    criteria: dict[str, Any] = Field(default_factory=dict, description=(
        "Builder form fields and values, e.g. {\"industry\": [\"retail\"], \"bought_categories\": [\"3\"], "
        "\"bought_categories__from\": \"2025-01-01\"}. GET /api/v1/segment-criteria lists them."))


class SegmentPatch(Schema):
    name: str | None = None
    description: str | None = None
    criteria: dict[str, Any] | None = None
    version: int | None = None


class MemberOut(Schema):
    id: int
    code: str
    name: str
    lifecycle_status: str
    province: str
    city: str
    owner_id: int


class CriterionFieldOut(Schema):
    name: str
    label: str
    kind: str
    choices: list[list[str]] | None = None


class CriterionOut(Schema):
    key: str
    label: str
    group: str
    fields: list[CriterionFieldOut]


class ReportLineOut(Schema):
    key: str
    label: str
    channel: str
    campaign_id: int | None
    leads: int
    conversions: int
    cost: Decimal
    revenue: Decimal
    revenue_first_touch: Decimal
    revenue_last_touch: Decimal
    cost_per_acquisition: Decimal | None
    return_on_spend: Decimal | None


class CampaignReportOut(Schema):
    date_from: dt.date
    date_to: dt.date
    model: str
    reporting_currency: str
    campaigns: list[ReportLineOut]
    channels: list[ReportLineOut]
    unattributed_revenue: Decimal


class TouchOut(Schema):
    kind: str
    on: dt.date
    campaign_id: int
    campaign_code: str
    record_id: int


class CustomerTouchesOut(Schema):
    customer_id: int
    first: TouchOut | None
    last: TouchOut | None
    touches: list[TouchOut]
