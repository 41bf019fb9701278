from datetime import datetime
from typing import Any

from ninja import Schema


class ImportRunOut(Schema):
    id: int
    entity: str
    original_name: str
    encoding: str
    sheet: str
    headers: list[str]
    mapping: dict[str, str]
    mode: str
    policy: str
    status: str
    message: str
    counts: dict[str, Any]
    rows_total: int
    rows_done: int
    batches_done: int
    created_at: datetime
    created_by: str | None = None

    @staticmethod
    def resolve_created_by(obj) -> str | None:
        return obj.created_by.username if obj.created_by_id else None


class RowErrorOut(Schema):
    row_number: int
    column: str
    value: str
    message: str
    level: str


class RevertOut(Schema):
    deleted: int
    restored: int
    skipped: int
