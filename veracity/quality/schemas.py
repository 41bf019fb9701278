import datetime as dt

from ninja import Schema
from pydantic import Field


class IssueOut(Schema):
    id: int
    rule: str
    entity: str
    object_id: int
    record_label: str
    field: str
    message: str
    owner_id: int | None
    current_value: str
    suggested_value: str
    has_fix: bool
    detected_at: dt.datetime
    resolved_at: dt.datetime | None
    resolution: str


class IssueIdsIn(Schema):
    issue_ids: list[int] = Field(min_length=1, max_length=500)


class FixPreviewOut(Schema):
    issue_id: int
    record: str
    field: str
    current: str
    new: str
    problem: str


class FixResultOut(Schema):
    fixed: list[int]
    failed: dict[int, str]


class RuleOut(Schema):
    code: str
    label: str
    description: str
    kind: str
    enabled: bool
    threshold: int | None
    default_threshold: int | None


class RulePatch(Schema):
    enabled: bool | None = None
    threshold: int | None = None


class TrendPointOut(Schema):
    day: dt.date
    entity: str
    score: float


class ChangeRequestOut(Schema):
    id: int
    entity: str
    object_id: int
    record_label: str
    changes: dict
    requested_by_id: int
    status: str
    created_at: dt.datetime
    decided_at: dt.datetime | None
    decided_by_id: int | None
    reason: str


class RejectIn(Schema):
    reason: str = Field(min_length=1, max_length=500)


class AuditItemOut(Schema):
    id: int
    customer_id: int
    customer: str
    outcome: str
    checked_at: dt.datetime | None
    note: str

    @staticmethod
    def resolve_customer(item) -> str:
        return item.customer.name


class DataAuditOut(Schema):
    id: int
    rep_id: int
    period: str
    due_on: dt.date
    status: str
    completed_at: dt.datetime | None
    escalated_at: dt.datetime | None
    items: list[AuditItemOut]

    @staticmethod
    def resolve_items(audit) -> list:
        return list(audit.items.select_related("customer"))


class AuditCheckIn(Schema):
    outcome: str
    note: str = Field("", max_length=300)


class ScorecardOut(Schema):
    rep_id: int
    rep: str
    team: str
    period: str
    score: float
    rank: int
    completeness: float
    timeliness: float | None
    tasks_due: int
    tasks_on_time: int
    overdue_tasks: int
    duplicates: int
    validation_errors: int
    changes_decided: int
    changes_approved: int
    review_pass_rate: float | None


class LeaderboardRowOut(Schema):
    rank: int
    rep_id: int
    rep: str
    team: str
    score: float
    badges: list[str]


class AwardOut(Schema):
    id: int
    badge: str
    icon: str
    rep_id: int
    period: str
    awarded_at: dt.datetime

    @staticmethod
    def resolve_badge(award) -> str:
        return award.rule.name

    @staticmethod
    def resolve_icon(award) -> str:
        return award.rule.icon


class AwardRuleIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    icon: str = "award"
    metric: str
    operator: str
    value: float
    active: bool = True


class AwardRuleOut(Schema):
    id: int
    name: str
    icon: str
    metric: str
    operator: str
    value: float
    active: bool
