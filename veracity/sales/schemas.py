import datetime as dt
from decimal import Decimal

from ninja import Schema
from pydantic import Field

from veracity.sales.models import Channel, OrderStatus, Region


class OrderLineOut(Schema):
    line_no: int
    product_id: int
    product_sku: str
    product_name: str
    description: str
    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal
    currency: str
    net_amount: Decimal


class OrderOut(Schema):
    id: int
    number: str
    customer_id: int
    customer_name: str
    contact_id: int | None
    order_date: dt.date
    status: str
    salesperson_id: int
    salesperson_name: str
    channel: str
    region: str
    currency: str
    total_amount: Decimal = Field(description="Sum of the line nets, in the order's currency (read-only).")
    exchange_rate: Decimal = Field(description="Units of the reporting currency per unit of `currency`, "
                                               "fixed at the order date (read-only).")
    reporting_currency: str
    total_in_reporting_currency: Decimal
    cost_total: Decimal | None = Field(None, description="Null when a cost is unknown or hidden from you.")
    margin: Decimal | None = Field(None, description="Total minus cost; null when hidden or unknown.")
    notes: str
    lines: list[OrderLineOut] | None = Field(None, description="Given on the single-order endpoints only.")
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime
    hidden_fields: list[str] = Field([], description="Restricted fields withheld from you.")


class OrderLineIn(Schema):
    product_id: int
    quantity: Decimal = Field(gt=0, max_digits=14, decimal_places=3)
    unit_price: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2,
                                       description="Defaults to the product's list price.")
    discount_percent: Decimal = Field(Decimal("0"), ge=0, le=100, max_digits=5, decimal_places=2)
    description: str = Field("", max_length=255)
    currency: str | None = Field(None, min_length=3, max_length=3,
                                 description="Must equal the order's currency when given.")


class OrderIn(Schema):
    """Writable fields only. Totals, cost, the exchange rate, version and bookkeeping are computed."""

    number: str = Field("", max_length=64, description="Leave empty to get SO-YYYYMM-NNNNN.")
    customer_id: int
    contact_id: int | None = None
    order_date: dt.date
    status: OrderStatus = OrderStatus.CONFIRMED
    salesperson_id: int | None = Field(None, description="Defaults to you.")
    channel: Channel = Channel.DIRECT
    region: Region | None = Field(None, description="Defaults from the customer's province.")
    currency: str = Field("CNY", min_length=3, max_length=3)
    notes: str = Field("", max_length=5000)
    lines: list[OrderLineIn] = Field(min_length=1, max_length=500)


class OrderPatch(Schema):
    number: str | None = Field(None, min_length=1, max_length=64)
    customer_id: int | None = None
    contact_id: int | None = None
    order_date: dt.date | None = None
    salesperson_id: int | None = None
    channel: Channel | None = None
    region: Region | None = None
    currency: str | None = Field(None, min_length=3, max_length=3)
    notes: str | None = Field(None, max_length=5000)
    lines: list[OrderLineIn] | None = Field(None, min_length=1, max_length=500,
                                            description="When given, replaces all lines.")
    version: int | None = Field(None, description="The version you read; or send If-Match.")


class OrderStatusIn(Schema):
    status: OrderStatus
    version: int | None = Field(None, description="Optional: the version you read (or send If-Match).")


class ExchangeRateOut(Schema):
    id: int
    currency: str
    rate_date: dt.date
    rate: Decimal
    reporting_currency: str
    created_at: dt.datetime


class ExchangeRateIn(Schema):
    currency: str = Field(min_length=3, max_length=3)
    rate_date: dt.date
    rate: Decimal = Field(gt=0, max_digits=18, decimal_places=8)


class ExchangeRatePatch(Schema):
    currency: str | None = Field(None, min_length=3, max_length=3)
    rate_date: dt.date | None = None
    rate: Decimal | None = Field(None, gt=0, max_digits=18, decimal_places=8)
