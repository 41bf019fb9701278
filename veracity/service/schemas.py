import datetime as dt

from ninja import Schema
from pydantic import Field

from veracity.service.models import MessageKind, TicketPriority, TicketStatus, TicketType


class TicketOut(Schema):
    id: int
    number: str
    subject: str
    description: str
    customer_id: int
    customer_name: str | None = None
    contact_id: int | None
    order_id: int | None
    product_id: int | None
    type: str
    priority: str
    status: str
    assignee_id: int | None
    first_response_due_at: dt.datetime | None
    resolution_due_at: dt.datetime | None
    first_responded_at: dt.datetime | None
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None
    sla_state: str
    sla_breached_at: dt.datetime | None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_customer_name(obj) -> str:
        return obj.customer.name

    @staticmethod
    def resolve_sla_state(obj) -> str:
        return obj.sla_state()


class TicketIn(Schema):
    subject: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=20000)
    customer_id: int
    contact_id: int | None = None
    order_id: int | None = None
    product_id: int | None = None
    type: TicketType = TicketType.QUESTION
    priority: TicketPriority = TicketPriority.NORMAL
    assignee_id: int | None = None


class TicketPatch(Schema):
    subject: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=20000)
    contact_id: int | None = None
    order_id: int | None = None
    product_id: int | None = None
    type: TicketType | None = None
    priority: TicketPriority | None = None
    assignee_id: int | None = None
    version: int | None = None


class TicketStatusIn(Schema):
    status: TicketStatus
    version: int | None = None


class TicketMessageIn(Schema):
    kind: MessageKind
    body: str = Field(min_length=1, max_length=20000)


class TicketMessageOut(Schema):
    id: int
    kind: str
    body: str
    author_id: int
    activity_id: int | None
    created_at: dt.datetime


class SlaPolicyOut(Schema):
    priority: str
    label: str
    first_response_minutes: int
    resolution_minutes: int
    is_default: bool


class SlaPolicyIn(Schema):
    first_response_minutes: int = Field(ge=1, le=525600)
    resolution_minutes: int = Field(ge=1, le=525600)
