"""Reads of backups, scoped by the permission matrix (admins and auditors)."""

from django.db.models import QuerySet

from veracity.accounts.access import access_require
from veracity.accounts.models import Action, Resource
from veracity.core.errors import NotFound
from veracity.ops.backups.models import Backup


def backup_list(*, user, action: str = Action.VIEW) -> QuerySet[Backup]:
    access_require(user, Resource.BACKUP, action)
    return Backup.objects.select_related("created_by").prefetch_related("drills")


def backup_get(*, user, pk: int, action: str = Action.VIEW) -> Backup:
    backup = backup_list(user=user, action=action).filter(pk=pk).first()
    if backup is None:
        raise NotFound()
    return backup
