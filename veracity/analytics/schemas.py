import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from ninja import Schema


class DashboardQuery(Schema):
    date_from: str = ""
    date_to: str = ""
    team: str = ""
    rep: str = ""
    region: str = ""
    category: str = ""
    channel: str = ""
    currency: str = ""


class BlockOut(Schema):
    title: str
    columns: list[dict[str, str]]
    rows: list[list[Any]]
    links: list[str | None]


class DashboardOut(Schema):
    dashboard: str
    date_from: dt.date
    date_to: dt.date
    reporting_currency: str
    # Set when the figures come from a stored copy the data have moved past since (at most 15 minutes):
    # when it was computed. Orders changed after it are not counted yet.
    as_of: dt.datetime | None = None
    blocks: dict[str, BlockOut]


class SalesReportQuery(DashboardQuery):
    by: Literal["month", "week", "product", "customer", "region", "rep", "category"] = "month"


class SalesReportRow(Schema):
    key: Any
    label: Any
    revenue: Decimal
    orders: int
    quantity: Decimal
    customers: int


class SalesTargetOut(Schema):
    id: int
    user_id: int
    username: str
    period_start: dt.date
    period_end: dt.date
    revenue: Decimal
    orders: int | None
    activities: int | None
    notes: str
    version: int


class SalesTargetIn(Schema):
    user_id: int
    period_start: dt.date
    period_end: dt.date
    revenue: Decimal
    orders: int | None = None
    activities: int | None = None
    notes: str = ""


class SalesTargetPatch(Schema):
    user_id: int | None = None
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    revenue: Decimal | None = None
    orders: int | None = None
    activities: int | None = None
    notes: str | None = None
    version: int | None = None


class ReviewOut(Schema):
    id: int
    period: str
    period_start: dt.date
    period_end: dt.date
    team: str | None
    title: str
    created_at: dt.datetime


class ReviewDetailOut(ReviewOut):
    sections: list[dict[str, Any]]


class CustomerRfmOut(Schema):
    customer_id: int
    segment: str
    recency_days: int
    frequency: int
    monetary: Decimal
    r_score: int
    f_score: int
    m_score: int
    computed_on: dt.date
