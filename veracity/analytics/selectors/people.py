"""The people dashboard: revenue, activities and pipeline per rep and per team, against targets."""

from collections import defaultdict
from fractions import Fraction

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from veracity.accounts.access import team_ids
from veracity.accounts.models import Scope, Team
from veracity.activities.models import Activity
from veracity.analytics.models import SalesTarget
from veracity.analytics.selectors.base import (
    ACTIVITY_OWNERS,
    Column,
    DashboardFilters,
    Table,
    cell_sums,
    money,
    percent,
    ratio,
    report_scope,
    rollup_rows,
    scoped_rows,
)
from veracity.analytics.selectors.pipeline import _Converter
from veracity.analytics.selectors.sales import orders_url
from veracity.pipeline.models import Opportunity, StageKind


def _target_cents(user, filters: DashboardFilters) -> dict[int, tuple[int, int | None]]:
    """Targets per rep over the range: (revenue cents, orders or None). A target whose period only
    overlaps the range counts for the overlapping days' share of it (a monthly target over "the last 30
    days" is two months' prorated parts), so the default range is never without a target."""
    targets = scoped_rows(SalesTarget.objects.filter(period_start__lte=filters.date_to,
                                                     period_end__gte=filters.date_from),
                          user=user, owners=("user",))
    result: dict[int, list] = defaultdict(lambda: [0, None])
    for rep, start, end, revenue, orders in targets.values_list("user_id", "period_start", "period_end", "revenue",
                                                                 "orders"):
        overlap = (min(end, filters.date_to) - max(start, filters.date_from)).days + 1
        share = Fraction(overlap, (end - start).days + 1)
        cell = result[rep]
        cell[0] += round(int(revenue * 100) * share)
        if orders is not None:
            cell[1] = (cell[1] or 0) + round(orders * share)
    return {rep: tuple(cell) for rep, cell in result.items()}


def people_dashboard(*, user, filters: DashboardFilters) -> dict[str, Table]:
    sums = {"revenue": Sum("revenue_cents"), "orders": Sum("orders")}
    rows = cell_sums(user=user, filters=filters, group=("salesperson",), by=("salesperson_id",), sums=sums)
    if rows is None:
        rows = rollup_rows(user=user, filters=filters).values("salesperson_id").annotate(**sums)
    sales = {row["salesperson_id"]: row for row in rows}
    activities_qs = scoped_rows(Activity.objects.filter(
        occurred_at__date__range=(filters.date_from, filters.date_to)), user=user, owners=ACTIVITY_OWNERS)
    if filters.team:
        activities_qs = activities_qs.filter(owner__team_id=filters.team)
    if filters.rep:
        activities_qs = activities_qs.filter(owner_id=filters.rep)
    activities = dict(activities_qs.values("owner_id").annotate(count=Count("pk")).values_list("owner_id", "count"))
    convert = _Converter()
    pipeline: dict[int, int] = defaultdict(int)
    opportunities = scoped_rows(Opportunity.objects.filter(stage__kind=StageKind.OPEN), user=user,
                                owners=("customer__owner", "owner"))
    if filters.team:
        opportunities = opportunities.filter(owner__team_id=filters.team)
    if filters.rep:
        opportunities = opportunities.filter(owner_id=filters.rep)
    for owner, amount, currency in opportunities.values_list("owner_id", "amount", "currency"):
        pipeline[owner] += convert(amount, currency)
    targets = _target_cents(user, filters)
    people_ids = set(sales) | set(activities) | set(pipeline) | set(targets)
    people = {person.pk: person for person in get_user_model().objects.filter(pk__in=people_ids).select_related("team")}
    reps = Table("reps", _("Per salesperson"), [
        Column("rep", _("Salesperson")), Column("team", _("Team")), Column("revenue", _("Revenue"), "decimal"),
        Column("orders", _("Orders"), "int"), Column("activities", _("Activities"), "int"),
        Column("pipeline", _("Open pipeline"), "decimal"), Column("target", _("Revenue target"), "decimal"),
        Column("attainment", _("Target attainment %"), "percent")],
        chart={"type": "bar", "x": "rep", "y": ["revenue", "target"]})
    teams: dict[str, list] = defaultdict(lambda: [0, 0, 0, 0, 0, None])
    for pk in sorted(people_ids, key=lambda pk: -(sales.get(pk) or {}).get("revenue", 0) or 0):
        person = people.get(pk)
        if person is None:
            continue
        revenue = (sales.get(pk) or {}).get("revenue") or 0
        orders = (sales.get(pk) or {}).get("orders") or 0
        target = targets.get(pk, (None, None))[0]
        team_name = person.team.name if person.team else _("No team")
        reps.rows.append((str(person), team_name, money(revenue), orders, activities.get(pk, 0),
                          money(pipeline.get(pk, 0)), money(target), percent(ratio(revenue, target))))
        reps.links.append(orders_url(filters, salesperson=pk))
        cell = teams[team_name]
        cell[0] += revenue
        cell[1] += orders
        cell[2] += activities.get(pk, 0)
        cell[3] += pipeline.get(pk, 0)
        if target is not None:
            cell[4] += target
            cell[5] = (cell[5] or 0) + 1
        cell.append(person.team_id)
    team_table = Table("teams", _("Per team"), [
        Column("team", _("Team")), Column("revenue", _("Revenue"), "decimal"), Column("orders", _("Orders"), "int"),
        Column("activities", _("Activities"), "int"), Column("pipeline", _("Open pipeline"), "decimal"),
        Column("target", _("Revenue target"), "decimal"), Column("attainment", _("Target attainment %"), "percent")],
        chart={"type": "bar", "x": "team", "y": ["revenue", "target"]})
    for name, cell in sorted(teams.items(), key=lambda item: -item[1][0]):
        target = cell[4] if cell[5] else None
        team_table.rows.append((name, money(cell[0]), cell[1], cell[2], money(cell[3]), money(target),
                                percent(ratio(cell[0], target))))
        team_id = next((value for value in cell[6:] if value), None)
        team_table.links.append(orders_url(filters, team=team_id) if team_id else None)
    return {"teams": team_table, "reps": reps}


def team_choices(*, user):
    """Teams the user's report scope reaches (all for all-seeing roles)."""
    scope = report_scope(user)
    if scope == Scope.ALL:
        return Team.objects.order_by("name")
    return Team.objects.filter(Q(pk__in=team_ids(user)) | Q(pk=user.team_id)).order_by("name")


def rep_choices(*, user):
    scope = report_scope(user)
    people = get_user_model().objects.filter(is_active=True)
    if scope == Scope.OWN:
        people = people.filter(pk=user.pk)
    elif scope == Scope.TEAM:
        people = people.filter(Q(team_id__in=team_ids(user)) | Q(pk=user.pk))
    return people.order_by("username")

