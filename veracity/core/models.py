"""The base every business record inherits: who/when bookkeeping, a version for optimistic locking,
and soft delete (a record in the trash keeps its data and can be restored with its children)."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class CrmRecordQuerySet(models.QuerySet):
    def alive(self):
        return self.filter(deleted_at__isnull=True)

    def in_trash(self):
        return self.filter(deleted_at__isnull=False)


class AliveManager(models.Manager.from_queryset(CrmRecordQuerySet)):
    """The default manager hides deleted records, so no list or report can include them by accident."""

    def get_queryset(self):
        return super().get_queryset().filter(deleted_at__isnull=True)


class CrmRecord(models.Model):
    created_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, editable=False,
        on_delete=models.SET_NULL, related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, editable=False,
        on_delete=models.SET_NULL, related_name="+",
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False, db_index=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, editable=False,
        on_delete=models.SET_NULL, related_name="+",
    )
    # Records deleted together (a customer and its contacts, orders, …) share one id and are
    # restored together.
    deletion_id = models.UUIDField(null=True, blank=True, editable=False, db_index=True)

    objects = AliveManager()
    all_objects = CrmRecordQuerySet.as_manager()

    # Fields the audit trail and change detection ignore.
    BOOKKEEPING_FIELDS = frozenset(
        {"id", "created_at", "updated_at", "created_by", "updated_by", "version",
         "deleted_at", "deleted_by", "deletion_id"}
    )

    class Meta:
        abstract = True

    @property
    def etag(self) -> str:
        return f'"{self.version}"'

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None
