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
    (_("Data"), [
        (_("Imports"), "imports:list", "cloud-upload", Resource.IMPORT),
        (_("Duplicates"), "dedup:cluster_list", "intersect", Resource.DUPLICATE),
        (_("How we enter data"), "standards:guide", "journal-check", Resource.ENTRY_RULE),
    ]),
    (_("Administration"), [
        (_("Users"), "accounts:admin_user_list", "people", Resource.USER, Action.EDIT),
        (_("Teams"), "accounts:admin_team_list", "diagram-3", Resource.TEAM, Action.EDIT),
        (_("Permissions"), "accounts:admin_permissions", "shield-lock", Resource.USER, Action.EDIT),
        (_("Pipeline stages"), "pipeline:stage_list", "sliders", Resource.PIPELINE_STAGE),
        (_("Exchange rates"), "sales:rate_list", "currency-exchange", Resource.EXCHANGE_RATE),
        (_("Entry rules"), "standards:rule_list", "ui-checks", Resource.ENTRY_RULE, Action.EDIT),
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
