"""Grant the resources of data quality, analytics, marketing, service and feedback to the default roles.

Scopes on reports and scorecards limit the figures a user sees (a rep's dashboard counts only the
rep's own customers), not only which pages open."""

from django.db import migrations

OWN, TEAM, ALL = 1, 2, 3
NEW_RESOURCES = [
    "duplicate", "quality_issue", "change_request", "data_audit", "scorecard", "award",
    "report", "sales_target", "forecast", "periodic_review",
    "campaign", "segment", "ticket", "survey", "survey_response",
]
CRUD = ("view", "create", "edit", "delete")


def everything(scope):
    return {action: scope for action in (*CRUD, "export")}


GRANTS = {
    "admin": {resource: everything(ALL) for resource in NEW_RESOURCES},
    "sales_manager": {
        "duplicate": {"view": TEAM, "edit": TEAM},
        "quality_issue": {"view": TEAM, "edit": TEAM, "export": TEAM},
        "change_request": {"view": TEAM, "create": TEAM, "edit": TEAM},
        "data_audit": {"view": TEAM, "create": TEAM, "edit": TEAM},
        "scorecard": {"view": TEAM, "export": TEAM},
        "award": {"view": ALL},
        "report": {"view": TEAM, "export": TEAM},
        "sales_target": {"view": TEAM, "create": TEAM, "edit": TEAM, "delete": TEAM},
        "forecast": {"view": ALL, "create": ALL, "export": ALL},
        "periodic_review": {"view": ALL, "edit": ALL},
        "campaign": {"view": ALL},
        "segment": {"view": ALL, "export": TEAM},
        "ticket": {"view": TEAM, "export": TEAM},
        "survey": {"view": ALL},
        "survey_response": {"view": TEAM, "export": TEAM},
    },
    "sales_rep": {
        "duplicate": {"view": OWN},
        "quality_issue": {"view": OWN, "edit": OWN},
        "change_request": {"view": OWN, "create": OWN},
        "data_audit": {"view": OWN, "edit": OWN},
        "scorecard": {"view": OWN},
        "award": {"view": ALL},
        "report": {"view": OWN, "export": OWN},
        "sales_target": {"view": OWN},
        "forecast": {"view": OWN},
        "campaign": {"view": ALL},
        "ticket": {"view": OWN, "create": OWN},
        "survey_response": {"view": OWN},
    },
    "marketing": {
        "report": {"view": ALL, "export": ALL},
        "campaign": everything(ALL),
        "segment": everything(ALL),
        "survey": {"view": ALL, "create": ALL, "edit": ALL},
        "survey_response": {"view": ALL, "export": ALL},
        "forecast": {"view": ALL},
        "periodic_review": {"view": ALL},
        "award": {"view": ALL},
    },
    "service": {
        "ticket": everything(ALL),
        "survey": {"view": ALL, "create": ALL, "edit": ALL},
        "survey_response": {"view": ALL, "export": ALL},
        "campaign": {"view": ALL},
        "award": {"view": ALL},
    },
    "auditor": {resource: {"view": ALL} for resource in NEW_RESOURCES},
}


def grant(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    RolePermission = apps.get_model("accounts", "RolePermission")
    for code, resources in GRANTS.items():
        role = Role.objects.filter(code=code).first()
        if role is None:
            continue
        for resource, actions in resources.items():
            for action, scope in actions.items():
                RolePermission.objects.get_or_create(role=role, resource=resource, action=action,
                                                     defaults={"scope": scope})


def revoke(apps, schema_editor):
    apps.get_model("accounts", "RolePermission").objects.filter(resource__in=NEW_RESOURCES).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0006_resources_for_quality_analytics_marketing_service")]
    operations = [migrations.RunPython(grant, revoke)]
