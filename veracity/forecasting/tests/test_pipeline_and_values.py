"""Win rates learned from stage history; customer values and alerts, scoped to what a user may see."""

import datetime as dt
from decimal import Decimal

import pytest

from veracity.audit.models import AuditEvent
from veracity.core.errors import NotFound
from veracity.forecasting import selectors, services
from veracity.forecasting.models import AnomalyAlert, CustomerValue
from veracity.forecasting.selectors.pipeline import PRIOR_WEIGHT
from veracity.forecasting.tests.factories import customer_for, order_for, stage_path
from veracity.pipeline.tests.factories import OpportunityFactory

pytestmark = pytest.mark.django_db


def test_win_rates_are_learned_from_the_stage_history_of_closed_deals(rep_li):
    # Proposal was passed by 4 closed deals, 3 of them won; Qualification by all 6, 3 won.
    for _ in range(3):
        stage_path(OpportunityFactory(owner=rep_li), ["Qualification", "Proposal", "Won"])
    stage_path(OpportunityFactory(owner=rep_li), ["Qualification", "Proposal", "Lost"])
    for _ in range(2):
        stage_path(OpportunityFactory(owner=rep_li), ["Qualification", "Lost"])
    stage_path(OpportunityFactory(owner=rep_li), ["Qualification", "Proposal"])  # still open: not counted
    rates = {rate.stage.name: rate for rate in selectors.stage_win_rates()}
    proposal, qualification = rates["Proposal"], rates["Qualification"]
    assert (proposal.closed, proposal.won) == (4, 3)
    assert (qualification.closed, qualification.won) == (6, 3)
    assert proposal.learned == pytest.approx((3 + PRIOR_WEIGHT * proposal.typed) / (4 + PRIOR_WEIGHT))


def test_pipeline_forecast_shows_typed_and_learned_expectations_for_the_users_deals(rep_li, rep_bob):
    for _ in range(4):
        stage_path(OpportunityFactory(owner=rep_li), ["Qualification", "Proposal", "Won"])
    open_deal = OpportunityFactory(owner=rep_li, amount=Decimal("1000.00"))
    stage_path(open_deal, ["Qualification", "Proposal"])
    OpportunityFactory(owner=rep_bob, amount=Decimal("99999.00"))
    forecast = selectors.pipeline_forecast(user=rep_li)
    assert forecast["total_amount"] == Decimal("1000.00")
    proposal = [s for s in forecast["stages"] if s["stage"] == "Proposal"][0]
    assert proposal["typed_weighted"] == Decimal("1000.00") * Decimal(str(proposal["typed_probability"]))
    assert proposal["learned_weighted"] > proposal["typed_weighted"]  # every deal through Proposal was won


def _buying_customers(owner, count, start=dt.date(2025, 1, 6)):
    """Customers buying 1–6 times at irregular gaps over about half a year."""
    customers = []
    for index in range(count):
        customer = customer_for(owner)
        day = start + dt.timedelta(days=3 * index)
        for k in range(index % 6 + 1):
            order_for(customer, day=day, amount=f"{100 + 10 * index + k}.00")
            day += dt.timedelta(days=11 + (7 * index + 13 * k) % 37)
        customers.append(customer)
    return customers


def test_clv_refresh_stores_a_value_per_buying_customer_with_holdout_validation(rep_li, rep_bob):
    _buying_customers(rep_li, 12)
    _buying_customers(rep_bob, 12)
    fit = services.clv_refresh(today=dt.date(2025, 7, 1), holdout_days=60)
    assert CustomerValue.objects.count() == 24
    assert fit.holdout_actual is not None and fit.holdout_predicted is not None
    value = CustomerValue.objects.order_by("-purchases").first()
    assert 0 <= value.churn_probability <= 1
    assert value.clv > 0
    assert AuditEvent.objects.filter(object_type__icontains="clvfit").exists()


def test_rep_sees_only_their_own_customers_values(rep_li, rep_bob, manager_mei):
    li_customers = _buying_customers(rep_li, 12)
    bob_customers = _buying_customers(rep_bob, 12)
    services.clv_refresh(today=dt.date(2025, 7, 1))
    assert {v.customer.owner_id for v in selectors.customer_value_list(user=rep_li)} == {rep_li.pk}
    assert selectors.customer_value_list(user=manager_mei).count() == 24  # forecast scope ALL for managers
    with pytest.raises(NotFound):
        selectors.customer_value_get(user=rep_li, customer_id=bob_customers[0].pk)
    assert selectors.customer_value_get(user=rep_li, customer_id=li_customers[0].pk) is not None


def test_big_customer_gone_quiet_raises_one_alert_seen_only_within_scope(rep_li, rep_bob, manager_mei):
    regular = customer_for(rep_li, name="Regular buyer")
    for k in range(8):
        order_for(regular, day=dt.date(2026, 1, 5) + dt.timedelta(days=10 * k), amount="5000.00")
    today = dt.date(2026, 6, 1)
    created = services.alerts_detect(today=today)
    rhythm = [a for a in created if a.metric == "order_rhythm"]
    assert len(rhythm) == 1 and rhythm[0].customer_id == regular.pk
    assert services.alerts_detect(today=today) == []  # not raised twice
    assert selectors.anomaly_alert_list(user=rep_li).filter(pk=rhythm[0].pk).exists()
    assert not selectors.anomaly_alert_list(user=rep_bob).exists()
    with pytest.raises(NotFound):
        services.anomaly_alert_acknowledge(actor=rep_bob, pk=rhythm[0].pk)
    assert AnomalyAlert.objects.get(pk=rhythm[0].pk).acknowledged_at is None
    services.anomaly_alert_acknowledge(actor=manager_mei, pk=rhythm[0].pk)
    assert AnomalyAlert.objects.get(pk=rhythm[0].pk).acknowledged_by == manager_mei


def test_a_customer_alert_notifies_its_owner_and_their_team_manager(rep_li, rep_bob, manager_mei):
    from veracity.notifications.models import Notification

    regular = customer_for(rep_li, name="Regular buyer")
    for k in range(8):
        order_for(regular, day=dt.date(2026, 1, 5) + dt.timedelta(days=10 * k), amount="5000.00")
    created = [a for a in services.alerts_detect(today=dt.date(2026, 6, 1)) if a.customer_id == regular.pk]
    assert services.alerts_notify(created) == 2
    notified = set(Notification.objects.filter(kind="forecasting.anomaly").values_list("recipient__username", flat=True))
    assert notified == {rep_li.username, manager_mei.username}


def test_a_regions_week_far_above_its_usual_revenue_raises_an_alert(rep_li):
    customer = customer_for(rep_li)
    monday = dt.date(2026, 1, 5)
    for week in range(26):
        order_for(customer, day=monday + dt.timedelta(weeks=week), amount=f"{1000 + (week % 3) * 20}.00", region="east")
    order_for(customer, day=monday + dt.timedelta(weeks=26, days=1), amount="9000.00", region="east")
    created = services.alerts_detect(today=monday + dt.timedelta(weeks=27, days=2))
    region = [a for a in created if a.scope == "region"]
    assert len(region) == 1 and region[0].scope_key == "region:east" and region[0].actual > region[0].high
