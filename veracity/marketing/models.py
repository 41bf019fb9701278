"""Campaigns, the saved customer segments they target, and what the public web-to-lead form records."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from veracity.core.models import CrmRecord


class CampaignChannel(models.TextChoices):
    EMAIL = "email", _("Email")
    WECHAT = "wechat", _("WeChat")
    SEARCH = "search", _("Search ads")
    SOCIAL = "social", _("Social media")
    EXHIBITION = "exhibition", _("Trade show")
    WEBINAR = "webinar", _("Webinar")
    CONTENT = "content", _("Content")
    PARTNER = "partner", _("Partner")
    DIRECT_MAIL = "direct_mail", _("Direct mail")
    TELEMARKETING = "telemarketing", _("Telemarketing")
    OTHER = "other", _("Other")


class Segment(CrmRecord):
    """A saved filter over customers. Members are never stored: they are evaluated when shown, within
    the viewer's scope, so a segment always answers with its current members."""

    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    # {form field name: submitted value or list of values}, as the builder form posts them; the
    # criteria registry (marketing.criteria) validates and applies them.
    criteria = models.JSONField(_("criteria"), default=dict, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="segments"
    )

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("segment")
        verbose_name_plural = _("segments")
        constraints = [
            models.UniqueConstraint(fields=["name"], condition=Q(deleted_at__isnull=True),
                                    name="segment_name_unique_alive"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("marketing:segment_detail", args=[self.pk])


class Campaign(CrmRecord):
    """Amounts (budget, actual cost) are in the reporting currency, so return on spend compares like
    with like."""

    code = models.CharField(
        _("campaign code"), max_length=64,
        help_text=_("Used in imports and as utm_campaign on web forms, e.g. 2026-SPRING-EXPO."),
    )
    name = models.CharField(_("name"), max_length=200)
    channel = models.CharField(_("channel"), max_length=16, choices=CampaignChannel.choices)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    budget = models.DecimalField(_("budget"), max_digits=16, decimal_places=2, default=Decimal("0"),
                                 validators=[MinValueValidator(Decimal("0"))])
    actual_cost = models.DecimalField(_("actual cost"), max_digits=16, decimal_places=2, default=Decimal("0"),
                                      validators=[MinValueValidator(Decimal("0"))])
    target_segment = models.ForeignKey(
        Segment, verbose_name=_("target segment"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="campaigns",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="campaigns"
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["-start_date", "code"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [
            models.UniqueConstraint(fields=["code"], condition=Q(deleted_at__isnull=True),
                                    name="campaign_code_unique_alive"),
            models.CheckConstraint(condition=Q(budget__gte=0) & Q(actual_cost__gte=0),
                                   name="campaign_amounts_not_negative"),
            models.CheckConstraint(condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                                   name="campaign_ends_after_start"),
        ]
        indexes = [models.Index(fields=["channel", "start_date"])]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("marketing:campaign_detail", args=[self.pk])


class WebLead(models.Model):
    """One accepted submission of the public web-to-lead form: which customer it created (or matched),
    the campaign and the UTM parameters it came with. Written only by the form, never edited."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="web_leads")
    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="web_leads")
    created_new = models.BooleanField(default=True)
    utm_source = models.CharField(max_length=100, blank=True)
    utm_medium = models.CharField(max_length=100, blank=True)
    utm_campaign = models.CharField(max_length=100, blank=True)
    utm_term = models.CharField(max_length=100, blank=True)
    utm_content = models.CharField(max_length=100, blank=True)
    referrer = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"web lead {self.pk} -> customer {self.customer_id}"


class FormSubmissionHit(models.Model):
    """One POST to a public form, by a hashed client address: the rate limiter counts these. Rows older
    than the window are pruned as new ones arrive."""

    form = models.CharField(max_length=32)
    client_key = models.CharField(max_length=64)  # sha256 of the address, never the address itself
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["form", "client_key", "created_at"])]

    def __str__(self) -> str:
        return f"{self.form} {self.created_at:%Y-%m-%d %H:%M}"
