"""Forecast runs and their points, customer lifetime values, and anomaly alerts."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 18, "decimal_places": 2}


class SeriesKind(models.TextChoices):
    COMPANY = "company", _("Company")
    TEAM = "team", _("Team")
    CATEGORY = "category", _("Product category")
    PRODUCT = "product", _("Product")
    REP = "rep", _("Sales rep")


class Frequency(models.TextChoices):
    MONTH = "month", _("Monthly")
    WEEK = "week", _("Weekly")


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ForecastRun(models.Model):
    """One fitting of every series of a frequency. A snapshot run (the first monthly run of each
    month) is kept for ever, so its forecasts can later be compared with what happened."""

    freq = models.CharField(_("frequency"), max_length=8, choices=Frequency.choices, default=Frequency.MONTH)
    horizon = models.PositiveSmallIntegerField(_("horizon"))
    kinds = models.JSONField(_("series kinds"), default=list)
    status = models.CharField(_("status"), max_length=8, choices=RunStatus.choices, default=RunStatus.QUEUED)
    is_snapshot = models.BooleanField(_("snapshot"), default=False)
    # The last complete period in the history the models saw; forecasts start the period after.
    history_end = models.DateField(_("history ends"), null=True, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name=_("requested by"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), null=True, blank=True)
    series_count = models.PositiveIntegerField(_("series"), default=0)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("forecast run")
        verbose_name_plural = _("forecast runs")
        indexes = [models.Index(fields=["freq", "status", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.get_freq_display()} {self.created_at:%Y-%m-%d %H:%M}"


class ForecastSeries(models.Model):
    """One series of a run: what was forecast, with which model, and how well it backtested."""

    run = models.ForeignKey(ForecastRun, on_delete=models.CASCADE, related_name="series")
    key = models.CharField(_("series"), max_length=40)  # "company", "team:3", "category:7", "product:12", "rep:5"
    kind = models.CharField(_("kind"), max_length=10, choices=SeriesKind.choices)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    label = models.CharField(_("name"), max_length=200)
    model = models.CharField(_("model"), max_length=40)
    backtest_mase = models.FloatField(_("backtest MASE"), null=True, blank=True)
    baseline_mase = models.FloatField(_("seasonal-naive MASE"), null=True, blank=True)
    backtest_windows = models.PositiveSmallIntegerField(default=0)
    # [[period ISO date, revenue], …] the model saw, for the chart (at most a few years).
    history = models.JSONField(default=list)

    class Meta:
        ordering = ["kind", "label", "id"]
        constraints = [models.UniqueConstraint(fields=["run", "key"], name="forecast_series_unique_per_run")]

    def __str__(self) -> str:
        return f"{self.key} ({self.model})"


class ForecastPoint(models.Model):
    series = models.ForeignKey(ForecastSeries, on_delete=models.CASCADE, related_name="points")
    period = models.DateField(_("period"))
    forecast = models.DecimalField(_("forecast"), **MONEY)
    lo80 = models.DecimalField(_("low end (80 %)"), **MONEY)
    hi80 = models.DecimalField(_("high end (80 %)"), **MONEY)
    lo95 = models.DecimalField(_("low end (95 %)"), **MONEY)
    hi95 = models.DecimalField(_("high end (95 %)"), **MONEY)

    class Meta:
        ordering = ["series", "period"]
        constraints = [
            models.UniqueConstraint(fields=["series", "period"], name="forecast_point_unique_per_period"),
            models.CheckConstraint(
                condition=Q(lo95__lte=models.F("lo80")) & Q(lo80__lte=models.F("forecast"))
                & Q(forecast__lte=models.F("hi80")) & Q(hi80__lte=models.F("hi95")),
                name="forecast_point_intervals_nest",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.series_id} {self.period}: {self.forecast}"


class ClvFit(models.Model):
    """One fit of the BG/NBD and Gamma–Gamma models, with its holdout validation."""

    fitted_at = models.DateTimeField(_("fitted"), auto_now_add=True)
    observed_until = models.DateField(_("observed until"))
    customers = models.PositiveIntegerField(_("customers"))
    params = models.JSONField(_("parameters"), default=dict)  # r, alpha, a, b, p, q, v
    # Calibration ends `holdout_days` before observed_until; predicted vs actual purchases in the holdout.
    holdout_days = models.PositiveSmallIntegerField(_("holdout days"), default=0)
    holdout_predicted = models.FloatField(_("predicted holdout purchases"), null=True, blank=True)
    holdout_actual = models.FloatField(_("actual holdout purchases"), null=True, blank=True)
    holdout_mae = models.FloatField(_("mean absolute error per customer"), null=True, blank=True)
    model = models.CharField(_("model"), max_length=40, default="BG/NBD + Gamma-Gamma")

    class Meta:
        ordering = ["-fitted_at", "-id"]
        verbose_name = _("lifetime value fit")

    def __str__(self) -> str:
        return f"{self.model} {self.fitted_at:%Y-%m-%d}"


class CustomerValue(models.Model):
    """The latest lifetime value and churn risk of a customer (one row per customer, replaced on refit)."""

    customer = models.OneToOneField("customers.Customer", on_delete=models.CASCADE, related_name="value",
                                    verbose_name=_("customer"))
    fit = models.ForeignKey(ClvFit, null=True, on_delete=models.SET_NULL, related_name="+")
    clv = models.DecimalField(_("lifetime value (12 months)"), **MONEY, default=Decimal("0"))
    churn_probability = models.FloatField(_("churn risk"))  # 1 − P(alive)
    expected_purchases_90d = models.FloatField(_("expected purchases, next 90 days"))
    purchases = models.PositiveIntegerField(_("purchases"))
    last_purchase = models.DateField(_("last purchase"), null=True)
    average_order_value = models.DecimalField(_("average order value"), **MONEY, default=Decimal("0"))
    fitted_at = models.DateTimeField(_("model fitted"))

    class Meta:
        ordering = ["-clv", "id"]
        verbose_name = _("customer value")
        verbose_name_plural = _("customer values")
        indexes = [models.Index(fields=["churn_probability"])]
        constraints = [
            models.CheckConstraint(condition=Q(churn_probability__gte=0) & Q(churn_probability__lte=1),
                                   name="customer_value_churn_0_1"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.clv}"


class AlertScope(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    REGION = "region", _("Region")


class AlertMetric(models.TextChoices):
    WEEKLY_REVENUE = "weekly_revenue", _("Weekly revenue")
    ORDER_RHYTHM = "order_rhythm", _("Order rhythm")


class Severity(models.TextChoices):
    WARNING = "warning", _("Warning")
    CRITICAL = "critical", _("Critical")


class AnomalyAlert(models.Model):
    """Sales that departed sharply from what their own history led us to expect."""

    scope = models.CharField(_("scope"), max_length=10, choices=AlertScope.choices)
    scope_key = models.CharField(max_length=60)  # "customer:12", "region:north"
    scope_label = models.CharField(_("what"), max_length=200)
    customer = models.ForeignKey("customers.Customer", null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="+", verbose_name=_("customer"))
    metric = models.CharField(_("metric"), max_length=16, choices=AlertMetric.choices)
    period_start = models.DateField(_("period"))
    expected = models.DecimalField(_("expected"), **MONEY)
    actual = models.DecimalField(_("actual"), **MONEY)
    low = models.DecimalField(_("normal from"), **MONEY)
    high = models.DecimalField(_("normal to"), **MONEY)
    score = models.FloatField(_("score"))
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices)
    message = models.CharField(_("message"), max_length=300)
    detected_at = models.DateTimeField(_("detected"), auto_now_add=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                        on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-detected_at", "-id"]
        verbose_name = _("anomaly alert")
        verbose_name_plural = _("anomaly alerts")
        constraints = [
            models.UniqueConstraint(fields=["metric", "scope_key", "period_start"], name="anomaly_alert_once"),
        ]

    def __str__(self) -> str:
        return self.message
