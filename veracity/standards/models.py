"""Administrators' overrides of the entry standards. The defaults live in code (standards.rules)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DateOrder(models.TextChoices):
    DMY = "DMY", _("Day first: 05/03/2026 is 5 March 2026")
    MDY = "MDY", _("Month first: 03/05/2026 is 5 March 2026")


class FieldRule(models.Model):
    """One field's override. Empty `required` keeps the code default; an empty `picklist_values`
    (None) keeps the default list, a list replaces it: [{"value": "...", "label": "..."}]."""

    entity = models.CharField(_("entity"), max_length=32)
    field = models.CharField(_("field"), max_length=64)
    required = models.BooleanField(_("required"), null=True, blank=True)
    picklist_values = models.JSONField(_("picklist values"), null=True, blank=True)
    help_text = models.CharField(_("help text"), max_length=255, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["entity", "field"]
        verbose_name = _("field rule")
        verbose_name_plural = _("field rules")
        constraints = [models.UniqueConstraint(fields=["entity", "field"], name="field_rule_unique")]

    def __str__(self) -> str:
        return f"{self.entity}.{self.field}"


class StandardsSettings(models.Model):
    """The singleton (pk=1) of settings every rule shares."""

    default_region = models.CharField(
        _("default country for phone numbers"), max_length=2, default="CN",
        help_text=_("Numbers typed without a country code are read as this country's (ISO 3166, e.g. CN)."),
    )
    date_order = models.CharField(
        _("order of ambiguous dates"), max_length=3, choices=DateOrder.choices, default=DateOrder.DMY,
        help_text=_("How 05/03/2026 is read. Dates written year first (2026-03-05, 2026年3月5日) are never ambiguous."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("entry settings")
        verbose_name_plural = _("entry settings")
        constraints = [models.CheckConstraint(condition=models.Q(pk=1), name="standards_settings_singleton")]

    def __str__(self) -> str:
        return "entry settings"
