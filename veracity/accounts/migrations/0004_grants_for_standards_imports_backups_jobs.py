"""Grant the new resources (entry rules, imports, backups, background jobs) to the default roles."""

from django.db import migrations

OWN, TEAM, ALL = 1, 2, 3
GRANTS = {
    "admin": {
        "entry_rule": {"view": ALL, "edit": ALL},
        "import": {"view": ALL, "create": ALL, "edit": ALL, "delete": ALL},
        "backup": {"view": ALL, "create": ALL, "edit": ALL},
        "job": {"view": ALL, "edit": ALL},
    },
    # Managers load their team's spreadsheets; reps read the entry guide.
    "sales_manager": {"entry_rule": {"view": ALL}, "import": {"view": TEAM, "create": TEAM, "edit": TEAM}},
    "sales_rep": {"entry_rule": {"view": ALL}},
    "marketing": {"entry_rule": {"view": ALL}},
    "service": {"entry_rule": {"view": ALL}},
    "auditor": {"entry_rule": {"view": ALL}, "import": {"view": ALL}, "backup": {"view": ALL},
                "job": {"view": ALL}},
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
    apps.get_model("accounts", "RolePermission").objects.filter(
        resource__in=["entry_rule", "import", "backup", "job"]).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_more_resources")]
    operations = [migrations.RunPython(grant, revoke)]
