"""Data quality: problems, reviews and audits follow their own/team/all scopes; rules and settings
belong to whoever may change the entry rules; badges are created by administrators."""

from tests.security.policy import login, perm

RULE = {"rule": "stale_record"}


def _issues(world):
    return {"issue_ids": [world.quality["issue"]]}


POLICY = {
    "quality:dashboard": perm("quality_issue", "view"),
    "quality:trend_data": perm("quality_issue", "view"),
    "quality:issue_list": perm("quality_issue", "view"),
    "quality:issue_fix_preview": perm("quality_issue", "edit", methods=("POST",),
                                      body=lambda world: {"issue": [world.quality["issue"]]}),
    "quality:issue_fix_apply": perm("quality_issue", "edit", methods=("POST",),
                                    body=lambda world: {"issue": [world.quality["issue"]]}),
    "quality:issue_dismiss": perm("quality_issue", "edit", obj="issue", owned=True, methods=("POST",)),
    "quality:rule_list": perm("entry_rule", "edit"),
    "quality:rule_edit": perm("entry_rule", "edit", methods=("POST",), path_params=RULE,
                              body=lambda world: {"enabled": "1"}),
    "quality:settings_edit": perm("entry_rule", "edit", methods=("POST",)),
    "quality:review_queue": perm("change_request", "view"),
    "quality:change_request_approve": perm("change_request", "edit", obj="change_request", owned=True,
                                           methods=("POST",)),
    "quality:change_request_reject": perm("change_request", "edit", obj="change_request", owned=True,
                                          methods=("POST",), body=lambda world: {"reason": "sweep"}),
    "quality:audit_list": perm("data_audit", "view"),
    "quality:audit_detail": perm("data_audit", "view", obj="audit", owned=True),
    "quality:audit_item_check": perm("data_audit", "edit", obj="item", owned=True, methods=("POST",),
                                     body=lambda world: {"outcome": "confirmed"}),
    "quality:scorecards": perm("scorecard", "view"),
    "quality:leaderboard": perm("award", "view"),
    "quality:award_rules": perm("award", "view"),
    "quality:home_panel": login(),
    "quality:onboarding_entry_guide": login(methods=("POST",)),
    "GET /api/v1/quality/issues": perm("quality_issue", "view"),
    "POST /api/v1/quality/issues/fix-preview": perm("quality_issue", "edit", body=_issues),
    "POST /api/v1/quality/issues/fix": perm("quality_issue", "edit", body=_issues),
    "POST /api/v1/quality/issues/{issue_id}/dismiss": perm("quality_issue", "edit", obj="issue", owned=True),
    "GET /api/v1/quality/rules": perm("quality_issue", "view"),
    "PATCH /api/v1/quality/rules/{rule}": perm("entry_rule", "edit", path_params=RULE,
                                               body=lambda world: {"enabled": True}),
    "GET /api/v1/quality/trend": perm("quality_issue", "view"),
    "GET /api/v1/quality/change-requests": perm("change_request", "view"),
    "POST /api/v1/quality/change-requests/{change_request_id}/approve": perm(
        "change_request", "edit", obj="change_request", owned=True),
    "POST /api/v1/quality/change-requests/{change_request_id}/reject": perm(
        "change_request", "edit", obj="change_request", owned=True, body=lambda world: {"reason": "sweep"}),
    "GET /api/v1/quality/audits": perm("data_audit", "view"),
    "POST /api/v1/quality/audit-items/{item_id}/check": perm("data_audit", "edit", obj="item", owned=True,
                                                             body=lambda world: {"outcome": "confirmed"}),
    "GET /api/v1/quality/scorecards": perm("scorecard", "view"),
    "GET /api/v1/quality/leaderboard": perm("award", "view"),
    "GET /api/v1/quality/awards": perm("award", "view"),
    "GET /api/v1/quality/award-rules": perm("award", "view"),
    "POST /api/v1/quality/award-rules": perm("award", "create", body=lambda world: {
        "name": "Sweep", "metric": "score", "operator": "gte", "value": 90}),
}
