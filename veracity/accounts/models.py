"""Users, teams, roles and the permission matrix (which is data, seeded by a migration)."""

import hashlib

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RoleCode(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    SALES_MANAGER = "sales_manager", _("Sales manager")
    SALES_REP = "sales_rep", _("Sales rep")
    MARKETING = "marketing", _("Marketing")
    SERVICE = "service", _("Customer service")
    AUDITOR = "auditor", _("Auditor")


class Resource(models.TextChoices):
    """Everything a permission can be granted on."""

    CUSTOMER = "customer", _("Customers")
    CONTACT = "contact", _("Contacts")
    PRODUCT = "product", _("Products")
    ORDER = "order", _("Orders")
    EXCHANGE_RATE = "exchange_rate", _("Exchange rates")
    OPPORTUNITY = "opportunity", _("Opportunities")
    PIPELINE_STAGE = "pipeline_stage", _("Pipeline stages")
    ACTIVITY = "activity", _("Activities")
    USER = "user", _("Users")
    TEAM = "team", _("Teams")
    AUDIT_EVENT = "audit_event", _("Audit trail")
    TRASH = "trash", _("Trash")
    ENTRY_RULE = "entry_rule", _("Entry standards")
    IMPORT = "import", _("Imports")
    BACKUP = "backup", _("Backups")
    JOB = "job", _("Background jobs")
    # Data quality (issue 4)
    DUPLICATE = "duplicate", _("Duplicates and merges")
    QUALITY_ISSUE = "quality_issue", _("Data-quality problems")
    CHANGE_REQUEST = "change_request", _("Change approvals")
    DATA_AUDIT = "data_audit", _("Scheduled data audits")
    SCORECARD = "scorecard", _("Data-quality scorecards")
    AWARD = "award", _("Awards")
    # Analytics and prediction (issue 5)
    REPORT = "report", _("Reports and dashboards")
    SALES_TARGET = "sales_target", _("Sales targets")
    FORECAST = "forecast", _("Forecasts")
    PERIODIC_REVIEW = "periodic_review", _("Periodic reviews")
    # Marketing, service and feedback (issue 6)
    CAMPAIGN = "campaign", _("Campaigns")
    SEGMENT = "segment", _("Segments")
    TICKET = "ticket", _("Service tickets")
    SURVEY = "survey", _("Surveys")
    SURVEY_RESPONSE = "survey_response", _("Survey responses")


class Action(models.TextChoices):
    VIEW = "view", _("View")
    CREATE = "create", _("Create")
    EDIT = "edit", _("Edit")
    DELETE = "delete", _("Delete")
    EXPORT = "export", _("Export")


class Scope(models.IntegerChoices):
    """How far a grant reaches. Larger is wider, so the widest of a user's grants wins."""

    OWN = 1, _("Own records")
    TEAM = 2, _("Team's records")
    ALL = 3, _("All records")


class Team(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    manager = models.ForeignKey(
        "accounts.User", verbose_name=_("manager"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="managed_teams",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name


class Role(models.Model):
    code = models.CharField(max_length=32, choices=RoleCode.choices, unique=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return str(RoleCode(self.code).label)


class User(AbstractUser):
    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    team = models.ForeignKey(
        Team, verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    roles = models.ManyToManyField(Role, verbose_name=_("roles"), blank=True, related_name="users")
    language = models.CharField(_("language"), max_length=10, blank=True)

    class Meta:
        ordering = ["username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username


class RolePermission(models.Model):
    """One row of the permission matrix: this role may do this action on this resource, this far."""

    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="permissions")
    resource = models.CharField(max_length=32, choices=Resource.choices)
    action = models.CharField(max_length=16, choices=Action.choices)
    scope = models.PositiveSmallIntegerField(choices=Scope.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["role", "resource", "action"], name="unique_role_permission")
        ]

    def __str__(self) -> str:
        return f"{self.role.code}: {self.action} {self.resource} ({Scope(self.scope).name.lower()})"


class FieldPermission(models.Model):
    """Grants sight of a restricted field (listed in accounts.access.RESTRICTED_FIELDS) to a role.

    Restricted fields are hidden from every role without a grant: deny by default."""

    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="field_permissions")
    resource = models.CharField(max_length=32, choices=Resource.choices)
    field = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["role", "resource", "field"], name="unique_field_permission")
        ]

    def __str__(self) -> str:
        return f"{self.role.code} sees {self.resource}.{self.field}"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored; the raw token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class TwoFactorRequirement(models.TextChoices):
    NOBODY = "nobody", _("Optional for everyone")
    ADMINS = "admins", _("Required for administrators")
    EVERYONE = "everyone", _("Required for everyone")


class SecurityPolicy(models.Model):
    """The site-wide security settings an administrator can change on a page (one row, pk=1)."""

    require_two_factor = models.CharField(
        _("two-factor authentication"), max_length=16, choices=TwoFactorRequirement.choices,
        default=TwoFactorRequirement.NOBODY,
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("security policy")
        verbose_name_plural = _("security policy")

    def __str__(self) -> str:
        return str(TwoFactorRequirement(self.require_two_factor).label)

    @classmethod
    def current(cls) -> "SecurityPolicy":
        """The one row, created with the defaults the first time it is asked for."""
        policy, _created = cls.objects.get_or_create(pk=1)
        return policy


class TotpDevice(models.Model):
    """A user's authenticator app (RFC 6238 TOTP, 30 s steps). Usable once `confirmed_at` is set.

    `last_used_step` is the time step of the last accepted code, so a code (or an older one)
    cannot be replayed within its window."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="totp_device")
    secret = models.CharField(max_length=64)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_used_step = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"TOTP for {self.user}"


class RecoveryCode(models.Model):
    """A one-time recovery code for two-factor login. Only its SHA-256 is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"recovery code of {self.user}"
