"""Input and output shapes of the duplicates API."""

import datetime as dt
from decimal import Decimal

from ninja import Schema


class EvidenceOut(Schema):
    field: str
    level: str
    weight: float
    m: float | None = None
    u: float | None = None


class PairOut(Schema):
    left_id: int
    right_id: int
    probability: float
    weight: float
    explanation: list[EvidenceOut]


class MemberOut(Schema):
    id: int | None            # null when the record is outside your scope
    code: str = ""
    name: str = ""
    visible: bool


class ClusterOut(Schema):
    id: int
    entity: str
    status: str
    score: float
    value: Decimal
    size: int
    members: list[MemberOut]
    pairs: list[PairOut]


class ScanOut(Schema):
    id: int
    status: str
    created_at: dt.datetime
    finished_at: dt.datetime | None
    stage: str
    done: int
    total: int
    records: int
    compared: int
    clusters_found: int


class ScanIn(Schema):
    threshold: float = 0.9


class MergeIn(Schema):
    survivor_id: int
    loser_id: int
    entity: str = "customer"     # customer | contact
    cluster_id: int | None = None
    field_choices: dict[str, str] = {}


class MergeOut(Schema):
    id: int
    model: str
    survivor_id: int
    loser_id: int
    field_choices: dict[str, str]
    created_at: dt.datetime
    undone_at: dt.datetime | None


class DuplicateCheckIn(Schema):
    kind: str = "company"
    name: str = ""
    phone: str = ""
    email: str = ""
    credit_code: str = ""
    city: str = ""
    address_line: str = ""
    country: str = "CN"
    exclude_id: int | None = None


class LikelyDuplicateOut(Schema):
    id: int
    code: str
    name: str
    probability: float
    explanation: list[EvidenceOut]
    url: str


class DuplicateCheckOut(Schema):
    likely_duplicates: list[LikelyDuplicateOut]
