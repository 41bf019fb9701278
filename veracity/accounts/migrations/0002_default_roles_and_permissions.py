"""Seed the six roles and the default permission matrix. Admins can change the matrix later; this
migration only fills an empty one. The matrix is frozen here on purpose: later changes to defaults
belong in their own migration."""

from django.db import migrations

OWN, TEAM, ALL = 1, 2, 3
CRM_RECORDS = ("customer", "contact", "opportunity", "order", "activity")
READ = ("view", "export")
WRITE = ("view", "create", "edit", "delete", "export")

MATRIX = {
    "admin": {
        **{resource: {action: ALL for action in WRITE} for resource in (
            *CRM_RECORDS, "product", "exchange_rate", "pipeline_stage", "user", "team", "trash")},
        "audit_event": {"view": ALL, "export": ALL},
    },
    "sales_manager": {
        **{resource: {action: TEAM for action in WRITE} for resource in CRM_RECORDS},
        "product": {"view": ALL, "export": ALL},
        "exchange_rate": {"view": ALL},
        "pipeline_stage": {"view": ALL},
        "user": {"view": TEAM},
        "team": {"view": ALL},
        "trash": {"view": TEAM, "edit": TEAM},
    },
    "sales_rep": {
        **{resource: {"view": OWN, "create": OWN, "edit": OWN, "delete": OWN, "export": OWN}
           for resource in CRM_RECORDS},
        "product": {"view": ALL},
        "exchange_rate": {"view": ALL},
        "pipeline_stage": {"view": ALL},
        "user": {"view": OWN},
        "team": {"view": ALL},
        "trash": {"view": OWN, "edit": OWN},
    },
    "marketing": {
        **{resource: {action: ALL for action in READ} for resource in (*CRM_RECORDS, "product")},
        "exchange_rate": {"view": ALL},
        "pipeline_stage": {"view": ALL},
        "user": {"view": OWN},
        "team": {"view": ALL},
    },
    "service": {
        # Service staff read everything a customer has, log calls and notes, but cannot edit orders.
        **{resource: {"view": ALL} for resource in (*CRM_RECORDS, "product")},
        "activity": {"view": ALL, "create": ALL, "edit": OWN},
        "exchange_rate": {"view": ALL},
        "pipeline_stage": {"view": ALL},
        "user": {"view": OWN},
        "team": {"view": ALL},
    },
    "auditor": {
        **{resource: {action: ALL for action in READ} for resource in (
            *CRM_RECORDS, "product", "exchange_rate", "pipeline_stage", "user", "team", "audit_event")},
        "trash": {"view": ALL},
    },
}

# Restricted fields (accounts.access.RESTRICTED_FIELDS) and who may see them.
FIELD_GRANTS = {
    role: [("product", "cost_price"), ("product", "margin"), ("order", "cost_total"), ("order", "margin")]
    for role in ("admin", "sales_manager", "auditor")
}


def seed(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    RolePermission = apps.get_model("accounts", "RolePermission")
    FieldPermission = apps.get_model("accounts", "FieldPermission")
    for code, resources in MATRIX.items():
        role, _ = Role.objects.get_or_create(code=code)
        if RolePermission.objects.filter(role=role).exists():
            continue
        RolePermission.objects.bulk_create([
            RolePermission(role=role, resource=resource, action=action, scope=scope)
            for resource, actions in resources.items()
            for action, scope in actions.items()
        ])
        FieldPermission.objects.bulk_create([
            FieldPermission(role=role, resource=resource, field=field)
            for resource, field in FIELD_GRANTS.get(code, [])
        ])


def unseed(apps, schema_editor):
    apps.get_model("accounts", "Role").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
