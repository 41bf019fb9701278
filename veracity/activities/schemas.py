import datetime as dt
from decimal import Decimal

from ninja import Schema
from pydantic import Field

from veracity.activities.models import ActivityKind


class ActivityOut(Schema):
    id: int
    kind: str
    subject: str
    body: str
    customer_id: int
    customer_name: str | None = None
    contact_id: int | None
    opportunity_id: int | None
    order_id: int | None
    owner_id: int
    assignee_id: int | None
    occurred_at: dt.datetime
    due_at: dt.datetime | None
    done: bool
    done_at: dt.datetime | None
    duration_minutes: int | None
    location: str
    outcome: str
    is_overdue: bool
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class ActivityIn(Schema):
    """Writable fields only. The owner is you; done changes through /complete."""

    kind: ActivityKind
    subject: str = Field(min_length=1, max_length=200)
    body: str = Field("", max_length=20000)
    customer_id: int
    contact_id: int | None = None
    opportunity_id: int | None = None
    order_id: int | None = None
    assignee_id: int | None = None
    occurred_at: dt.datetime | None = None
    due_at: dt.datetime | None = None
    duration_minutes: int | None = Field(None, ge=0, le=1440)
    location: str = Field("", max_length=200)
    outcome: str = Field("", max_length=200)


class ActivityPatch(Schema):
    kind: ActivityKind | None = None
    subject: str | None = Field(None, min_length=1, max_length=200)
    body: str | None = Field(None, max_length=20000)
    customer_id: int | None = None
    contact_id: int | None = None
    opportunity_id: int | None = None
    order_id: int | None = None
    assignee_id: int | None = None
    occurred_at: dt.datetime | None = None
    due_at: dt.datetime | None = None
    duration_minutes: int | None = Field(None, ge=0, le=1440)
    location: str | None = Field(None, max_length=200)
    outcome: str | None = Field(None, max_length=200)
    version: int | None = Field(None, description="The version you read; or send If-Match.")


class CompleteIn(Schema):
    done: bool = Field(True, description="false reopens the activity.")


class TimelineEntryOut(Schema):
    type: str = Field(description="activity | order | opportunity | stage_change")
    when: dt.datetime
    title: str
    object_id: int
    kind: str | None = Field(None, description="The activity kind (activities only).")
    total: Decimal | None = None
    amount: Decimal | None = None
    currency: str | None = None
    status: str | None = None
    stage: str | None = None
    from_stage: str | None = None
    to_stage: str | None = None
