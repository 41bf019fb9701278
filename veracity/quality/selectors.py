"""Reads of the quality app, each scoped to what the user may see."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, QuerySet
from django.utils import timezone

from veracity.accounts.access import access_require, scoped, team_ids
from veracity.accounts.models import Action, Resource, RoleCode, Scope, User
from veracity.core.errors import NotFound
from veracity.quality.models import (
    Award,
    AwardRule,
    ChangeRequest,
    ChangeStatus,
    DataAudit,
    QualityIssue,
    QualitySnapshot,
    RuleSetting,
)
from veracity.quality.rules import RULES
from veracity.quality.scorecards import Scorecard, ranked, scorecard_compute
from veracity.quality.services.settings import quality_settings_get


@dataclass
class IssueFilters:
    rule: str = ""
    entity: str = ""
    owner: int | None = None
    status: str = "open"     # open | resolved | all
    fixable: bool = False


def issue_list(*, user, filters: IssueFilters | None = None, action: str = Action.VIEW) -> QuerySet[QualityIssue]:
    filters = filters or IssueFilters()
    issues = scoped(QualityIssue.objects.select_related("owner"), user=user, resource=Resource.QUALITY_ISSUE,
                    action=action)
    if filters.status == "open":
        issues = issues.filter(resolved_at__isnull=True)
    elif filters.status == "resolved":
        issues = issues.filter(resolved_at__isnull=False)
    if filters.rule:
        issues = issues.filter(rule=filters.rule)
    if filters.entity:
        issues = issues.filter(entity=filters.entity)
    if filters.owner:
        issues = issues.filter(owner_id=filters.owner)
    if filters.fixable:
        issues = issues.filter(has_fix=True)
    return issues


def issue_get(*, user, pk: int, action: str = Action.VIEW) -> QualityIssue:
    issue = issue_list(user=user, filters=IssueFilters(status="all"), action=action).filter(pk=pk).first()
    if issue is None:
        raise NotFound()
    return issue


def issue_counts(*, user) -> list[dict]:
    """Open issues per rule within the user's scope, with the rule's label."""
    counts = dict(issue_list(user=user).values_list("rule").annotate(n=Count("id")).values_list("rule", "n"))
    return [{"rule": code, "label": rule.label, "kind": rule.kind, "open": counts.get(code, 0)}
            for code, rule in RULES.items()]


def rule_rows() -> list[dict]:
    settings = {setting.rule: setting for setting in RuleSetting.objects.all()}
    rows = []
    for code, rule in RULES.items():
        setting = settings.get(code)
        rows.append({
            "code": code, "label": rule.label, "description": rule.description, "kind": rule.kind,
            "enabled": setting.enabled if setting else True,
            "threshold": setting.threshold if setting and setting.threshold is not None else rule.default_threshold,
            "default_threshold": rule.default_threshold, "threshold_label": rule.threshold_label,
        })
    return rows


def rule_list(*, user) -> list[dict]:
    access_require(user, Resource.QUALITY_ISSUE, Action.VIEW)
    return rule_rows()


# ---------------------------------------------------------------------------------------------
# Reviews and audits

def change_request_list(*, user, status: str = ChangeStatus.PENDING, action: str = Action.VIEW
                        ) -> QuerySet[ChangeRequest]:
    requests = scoped(ChangeRequest.objects.select_related("requested_by", "decided_by"), user=user,
                      resource=Resource.CHANGE_REQUEST, action=action)
    if status:
        requests = requests.filter(status=status)
    return requests


def change_request_get(*, user, pk: int) -> ChangeRequest:
    found = change_request_list(user=user, status="").filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


def review_sla_state(change_request: ChangeRequest, now: dt.datetime | None = None) -> dict:
    """Age in hours and whether it is past the review SLA."""
    now = now or timezone.now()
    hours = (now - change_request.created_at).total_seconds() / 3600
    return {"age_hours": int(hours), "overdue": hours > quality_settings_get().review_sla_hours}


def data_audit_list(*, user, status: str = "") -> QuerySet[DataAudit]:
    audits = scoped(DataAudit.objects.select_related("rep").annotate(items_count=Count("items")), user=user,
                    resource=Resource.DATA_AUDIT, action=Action.VIEW)
    return audits.filter(status=status) if status else audits


def data_audit_get(*, user, pk: int, action: str = Action.VIEW) -> DataAudit:
    audit = scoped(DataAudit.objects.select_related("rep"), user=user, resource=Resource.DATA_AUDIT,
                   action=action).filter(pk=pk).first()
    if audit is None:
        raise NotFound()
    return audit


# ---------------------------------------------------------------------------------------------
# Scores and trends

def _snapshot_scope(user, team=None) -> QuerySet[QualitySnapshot]:
    """Snapshots within the user's quality_issue view scope (own / team / all), optionally one team."""
    scope = access_require(user, Resource.QUALITY_ISSUE, Action.VIEW)
    snapshots = QualitySnapshot.objects.all()
    if scope == Scope.OWN:
        snapshots = snapshots.filter(owner=user)
    elif scope == Scope.TEAM:
        snapshots = snapshots.filter(team_id__in=list(team_ids(user))) | snapshots.filter(owner=user)
    if team is not None:
        snapshots = snapshots.filter(team_id=getattr(team, "pk", team))
    return snapshots


def _weighted(rows, key) -> float:
    records = sum(row["records"] for row in rows)
    return round(sum(float(row[key]) * row["records"] for row in rows) / records, 1) if records else 0.0


def quality_trend(*, user, days: int = 90, team=None) -> list[dict]:
    """The daily quality score per entity over the last `days` days, of the records the user may see:
    [{"day": date, "entity": "customer", "score": 87.5}, …], oldest first. Scores are averages over
    records (0–100), weighted by each owner's number of records."""
    since = timezone.localdate() - dt.timedelta(days=days)
    rows = _snapshot_scope(user, team).filter(day__gt=since).values("day", "entity", "records", "score")
    grouped: dict[tuple, list[dict]] = defaultdict(list)
    for row in rows:
        grouped[(row["day"], row["entity"])].append(row)
    return [{"day": day, "entity": entity, "score": _weighted(items, "score")}
            for (day, entity), items in sorted(grouped.items())]


def quality_rollup(*, user, day: dt.date | None = None) -> dict[str, list[dict]]:
    """The latest snapshot rolled up per entity, per team and per rep, within the user's scope."""
    snapshots = _snapshot_scope(user)
    day = day or snapshots.order_by("-day").values_list("day", flat=True).first()
    if day is None:
        return {"day": None, "entities": [], "teams": [], "reps": []}
    rows = list(snapshots.filter(day=day).values("entity", "owner_id", "owner__username", "owner__display_name",
                                                 "team__name", "records", "completeness", "validity",
                                                 "freshness", "uniqueness", "score"))
    parts = ("completeness", "validity", "freshness", "uniqueness", "score")

    def roll(key_of):
        groups: dict = defaultdict(list)
        for row in rows:
            groups[key_of(row)].append(row)
        return [{"name": name, "records": sum(row["records"] for row in items),
                 **{part: _weighted(items, part) for part in parts}} for name, items in sorted(groups.items(),
                                                                                        key=lambda kv: str(kv[0]))]
    return {
        "day": day,
        "entities": roll(lambda row: row["entity"]),
        "teams": roll(lambda row: row["team__name"] or "—"),
        "reps": roll(lambda row: row["owner__display_name"] or row["owner__username"] or "—"),
    }


# ---------------------------------------------------------------------------------------------
# Scorecards, leaderboard, awards

def _reps_in_scope(user, scope: Scope, team=None) -> list[User]:
    reps = User.objects.filter(is_active=True, roles__code=RoleCode.SALES_REP).select_related("team").distinct()
    if scope == Scope.OWN:
        reps = reps.filter(pk=user.pk)
    elif scope == Scope.TEAM:
        reps = reps.filter(team_id__in=list(team_ids(user)))
    if team is not None:
        reps = reps.filter(team_id=getattr(team, "pk", team))
    return list(reps.order_by("username"))


def scorecard_list(*, user, period: str, team=None) -> list[Scorecard]:
    """Scorecards of the reps the user may see (a rep: their own; a manager: their team), ranked."""
    scope = access_require(user, Resource.SCORECARD, Action.VIEW)
    return ranked([scorecard_compute(rep, period) for rep in _reps_in_scope(user, scope, team)])


def scorecard_get(*, user, rep_id: int, period: str) -> Scorecard:
    scope = access_require(user, Resource.SCORECARD, Action.VIEW)
    rep = next((rep for rep in _reps_in_scope(user, scope) if rep.pk == rep_id), None)
    if rep is None:
        raise NotFound()
    return scorecard_compute(rep, period)


def leaderboard(*, user, period: str) -> list[dict]:
    """Every rep's rank, total score and badges for the period — no other metrics (those are on the
    scorecards, which follow the scorecard scope). Open to whoever may view awards."""
    access_require(user, Resource.AWARD, Action.VIEW)
    cards = ranked([scorecard_compute(rep, period) for rep in _reps_in_scope(user, Scope.ALL)])
    badges: dict[int, list] = defaultdict(list)
    for award in Award.objects.filter(period=period).select_related("rule"):
        badges[award.rep_id].append(award.rule)
    return [{"rank": card.rank, "rep_id": card.rep_id, "rep": card.rep, "team": card.team, "score": card.score,
             "badges": badges.get(card.rep_id, [])} for card in cards]


def award_list(*, user, rep=None) -> QuerySet[Award]:
    access_require(user, Resource.AWARD, Action.VIEW)
    awards = Award.objects.select_related("rule", "rep")
    return awards.filter(rep=rep) if rep is not None else awards


def award_rule_list(*, user) -> QuerySet[AwardRule]:
    access_require(user, Resource.AWARD, Action.VIEW)
    return AwardRule.objects.all()
