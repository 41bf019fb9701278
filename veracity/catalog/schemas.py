import datetime as dt
from decimal import Decimal

from ninja import Schema
from pydantic import Field

from veracity.catalog.models import Unit


class CategoryOut(Schema):
    id: int
    name: str
    parent_id: int | None


class ProductOut(Schema):
    id: int
    sku: str
    name: str
    category_id: int | None
    category_name: str | None = None
    unit: str
    list_price: Decimal
    cost_price: Decimal | None = Field(None, description="Null when unknown or hidden from you (see hidden_fields).")
    margin: Decimal | None = Field(None, description="List price minus cost; null when hidden or unknown.")
    currency: str
    is_active: bool
    description: str
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime
    hidden_fields: list[str] = Field([], description="Restricted fields withheld from you.")


class ProductIn(Schema):
    """Writable fields only. Owner, version and bookkeeping fields cannot be set."""

    sku: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    category_id: int | None = None
    unit: Unit = Unit.PIECE
    list_price: Decimal = Field(ge=0, max_digits=14, decimal_places=2)
    cost_price: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    currency: str = Field("CNY", min_length=3, max_length=3)
    is_active: bool = True
    description: str = Field("", max_length=5000)


class ProductPatch(Schema):
    sku: str | None = Field(None, min_length=1, max_length=64)
    name: str | None = Field(None, min_length=1, max_length=200)
    category_id: int | None = None
    unit: Unit | None = None
    list_price: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    cost_price: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    currency: str | None = Field(None, min_length=3, max_length=3)
    is_active: bool | None = None
    description: str | None = Field(None, max_length=5000)
    version: int | None = Field(None, description="The version you read; or send If-Match.")
