"""One record of every kind, owned by rep_li of team North, for the permission sweeps.

rep_bob (team South) must never see or change any of it; manager_mei (North's manager) may."""

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Max, Sum
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from veracity.accounts.models import ApiToken, User
from veracity.activities.models import Activity
from veracity.analytics.models import PeriodicReview, ReviewSubscription, SalesTarget
from veracity.catalog.models import Product, ProductCategory
from veracity.customers.models import Contact, Customer
from veracity.dedup.models import ClusterMember, DuplicateCluster, Merge, ScanRun
from veracity.ops.models import Backup, BackupDrill, ScheduledJob
from veracity.pipeline.models import Opportunity, PipelineStage
from veracity.sales.models import ExchangeRate, Order, OrderLine
from veracity.workspace.models import SavedView


@dataclass
class World:
    customer: Customer
    contact: Contact
    product: Product
    order: Order
    opportunity: Opportunity
    activity: Activity
    stage: PipelineStage
    rate: ExchangeRate
    saved_view: SavedView
    token: ApiToken
    trashed_customer: Customer
    job: DBTaskResult | None = None
    backup: Backup | None = None  # an indexed backup (ops), for the backup pages and API
    quality: dict | None = None  # rep_li's quality issue, change request, audit (+ item), notification
    extra_ids: dict | None = None  # ids added by tests/security/policies/<app>.py WORLD hooks
    campaign: object | None = None  # marketing: a campaign and a segment (policies/marketing.py)
    segment: object | None = None
    forecast_key: str = ""  # a forecast series of rep_li's own revenue (forecasting)
    analytics: dict | None = None  # analytics: rep_li's sales target and review subscription, a review
    cluster: DuplicateCluster | None = None  # dedup: rep_li's customer and her trashed one
    merge: Merge | None = None

    def ids(self) -> dict[str, object]:
        """Values for every URL parameter name the routes use."""
        return {
            "customer": self.customer.pk,
            "contact": self.contact.pk,
            "product": self.product.pk,
            "order": self.order.pk,
            "opportunity": self.opportunity.pk,
            "activity": self.activity.pk,
            "stage": self.stage.pk,
            "rate": self.rate.pk,
            "saved_view": self.saved_view.pk,
            "token": self.token.pk,
            "deletion": str(self.trashed_customer.deletion_id),
            "entity": "customers",  # /exports/{entity}/: the sweep exports customers (policies/exports.py)
            "job": str(self.job.pk) if self.job else None,
            "schedule": "purge_trash",
            "backup": self.backup.pk if self.backup else None,
            **(self.quality or {}),
            **(self.extra_ids or {}),
            "campaign": self.campaign.pk if self.campaign else None,
            "segment": self.segment.pk if self.segment else None,
            "key": self.forecast_key,
            **{name: record.pk for name, record in (self.analytics or {}).items()},
            "cluster": self.cluster.pk if self.cluster else None,
            "merge": self.merge.pk if self.merge else None,
        }


def build_world(*, owner, other_owner) -> World:
    customer = Customer.objects.create(code="C-LI-1", name="字节跳动(北京)科技有限公司", owner=owner,
                                       phone="+8613800138000", email="li-customer@example.com")
    contact = Contact.objects.create(customer=customer, name="王芳", mobile="+8613900139000")
    category = ProductCategory.objects.create(name="Locks")
    product = Product.objects.create(sku="LOCK-1", name="Smart lock", category=category,
                                     list_price=Decimal("100.00"), cost_price=Decimal("60.00"))
    order = Order.objects.create(number="SO-LI-1", customer=customer, order_date=dt.date(2026, 3, 5),
                                 salesperson=owner, total_amount=Decimal("200.00"), cost_total=Decimal("120.00"))
    OrderLine.objects.create(order=order, line_no=1, product=product, quantity=Decimal("2"),
                             unit_price=Decimal("100.00"), currency="CNY", net_amount=Decimal("200.00"),
                             unit_cost=Decimal("60.00"))
    stage = PipelineStage.objects.filter(kind="open").order_by("position").first()
    opportunity = Opportunity.objects.create(name="Locks for HQ", customer=customer, owner=owner, stage=stage,
                                             amount=Decimal("5000.00"))
    activity = Activity.objects.create(kind="task", subject="Call back", customer=customer, owner=owner,
                                       assignee=owner, due_at=timezone.now() + dt.timedelta(days=1))
    rate = ExchangeRate.objects.create(currency="USD", rate_date=dt.date(2026, 3, 1), rate=Decimal("7.10000000"))
    saved_view = SavedView.objects.create(user=owner, list_name="customers", name="Mine", query="q=abc")
    token = ApiToken.objects.create(user=owner, name="li's token", prefix="vrc_liliLI", key_hash=uuid.uuid4().hex)
    trashed = Customer.all_objects.create(code="C-LI-OLD", name="Old customer", owner=owner,
                                          deleted_at=timezone.now(), deleted_by=owner, deletion_id=uuid.uuid4())
    Customer.objects.create(code="C-BOB-1", name="Bob's customer", owner=other_owner)
    job = DBTaskResult.objects.create(
        task_path="veracity.workspace.tasks.trash_purge_run", args_kwargs={"args": [], "kwargs": {}},
        backend_name="default", status="FAILED", exception_class_path="builtins.ValueError",
        traceback="Traceback (most recent call last):\nValueError: sweep", finished_at=timezone.now())
    backup = Backup.objects.create(name="sweep-backup", vendor="sqlite")
    from veracity.marketing.models import Campaign, Segment

    segment = Segment.objects.create(name="Sweep target", owner=other_owner, criteria={"industry": ["retail"]})
    campaign = Campaign.objects.create(code="SWEEP-CAMPAIGN", name="Sweep campaign", channel="email",
                                       start_date=dt.date(2026, 1, 1), owner=other_owner, target_segment=segment)
    from veracity.forecasting.models import ForecastRun, ForecastSeries

    run = ForecastRun.objects.create(horizon=3, kinds=["rep"], status="done", history_end=dt.date(2026, 2, 1))
    series = ForecastSeries.objects.create(run=run, key=f"rep:{owner.pk}", kind="rep", object_id=owner.pk,
                                           label=str(owner), model="SeasonalNaive")
    cluster = DuplicateCluster.objects.create(scan=ScanRun.objects.create(status="done"), entity="company", score=0.99)
    ClusterMember.objects.bulk_create([ClusterMember(cluster=cluster, customer=customer),
                                       ClusterMember(cluster=cluster, customer=trashed)])
    merge = Merge.objects.create(entity="company", model="customers.customer", survivor_id=customer.pk,
                                 loser_id=trashed.pk, undo={"survivor_version_after": -1, "loser_version_after": -1})
    world = World(customer, contact, product, order, opportunity, activity, stage, rate, saved_view, token, trashed,
                  job, backup, _quality_world(owner, customer), campaign=campaign, segment=segment,
                  forecast_key=series.key, cluster=cluster, merge=merge)
    world.analytics = {
        "target": SalesTarget.objects.create(user=owner, period_start=dt.date(2026, 3, 1),
                                             period_end=dt.date(2026, 3, 31), revenue=Decimal("1000.00")),
        "review": PeriodicReview.objects.create(period="weekly", period_start=dt.date(2026, 3, 2),
                                                period_end=dt.date(2026, 3, 8), title="Weekly review", pdf=b"%PDF-1.4"),
        "subscription": ReviewSubscription.objects.create(user=owner, period="weekly"),
    }
    world.extra_ids = _app_world_ids(world)
    return world


def _quality_world(owner, customer) -> dict:
    """rep_li's records of the quality and notifications apps, by URL parameter name."""
    from django.contrib.contenttypes.models import ContentType

    from veracity.notifications.models import Notification
    from veracity.quality.models import ChangeRequest, DataAudit, DataAuditItem, QualityIssue

    content_type = ContentType.objects.get_for_model(Customer)
    issue = QualityIssue.objects.create(rule="invalid_email", entity="customer", content_type=content_type,
                                        object_id=customer.pk, record_label=customer.name, field="email",
                                        message="sweep", owner=owner, current_value=customer.email,
                                        suggested_value=customer.email, has_fix=True)
    change_request = ChangeRequest.objects.create(entity="customer", content_type=content_type,
                                                  object_id=customer.pk, record_label=customer.name,
                                                  changes={"city": ["", "北京"]}, base_version=1, requested_by=owner)
    audit = DataAudit.objects.create(rep=owner, period="2026-03", due_on=dt.date(2026, 3, 31))
    item = DataAuditItem.objects.create(audit=audit, customer=customer)
    notification = Notification.objects.create(recipient=owner, kind="general", title="sweep")
    return {"issue": issue.pk, "change_request": change_request.pk, "audit": audit.pk, "item": item.pk,
            "notification": notification.pk}


def _app_world_ids(world: World) -> dict[str, object]:
    """Apps add their own records (owned by rep_li) through a `WORLD(world) -> {param: id}` function
    in their policy module, and their models to FINGERPRINTED through `FINGERPRINT_MODELS`."""
    import importlib
    import pkgutil

    # policy.py folds the app policies in when it is imported; importing an app policy first (which
    # imports policy.py) would find that app's module half-initialised.
    import tests.security.policy  # noqa: F401
    from tests.security import policies

    ids: dict[str, object] = {}
    for module_info in pkgutil.iter_modules(policies.__path__):
        module = importlib.import_module(f"{policies.__name__}.{module_info.name}")
        if hasattr(module, "WORLD"):
            ids.update(module.WORLD(world))
    return ids


FINGERPRINTED = [Customer, Contact, Product, Order, Opportunity, Activity, ExchangeRate, Backup, BackupDrill,
                 SalesTarget, PeriodicReview, ReviewSubscription]


def _app_fingerprint_models() -> list:
    import importlib
    import pkgutil

    from tests.security import policies

    models = []
    for module_info in pkgutil.iter_modules(policies.__path__):
        module = importlib.import_module(f"{policies.__name__}.{module_info.name}")
        models.extend(getattr(module, "FINGERPRINT_MODELS", ()))
    return models


def _marketing_models() -> list:
    from veracity.marketing.models import Campaign, Segment

    return [Campaign, Segment]


def data_fingerprint() -> dict[str, object]:
    """A summary that changes whenever any business record is created, changed or deleted."""
    summary: dict[str, object] = {}
    for model in FINGERPRINTED + _app_fingerprint_models() + _marketing_models():
        manager = model.all_objects if hasattr(model, "all_objects") else model.objects
        aggregate = manager.aggregate(
            rows=Count("pk"),
            versions=Sum("version") if hasattr(model, "version") else Count("pk"),
            deleted=Count("deleted_at") if hasattr(model, "deleted_at") else Count("pk"),
        )
        summary[model._meta.label] = aggregate
    summary["order_lines"] = OrderLine.objects.aggregate(rows=Count("pk"), amount=Sum("net_amount"))
    summary["stages"] = list(PipelineStage.objects.order_by("pk").values_list("pk", "name", "position", "probability"))
    summary["saved_views"] = SavedView.objects.aggregate(rows=Count("pk"), last=Max("pk"))
    summary["tokens"] = list(ApiToken.objects.order_by("pk").values_list("pk", "revoked_at"))
    summary["jobs"] = list(DBTaskResult.objects.order_by("pk").values_list("pk", "status"))
    summary["schedules"] = list(ScheduledJob.objects.order_by("pk").values_list("name", "enabled", "next_due_at"))
    summary["users"] = list(User.objects.order_by("pk").values_list("pk", "is_active", "team_id"))
    summary.update(_quality_fingerprint())
    return summary


def _quality_fingerprint() -> dict[str, object]:
    from veracity.notifications.models import Notification, NotificationPreference
    from veracity.quality.models import (
        AwardRule,
        ChangeRequest,
        DataAuditItem,
        QualityIssue,
        QualitySettings,
        RuleSetting,
    )

    return {
        "quality_issues": list(QualityIssue.objects.order_by("pk").values_list("pk", "resolved_at")),
        "change_requests": list(ChangeRequest.objects.order_by("pk").values_list("pk", "status")),
        "audit_items": list(DataAuditItem.objects.order_by("pk").values_list("pk", "outcome")),
        "quality_settings": list(RuleSetting.objects.order_by("pk").values_list("rule", "enabled", "threshold"))
        + list(QualitySettings.objects.values_list("pk", "approval_fields")),
        "award_rules": AwardRule.objects.count(),
        "notifications": list(Notification.objects.order_by("pk").values_list("pk", "read_at")),
        "notification_preferences": list(NotificationPreference.objects.values_list("user_id", "frequency")),
    }
