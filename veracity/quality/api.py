"""/api/v1/quality/…: problems and fixes, rules, trends, change reviews, audits, scorecards and awards."""

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from veracity.core.api import ErrorOut, Pagination
from veracity.core.errors import ValidationFailed
from veracity.quality import schemas, selectors
from veracity.quality.scorecards import current_period, period_bounds
from veracity.quality.services import approvals, incentives, issues, reviews, settings

router = Router(tags=["quality"])
ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class IssueQuery(Schema):
    rule: str = ""
    entity: str = ""
    owner: int | None = None
    status: str = "open"
    fixable: bool = False


class TrendQuery(Schema):
    days: int = 90
    team: int | None = None


class PeriodQuery(Schema):
    period: str = ""


def _period(value: str) -> str:
    period = value or current_period()
    try:
        period_bounds(period)
    except ValueError:
        raise ValidationFailed({"period": ["Use YYYY-MM, e.g. 2026-11."]}) from None
    return period


@router.get("/quality/issues", response={200: list[schemas.IssueOut], 403: ErrorOut}, summary="Flagged data problems")
@paginate(Pagination)
def issue_list(request: HttpRequest, query: Query[IssueQuery]):
    return selectors.issue_list(user=request.user, filters=selectors.IssueFilters(**query.dict()))


@router.post("/quality/issues/fix-preview", response={200: list[schemas.FixPreviewOut], **ERRORS},
             summary="What the suggested fixes would change (changes nothing)")
def issue_fix_preview(request: HttpRequest, payload: schemas.IssueIdsIn):
    return [{"issue_id": item.issue.pk, "record": item.issue.record_label, "field": item.field,
             "current": item.current, "new": item.new, "problem": item.problem}
            for item in issues.issue_fix_preview(actor=request.user, issue_ids=payload.issue_ids)]


@router.post("/quality/issues/fix", response={200: schemas.FixResultOut, **ERRORS},
             summary="Apply the suggested fixes through the domain services")
def issue_fix_apply(request: HttpRequest, payload: schemas.IssueIdsIn):
    return issues.issue_fix_apply(actor=request.user, issue_ids=payload.issue_ids)


@router.post("/quality/issues/{issue_id}/dismiss", response={200: schemas.IssueOut, **ERRORS},
             summary="Accept a flagged value as correct")
def issue_dismiss(request: HttpRequest, issue_id: int):
    return issues.issue_dismiss(actor=request.user, issue_id=issue_id)


@router.get("/quality/rules", response={200: list[schemas.RuleOut], 403: ErrorOut}, summary="The data-quality rules")
def rule_list(request: HttpRequest):
    return [{**row, "label": str(row["label"]), "description": str(row["description"])}
            for row in selectors.rule_list(user=request.user)]


@router.patch("/quality/rules/{rule}", response={200: schemas.RuleOut, **ERRORS},
              summary="Turn a rule on or off, or change its threshold (administrators)")
def rule_update(request: HttpRequest, rule: str, payload: schemas.RulePatch):
    settings.rule_setting_update(actor=request.user, rule=rule, values=payload.dict(exclude_unset=True))
    row = next(row for row in selectors.rule_rows() if row["code"] == rule)
    return {**row, "label": str(row["label"]), "description": str(row["description"])}


@router.get("/quality/trend", response={200: list[schemas.TrendPointOut], 403: ErrorOut},
            summary="Daily quality score per entity of the records I may see")
def quality_trend(request: HttpRequest, query: Query[TrendQuery]):
    return selectors.quality_trend(user=request.user, days=max(1, min(query.days, 730)), team=query.team)


@router.get("/quality/change-requests", response={200: list[schemas.ChangeRequestOut], 403: ErrorOut},
            summary="Change requests (pending by default)")
@paginate(Pagination)
def change_request_list(request: HttpRequest, status: str = "pending"):
    return selectors.change_request_list(user=request.user, status=status)


@router.post("/quality/change-requests/{change_request_id}/approve",
             response={200: schemas.ChangeRequestOut, **ERRORS}, summary="Approve and apply a change request")
def change_request_approve(request: HttpRequest, change_request_id: int):
    return approvals.change_request_approve(actor=request.user, change_request_id=change_request_id)


@router.post("/quality/change-requests/{change_request_id}/reject",
             response={200: schemas.ChangeRequestOut, **ERRORS}, summary="Reject a change request with a reason")
def change_request_reject(request: HttpRequest, change_request_id: int, payload: schemas.RejectIn):
    return approvals.change_request_reject(actor=request.user, change_request_id=change_request_id,
                                           reason=payload.reason)


@router.get("/quality/audits", response={200: list[schemas.DataAuditOut], 403: ErrorOut}, summary="Data audits")
@paginate(Pagination)
def data_audit_list(request: HttpRequest, status: str = ""):
    return selectors.data_audit_list(user=request.user, status=status)


@router.post("/quality/audit-items/{item_id}/check", response={200: schemas.AuditItemOut, **ERRORS},
             summary="Confirm an audited account, or say it was corrected")
def data_audit_item_check(request: HttpRequest, item_id: int, payload: schemas.AuditCheckIn):
    return reviews.data_audit_item_check(actor=request.user, item_id=item_id, outcome=payload.outcome,
                                         note=payload.note)


@router.get("/quality/scorecards", response={200: list[schemas.ScorecardOut], **ERRORS},
            summary="Scorecards of the reps I may see, for a month")
def scorecard_list(request: HttpRequest, query: Query[PeriodQuery]):
    return [card.as_dict() for card in selectors.scorecard_list(user=request.user, period=_period(query.period))]


@router.get("/quality/leaderboard", response={200: list[schemas.LeaderboardRowOut], **ERRORS},
            summary="Every rep's rank, score and badges for a month")
def leaderboard(request: HttpRequest, query: Query[PeriodQuery]):
    return [{**row, "badges": [badge.name for badge in row["badges"]]}
            for row in selectors.leaderboard(user=request.user, period=_period(query.period))]


@router.get("/quality/awards", response={200: list[schemas.AwardOut], 403: ErrorOut}, summary="Awards given")
@paginate(Pagination)
def award_list(request: HttpRequest):
    return selectors.award_list(user=request.user)


@router.get("/quality/award-rules", response={200: list[schemas.AwardRuleOut], 403: ErrorOut},
            summary="The rules that give badges")
def award_rule_list(request: HttpRequest):
    return selectors.award_rule_list(user=request.user)


@router.post("/quality/award-rules", response={201: schemas.AwardRuleOut, **ERRORS},
             summary="Add a badge rule (administrators)")
def award_rule_create(request: HttpRequest, payload: schemas.AwardRuleIn):
    return Status(201, incentives.award_rule_create(actor=request.user, values=payload.dict()))
