"""The demo loader on small numbers: the data it writes must be consistent, not just present."""

import io
from decimal import ROUND_HALF_UP, Decimal

import phonenumbers
import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, F, Sum
from django.utils import timezone

from veracity.accounts.models import Team, User
from veracity.activities.models import Activity
from veracity.audit.models import AuditEvent
from veracity.customers.models import Contact, Customer, CustomerKind
from veracity.demo import names
from veracity.demo.services import DEMO_PASSWORD
from veracity.pipeline.models import Opportunity, StageKind
from veracity.sales.models import ExchangeRate, Order, OrderLine

SMALL = ["--customers", "40", "--order-lines", "300", "--seed", "7"]


def run_demo(*args: str) -> str:
    out = io.StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def demo(db):
    run_demo(*SMALL)


def test_counts_match_the_options(demo):
    assert Customer.objects.count() == 40
    assert OrderLine.objects.count() == 300
    assert Order.objects.count() == 105  # 300 lines / (20000 / 7000) lines per order


def test_order_totals_equal_the_sum_of_their_lines_and_every_order_has_lines(demo):
    orders = Order.objects.annotate(lines_total=Sum("lines__net_amount"), line_count=Count("lines"))
    for order in orders:
        assert order.line_count >= 1, order.number
        assert order.total_amount == order.lines_total, order.number


def test_line_net_amounts_are_exact(demo):
    for line in OrderLine.objects.all():
        expected = (line.quantity * line.unit_price * (1 - line.discount_percent / 100)).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP)
        assert line.net_amount == expected
        assert line.currency == line.order.currency


def test_order_costs_are_snapshots_of_line_costs(demo):
    for order in Order.objects.prefetch_related("lines"):
        expected = sum(((line.quantity * line.unit_cost).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) for line in order.lines.all()),
                       Decimal("0"))
        assert order.cost_total == expected


def test_every_order_uses_the_rate_of_its_order_date(demo):
    foreign = 0
    for order in Order.objects.all():
        if order.currency == "CNY":
            assert order.exchange_rate == Decimal("1")
            continue
        foreign += 1
        rate = (ExchangeRate.objects.filter(currency=order.currency, rate_date__lte=order.order_date)
                .order_by("-rate_date").first())
        assert rate is not None and order.exchange_rate == rate.rate, order.number
    assert foreign  # the seed includes international customers ordering in their own currency


def test_salesperson_is_the_customer_owner(demo):
    assert not Order.objects.exclude(salesperson=F("customer__owner")).exists()


@pytest.mark.parametrize("username", ["admin", "manager", "rep", "rep2", "marketing", "service", "auditor"])
def test_demo_logins_authenticate_with_the_demo_password(demo, username):
    assert authenticate(username=username, password=DEMO_PASSWORD) is not None


def test_teams_and_roles(demo):
    north = Team.objects.get(name="North")
    assert north.manager.username == "manager"
    assert User.objects.get(username="rep").team == north
    assert User.objects.get(username="rep2").team.name == "South"
    assert User.objects.get(username="admin").is_superuser


def test_phones_credit_codes_and_pinyin(demo):
    chinese = Customer.objects.filter(country="CN")
    for customer in chinese:
        assert phonenumbers.is_valid_number(phonenumbers.parse(customer.phone)), customer.phone
        assert customer.name_pinyin and customer.name_initials
        if customer.credit_code:
            assert names.credit_code_is_valid(customer.credit_code), customer.credit_code
    for contact in Contact.objects.filter(customer__country="CN"):
        assert phonenumbers.is_valid_number(phonenumbers.parse(contact.mobile)), contact.mobile
    assert Customer.objects.exclude(credit_code="").exists()
    assert Customer.objects.filter(kind=CustomerKind.PERSON).exists()


def test_pinyin_keys():
    assert names.pinyin_keys("北京字节跳动科技有限公司") == ("beijingzijietiaodongkejiyouxiangongsi", "bjzjtdkjyxgs")
    assert names.pinyin_keys("Blue Ridge Ltd") == ("blueridgeltd", "brl")


def test_credit_code_check_character_matches_a_published_example():
    assert names.credit_code_is_valid("91350100M000100Y43")
    assert not names.credit_code_is_valid("91350100M000100Y44")


def test_pipeline_and_activities(demo):
    assert Opportunity.objects.filter(stage__kind=StageKind.OPEN).exists()
    for opportunity in Opportunity.objects.filter(stage__kind=StageKind.LOST):
        assert opportunity.lost_reason
    for opportunity in Opportunity.objects.prefetch_related("stage_changes"):
        changes = list(opportunity.stage_changes.all())
        assert changes[0].from_stage_id is None and changes[-1].to_stage_id == opportunity.stage_id
    rep = User.objects.get(username="rep")
    open_tasks = Activity.objects.filter(kind="task", assignee=rep, done=False)
    assert not open_tasks.filter(due_at__lt=F("occurred_at")).exists()
    assert open_tasks.filter(due_at__lt=timezone.now()).exists()  # overdue
    assert open_tasks.filter(due_at__date=timezone.localdate()).exists()  # due today


def test_every_record_has_a_creator_and_one_audit_event_summarises_the_load(demo):
    for model in (Customer, Contact, Order, Opportunity):
        assert not model.objects.filter(created_by__isnull=True).exists(), model
    # Only the system's own timeline entries (ticket notes and replies, feedback follow-ups) have no creator.
    from veracity.feedback.models import SurveyResponse
    from veracity.service.models import TicketMessage

    system = {*TicketMessage.objects.values_list("activity_id", flat=True),
              *SurveyResponse.objects.values_list("follow_up_id", flat=True)}
    assert set(Activity.objects.filter(created_by__isnull=True).values_list("pk", flat=True)) <= system
    events = AuditEvent.objects.filter(object_type="demo.dataset")
    assert events.count() == 1
    assert events.get().extra["counts"]["order_lines"] == 300


def test_if_empty_is_idempotent(demo):
    before = (Customer.objects.count(), Order.objects.count(), User.objects.count())
    output = run_demo("--if-empty", *SMALL)
    assert "not loaded" in output
    assert (Customer.objects.count(), Order.objects.count(), User.objects.count()) == before


def test_loading_twice_without_if_empty_fails_and_changes_nothing(demo):
    before = Customer.objects.count()
    with pytest.raises(CommandError, match="already has customers"):
        run_demo(*SMALL)
    assert Customer.objects.count() == before


def _snapshot():
    return (list(Customer.objects.order_by("code").values_list("code", "name", "phone", "owner__username")),
            list(Order.objects.order_by("number").values_list("number", "total_amount", "order_date")))


def test_same_seed_gives_the_same_data(db):
    run_demo(*SMALL)
    first = _snapshot()
    from veracity.feedback.models import Survey, SurveyResponse
    from veracity.service.models import Ticket

    SurveyResponse.objects.all().delete()
    Survey.all_objects.all().delete()
    Ticket.all_objects.all().delete()
    for model in (Activity, OrderLine, Order, Opportunity, Contact):
        model.all_objects.all().delete() if hasattr(model, "all_objects") else model.objects.all().delete()
    Customer.tags.through.objects.all().delete()
    Customer.all_objects.all().delete()
    from veracity.catalog.models import Product, ProductCategory

    Product.all_objects.all().delete()
    ProductCategory.objects.all().delete()
    ExchangeRate.objects.all().delete()
    from veracity.marketing.models import Campaign, Segment

    Campaign.all_objects.all().delete()
    Segment.all_objects.all().delete()
    Team.objects.all().delete()
    User.objects.all().delete()
    run_demo(*SMALL)
    assert _snapshot() == first


def test_tickets_surveys_and_follow_ups_show_real_service_and_feedback_data(demo):
    from veracity.feedback.models import SurveyResponse
    from veracity.service.models import Ticket, TicketMessage

    tickets = Ticket.objects.all()
    assert tickets.count() >= 8
    assert {"new", "closed"} <= set(tickets.values_list("status", flat=True))
    assert tickets.filter(sla_breached_at__isnull=False).exists()
    assert TicketMessage.objects.filter(kind="reply").exists() and TicketMessage.objects.filter(kind="note").exists()
    # Every note and reply is on the customer's timeline, dated when it was written.
    for message in TicketMessage.objects.select_related("activity"):
        assert message.activity.occurred_at == message.created_at
    responses = SurveyResponse.objects.all()
    assert responses.filter(nps_score__isnull=False).exists() and responses.filter(csat_score__isnull=False).exists()
    assert responses.filter(language="en").exists() and responses.filter(language="zh-hans").exists()
    assert len({response.submitted_at.strftime("%Y-%m") for response in responses}) >= 3
    from veracity.feedback.models import Answer

    assert any(answer.themes for answer in Answer.objects.exclude(text=""))
    follow_ups = responses.filter(follow_up__isnull=False)
    assert follow_ups.exists()
    for response in follow_ups.select_related("follow_up", "customer"):
        assert response.follow_up.assignee_id == response.customer.owner_id


def test_some_customers_stop_buying_so_churn_risk_is_not_all_zero(db):
    from veracity.forecasting.models import CustomerValue

    run_demo("--customers", "300", "--order-lines", "3000", "--seed", "7")
    churned_last = Order.objects.filter(customer__lifecycle_status="churned").order_by("-order_date").first()
    assert churned_last is None or (timezone.localdate() - churned_last.order_date).days >= 200
    assert CustomerValue.objects.filter(churn_probability__gte=0.3).exists()


def test_a_duplicates_scan_of_the_demo_finds_the_companies_it_enters_twice_and_nothing_else(demo):
    from veracity.dedup.models import ClusterStatus, DuplicateCluster, Entity
    from veracity.dedup.services.scan import scan_run_execute, scan_run_start

    scan_run_execute(scan=scan_run_start(actor=None, enqueue=False))
    clusters = [sorted(member.customer.name for member in cluster.members.select_related("customer"))
                for cluster in DuplicateCluster.objects.filter(status=ClusterStatus.OPEN, entity=Entity.COMPANY)]
    assert ["北京字节跳动科技有限公司", "字节跳动(北京)科技有限公司"] in clusters
    # Every company cluster is a planted pair: one phone, one place, a respelt name; no look-alike brands.
    for cluster_names in clusters:
        (phone,) = {customer.phone for customer in Customer.objects.filter(name__in=cluster_names)}
        assert Customer.objects.filter(phone=phone).count() == 2
