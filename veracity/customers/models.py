"""Customers (companies and individuals), their contacts and tags."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from veracity.core.models import CrmRecord


class CustomerKind(models.TextChoices):
    COMPANY = "company", _("Company")
    PERSON = "person", _("Individual")


class LifecycleStatus(models.TextChoices):
    LEAD = "lead", _("Lead")
    PROSPECT = "prospect", _("Prospect")
    CUSTOMER = "customer", _("Customer")
    CHURNED = "churned", _("Churned")


class CompanySize(models.TextChoices):
    MICRO = "1-9", _("1–9 employees")
    SMALL = "10-49", _("10–49 employees")
    MEDIUM = "50-249", _("50–249 employees")
    LARGE = "250-999", _("250–999 employees")
    ENTERPRISE = "1000+", _("1,000+ employees")


class CustomerSource(models.TextChoices):
    REFERRAL = "referral", _("Referral")
    WEBSITE = "website", _("Website")
    EXHIBITION = "exhibition", _("Trade show")
    COLD_CALL = "cold_call", _("Cold call")
    PARTNER = "partner", _("Partner")
    CAMPAIGN = "campaign", _("Campaign")
    IMPORT = "import", _("Import")
    OTHER = "other", _("Other")


class Industry(models.TextChoices):
    MANUFACTURING = "manufacturing", _("Manufacturing")
    RETAIL = "retail", _("Retail")
    TECHNOLOGY = "technology", _("Technology")
    FINANCE = "finance", _("Finance")
    HEALTHCARE = "healthcare", _("Healthcare")
    EDUCATION = "education", _("Education")
    LOGISTICS = "logistics", _("Logistics")
    ENERGY = "energy", _("Energy")
    FOOD = "food", _("Food and beverage")
    CONSTRUCTION = "construction", _("Construction")
    GOVERNMENT = "government", _("Government")
    OTHER = "other", _("Other")


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=50, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name


class Customer(CrmRecord):
    code = models.CharField(
        _("customer code"), max_length=64,
        help_text=_("The external id. It survives imports and merges."),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=CustomerKind.choices, default=CustomerKind.COMPANY)
    name = models.CharField(_("name"), max_length=200)
    # Search keys kept beside the name: full pinyin ("zijietiaodong") and initials ("zjtd").
    name_pinyin = models.CharField(max_length=400, blank=True, editable=False)
    name_initials = models.CharField(max_length=100, blank=True, editable=False, db_index=True)
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, blank=True,
        help_text=_("统一社会信用代码: 18 characters, for companies registered in China."),
    )
    industry = models.CharField(_("industry"), max_length=32, choices=Industry.choices, blank=True)
    size = models.CharField(_("size"), max_length=16, choices=CompanySize.choices, blank=True)
    source = models.CharField(_("source"), max_length=32, choices=CustomerSource.choices, blank=True)
    lifecycle_status = models.CharField(
        _("lifecycle status"), max_length=16, choices=LifecycleStatus.choices, default=LifecycleStatus.LEAD
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="customers",
        db_index=False,  # the (owner, lifecycle_status) index leads with it: docs/decisions/0005-redundant-foreign-key-indexes.md
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True, db_index=True, help_text=_("Stored as E.164, e.g. +8613800138000."))
    email = models.EmailField(_("email"), blank=True, db_index=True)
    website = models.URLField(_("website"), blank=True)
    country = models.CharField(_("country"), max_length=2, default="CN")
    province = models.CharField(_("province"), max_length=50, blank=True)
    city = models.CharField(_("city"), max_length=50, blank=True)
    district = models.CharField(_("district"), max_length=50, blank=True)
    address_line = models.CharField(_("address"), max_length=255, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=16, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # The campaign that brought the lead (first touch of attribution); marketing is a higher app,
    # hence the string reference.
    campaign = models.ForeignKey(
        "marketing.Campaign", verbose_name=_("lead source campaign"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="leads",
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="customers")
    # Duplicate-detection keys (veracity.matching.canonical.stored_match_keys), indexed so the entry-time
    # check finds candidates without a scan: 字节跳动科技, zijietiaodongkeji, 字节跳动.
    match_name = models.CharField(max_length=200, blank=True, editable=False, db_index=True)
    match_name_pinyin = models.CharField(max_length=200, blank=True, editable=False, db_index=True)
    match_brand = models.CharField(max_length=200, blank=True, editable=False, db_index=True)
    # Set when a merge folded this record into another (it is then in the trash); undo clears it.
    merged_into = models.ForeignKey("self", null=True, blank=True, editable=False, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=Q(deleted_at__isnull=True), name="customer_code_unique_alive"
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "lifecycle_status"]),
            models.Index(fields=["name"]),
            models.Index(fields=["credit_code"], name="customer_credit_code_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("customers:detail", args=[self.pk])

    @property
    def postal_address(self) -> str:
        """The address as it is written on an envelope: Chinese order without separators for China
        (北京市海淀区中关村大街1号, the municipality named once), Western order with commas elsewhere."""
        if self.country == "CN":
            parts = [self.province, self.city if self.city != self.province else "", self.district, self.address_line]
            return "".join(part for part in parts if part)
        parts = [self.address_line, self.district, self.city, self.province, self.postal_code]
        return ", ".join(part for part in parts if part)


class Contact(CrmRecord):
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=100)
    name_pinyin = models.CharField(max_length=300, blank=True, editable=False)
    name_initials = models.CharField(max_length=50, blank=True, editable=False, db_index=True)
    title = models.CharField(_("job title"), max_length=100, blank=True)
    department = models.CharField(_("department"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True, db_index=True)
    mobile = models.CharField(_("mobile"), max_length=32, blank=True, db_index=True)
    email = models.EmailField(_("email"), blank=True, db_index=True)
    wechat = models.CharField(_("WeChat ID"), max_length=64, blank=True)
    is_primary = models.BooleanField(_("primary contact"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    match_name = models.CharField(max_length=200, blank=True, editable=False, db_index=True)
    match_name_pinyin = models.CharField(max_length=200, blank=True, editable=False, db_index=True)
    match_brand = models.CharField(max_length=200, blank=True, editable=False)
    merged_into = models.ForeignKey("self", null=True, blank=True, editable=False, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        ordering = ["-is_primary", "name", "id"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return self.name
