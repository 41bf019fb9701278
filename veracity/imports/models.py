"""Import runs and what they did: batches committed, rows refused, records written (for revert)."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class ImportMode(models.TextChoices):
    CREATE = "create", _("Create only")
    UPSERT = "upsert", _("Update or create")


class ImportPolicy(models.TextChoices):
    ALL_OR_NOTHING = "all_or_nothing", _("Load nothing if any row is invalid")
    LOAD_VALID = "load_valid", _("Load the valid rows, keep the rejects in the error file")


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Needs mapping")
    REJECTED = "rejected", _("File refused")
    VALIDATED = "validated", _("Checked (dry run)")
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    COMPLETED = "completed", _("Completed")
    FAILED = "failed", _("Failed (can be resumed)")
    INTERRUPTED = "interrupted", _("Interrupted (can be resumed)")
    REVERTED = "reverted", _("Reverted")


class ImportMethod(models.TextChoices):
    ROWS = "rows", _("Row by row, through the services")
    BULK = "bulk", _("In bulk")


class ImportMapping(models.Model):
    """A header -> column mapping saved by name, to reuse with files of the same shape."""

    name = models.CharField(_("name"), max_length=100)
    entity = models.CharField(_("entity"), max_length=32)
    mapping = models.JSONField(_("mapping"), default=dict)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["entity", "name"]
        constraints = [models.UniqueConstraint(fields=["entity", "name"], name="import_mapping_unique_name")]

    def __str__(self) -> str:
        return self.name


class ImportRun(models.Model):
    entity = models.CharField(_("entity"), max_length=32)
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/", max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.BigIntegerField(_("size"), default=0)
    file_kind = models.CharField(max_length=8, blank=True)
    encoding = models.CharField(_("encoding"), max_length=16, blank=True)
    sheet = models.CharField(_("sheet"), max_length=100, blank=True)
    headers = models.JSONField(default=list)
    mapping = models.JSONField(default=dict)
    mode = models.CharField(_("mode"), max_length=16, choices=ImportMode.choices, default=ImportMode.CREATE)
    policy = models.CharField(_("policy"), max_length=16, choices=ImportPolicy.choices,
                              default=ImportPolicy.ALL_OR_NOTHING)
    status = models.CharField(_("status"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.UPLOADED)
    message = models.TextField(_("message"), blank=True)
    counts = models.JSONField(default=dict)
    batch_size = models.PositiveIntegerField(default=1000)
    method = models.CharField(_("method"), max_length=8, choices=ImportMethod.choices, default=ImportMethod.ROWS)
    # Who is executing the run, so a run whose process died can be told from a live one.
    worker_host = models.CharField(max_length=255, blank=True)
    worker_pid = models.PositiveIntegerField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    batches_done = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="import_runs")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    validated_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    reverted_at = models.DateTimeField(null=True, blank=True)
    reverted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return f"{self.entity} {self.original_name}"

    def get_absolute_url(self) -> str:
        return reverse("imports:detail", args=[self.pk])

    @property
    def progress_percent(self) -> int:
        """Share of rows done, for the progress bar."""
        if not self.rows_total:
            return 100 if self.status == ImportStatus.COMPLETED else 0
        return min(100, round(100 * self.rows_done / self.rows_total))


class ImportBatch(models.Model):
    """A batch of rows committed in the same transaction as its data: its existence proves the batch is in."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="batches")
    number = models.PositiveIntegerField()
    row_start = models.PositiveIntegerField()
    row_end = models.PositiveIntegerField()
    rows = models.PositiveIntegerField(default=0)
    committed_at = models.DateTimeField()

    class Meta:
        ordering = ["run", "number"]
        constraints = [models.UniqueConstraint(fields=["run", "number"], name="import_batch_unique_number")]

    def __str__(self) -> str:
        return f"{self.run_id}#{self.number}"


class ImportRowError(models.Model):
    class Level(models.TextChoices):
        ERROR = "error", _("Error")
        WARNING = "warning", _("Possible duplicate")

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="row_errors")
    row_number = models.PositiveIntegerField(_("row"))
    column = models.CharField(_("column"), max_length=100, blank=True)
    value = models.CharField(_("value"), max_length=200, blank=True)
    message = models.TextField(_("message"))
    level = models.CharField(max_length=8, choices=Level.choices, default=Level.ERROR)

    class Meta:
        ordering = ["run", "row_number", "id"]
        indexes = [models.Index(fields=["run", "level"])]

    def __str__(self) -> str:
        return f"{self.row_number} {self.column}: {self.message}"


class RecordAction(models.TextChoices):
    CREATED = "created", _("Created")
    UPDATED = "updated", _("Updated")


class ImportedRecord(models.Model):
    """A record the run created or changed, with what it held before, so the run can be reverted."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="records")
    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="records")
    # db_index=False: the (content_type, object_id) index leads with it (docs/decisions/0005-redundant-foreign-key-indexes.md).
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, db_index=False)
    object_id = models.PositiveBigIntegerField()
    # Bulk loads create records with consecutive ids: one row stands for object_id … object_id_last
    # (all created, nothing previous, version 1). Null: this row is one record.
    object_id_last = models.PositiveBigIntegerField(null=True, blank=True)
    action = models.CharField(max_length=8, choices=RecordAction.choices)
    previous = models.JSONField(default=dict, blank=True)
    version_after = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["run", "id"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        last = f"-{self.object_id_last}" if self.object_id_last else ""
        return f"{self.action} {self.content_type_id}:{self.object_id}{last}"

    @property
    def object_ids(self) -> range:
        """The ids of the records this row stands for, in creation order."""
        return range(self.object_id, (self.object_id_last or self.object_id) + 1)

    @property
    def count(self) -> int:
        return len(self.object_ids)


class DeferredIndex(models.Model):
    """A secondary (non-unique) index a large bulk import dropped to rebuild once at the end. The row
    is written in the transaction that drops the index and deleted in the one that recreates it, so
    after any crash the rows left name exactly the indexes still missing (imports.bulk.indexes)."""

    table = models.CharField(max_length=200)
    name = models.CharField(max_length=200, unique=True)
    definition = models.TextField()  # the CREATE INDEX statement the database reported
    run = models.ForeignKey(ImportRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    dropped_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name
