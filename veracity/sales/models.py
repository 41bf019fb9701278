"""Orders, their lines, and the exchange-rate table that converts them to the reporting currency."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from veracity.core.models import CrmRecord
from veracity.sales.pricing import to_reporting


class OrderStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    CONFIRMED = "confirmed", _("Confirmed")
    SHIPPED = "shipped", _("Shipped")
    DELIVERED = "delivered", _("Delivered")
    CANCELLED = "cancelled", _("Cancelled")


class Channel(models.TextChoices):
    DIRECT = "direct", _("Direct sales")
    DISTRIBUTOR = "distributor", _("Distributor")
    ONLINE = "online", _("Online store")
    RETAIL = "retail", _("Retail")
    TELESALES = "telesales", _("Telesales")


class Region(models.TextChoices):
    NORTH = "north", _("North China")
    EAST = "east", _("East China")
    SOUTH = "south", _("South China")
    CENTRAL = "central", _("Central China")
    SOUTHWEST = "southwest", _("Southwest China")
    NORTHWEST = "northwest", _("Northwest China")
    NORTHEAST = "northeast", _("Northeast China")
    INTERNATIONAL = "international", _("International")


class ExchangeRate(models.Model):
    """How many units of the reporting currency one unit of `currency` was worth on `rate_date`.

    Admins maintain the table; an order keeps the rate of its booking date."""

    currency = models.CharField(_("currency"), max_length=3)
    rate_date = models.DateField(_("date"))
    rate = models.DecimalField(_("rate"), max_digits=18, decimal_places=8, validators=[MinValueValidator(Decimal("0.00000001"))])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["currency", "-rate_date"]
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        constraints = [
            models.UniqueConstraint(fields=["currency", "rate_date"], name="exchange_rate_unique_per_day"),
            models.CheckConstraint(condition=Q(rate__gt=0), name="exchange_rate_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.rate_date}: {self.rate}"


class Order(CrmRecord):
    number = models.CharField(_("order number"), max_length=64)
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="orders",
        db_index=False,  # the (customer, order_date) index leads with it: docs/decisions/0005-redundant-foreign-key-indexes.md
    )
    contact = models.ForeignKey(
        "customers.Contact", verbose_name=_("contact"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="orders",
    )
    opportunity = models.ForeignKey(
        "pipeline.Opportunity", verbose_name=_("opportunity"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="orders",
    )
    order_date = models.DateField(_("order date"))
    status = models.CharField(_("status"), max_length=16, choices=OrderStatus.choices, default=OrderStatus.CONFIRMED)
    salesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("salesperson"), on_delete=models.PROTECT, related_name="orders",
        db_index=False,  # the (salesperson, order_date) index leads with it: docs/decisions/0005-redundant-foreign-key-indexes.md
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, default=Channel.DIRECT)
    region = models.CharField(_("region"), max_length=16, choices=Region.choices, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    # Units of the reporting currency per unit of `currency` on the order date, fixed at booking.
    exchange_rate = models.DecimalField(_("exchange rate"), max_digits=18, decimal_places=8, default=Decimal("1"))
    total_amount = models.DecimalField(_("total"), max_digits=16, decimal_places=2, default=Decimal("0"), editable=False)
    cost_total = models.DecimalField(_("cost"), max_digits=16, decimal_places=2, null=True, blank=True, editable=False)
    notes = models.TextField(_("notes"), blank=True)
    campaign = models.ForeignKey(
        "marketing.Campaign", verbose_name=_("campaign"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="orders",
    )

    class Meta:
        ordering = ["-order_date", "-id"]
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        constraints = [
            models.UniqueConstraint(fields=["number"], condition=Q(deleted_at__isnull=True), name="order_number_unique_alive"),
            models.CheckConstraint(condition=Q(exchange_rate__gt=0), name="order_exchange_rate_positive"),
        ]
        indexes = [
            models.Index(fields=["customer", "order_date"]),
            models.Index(fields=["salesperson", "order_date"]),
            models.Index(fields=["order_date"]),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def margin(self) -> Decimal | None:
        if self.cost_total is None:
            return None
        return self.total_amount - self.cost_total

    @property
    def total_in_reporting_currency(self) -> Decimal:
        """The total converted with the rate fixed at booking, rounded half-up to the cent."""
        return to_reporting(self.total_amount, self.exchange_rate)


class OrderLine(models.Model):
    """A line lives and dies with its order; edits to lines go through the order's services."""

    # db_index=False: the unique (order, line_no) index leads with it (docs/decisions/0005-redundant-foreign-key-indexes.md).
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines", db_index=False)
    line_no = models.PositiveIntegerField(_("line"))
    product = models.ForeignKey(
        "catalog.Product", verbose_name=_("product"), on_delete=models.PROTECT, related_name="order_lines"
    )
    description = models.CharField(_("description"), max_length=255, blank=True)
    quantity = models.DecimalField(
        _("quantity"), max_digits=14, decimal_places=3, validators=[MinValueValidator(Decimal("0.001"))]
    )
    unit_price = models.DecimalField(
        _("unit price"), max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    discount_percent = models.DecimalField(
        _("discount (%)"), max_digits=5, decimal_places=2, default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    currency = models.CharField(_("currency"), max_length=3)
    net_amount = models.DecimalField(_("net amount"), max_digits=16, decimal_places=2, editable=False)
    unit_cost = models.DecimalField(_("unit cost"), max_digits=14, decimal_places=2, null=True, blank=True, editable=False)

    class Meta:
        ordering = ["order", "line_no"]
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        constraints = [
            models.UniqueConstraint(fields=["order", "line_no"], name="order_line_number_unique"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="order_line_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="order_line_price_not_negative"),
            models.CheckConstraint(
                condition=Q(discount_percent__gte=0) & Q(discount_percent__lte=100), name="order_line_discount_0_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}#{self.line_no}"
