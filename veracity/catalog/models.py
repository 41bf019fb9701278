"""Products and their categories."""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from veracity.core.models import CrmRecord


class Unit(models.TextChoices):
    PIECE = "pcs", _("piece")
    BOX = "box", _("box")
    SET = "set", _("set")
    KG = "kg", _("kilogram")
    METRE = "m", _("metre")
    LITRE = "l", _("litre")
    HOUR = "hour", _("hour")
    LICENSE = "license", _("licence")
    YEAR = "year", _("year of service")


class ProductCategory(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("product category")
        verbose_name_plural = _("product categories")

    def __str__(self) -> str:
        return self.name


class Product(CrmRecord):
    sku = models.CharField(_("SKU"), max_length=64)
    name = models.CharField(_("name"), max_length=200)
    category = models.ForeignKey(
        ProductCategory, verbose_name=_("category"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="products",
    )
    unit = models.CharField(_("unit"), max_length=16, choices=Unit.choices, default=Unit.PIECE)
    list_price = models.DecimalField(
        _("list price"), max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    cost_price = models.DecimalField(
        _("cost price"), max_digits=14, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    is_active = models.BooleanField(_("active"), default=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["sku"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        constraints = [
            models.UniqueConstraint(fields=["sku"], condition=Q(deleted_at__isnull=True), name="product_sku_unique_alive"),
            models.CheckConstraint(condition=Q(list_price__gte=0), name="product_list_price_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.sku} · {self.name}"

    @property
    def margin(self) -> Decimal | None:
        """List price minus cost, in the product's currency; None while the cost is unknown."""
        if self.cost_price is None:
            return None
        return self.list_price - self.cost_price
