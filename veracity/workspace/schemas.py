import datetime as dt
from typing import Any

from ninja import Schema
from pydantic import Field


class SearchHitOut(Schema):
    label: str
    sublabel: str
    url: str | None


class SearchGroupOut(Schema):
    key: str = Field(description="customers | contacts | orders | opportunities | products")
    label: str
    items: list[SearchHitOut]


class TrashEntryOut(Schema):
    deletion_id: str
    type: str
    record_id: int
    record: str
    deleted_at: dt.datetime
    deleted_by: str | None
    records: dict[str, int] = Field(description="How many records of each type were deleted together.")


class RestoreOut(Schema):
    deletion_id: str
    restored: dict[str, int]


class AuditEventOut(Schema):
    id: int
    occurred_at: dt.datetime
    actor_id: int | None
    actor_username: str
    action: str
    object_type: str
    object_id: str
    object_repr: str
    changes: dict[str, Any]
    extra: dict[str, Any]
    ip_address: str | None
    request_id: str


class SavedViewOut(Schema):
    id: int
    list_name: str
    name: str
    query: str
    created_at: dt.datetime


class SavedViewIn(Schema):
    list_name: str
    name: str = Field(min_length=1, max_length=80)
    query: str = Field("", max_length=2000)
