"""Reads for opportunities, stages and the kanban board, already permission-scoped."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet, Sum, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from veracity.accounts.access import access_scope, scoped
from veracity.accounts.models import Action, Resource, Scope, User
from veracity.accounts.selectors import assignable_owners
from veracity.core.errors import NotFound
from veracity.core.money import round_money
from veracity.customers.models import Customer
from veracity.pipeline.models import Opportunity, OpportunityStageChange, PipelineStage, StageKind

OPPORTUNITY_SORTS = {
    "name": ("name",), "-name": ("-name",),
    "amount": ("amount",), "-amount": ("-amount",),
    "expected_close_date": ("expected_close_date",), "-expected_close_date": ("-expected_close_date",),
    "stage": ("stage__position",), "-stage": ("-stage__position",),
    "customer": ("customer__name",), "-customer": ("-customer__name",),
    "created_at": ("created_at",), "-created_at": ("-created_at",),
    "updated_at": ("updated_at",), "-updated_at": ("-updated_at",),
}
DEFAULT_SORT = "-created_at"
# At most this many cards are rendered per column; the column header still counts and sums them all.
BOARD_CARD_LIMIT = 100


@dataclass(frozen=True)
class OpportunityFilters:
    q: str = ""
    stage: int | None = None
    owner: int | None = None
    customer: int | None = None
    closing_from: dt.date | None = None
    closing_to: dt.date | None = None
    status: str = ""  # "open", "won" or "lost"
    sort: str = DEFAULT_SORT


def _filtered(queryset: QuerySet[Opportunity], filters: OpportunityFilters) -> QuerySet[Opportunity]:
    if filters.q:
        term = filters.q.strip()
        queryset = queryset.filter(
            Q(name__icontains=term) | Q(customer__name__icontains=term) | Q(customer__code__icontains=term)
        )
    if filters.stage:
        queryset = queryset.filter(stage_id=filters.stage)
    if filters.owner:
        queryset = queryset.filter(owner_id=filters.owner)
    if filters.customer:
        queryset = queryset.filter(customer_id=filters.customer)
    if filters.closing_from:
        queryset = queryset.filter(expected_close_date__gte=filters.closing_from)
    if filters.closing_to:
        queryset = queryset.filter(expected_close_date__lte=filters.closing_to)
    if filters.status in StageKind.values:
        queryset = queryset.filter(stage__kind=filters.status)
    return queryset


def opportunity_list(
    *, user, filters: OpportunityFilters = OpportunityFilters(), action: str = Action.VIEW
) -> QuerySet[Opportunity]:
    queryset = scoped(
        Opportunity.objects.select_related("customer", "owner", "stage", "contact"),
        user=user, resource=Resource.OPPORTUNITY, action=action,
    )
    queryset = _filtered(queryset, filters)
    sort = OPPORTUNITY_SORTS.get(filters.sort, OPPORTUNITY_SORTS[DEFAULT_SORT])
    return queryset.order_by(*sort, "-id")


def opportunity_get(*, user, pk: int, action: str = Action.VIEW) -> Opportunity:
    opportunity = opportunity_list(user=user, action=action).filter(pk=pk).first()
    if opportunity is None:
        raise NotFound()
    return opportunity


def customer_get_visible(*, user, pk: int) -> Customer:
    """The customer, if the user may see it (for the customer page's opportunities panel)."""
    customer = scoped(Customer.objects, user=user, resource=Resource.CUSTOMER, action=Action.VIEW).filter(pk=pk).first()
    if customer is None:
        raise NotFound()
    return customer


def customer_can_add_opportunity(*, user, customer: Customer) -> bool:
    if access_scope(user, Resource.OPPORTUNITY, Action.CREATE) is None:
        return False
    if access_scope(user, Resource.CUSTOMER, Action.EDIT) is None:
        return False
    return scoped(Customer.objects, user=user, resource=Resource.CUSTOMER, action=Action.EDIT).filter(
        pk=customer.pk).exists()


def editable_customers(*, user) -> QuerySet[Customer]:
    """Customers the user may add opportunities to (the create form's choices)."""
    return scoped(Customer.objects, user=user, resource=Resource.CUSTOMER, action=Action.EDIT).order_by("name", "id")


def customer_opportunity_list(*, user, customer_id: int) -> QuerySet[Opportunity]:
    customer_get_visible(user=user, pk=customer_id)
    return opportunity_list(user=user, filters=OpportunityFilters(customer=customer_id, sort="stage"))


def stage_list(*, user, active_only: bool = False) -> QuerySet[PipelineStage]:
    queryset = scoped(PipelineStage.objects.all(), user=user, resource=Resource.PIPELINE_STAGE, action=Action.VIEW)
    if active_only:
        queryset = queryset.filter(is_active=True)
    return queryset.order_by("position", "id")


def stage_get(*, user, pk: int, action: str = Action.VIEW) -> PipelineStage:
    queryset = scoped(PipelineStage.objects.all(), user=user, resource=Resource.PIPELINE_STAGE, action=action)
    stage = queryset.filter(pk=pk).first()
    if stage is None:
        raise NotFound()
    return stage


def stage_history(*, opportunity: Opportunity) -> QuerySet[OpportunityStageChange]:
    return (
        OpportunityStageChange.objects.filter(opportunity=opportunity)
        .select_related("from_stage", "to_stage", "changed_by")
        .order_by("-changed_at", "-id")
    )


def owner_choices(*, user) -> QuerySet[User] | None:
    """People whose opportunities the user may filter by; None for those who see only their own."""
    scope = access_scope(user, Resource.OPPORTUNITY, Action.VIEW)
    if scope is None or scope == Scope.OWN:
        return None
    return assignable_owners(user=user, scope=scope)


def weighted_amount(opportunity: Opportunity) -> Decimal:
    return round_money(opportunity.amount * opportunity.stage.probability / Decimal(100))


@dataclass
class MoneyTotal:
    currency: str
    amount: Decimal


@dataclass
class BoardColumn:
    stage: PipelineStage
    cards: list[Opportunity] = field(default_factory=list)
    count: int = 0
    totals: list[MoneyTotal] = field(default_factory=list)  # one sum per currency, never mixed
    weighted: list[MoneyTotal] = field(default_factory=list)

    @property
    def more(self) -> int:
        """Cards counted in the header but not rendered (beyond BOARD_CARD_LIMIT)."""
        return self.count - len(self.cards)


def board(*, user, filters: OpportunityFilters = OpportunityFilters()) -> list[BoardColumn]:
    """One column per active stage: its cards (scoped and filtered), count, total amount per currency
    and amount weighted by the stage's probability, per currency. Three queries, whatever the size."""
    stages = list(stage_list(user=user, active_only=True))
    columns = {stage.pk: BoardColumn(stage=stage) for stage in stages}
    opportunities = _filtered(
        scoped(Opportunity.objects.filter(stage__is_active=True), user=user, resource=Resource.OPPORTUNITY,
               action=Action.VIEW),
        OpportunityFilters(q=filters.q, owner=filters.owner, customer=filters.customer,
                           closing_from=filters.closing_from, closing_to=filters.closing_to),
    )
    sums: dict[int, dict[str, Decimal]] = defaultdict(dict)
    rows = opportunities.order_by().values("stage_id", "currency").annotate(n=Count("id"), total=Sum("amount"))
    for row in rows:
        column = columns.get(row["stage_id"])
        if column is None:
            continue
        column.count += row["n"]
        sums[row["stage_id"]][row["currency"]] = row["total"] or Decimal("0")
    for stage_id, per_currency in sums.items():
        column = columns[stage_id]
        probability = Decimal(column.stage.probability) / Decimal(100)
        for currency in sorted(per_currency):
            column.totals.append(MoneyTotal(currency, per_currency[currency]))
            column.weighted.append(MoneyTotal(currency, round_money(per_currency[currency] * probability)))
    cards = (
        opportunities.select_related("customer", "owner", "stage")
        .annotate(row=Window(RowNumber(), partition_by=[F("stage_id")], order_by=[F("position").asc(), F("id").desc()]))
        .filter(row__lte=BOARD_CARD_LIMIT)
        .order_by("stage__position", "position", "-id")
    )
    for card in cards:
        columns[card.stage_id].cards.append(card)
    return [columns[stage.pk] for stage in stages]


def is_overdue(opportunity: Opportunity, today: dt.date | None = None) -> bool:
    """An open opportunity whose expected close date has passed."""
    today = today or timezone.localdate()
    return bool(
        opportunity.stage.kind == StageKind.OPEN and opportunity.expected_close_date
        and opportunity.expected_close_date < today
    )
