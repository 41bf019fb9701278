"""The sidebar: every area the user may open, and only those."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from veracity.accounts.access import can
from veracity.accounts.models import Action, Resource

# (group title, [(label, url name, icon, resource the user needs, optionally the action: view by default)])
NAVIGATION = [
    ("", [
        (_("Home"), "workspace:home", "house", None),
    ]),
    (_("Customers"), [
        (_("Customers"), "customers:list", "building", Resource.CUSTOMER),
        (_("Contacts"), "customers:contact_list", "person-lines-fill", Resource.CONTACT),
        (_("Activities"), "activities:list", "calendar-check", Resource.ACTIVITY),
    ]),
    (_("Sales"), [
        (_("Pipeline"), "pipeline:board", "kanban", Resource.OPPORTUNITY),
        (_("Opportunities"), "pipeline:list", "bullseye", Resource.OPPORTUNITY),
        (_("Orders"), "sales:order_list", "receipt", Resource.ORDER),
        (_("Products"), "catalog:product_list", "box-seam", Resource.PRODUCT),
    ]),
    (_("Service and feedback"), [
        (_("Customer service"), "service:home", "headset", Resource.TICKET),
        (_("Tickets"), "service:ticket_list", "life-preserver", Resource.TICKET),
        (_("Surveys"), "feedback:survey_list", "ui-radios", Resource.SURVEY),
        (_("Feedback analysis"), "feedback:analysis", "graph-up", Resource.SURVEY_RESPONSE),
    ]),
    (_("Marketing"), [
        (_("Campaigns"), "marketing:campaign_list", "megaphone", Resource.CAMPAIGN),
        (_("Segments"), "marketing:segment_list", "funnel", Resource.SEGMENT),
        (_("Campaign report"), "marketing:campaign_report", "graph-up-arrow", Resource.REPORT),
        (_("First and last touch"), "marketing:attribution_list", "signpost-split", Resource.CAMPAIGN),
        (_("Market demand"), "marketing:market_demand", "grid-3x3", Resource.REPORT),
    ]),
    (_("Prediction"), [
        (_("Forecasts"), "forecasting:overview", "graph-up-arrow", Resource.FORECAST),
        (_("Customer value"), "forecasting:customer_values", "gem", Resource.FORECAST),
        (_("Anomaly alerts"), "forecasting:alert_list", "bell", Resource.FORECAST),
    ]),
    (_("Analytics"), [
        (_("Dashboards"), "analytics:overview", "graph-up", Resource.REPORT),
        (_("Sales targets"), "analytics:target_list", "flag", Resource.SALES_TARGET),
        (_("Periodic reviews"), "analytics:review_list", "journal-text", Resource.PERIODIC_REVIEW),
    ]),
    (_("Data"), [
        (_("Imports"), "imports:list", "cloud-upload", Resource.IMPORT),
        (_("Duplicates"), "dedup:cluster_list", "intersect", Resource.DUPLICATE),
        (_("How we enter data"), "standards:guide", "journal-check", Resource.ENTRY_RULE),
        (_("Data quality"), "quality:dashboard", "clipboard2-pulse", Resource.QUALITY_ISSUE),
        (_("Change reviews"), "quality:review_queue", "check2-square", Resource.CHANGE_REQUEST, Action.EDIT),
        (_("Scorecards"), "quality:scorecards", "trophy", Resource.SCORECARD),
    ]),
    (_("Administration"), [
        (_("Users"), "accounts:admin_user_list", "people", Resource.USER, Action.EDIT),
        (_("Teams"), "accounts:admin_team_list", "diagram-3", Resource.TEAM, Action.EDIT),
        (_("Permissions"), "accounts:admin_permissions", "shield-lock", Resource.USER, Action.EDIT),
        (_("Pipeline stages"), "pipeline:stage_list", "sliders", Resource.PIPELINE_STAGE),
        (_("Exchange rates"), "sales:rate_list", "currency-exchange", Resource.EXCHANGE_RATE),
        (_("SLA targets"), "service:sla", "stopwatch", Resource.USER, Action.EDIT),
        (_("Entry rules"), "standards:rule_list", "ui-checks", Resource.ENTRY_RULE, Action.EDIT),
        (_("Data-quality rules"), "quality:rule_list", "funnel", Resource.ENTRY_RULE, Action.EDIT),
        (_("Trash"), "workspace:trash", "trash", Resource.TRASH),
        (_("Background jobs"), "ops:job_list", "cpu", Resource.JOB),
        (_("Backups"), "ops:backup_list", "database-check", Resource.BACKUP),
        (_("Audit trail"), "workspace:audit_list", "shield-check", Resource.AUDIT_EVENT),
    ]),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    groups = []
    path = request.path
    for title, items in NAVIGATION:
        visible = []
        for label, url_name, icon, resource, *needed in items:
            if resource is not None and not can(user, resource, needed[0] if needed else Action.VIEW):
                continue
            try:
                url = reverse(url_name)
            except NoReverseMatch:  # an area whose app is not installed in this deployment
                continue
            active = path == url or (url != "/" and path.startswith(url))
            visible.append({"label": label, "url": url, "icon": icon, "active": active})
        if visible:
            groups.append({"title": title, "items": visible})
    return {"nav_groups": groups}
