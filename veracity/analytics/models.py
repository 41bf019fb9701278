"""Rollup tables the dashboards read, the bookkeeping that keeps them current, and the records of
analytics itself (sales targets, RFM segments, periodic reviews and their subscribers).

Money in rollups is integer cents of the reporting currency: each order line is converted with its
order's booked `exchange_rate` and rounded half-up to the cent once, so every sum is exact and the
same on SQLite, PostgreSQL and DuckDB."""

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from veracity.core.models import CrmRecord


class SalesLineDaily(models.Model):
    """Order lines per day × customer × product × salesperson × channel × region × currency.

    Only orders that count as sales (not draft, not cancelled, not in the trash)."""

    day = models.DateField()
    customer = models.ForeignKey("customers.Customer", on_delete=models.DO_NOTHING, related_name="+",
                                 db_constraint=False)
    product = models.ForeignKey("catalog.Product", on_delete=models.DO_NOTHING, related_name="+",
                                db_constraint=False)
    salesperson = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, related_name="+",
                                    db_constraint=False)
    # The customer's owner, copied so permission scope needs no join (kept current on transfer).
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, related_name="+",
                              db_constraint=False, null=True)
    channel = models.CharField(max_length=16)
    region = models.CharField(max_length=16)
    currency = models.CharField(max_length=3)
    revenue_cents = models.BigIntegerField(default=0)
    # Cost and the revenue of the lines whose cost is known, so margin never mixes in unknown costs.
    cost_cents = models.BigIntegerField(default=0)
    costed_revenue_cents = models.BigIntegerField(default=0)
    quantity = models.DecimalField(max_digits=18, decimal_places=3, default=0)
    lines = models.PositiveIntegerField(default=0)
    orders = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["day", "customer"]),
            models.Index(fields=["product", "day"]),
            models.Index(fields=["customer", "day"]),
            models.Index(fields=["owner", "day"]),
            models.Index(fields=["salesperson", "day"]),
            # Covers a range's baskets (bought together) and their scope without reading the table.
            models.Index(fields=["day", "customer", "product", "owner", "salesperson"], name="line_daily_basket_cover"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.customer_id}×{self.product_id}"


class SalesOrderDaily(models.Model):
    """Orders per day × customer × salesperson × channel × region × currency (counts, AOV, new vs
    returning customers)."""

    day = models.DateField()
    customer = models.ForeignKey("customers.Customer", on_delete=models.DO_NOTHING, related_name="+",
                                 db_constraint=False)
    salesperson = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, related_name="+",
                                    db_constraint=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, related_name="+",
                              db_constraint=False, null=True)
    channel = models.CharField(max_length=16)
    region = models.CharField(max_length=16)
    currency = models.CharField(max_length=3)
    # The customer's industry, size and source, copied like the owner (the customers dashboard groups by
    # them without a join; kept current when the customer changes).
    industry = models.CharField(max_length=32, default="")
    size = models.CharField(max_length=16, default="")
    source = models.CharField(max_length=32, default="")
    # The customer's first day of buying, copied (new customers are counted in the same pass as customers).
    customer_first_day = models.DateField(null=True)
    orders = models.PositiveIntegerField(default=0)
    revenue_cents = models.BigIntegerField(default=0)
    cost_cents = models.BigIntegerField(default=0)
    costed_revenue_cents = models.BigIntegerField(default=0)
    quantity = models.DecimalField(max_digits=18, decimal_places=3, default=0)

    class Meta:
        indexes = [
            models.Index(fields=["day", "customer"]),
            models.Index(fields=["customer", "day"]),
            models.Index(fields=["salesperson", "day"]),
            models.Index(fields=["owner", "day"]),
            # Covers customers and new customers in a range, scoped, without reading the table.
            models.Index(fields=["day", "customer", "customer_first_day", "owner", "salesperson"],
                         name="order_daily_customers_cover"),
            # Covers the customers a scope reaches only as salesperson (the owner is outside it).
            models.Index(fields=["salesperson", "day", "owner", "customer", "customer_first_day"],
                         name="order_daily_salesperson_cover"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.customer_id}"


class CustomerBuyingDay(models.Model):
    """One row per day a customer bought (counted orders), with that customer's previous and next buying
    day: the customers who bought in [a, b] are exactly the rows in [a, b] whose previous day is before a
    (each customer's first row in the range), so a distinct count becomes a plain count over an index
    range, and new customers are the rows with no previous day. Carries the customer's owner, industry,
    size and source (scope and grouping without joins), and the day's revenue and orders."""

    day = models.DateField()
    customer_id = models.BigIntegerField()
    previous_day = models.DateField(null=True)
    next_day = models.DateField(null=True)
    owner_id = models.BigIntegerField(default=0)
    industry = models.CharField(max_length=32, default="")
    size = models.CharField(max_length=16, default="")
    source = models.CharField(max_length=32, default="")
    revenue_cents = models.BigIntegerField(default=0)
    orders = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["customer_id", "day"], name="customer_buying_day_key")]
        indexes = [
            # Covers every count and sum the dashboards take over a range (all scope, and own/team by owner).
            models.Index(fields=["day", "previous_day", "owner_id", "industry", "size", "source", "revenue_cents",
                                 "orders", "next_day"], name="buying_day_cover2"),
            models.Index(fields=["owner_id", "day", "previous_day", "industry", "size", "source", "revenue_cents",
                                 "orders", "next_day"], name="buying_day_owner_cover2"),
            # The all-scope customer counts read only these: half the bytes of the wide index above to walk
            # (a 30-day ragged end is ~130,000 rows at 10M lines: 70 -> 36 ms, three times an overview).
            models.Index(fields=["day", "previous_day", "next_day"], name="buying_day_counts"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.customer_id}"


class CustomerMonthCell(models.Model):
    """Buying days counted per month × the month of the previous buying day × owner, so a range's whole
    months need no day rows: the customers of [a, b] whose first day in the range lies in its whole months
    [M0, M1) are the month cells there with previous month before M0 (or none), less the ragged start's
    rows whose next buying day falls in [M0, b] (docs/decisions/0007-analytics-cells.md)."""

    month = models.DateField()
    previous_month = models.DateField(null=True)
    owner_id = models.BigIntegerField(default=0)
    days = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["month", "owner_id", "previous_month", "days"], name="customer_month_cover"),
                   models.Index(fields=["owner_id", "month", "previous_month", "days"],
                                name="customer_month_owner_cover")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} after {self.previous_month}: {self.days}"


class StoredFigures(models.Model):
    """A dashboard's costly figures for one date range and one reach — everyone, or the people an own or
    team report scope reaches — stored with the rollups' data version they were computed at
    (docs/decisions/0010-stored-dashboard-figures.md). Users whose scopes reach the same people share
    them; only dashboards whose figures depend on nothing else about the user are stored."""

    dashboard = models.CharField(max_length=16)
    date_from = models.DateField()
    date_to = models.DateField()
    reach_key = models.CharField(max_length=64)      # "all", or the sha256 of the sorted people ids
    computed_for = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    figures = models.JSONField(default=dict)
    data_version = models.PositiveBigIntegerField()
    computed_at = models.DateTimeField()
    # The last time a dashboard showed them (to the hour); null when only prepared by the nightly job.
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["dashboard", "date_from", "date_to", "reach_key"],
                                               name="stored_figures_key")]
        indexes = [models.Index(fields=["read_at"], name="stored_figures_read")]
        verbose_name_plural = "stored figures"

    def __str__(self) -> str:
        return f"{self.dashboard} {self.date_from}…{self.date_to} {self.reach_key[:8]} v{self.data_version}"

    @staticmethod
    def key_for(people) -> str:
        """The reach key of a set of people (None: everyone)."""
        if people is None:
            return "all"
        return hashlib.sha256(",".join(str(pk) for pk in sorted(people)).encode()).hexdigest()


class ProductPairCell(models.Model):
    """Baskets that held both products, per month × the basket's owner: a basket is one customer's
    products on one day (the products dashboard's "bought together"), and its owner is the customer's, so
    an own or team scope reads its owners' cells. `product_a` < `product_b`. Kept equal to the daily line
    rows by adding differences on refresh (docs/decisions/0009-bought-together-pair-cells.md)."""

    month = models.DateField()
    owner_id = models.BigIntegerField(default=0)
    product_a = models.BigIntegerField()
    product_b = models.BigIntegerField()
    baskets = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["month", "owner_id", "product_a", "product_b"],
                                               name="product_pair_cell_key")]
        indexes = [
            # Cover the sums a range's whole months take: all owners (by month), or a scope's owners.
            models.Index(fields=["month", "product_a", "product_b", "baskets"], name="product_pair_month_cover"),
            models.Index(fields=["owner_id", "month", "product_a", "product_b", "baskets"],
                         name="product_pair_owner_cover"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.product_a}+{self.product_b}: {self.baskets}"


class CustomerValueMonthCell(models.Model):
    """Customers' buying days per month × the month of the previous buying day × owner, for one value of
    a customer field (industry, size, source) or of the order's region, with their revenue and orders: the
    customers dashboard's "by industry / size / source / region" for a range's whole months, as
    CustomerMonthCell does for the overview's customer count. For region the previous day is the
    customer's previous day in that region. `owner_id` -1 holds the sum over all owners (an all scope
    reads a few hundred cells a month instead of every owner's)."""

    field = models.CharField(max_length=16)
    value = models.CharField(max_length=32, default="")
    month = models.DateField()
    previous_month = models.DateField(null=True)
    owner_id = models.BigIntegerField(default=0)
    days = models.PositiveIntegerField(default=0)
    revenue_cents = models.BigIntegerField(default=0)
    orders = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["owner_id", "month", "field", "value", "previous_month", "days",
                                        "revenue_cents", "orders"], name="customer_value_month_cover")]

    def __str__(self) -> str:
        return f"{self.field}={self.value} {self.month:%Y-%m} after {self.previous_month}: {self.days}"


class CellGrain(models.TextChoices):
    DAY = "d", _("Day")
    MONTH = "m", _("Month")


class SalesCell(models.Model):
    """Sales summed over customers: per day or month, in one of a few *shapes* (the dimensions kept,
    services/rollups.py CELL_SHAPES). A dashboard reads the smallest shape that has every dimension its
    filters, grouping and permission scope need, so it sums thousands of rows rather than millions.
    Dimensions outside the shape hold 0 or "" (the shape says which are real). Kept equal to the daily
    tables by adding the difference of every recomputed daily cell (docs/decisions/0007-analytics-cells.md)."""

    grain = models.CharField(max_length=1, choices=CellGrain.choices)
    shape = models.PositiveSmallIntegerField()
    period = models.DateField()   # the day, or the first day of the month
    salesperson_id = models.BigIntegerField(default=0)
    owner_id = models.BigIntegerField(default=0)
    product_id = models.BigIntegerField(default=0)
    channel = models.CharField(max_length=16, default="")
    region = models.CharField(max_length=16, default="")
    currency = models.CharField(max_length=3, default="")
    revenue_cents = models.BigIntegerField(default=0)
    cost_cents = models.BigIntegerField(default=0)
    costed_revenue_cents = models.BigIntegerField(default=0)
    quantity = models.DecimalField(max_digits=18, decimal_places=3, default=0)
    lines = models.PositiveIntegerField(default=0)
    orders = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["shape", "grain", "period", "salesperson_id", "owner_id", "product_id", "channel", "region",
                    "currency"], name="sales_cell_key")]
        indexes = [
            models.Index(fields=["shape", "grain", "owner_id", "period"]),
            models.Index(fields=["shape", "grain", "salesperson_id", "period"]),
        ]

    def __str__(self) -> str:
        return f"{self.grain}{self.shape} {self.period}"


class CohortCell(models.Model):
    """Customers per first-purchase month × month they bought in × owner (cohort retention without
    reading every customer). A customer's rows all carry one owner, so cells add up across owners."""

    cohort = models.DateField()   # first day of the first-purchase month
    month = models.DateField()    # first day of a month the customer bought in
    owner_id = models.BigIntegerField(default=0)
    customers = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cohort", "month", "owner_id"], name="cohort_cell_key")]

    def __str__(self) -> str:
        return f"{self.cohort:%Y-%m} → {self.month:%Y-%m}: {self.customers}"


class CustomerFirstPurchase(models.Model):
    """The first day each customer bought (new vs returning, cohorts), kept with the rollups."""

    customer = models.OneToOneField("customers.Customer", on_delete=models.DO_NOTHING, primary_key=True,
                                    related_name="+", db_constraint=False)
    first_day = models.DateField(db_index=True)

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.first_day}"


class RollupOrderState(models.Model):
    """Which (day, customer) key each order was last counted under, so an order that moves day or
    customer, or leaves the sales, has its old key recomputed too."""

    order_id = models.BigIntegerField(primary_key=True)
    version = models.PositiveIntegerField()
    # Empty when the order does not count as a sale (draft, cancelled, in the trash).
    day = models.DateField(null=True)
    customer_id = models.BigIntegerField(null=True)

    def __str__(self) -> str:
        return f"order {self.order_id} v{self.version}"


class RollupCursor(models.Model):
    """How far the change scan got (one row, pk=1): orders changed after `scanned_until − overlap`
    are looked at again on the next refresh."""

    scanned_until = models.DateTimeField(null=True, blank=True)
    # How far the scan for transferred customers got (their rollup rows carry the owner).
    customers_scanned_until = models.DateTimeField(null=True, blank=True)
    rebuilt_at = models.DateTimeField(null=True, blank=True)
    refreshed_at = models.DateTimeField(null=True, blank=True)
    # Goes up whenever what dashboards read changes (a refresh that recomputed keys, a rebuild, the RFM
    # scores): StoredFigures say which version they were computed at.
    data_version = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"scanned until {self.scanned_until}"


class PipelineSnapshotDaily(models.Model):
    """Open pipeline per day × stage × owner, taken by the daily rollup job (trend of pipeline value)."""

    day = models.DateField()
    stage = models.ForeignKey("pipeline.PipelineStage", on_delete=models.DO_NOTHING, related_name="+",
                              db_constraint=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, related_name="+",
                              db_constraint=False)
    opportunities = models.PositiveIntegerField(default=0)
    amount_cents = models.BigIntegerField(default=0)
    weighted_cents = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "stage", "owner"], name="pipeline_snapshot_unique")]

    def __str__(self) -> str:
        return f"{self.day} {self.stage_id}/{self.owner_id}"


class RfmSegment(models.TextChoices):
    CHAMPIONS = "champions", _("Champions")
    LOYAL = "loyal", _("Loyal")
    POTENTIAL_LOYALIST = "potential_loyalist", _("Potential loyalist")
    NEW = "new", _("New customers")
    PROMISING = "promising", _("Promising")
    NEED_ATTENTION = "need_attention", _("Need attention")
    AT_RISK = "at_risk", _("At risk")
    CANNOT_LOSE = "cannot_lose", _("Cannot lose them")
    HIBERNATING = "hibernating", _("Hibernating")
    LOST = "lost", _("Lost")


class CustomerRfm(models.Model):
    """Recency, frequency and monetary value of each customer that ever bought, scored 1–5 by
    quintile, with the named segment. Refreshed by the rollup job; marketing segments filter on it."""

    customer = models.OneToOneField("customers.Customer", on_delete=models.CASCADE, primary_key=True,
                                    related_name="rfm")
    last_order_day = models.DateField()
    recency_days = models.PositiveIntegerField()
    frequency = models.PositiveIntegerField()
    monetary_cents = models.BigIntegerField()
    r_score = models.PositiveSmallIntegerField()
    f_score = models.PositiveSmallIntegerField()
    m_score = models.PositiveSmallIntegerField()
    segment = models.CharField(max_length=24, choices=RfmSegment.choices, db_index=True)
    computed_on = models.DateField()

    class Meta:
        # Covers the segments table (customers, lifetime revenue and recency per segment) without the rows.
        indexes = [models.Index(fields=["segment", "monetary_cents", "recency_days"], name="rfm_segment_cover")]
        verbose_name = _("customer RFM score")
        verbose_name_plural = _("customer RFM scores")

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.segment}"


class SalesTarget(CrmRecord):
    """What a rep should sell in a period, set by their manager."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("salesperson"), on_delete=models.CASCADE,
                             related_name="sales_targets")
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    revenue = models.DecimalField(_("revenue target"), max_digits=16, decimal_places=2)
    orders = models.PositiveIntegerField(_("orders target"), null=True, blank=True)
    activities = models.PositiveIntegerField(_("activities target"), null=True, blank=True)
    notes = models.CharField(_("notes"), max_length=255, blank=True)

    class Meta:
        ordering = ["-period_start", "user__username"]
        verbose_name = _("sales target")
        verbose_name_plural = _("sales targets")
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")),
                                   name="sales_target_period_ordered"),
            models.CheckConstraint(condition=Q(revenue__gte=0), name="sales_target_revenue_not_negative"),
            models.UniqueConstraint(fields=["user", "period_start", "period_end"],
                                    condition=Q(deleted_at__isnull=True), name="sales_target_unique_alive"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.period_start}–{self.period_end}"


class ReviewPeriod(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")


class PeriodicReview(models.Model):
    """One archived weekly or monthly review (company-wide when `team` is empty)."""

    period = models.CharField(_("period"), max_length=8, choices=ReviewPeriod.choices)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    team = models.ForeignKey("accounts.Team", verbose_name=_("team"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    sections = models.JSONField(default=list)
    html = models.TextField(blank=True)
    pdf = models.BinaryField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    sent_to = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("periodic review")
        verbose_name_plural = _("periodic reviews")

    def __str__(self) -> str:
        return self.title


class ReviewSubscription(models.Model):
    """A user who receives a review by email (their team's, or the company's)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_subscriptions")
    period = models.CharField(_("period"), max_length=8, choices=ReviewPeriod.choices)
    team = models.ForeignKey("accounts.Team", verbose_name=_("team"), null=True, blank=True,
                             on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "period", "team"], name="review_subscription_unique"),
            models.UniqueConstraint(fields=["user", "period"], condition=Q(team__isnull=True),
                                    name="review_subscription_unique_company"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.period} {self.team_id or 'company'}"
