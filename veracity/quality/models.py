"""Data quality: flagged problems, the rules' settings, daily score history, change approvals,
scheduled audits, and the awards that reward good data."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RuleSetting(models.Model):
    """An administrator's override of one registered rule (quality.rules): off, or another threshold."""

    rule = models.CharField(_("rule"), max_length=64, unique=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    threshold = models.PositiveIntegerField(_("threshold"), null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["rule"]

    def __str__(self) -> str:
        return self.rule


class QualitySettings(models.Model):
    """The singleton (pk=1) of review, audit and approval settings."""

    review_sla_hours = models.PositiveIntegerField(_("review SLA (hours)"), default=48)
    audit_top_accounts = models.PositiveIntegerField(_("accounts per monthly audit"), default=5)
    audit_days_to_complete = models.PositiveIntegerField(_("days to complete an audit"), default=7)
    approval_fields = models.JSONField(_("fields whose changes need approval"), default=list, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="quality_settings_singleton")]

    def __str__(self) -> str:
        return "quality settings"


class Resolution(models.TextChoices):
    FIXED = "fixed", _("Fixed with the suggested fix")
    GONE = "gone", _("No longer found")
    DISMISSED = "dismissed", _("Dismissed")


class QualityIssue(models.Model):
    """One problem a rule found in one record (and field). It stays open while the rule keeps
    finding it; it is resolved when fixed, dismissed or no longer found."""

    rule = models.CharField(_("rule"), max_length=64, db_index=True)
    entity = models.CharField(_("entity"), max_length=32)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    record_label = models.CharField(_("record"), max_length=200)
    field = models.CharField(_("field"), max_length=64, blank=True)
    message = models.CharField(_("problem"), max_length=300)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="quality_issues")
    current_value = models.CharField(_("current value"), max_length=300, blank=True)
    suggested_value = models.CharField(_("suggested fix"), max_length=300, blank=True)
    has_fix = models.BooleanField(default=False)
    detected_at = models.DateTimeField(_("detected"), default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True, db_index=True)
    resolution = models.CharField(max_length=16, choices=Resolution.choices, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        ordering = ["-detected_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "content_type", "object_id", "field"],
                                    condition=Q(resolved_at__isnull=True), name="quality_issue_open_unique"),
        ]
        indexes = [models.Index(fields=["owner", "resolved_at"]), models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.rule}: {self.record_label}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class QualitySnapshot(models.Model):
    """One day's quality of one owner's records of one entity (the daily history behind the trends).
    Scores are 0–100; `records` weighs them when rolled up to teams and the whole base."""

    day = models.DateField(_("day"), db_index=True)
    entity = models.CharField(_("entity"), max_length=32)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    team = models.ForeignKey("accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    records = models.PositiveIntegerField(default=0)
    completeness = models.DecimalField(max_digits=5, decimal_places=1)
    validity = models.DecimalField(max_digits=5, decimal_places=1)
    freshness = models.DecimalField(max_digits=5, decimal_places=1)
    uniqueness = models.DecimalField(max_digits=5, decimal_places=1)
    score = models.DecimalField(max_digits=5, decimal_places=1)

    class Meta:
        ordering = ["day", "entity"]
        constraints = [models.UniqueConstraint(fields=["day", "entity", "owner"], name="quality_snapshot_unique")]

    def __str__(self) -> str:
        return f"{self.day} {self.entity} {self.owner_id}: {self.score}"


class ChangeStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class ChangeRequest(models.Model):
    """A rep's change to key fields, held until a manager approves (and it is applied through the
    domain service) or rejects it with a reason."""

    entity = models.CharField(_("entity"), max_length=32)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    record_label = models.CharField(_("record"), max_length=200)
    changes = models.JSONField(_("changes"))  # {field: [old, new]}, values as the audit trail writes them
    base_version = models.PositiveIntegerField()
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requested by"),
                                     on_delete=models.PROTECT, related_name="change_requests")
    status = models.CharField(_("status"), max_length=16, choices=ChangeStatus.choices, default=ChangeStatus.PENDING,
                              db_index=True)
    created_at = models.DateTimeField(_("requested"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    reason = models.CharField(_("reason"), max_length=500, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.record_label}: {', '.join(self.changes)}"


class AuditStatus(models.TextChoices):
    OPEN = "open", _("Open")
    COMPLETED = "completed", _("Completed")


class DataAudit(models.Model):
    """A rep's periodic check that their top accounts are still correct."""

    rep = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("rep"), on_delete=models.CASCADE,
                            related_name="data_audits")
    period = models.CharField(_("period"), max_length=7)  # YYYY-MM
    due_on = models.DateField(_("due"))
    status = models.CharField(_("status"), max_length=16, choices=AuditStatus.choices, default=AuditStatus.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-period", "rep_id"]
        constraints = [models.UniqueConstraint(fields=["rep", "period"], name="data_audit_one_per_period")]

    def __str__(self) -> str:
        return f"{self.rep} {self.period}"

    @property
    def is_overdue(self) -> bool:
        return self.status == AuditStatus.OPEN and self.due_on < timezone.localdate()


class AuditItemOutcome(models.TextChoices):
    PENDING = "", _("Not checked yet")
    CONFIRMED = "confirmed", _("Still correct")
    CORRECTED = "corrected", _("Corrected")


class DataAuditItem(models.Model):
    audit = models.ForeignKey(DataAudit, on_delete=models.CASCADE, related_name="items")
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    outcome = models.CharField(max_length=16, choices=AuditItemOutcome.choices, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["audit", "customer"], name="data_audit_item_unique")]

    def __str__(self) -> str:
        return f"{self.audit} #{self.customer_id}"


class AwardMetric(models.TextChoices):
    SCORE = "score", _("Scorecard total")
    COMPLETENESS = "completeness", _("Completeness")
    TIMELINESS = "timeliness", _("Timeliness")
    OVERDUE_TASKS = "overdue_tasks", _("Overdue tasks")
    RANK = "rank", _("Leaderboard rank")


class AwardOperator(models.TextChoices):
    AT_LEAST = "gte", _("at least")
    AT_MOST = "lte", _("at most")


class AwardRule(models.Model):
    """A badge and when it is earned: `metric` `operator` `value` over a month (e.g. score at least 90)."""

    name = models.CharField(_("badge"), max_length=100)
    icon = models.CharField(_("icon"), max_length=32, default="award")
    metric = models.CharField(_("metric"), max_length=32, choices=AwardMetric.choices)
    operator = models.CharField(_("condition"), max_length=8, choices=AwardOperator.choices)
    value = models.DecimalField(_("value"), max_digits=8, decimal_places=1)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Award(models.Model):
    rule = models.ForeignKey(AwardRule, on_delete=models.CASCADE, related_name="awards")
    rep = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="awards")
    period = models.CharField(max_length=7)
    awarded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-awarded_at"]
        constraints = [models.UniqueConstraint(fields=["rule", "rep", "period"], name="award_once_per_period")]

    def __str__(self) -> str:
        return f"{self.rule} → {self.rep} ({self.period})"


class OnboardingStepDone(models.Model):
    """Onboarding steps that leave no other trace (e.g. "read the entry guide")."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    step = models.CharField(max_length=32)
    done_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "step"], name="onboarding_step_once")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.step}"


class EntrySource(models.TextChoices):
    FORM = "form", _("Form")
    API = "api", _("API")


class EntryRejection(models.Model):
    """A save the entry rules (standards) rejected: who tried, which entity, which fields, when — one
    row per rejected request. The scorecards count them as the rep's validation errors (imports'
    rejected rows are counted from the import's own row errors)."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    entity = models.CharField(_("entity"), max_length=32)
    fields = models.JSONField(_("fields"), default=list)
    source = models.CharField(_("source"), max_length=8, choices=EntrySource.choices)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["actor", "created_at"])]

    def __str__(self) -> str:
        return f"{self.entity}: {', '.join(self.fields)}"
