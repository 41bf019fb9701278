"""`demo_load`: fill an empty database with a realistic, deterministic demo data set.

Users go through `accounts.services.user_create` (passwords validated and hashed, audited). Business
records are built in memory by `veracity.demo.builders` and written with `bulk_create`, one transaction
per batch, and one audit event summarises the load (rather than one per row)."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from django.db import transaction
from django.db.models import Model

from veracity.accounts.models import RoleCode, Team, User
from veracity.accounts.services import user_create
from veracity.activities.models import Activity
from veracity.audit.models import AuditAction
from veracity.audit.services import audit_event_record
from veracity.catalog.models import Product, ProductCategory
from veracity.customers.models import Contact, Customer, Tag
from veracity.dedup.models import ScanRun
from veracity.dedup.services import scan_run_execute
from veracity.demo import builders
from veracity.demo.analytics import demo_analytics_load
from veracity.demo.quality import demo_quality_load
from veracity.demo.service_feedback import demo_service_feedback_load
from veracity.forecasting.errors import NotEnoughHistory
from veracity.forecasting.services import alerts_detect, clv_refresh, forecast_refresh_scheduled
from veracity.marketing.demo import demo_marketing_load
from veracity.matching.canonical import stored_match_keys
from veracity.pipeline.models import Opportunity, OpportunityStageChange, PipelineStage, StageKind
from veracity.sales.models import ExchangeRate, Order, OrderLine

DEMO_PASSWORD = "veracity-demo"
BATCH_SIZE = 1000


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    role: str
    team: str | None = None
    manages: str | None = None
    shown: bool = False  # listed in the demo logins table


DEMO_TEAMS = {"North": "华北", "South": "华南"}
DEMO_USERS = (
    DemoUser("admin", "管理员 Admin", RoleCode.ADMIN, shown=True),
    DemoUser("manager", "王美 Mei Wang", RoleCode.SALES_MANAGER, team="North", manages="North", shown=True),
    DemoUser("rep", "李雷 Li Lei", RoleCode.SALES_REP, team="North", shown=True),
    DemoUser("rep2", "陈波 Bob Chen", RoleCode.SALES_REP, team="South", shown=True),
    DemoUser("marketing", "安娜 Ana", RoleCode.MARKETING, shown=True),
    DemoUser("service", "孙山 Sam Sun", RoleCode.SERVICE, shown=True),
    DemoUser("auditor", "审计 Audrey", RoleCode.AUDITOR, shown=True),
    DemoUser("manager2", "赵华 Hua Zhao", RoleCode.SALES_MANAGER, team="South", manages="South"),
    DemoUser("rep_wang", "王芳", RoleCode.SALES_REP, team="North"),
    DemoUser("rep_zhang", "张伟", RoleCode.SALES_REP, team="North"),
    DemoUser("rep_chen", "陈静", RoleCode.SALES_REP, team="South"),
    DemoUser("rep_liu", "刘洋", RoleCode.SALES_REP, team="South"),
)


class ProgressReporter(Protocol):
    def phase(self, name: str, total: int) -> None: ...

    def advance(self, count: int) -> None: ...


class SilentProgress:
    def phase(self, name: str, total: int) -> None:
        pass

    def advance(self, count: int) -> None:
        pass


@dataclass
class DemoSummary:
    seed: int
    counts: dict[str, int] = field(default_factory=dict)


class DemoDataExists(Exception):
    """The database already holds customers or demo users; the demo only loads into an empty one."""


def demo_database_is_empty() -> bool:
    return not Customer.all_objects.exists()


def _insert(model: type[Model], rows: Sequence[Model], progress: ProgressReporter) -> None:
    """bulk_create in batches, one transaction each, so a long load never holds one huge write lock."""
    for start in range(0, len(rows), BATCH_SIZE):
        chunk = rows[start:start + BATCH_SIZE]
        with transaction.atomic():
            model._default_manager.bulk_create(chunk, batch_size=BATCH_SIZE)
        progress.advance(len(chunk))


def demo_users_create() -> dict[str, User]:
    """The demo people and teams North (华北) and South (华南). Everyone's password is veracity-demo."""
    taken = sorted(User.objects.filter(username__in=[user.username for user in DEMO_USERS])
                   .values_list("username", flat=True))
    if taken:
        raise DemoDataExists(f"Demo user(s) already exist: {', '.join(taken)}.")
    teams = {name: Team.objects.get_or_create(name=name)[0] for name in DEMO_TEAMS}
    users: dict[str, User] = {}
    for spec in DEMO_USERS:
        users[spec.username] = user_create(
            actor=None, username=spec.username, password=DEMO_PASSWORD,
            email=f"{spec.username}@demo.example", display_name=spec.display_name,
            roles=[spec.role], team=teams[spec.team] if spec.team else None,
            is_superuser=spec.role == RoleCode.ADMIN,
        )
        if spec.manages:
            Team.objects.filter(pk=teams[spec.manages].pk).update(manager=users[spec.username])
    return users


def _prediction_load() -> None:
    """Fit the forecasts (kept as this month's snapshot), lifetime values and anomaly alerts, so the
    prediction pages show real figures at once; the scheduled jobs refresh them from then on."""
    forecast_refresh_scheduled()
    try:
        clv_refresh()
    except NotEnoughHistory:  # a tiny demo (tests): no lifetime values
        pass
    alerts_detect()
def _demo_duplicates_add(customer_rows: list[Customer], users: dict[str, User]) -> None:
    """Turn a few demo companies into customers entered twice, the way people do, so the duplicates page
    has something to show: the issue's own example (北京字节跳动科技有限公司 / 字节跳动(北京)科技有限公司,
    both the rep's) and later companies respelling earlier ones with the same phone."""
    from veracity.core.normalisation import name_pinyin

    companies = [row for row in customer_rows if row.kind == "company"]
    if len(companies) < 8:
        return
    pairs = [(companies[0], "北京字节跳动科技有限公司"), (companies[1], "字节跳动(北京)科技有限公司")]
    for row, name in pairs:
        row.name, row.owner, row.phone = name, users["rep"], "+8613800138000"
        row.province, row.city = "北京", "北京"
    companies[1].address_line = companies[0].address_line
    half = len(companies) // 2
    for original, twin in zip(companies[2:6], companies[half:half + 4], strict=False):
        # The same company typed again: a respelt name, but its phone, city and address.
        twin.name = original.name.replace("有限公司", "股份有限公司") if "有限公司" in original.name \
            else f"{original.name} Ltd"
        twin.phone, twin.province, twin.city, twin.address_line = (original.phone, original.province, original.city,
                                                                   original.address_line)
        pairs.append((twin, twin.name))
    for row, _name in pairs:
        row.name_pinyin, row.name_initials = name_pinyin(row.name, person=False)


def demo_load(
    *, customers: int = 2000, order_lines: int = 20000, seed: int = 42,
    progress: ProgressReporter | None = None,
) -> DemoSummary:
    """Load the demo data set. Raises DemoDataExists unless the database has no customers."""
    progress = progress or SilentProgress()
    if not demo_database_is_empty():
        raise DemoDataExists("The database already has customers.")
    if customers < 1 or order_lines < 1:
        raise ValueError("customers and order_lines must be positive.")
    stages = list(PipelineStage.objects.filter(is_active=True).order_by("position", "id"))
    if not any(stage.kind == StageKind.OPEN for stage in stages):
        raise RuntimeError("No open pipeline stages: run `veracity migrate` first (it seeds them).")

    progress.phase("Users and teams", len(DEMO_USERS))
    users = demo_users_create()
    progress.advance(len(DEMO_USERS))
    plan = builders.DemoPlan(seed=seed, users=users)
    summary = DemoSummary(seed=seed)

    progress.phase("Products and exchange rates", 1)
    categories = {}
    for name in plan.category_names():
        categories[name] = ProductCategory.objects.get_or_create(name=name)[0]
    products = plan.build_products(categories)
    _insert(Product, products, SilentProgress())
    rates = plan.build_exchange_rates()
    _insert(ExchangeRate, rates, SilentProgress())
    progress.advance(1)

    customer_rows = plan.build_customers(customers)
    _demo_duplicates_add(customer_rows, users)
    for row in customer_rows:  # the keys customer services keep for duplicate detection
        for name, value in stored_match_keys(row.name, company=row.kind == "company").items():
            setattr(row, name, value)
    progress.phase("Customers", len(customer_rows))
    _insert(Customer, customer_rows, progress)
    tags = [Tag.objects.get_or_create(name=name)[0] for name in builders.TAGS]
    tag_links = plan.build_tag_links(customer_rows, tags)
    _insert(Customer.tags.through, tag_links, SilentProgress())

    contact_rows = plan.build_contacts(customer_rows)
    progress.phase("Contacts", len(contact_rows))
    _insert(Contact, contact_rows, progress)

    orders, lines_by_order = plan.build_orders(customer_rows, contact_rows, products, order_lines)
    progress.phase("Orders", len(orders))
    _insert(Order, orders, progress)
    line_rows = [line for order, lines in zip(orders, lines_by_order, strict=True)
                 for line in builders.attach_lines(order, lines)]
    progress.phase("Order lines", len(line_rows))
    _insert(OrderLine, line_rows, progress)

    opportunities, changes_by_opportunity = plan.build_opportunities(customer_rows, contact_rows, stages)
    progress.phase("Opportunities", len(opportunities))
    _insert(Opportunity, opportunities, progress)
    change_rows = [change for opportunity, changes in zip(opportunities, changes_by_opportunity, strict=True)
                   for change in builders.attach_stage_changes(opportunity, changes)]
    _insert(OpportunityStageChange, change_rows, SilentProgress())

    activities = plan.build_activities(customer_rows, contact_rows, opportunities)
    progress.phase("Activities", len(activities))
    _insert(Activity, activities, progress)

    progress.phase("Data quality", 1)
    quality_counts = demo_quality_load(users)
    progress.advance(1)
    progress.phase("Campaigns and segments", 1)
    marketing = demo_marketing_load(owner=users.get("marketing") or next(iter(users.values())), seed=seed)
    progress.advance(1)
    progress.phase("Tickets, surveys and feedback", 1)
    feedback = demo_service_feedback_load(users=users, seed=seed)
    progress.advance(1)
    progress.phase("Forecasts, customer value, alerts", 3)
    _prediction_load()
    progress.advance(3)

    progress.phase("Analytics (rollups, segments, targets, reviews)", 1)
    analytics_counts = demo_analytics_load(seed=seed)
    progress.advance(1)
    progress.phase("Duplicate scan", 1)
    scan_run_execute(scan=ScanRun.objects.create())
    progress.advance(1)

    summary.counts = {
        **analytics_counts,
        "quality_issues": quality_counts["issues"], "awards": quality_counts["awards"],
        "users": len(users), "products": len(products), "exchange_rates": len(rates),
        "customers": len(customer_rows), "contacts": len(contact_rows), "orders": len(orders),
        "order_lines": len(line_rows), "opportunities": len(opportunities),
        "stage_changes": len(change_rows), "activities": len(activities),
        "campaigns": marketing["campaigns"], "segments": marketing["segments"], **feedback,
    }
    audit_event_record(
        actor=None, action=AuditAction.CREATE, object_type="demo.dataset", object_id=str(seed),
        object_repr="Demo data set", extra={"seed": seed, "counts": summary.counts},
    )
    return summary
