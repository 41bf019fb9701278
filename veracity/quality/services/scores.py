"""Quality scores per record (completeness, validity, freshness, uniqueness; 0–100 each, the score
their mean) and the daily snapshot that keeps their history per owner and entity."""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from veracity.customers.models import Contact, Customer, CustomerKind
from veracity.quality import uniqueness
from veracity.quality.models import QualityIssue, QualitySnapshot
from veracity.quality.rules import RULES

# The fields whose filling makes a record complete (beyond the name every record has).
COMPLETENESS_FIELDS = {
    "customer": ("phone", "email", "industry", "province", "city", "address_line"),
    "contact": ("title", "mobile", "email"),
}
COMPANY_ONLY = {"credit_code"}
DEFAULT_FRESH_DAYS = 180


def completeness_of(entity: str, values: dict) -> float:
    fields = list(COMPLETENESS_FIELDS[entity])
    if entity == "customer" and values.get("kind") == CustomerKind.COMPANY:
        fields += sorted(COMPANY_ONLY)
    filled = sum(1 for name in fields if values.get(name) not in (None, ""))
    return filled / len(fields)


def freshness_of(touched: dt.datetime, now: dt.datetime, fresh_days: int) -> float:
    """1 while touched within `fresh_days`, then falling linearly to 0 at twice that age."""
    age = (now - touched).days
    if age <= fresh_days:
        return 1.0
    return max(0.0, 1 - (age - fresh_days) / fresh_days)


def _fresh_days() -> int:
    from veracity.quality.services.issues import enabled_rules
    for rule, threshold in enabled_rules():
        if rule.code == "stale_record":
            return threshold or DEFAULT_FRESH_DAYS
    return RULES["stale_record"].default_threshold or DEFAULT_FRESH_DAYS


def record_scores(entity: str) -> list[dict]:
    """One row per live record: id, owner_id, team_id and the four parts and the score (0–100)."""
    now = timezone.now()
    fresh_days = _fresh_days()
    invalid = set(QualityIssue.objects.filter(entity=entity, resolved_at__isnull=True).exclude(
        rule__in=[code for code, rule in RULES.items() if rule.kind != "validity"]).values_list("object_id", flat=True))
    duplicates = uniqueness.duplicate_ids(entity)
    if entity == "customer":
        fields = ["id", "kind", "owner_id", "owner__team_id", "updated_at", *COMPLETENESS_FIELDS["customer"],
                  *COMPANY_ONLY]
        rows = Customer.objects.values(*fields)
    else:
        fields = ["id", "customer__owner_id", "customer__owner__team_id", "updated_at", *COMPLETENESS_FIELDS["contact"]]
        rows = Contact.objects.values(*fields)
    scored = []
    for row in rows:
        parts = {
            "completeness": completeness_of(entity, row),
            "validity": 0.0 if row["id"] in invalid else 1.0,
            "freshness": freshness_of(row["updated_at"], now, fresh_days),
            "uniqueness": 0.0 if row["id"] in duplicates else 1.0,
        }
        scored.append({
            "id": row["id"],
            "owner_id": row.get("owner_id", row.get("customer__owner_id")),
            "team_id": row.get("owner__team_id", row.get("customer__owner__team_id")),
            **{name: value * 100 for name, value in parts.items()},
            "score": sum(parts.values()) / len(parts) * 100,
        })
    return scored


def _one_place(value: float) -> Decimal:
    return Decimal(str(round(value, 1)))


@transaction.atomic
def score_snapshot_take(*, day: dt.date | None = None) -> int:
    """Store `day`'s (default today's) averages per entity and owner, replacing any taken earlier
    that day. Returns the number of snapshot rows."""
    day = day or timezone.localdate()
    QualitySnapshot.objects.filter(day=day).delete()
    rows = []
    for entity in COMPLETENESS_FIELDS:
        groups: dict[tuple, list[dict]] = defaultdict(list)
        for row in record_scores(entity):
            groups[(row["owner_id"], row["team_id"])].append(row)
        for (owner_id, team_id), records in groups.items():
            def mean(name, records=records):
                return _one_place(sum(record[name] for record in records) / len(records))
            rows.append(QualitySnapshot(
                day=day, entity=entity, owner_id=owner_id, team_id=team_id, records=len(records),
                completeness=mean("completeness"), validity=mean("validity"), freshness=mean("freshness"),
                uniqueness=mean("uniqueness"), score=mean("score")))
    QualitySnapshot.objects.bulk_create(rows)
    return len(rows)
