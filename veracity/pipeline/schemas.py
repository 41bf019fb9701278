import datetime as dt
from decimal import Decimal

from ninja import Schema
from pydantic import Field

from veracity.pipeline.models import LostReason, StageKind


class StageOut(Schema):
    id: int
    name: str
    name_zh: str
    display_name: str = ""
    position: int
    probability: int
    kind: str
    is_active: bool


class StageIn(Schema):
    name: str = Field(min_length=1, max_length=60)
    name_zh: str = Field("", max_length=60)
    probability: int = Field(ge=0, le=100)
    kind: StageKind = StageKind.OPEN
    is_active: bool = True


class StagePatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=60)
    name_zh: str | None = Field(None, max_length=60)
    probability: int | None = Field(None, ge=0, le=100)
    kind: StageKind | None = None
    is_active: bool | None = None


class OpportunityOut(Schema):
    id: int
    name: str
    customer_id: int
    customer_name: str = ""
    contact_id: int | None
    owner_id: int
    owner_name: str = ""
    stage_id: int
    stage_name: str = ""
    stage_kind: str = ""
    probability: int = 0
    amount: Decimal
    weighted_amount: Decimal = Field(Decimal("0"), description="Amount × the stage's probability.")
    currency: str
    expected_close_date: dt.date | None
    closed_on: dt.date | None
    lost_reason: str
    lost_note: str
    description: str
    position: int
    stage_changed_at: dt.datetime
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class OpportunityIn(Schema):
    """Writable fields only. The owner is you; the stage defaults to the first open stage."""

    name: str = Field(min_length=1, max_length=200)
    customer_id: int
    contact_id: int | None = None
    stage_id: int | None = Field(None, description="Defaults to the first open stage.")
    amount: Decimal = Field(Decimal("0"), ge=0, max_digits=16, decimal_places=2)
    currency: str = Field("CNY", min_length=3, max_length=3)
    expected_close_date: dt.date | None = None
    closed_on: dt.date | None = None
    lost_reason: LostReason | None = None
    lost_note: str = Field("", max_length=255)
    description: str = Field("", max_length=5000)


class OpportunityPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    customer_id: int | None = None
    contact_id: int | None = None
    amount: Decimal | None = Field(None, ge=0, max_digits=16, decimal_places=2)
    currency: str | None = Field(None, min_length=3, max_length=3)
    expected_close_date: dt.date | None = None
    closed_on: dt.date | None = None
    lost_reason: LostReason | None = None
    lost_note: str | None = Field(None, max_length=255)
    description: str | None = Field(None, max_length=5000)
    version: int | None = Field(None, description="The version you read; or send If-Match.")


class MoveIn(Schema):
    stage_id: int
    position: int | None = Field(None, ge=0, description="Index among the cards you see in the target column; "
                                                          "omitted = at the end.")
    lost_reason: LostReason | None = Field(None, description="Required when moving to a lost stage.")
    lost_note: str = Field("", max_length=255)
    closed_on: dt.date | None = Field(None, description="For won/lost stages; defaults to today.")
    version: int | None = Field(None, description="The version you read; or send If-Match.")


class TransferIn(Schema):
    owner_id: int
    version: int | None = Field(None, description="The version you read; or send If-Match.")
