"""The campaign report on database rows: reporting currency at the booked rate, scope, attribution
fields on orders, the export and the pages."""

import datetime as dt
from decimal import Decimal

import pytest

from veracity.audit.models import AuditEvent
from veracity.core.errors import ValidationFailed
from veracity.customers.tests.factories import CustomerFactory
from veracity.marketing import reports, services
from veracity.marketing.tests.factories import CampaignFactory
from veracity.pipeline.tests.factories import OpportunityFactory
from veracity.sales.models import Order

Q1 = (dt.date(2026, 1, 1), dt.date(2026, 3, 31))


def _order(customer, *, on, amount, rate="1", campaign=None):
    return Order.objects.create(number=f"SO-{Order.all_objects.count() + 1}", customer=customer, order_date=on,
                                salesperson=customer.owner, total_amount=Decimal(amount),
                                exchange_rate=Decimal(rate), campaign=campaign)


@pytest.fixture
def history(rep_li, rep_bob):
    expo = CampaignFactory(code="EXPO", channel="exhibition", actual_cost=Decimal("1000.00"),
                           start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 1, 31))
    created = dt.datetime(2026, 1, 5, 10, tzinfo=dt.UTC)
    li_lead = CustomerFactory(owner=rep_li, campaign=expo, created_at=created)
    bob_lead = CustomerFactory(owner=rep_bob, campaign=expo, created_at=created)
    _order(li_lead, on=dt.date(2026, 2, 10), amount="300.00", rate="7.1")   # 2130.00 CNY
    _order(bob_lead, on=dt.date(2026, 3, 1), amount="870.00")
    return expo


def test_report_uses_the_booked_rate_and_computes_roi_and_cpa(marketing_ana, history):
    report = reports.campaign_report(user=marketing_ana, date_from=Q1[0], date_to=Q1[1])
    line = report.campaigns[0]
    assert (line.leads, line.conversions, line.revenue) == (2, 2, Decimal("3000.00"))
    assert line.cost_per_acquisition == Decimal("500.00")
    assert line.return_on_spend == Decimal("2.0000")   # (3000 - 1000) / 1000


def test_a_rep_sees_only_figures_from_their_own_customers(rep_li, history):
    line = reports.campaign_report(user=rep_li, date_from=Q1[0], date_to=Q1[1]).campaigns[0]
    assert (line.leads, line.conversions, line.revenue) == (1, 1, Decimal("2130.00"))


def test_a_period_ending_before_it_starts_is_refused(marketing_ana):
    with pytest.raises(ValidationFailed):
        reports.campaign_report(user=marketing_ana, date_from=Q1[1], date_to=Q1[0])


def test_report_export_is_audited_and_neutralises_formulas(marketing_ana, history):
    history.name = "=HYPERLINK(evil)"
    history.save()
    _name, _type, body = services.campaign_report_export(actor=marketing_ana, date_from=Q1[0], date_to=Q1[1])
    assert "'=HYPERLINK(evil)" in body.decode("utf-8-sig")
    assert AuditEvent.objects.filter(action="export", object_type="marketing.campaign_report").count() == 1


def test_last_quarter():
    assert reports.last_quarter(dt.date(2026, 5, 20)) == (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    assert reports.last_quarter(dt.date(2026, 1, 2)) == (dt.date(2025, 10, 1), dt.date(2025, 12, 31))


def test_orders_take_a_campaign_and_the_opportunity_they_close(rep_li, history):
    from veracity.sales.services import order_update

    customer = CustomerFactory(owner=rep_li)
    deal = OpportunityFactory(owner=rep_li, customer=customer)
    other_deal = OpportunityFactory(owner=rep_li)
    order = _order(customer, on=dt.date(2026, 2, 1), amount="10.00")
    order = order_update(actor=rep_li, order=order, values={"campaign": history.pk, "opportunity": deal.pk},
                         expected_version=order.version)
    assert (order.campaign, order.opportunity) == (history, deal)
    with pytest.raises(ValidationFailed) as error:
        order_update(actor=rep_li, order=order, values={"opportunity": other_deal.pk},
                     expected_version=order.version)
    assert "opportunity" in error.value.fields


def test_pages_render(marketing_ana, history, web_client_for):
    client = web_client_for(marketing_ana)
    for url in ("/marketing/campaigns/", "/marketing/report/?date_from=2026-01-01&date_to=2026-03-31",
                "/marketing/attribution/", "/marketing/demand/?date_from=2026-01-01&date_to=2026-03-31",
                "/marketing/segments/new/", "/marketing/segments/"):
        response = client.get(url)
        assert response.status_code == 200, url
    assert "EXPO" in client.get("/marketing/report/?date_from=2026-01-01&date_to=2026-03-31").content.decode()
