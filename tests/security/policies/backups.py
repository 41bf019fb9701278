"""Backups: admins view, create and drill; auditors only view; everyone else gets 403."""

from tests.security.policy import perm

POLICY = {
    "ops:backup_list": perm("backup", "view"),
    "ops:backup_detail": perm("backup", "view", obj="backup"),
    "ops:backup_create": perm("backup", "create", methods=("POST",)),
    "ops:backup_drill": perm("backup", "edit", obj="backup", methods=("POST",)),
    "GET /api/v1/backups": perm("backup", "view"),
    "POST /api/v1/backups": perm("backup", "create", body=lambda world: {"label": "sweep"}),
    "POST /api/v1/backups/{backup_id}/drill": perm("backup", "edit", obj="backup"),
}
