"""Duplicate scans, the clusters and pairs they found, reviewers' decisions and merges (with the full
record needed to undo them)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Entity(models.TextChoices):
    COMPANY = "company", _("Companies")
    PERSON = "person", _("Individual customers")
    CONTACT = "contact", _("Contacts")


class ScanStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ScanRun(models.Model):
    """One scan of the whole base. Progress is kept here (stage, done, total) so the page and the CLI
    can show it while the scan runs in the background."""
    status = models.CharField(max_length=16, choices=ScanStatus.choices, default=ScanStatus.QUEUED)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    threshold = models.FloatField(default=0.9)
    stage = models.CharField(max_length=64, blank=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    records = models.PositiveIntegerField(default=0)
    compared = models.PositiveBigIntegerField(default=0)
    clusters_found = models.PositiveIntegerField(default=0)
    # The m/u parameters each entity's scores used, so every explanation can be reproduced.
    parameters = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"scan {self.pk} ({self.status})"


class ClusterStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CONFIRMED = "confirmed", _("Confirmed")
    DISMISSED = "dismissed", _("Dismissed")
    MERGED = "merged", _("Merged")


class DuplicateCluster(models.Model):
    """Records that are probably one customer (or contact), joined by pairs above the threshold."""
    scan = models.ForeignKey(ScanRun, on_delete=models.CASCADE, related_name="clusters")
    entity = models.CharField(max_length=16, choices=Entity.choices)
    status = models.CharField(max_length=16, choices=ClusterStatus.choices, default=ClusterStatus.OPEN,
                              db_index=True)
    score = models.FloatField(db_index=True)
    # Sum of the members' orders in the reporting currency at scan time: what a mistake here costs.
    value = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    size = models.PositiveIntegerField(default=2)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["-score", "-value", "id"]
        indexes = [models.Index(fields=["status", "-score"]), models.Index(fields=["status", "-value"])]

    def __str__(self) -> str:
        return f"cluster {self.pk} ({self.entity}, {self.score:.3f})"


class ClusterMember(models.Model):
    """A record in a cluster: a customer (companies, individuals) or a contact."""
    cluster = models.ForeignKey(DuplicateCluster, on_delete=models.CASCADE, related_name="members")
    customer = models.ForeignKey("customers.Customer", null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="+")
    contact = models.ForeignKey("customers.Contact", null=True, blank=True, on_delete=models.CASCADE,
                                related_name="+")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(customer__isnull=False, contact__isnull=True)
                | models.Q(customer__isnull=True, contact__isnull=False),
                name="dedup_member_is_customer_or_contact"),
        ]

    def __str__(self) -> str:
        return f"member {self.record_id} of cluster {self.cluster_id}"

    @property
    def record(self):
        return self.customer if self.customer_id else self.contact

    @property
    def record_id(self) -> int:
        return self.customer_id or self.contact_id


class DuplicatePair(models.Model):
    """A scored pair inside a cluster, with the explanation: each field's comparison level and weight."""
    cluster = models.ForeignKey(DuplicateCluster, on_delete=models.CASCADE, related_name="pairs")
    left_id = models.PositiveBigIntegerField()
    right_id = models.PositiveBigIntegerField()
    probability = models.FloatField()
    weight = models.FloatField()
    explanation = models.JSONField(default=list)

    class Meta:
        ordering = ["-probability", "id"]

    def __str__(self) -> str:
        return f"{self.left_id}~{self.right_id} ({self.probability:.3f})"


class Decision(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed duplicate")
    DISMISSED = "dismissed", _("Not a duplicate")


class PairDecision(models.Model):
    """A reviewer's verdict on two records. Dismissed pairs are left out of every later scan."""
    entity = models.CharField(max_length=16, choices=Entity.choices)
    left_id = models.PositiveBigIntegerField()   # always the smaller id
    right_id = models.PositiveBigIntegerField()
    decision = models.CharField(max_length=16, choices=Decision.choices)
    decided_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["entity", "left_id", "right_id"], name="dedup_decision_unique")]

    def __str__(self) -> str:
        return f"{self.entity} {self.left_id}~{self.right_id}: {self.decision}"


class Merge(models.Model):
    """A merge of `loser` into `survivor` with everything needed to undo it exactly: both records'
    field values before, each moved related row (model, pk, field, its bookkeeping before), many-to-many
    rows added, and any other change made to resolve a clash (a second primary contact demoted)."""
    entity = models.CharField(max_length=16, choices=Entity.choices)
    model = models.CharField(max_length=100)            # "customers.customer"
    survivor_id = models.PositiveBigIntegerField(db_index=True)
    loser_id = models.PositiveBigIntegerField(db_index=True)
    cluster = models.ForeignKey(DuplicateCluster, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="merges")
    field_choices = models.JSONField(default=dict)      # field -> "survivor" | "loser"
    undo = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"merge {self.loser_id} -> {self.survivor_id}"
