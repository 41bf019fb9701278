from django.urls import path

from veracity.quality import views

app_name = "quality"
urlpatterns = [
    path("quality/", views.dashboard, name="dashboard"),
    path("quality/trend.json", views.trend_data, name="trend_data"),
    path("quality/issues/", views.issue_list, name="issue_list"),
    path("quality/issues/fix-preview/", views.issue_fix_preview, name="issue_fix_preview"),
    path("quality/issues/fix/", views.issue_fix_apply, name="issue_fix_apply"),
    path("quality/issues/<int:pk>/dismiss/", views.issue_dismiss, name="issue_dismiss"),
    path("quality/rules/", views.rule_list, name="rule_list"),
    path("quality/rules/<str:rule>/", views.rule_edit, name="rule_edit"),
    path("quality/settings/", views.settings_edit, name="settings_edit"),
    path("quality/reviews/", views.review_queue, name="review_queue"),
    path("quality/reviews/<int:pk>/approve/", views.change_request_approve, name="change_request_approve"),
    path("quality/reviews/<int:pk>/reject/", views.change_request_reject, name="change_request_reject"),
    path("quality/audits/", views.audit_list, name="audit_list"),
    path("quality/audits/<int:pk>/", views.audit_detail, name="audit_detail"),
    path("quality/audit-items/<int:pk>/check/", views.audit_item_check, name="audit_item_check"),
    path("quality/scorecards/", views.scorecards, name="scorecards"),
    path("quality/leaderboard/", views.leaderboard, name="leaderboard"),
    path("quality/award-rules/", views.award_rules, name="award_rules"),
    path("quality/home-panel/", views.home_panel, name="home_panel"),
    path("quality/onboarding/entry-guide/", views.onboarding_entry_guide, name="onboarding_entry_guide"),
]
