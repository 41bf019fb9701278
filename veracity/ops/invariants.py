"""Domain invariants: facts about the data that must hold in every database, live or restored. The
restore drill runs them against the scratch copy (SECURITY.md R22, R24); each returns the offending
ids, so a failure says where to look."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, Sum
from django.utils import timezone

from veracity.activities.models import Activity
from veracity.audit.models import AuditEvent
from veracity.customers.models import Contact, Customer
from veracity.pipeline.models import Opportunity
from veracity.sales.models import Order, OrderLine

CENT = Decimal("0.01")
EXAMPLES = 10
CLOCK_SKEW = dt.timedelta(minutes=5)


@dataclass
class InvariantResult:
    name: str
    description: str
    offenders: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.offenders

    def as_dict(self) -> dict:
        return {"name": self.name, "description": self.description, "ok": self.ok,
                "count": len(self.offenders), "examples": [str(item) for item in self.offenders[:EXAMPLES]]}


def order_totals_match_lines(using: str) -> list:
    sums = {row["order_id"]: row["total"] or Decimal("0") for row in
            OrderLine.objects.using(using).values("order_id").annotate(total=Sum("net_amount"))}
    return [pk for pk, total in Order.all_objects.using(using).values_list("pk", "total_amount").iterator()
            if Decimal(total).quantize(CENT) != Decimal(sums.get(pk, 0)).quantize(CENT)]


def order_line_currency_matches_order(using: str) -> list:
    return list(OrderLine.objects.using(using).exclude(currency=F("order__currency")).values_list("pk", flat=True))


def live_records_point_at_live_customers(using: str) -> list:
    customers = Customer.all_objects.using(using)
    alive = set(customers.filter(deleted_at__isnull=True).values_list("pk", flat=True))
    offenders = []
    for model in (Order, Opportunity, Activity, Contact):
        rows = model.objects.using(using).exclude(customer_id__isnull=True).values_list("pk", "customer_id")
        offenders += [f"{model._meta.label_lower}:{pk}" for pk, customer_id in rows.iterator()
                      if customer_id not in alive]
    return offenders


def audit_events_not_in_the_future(using: str) -> list:
    return list(AuditEvent.objects.using(using).filter(occurred_at__gt=timezone.now() + CLOCK_SKEW)
                .values_list("pk", flat=True))


def customer_codes_unique_among_live(using: str) -> list:
    return list(Customer.objects.using(using).values("code").annotate(n=Count("id")).filter(n__gt=1)
                .values_list("code", flat=True))


def order_numbers_unique_among_live(using: str) -> list:
    return list(Order.objects.using(using).values("number").annotate(n=Count("id")).filter(n__gt=1)
                .values_list("number", flat=True))


INVARIANTS: list[tuple[str, str, Callable[[str], list]]] = [
    ("order_totals", "Every order's total equals the sum of its lines' net amounts.", order_totals_match_lines),
    ("order_line_currency", "Every order line is in its order's currency.", order_line_currency_matches_order),
    ("live_customer_links", "No live order, opportunity, activity or contact points at a customer that is "
                            "missing or in the trash.", live_records_point_at_live_customers),
    ("audit_not_future", "No audit event is dated in the future.", audit_events_not_in_the_future),
    ("customer_code_unique", "Each customer code is unique among live customers.", customer_codes_unique_among_live),
    ("order_number_unique", "Each order number is unique among live orders.", order_numbers_unique_among_live),
]


def invariants_check(*, using: str = "default") -> list[InvariantResult]:
    return [InvariantResult(name, description, check(using)) for name, description, check in INVARIANTS]
