"""Each built-in criterion filters as it says; members are scoped to the viewer; exports need the
segment export permission and are audited."""

import datetime as dt
from decimal import Decimal

import pytest

from veracity.audit.models import AuditEvent
from veracity.catalog.tests.factories import ProductCategoryFactory, ProductFactory
from veracity.core.errors import PermissionDenied, ValidationFailed
from veracity.customers.tests.factories import CustomerFactory
from veracity.exports.services import export_create
from veracity.marketing import criteria, selectors, services
from veracity.marketing.tests.factories import SegmentFactory
from veracity.sales.models import Order, OrderLine


def _order(customer, *, on, product, amount="100.00", rate="1", status="confirmed"):
    order = Order.objects.create(number=f"SO-{Order.all_objects.count() + 1}", customer=customer, order_date=on,
                                 salesperson=customer.owner, total_amount=Decimal(amount),
                                 exchange_rate=Decimal(rate), status=status)
    OrderLine.objects.create(order=order, line_no=1, product=product, quantity=Decimal("1"),
                             unit_price=Decimal(amount), currency="CNY", net_amount=Decimal(amount))
    return order


@pytest.fixture
def shop(rep_li, rep_bob):
    locks = ProductCategoryFactory(name="Locks")
    cams = ProductCategoryFactory(name="Cameras")
    lock, cam = ProductFactory(sku="L-1", category=locks), ProductFactory(sku="C-1", category=cams)
    a = CustomerFactory(name="Alpha", owner=rep_li, industry="retail", kind="company", size="10-49", source="website",
                        lifecycle_status="customer", province="广东省", city="深圳市")
    b = CustomerFactory(name="Beta", owner=rep_li, industry="finance", kind="person", size="",
                        lifecycle_status="lead", province="北京市", city="北京市")
    c = CustomerFactory(name="Gamma", owner=rep_bob, industry="retail", lifecycle_status="customer",
                        province="浙江省", city="杭州市", country="CN")
    d = CustomerFactory(name="Delta", owner=rep_bob, industry="retail", lifecycle_status="prospect", country="US", province="CA", city="Palo Alto")
    _order(a, on=dt.date(2025, 3, 1), product=lock, amount="500.00")
    _order(a, on=dt.date(2026, 2, 1), product=cam, amount="100.00", rate="7.0")     # 700 in CNY
    _order(c, on=dt.date(2025, 6, 1), product=lock, amount="50.00")
    _order(c, on=dt.date(2026, 1, 10), product=lock, amount="80.00", status="cancelled")
    return {"a": a, "b": b, "c": c, "d": d, "locks": locks, "cams": cams, "lock": lock, "cam": cam}


def _names(user, data):
    return sorted(selectors.criteria_members(user=user, criteria_values=data).values_list("name", flat=True))


@pytest.mark.parametrize(("data", "expected"), [
    ({"industry": ["retail"]}, ["Alpha", "Delta", "Gamma"]),
    ({"kind": ["person"]}, ["Beta"]),
    ({"size": ["10-49"]}, ["Alpha"]),
    ({"source": ["website"]}, ["Alpha"]),
    ({"lifecycle": ["lead"]}, ["Beta"]),
    ({"region": ["south"]}, ["Alpha"]),
    ({"region": ["international"]}, ["Delta"]),
    ({"province": "北京, 浙江"}, ["Beta", "Gamma"]),
    ({"city": "杭州"}, ["Gamma"]),
    ({"last_purchase__before": "2025-12-31"}, ["Gamma"]),        # its 2026 order was cancelled
    ({"last_purchase__after": "2026-01-01"}, ["Alpha"]),
    ({"total_spend__min": "1000"}, ["Alpha"]),                    # 500 + 100 × 7.0
    ({"total_spend__max": "100"}, ["Beta", "Delta", "Gamma"]),
    ({"order_count__min": "2"}, ["Alpha"]),
    ({"order_count__max": "0"}, ["Beta", "Delta"]),
])
def test_each_criterion_filters_customers(admin, shop, data, expected):
    assert _names(admin, data) == expected


def test_products_and_categories_bought_in_a_period(admin, shop):
    assert _names(admin, {"bought_categories": [str(shop["locks"].pk)]}) == ["Alpha", "Gamma"]
    assert _names(admin, {"bought_categories": [str(shop["locks"].pk)], "bought_categories__from": "2025-05-01",
                          "bought_categories__to": "2025-12-31"}) == ["Gamma"]
    assert _names(admin, {"bought_products": [str(shop["cam"].pk)]}) == ["Alpha"]


def test_owner_and_team_criteria(admin, shop, rep_bob):
    assert _names(admin, {"owner": [str(rep_bob.pk)]}) == ["Delta", "Gamma"]
    assert _names(admin, {"team": [str(rep_bob.team_id)]}) == ["Delta", "Gamma"]


def test_criteria_combine_with_and(admin, shop):
    assert _names(admin, {"industry": ["retail"], "region": ["east"]}) == ["Gamma"]


def test_members_are_scoped_to_the_viewer(shop, rep_li, manager_mei, marketing_ana):
    segment = SegmentFactory(criteria={"industry": ["retail"]})
    assert [c.name for c in selectors.segment_members(user=marketing_ana, segment=segment)] == \
        ["Alpha", "Delta", "Gamma"]
    assert [c.name for c in selectors.segment_members(user=manager_mei, segment=segment)] == ["Alpha"]
    with pytest.raises(PermissionDenied):
        selectors.segment_members(user=rep_li, segment=segment)  # reps have no segment grant


def test_unknown_or_invalid_criteria_are_refused_and_nothing_is_saved(marketing_ana):
    with pytest.raises(ValidationFailed) as error:
        services.segment_create(actor=marketing_ana, values={"name": "Bad", "criteria": {"colour": "red",
                                                                                         "total_spend__min": "x"}})
    assert set(error.value.fields) == {"criteria.colour", "criteria.total_spend__min"}
    assert not selectors.Segment.objects.exists()


def test_a_registered_criterion_is_one_entry(admin, shop):
    from django import forms

    key = "test_name_starts"
    criteria.criterion_register(criteria.Criterion(
        key, "Name starts with", lambda: {"": forms.CharField()},
        lambda customers, values: customers.filter(name__startswith=values[""])))
    try:
        assert _names(admin, {key: "Al"}) == ["Alpha"]
    finally:
        criteria.CRITERIA.pop(key)


def test_segment_export_needs_permission_is_scoped_and_audited(shop, manager_mei, rep_li):
    segment = SegmentFactory(name="Retail", criteria={"industry": ["retail"]})
    export = export_create(actor=manager_mei, entity="segment_members", filters={"segment": str(segment.pk)},
                           fmt="csv")
    body = b"".join(export.stream).decode("utf-8-sig")
    assert "Alpha" in body and "Gamma" not in body  # team North only
    event = AuditEvent.objects.get(action="export")
    assert event.actor == manager_mei and event.extra["entity"] == "segment_members"
    assert event.extra["row_count"] == 1
    with pytest.raises(PermissionDenied):
        export_create(actor=rep_li, entity="segment_members", filters={"segment": str(segment.pk)}, fmt="csv")
    assert AuditEvent.objects.filter(action="export").count() == 1


def test_campaign_shows_its_target_segment_member_count(shop, marketing_ana, web_client_for):
    segment = SegmentFactory(name="Retail", criteria={"industry": ["retail"]})
    campaign = services.campaign_create(actor=marketing_ana, values={
        "code": "spring expo", "name": "Spring expo", "channel": "exhibition", "start_date": "2026-03-01",
        "target_segment": segment.pk})
    assert campaign.code == "SPRING-EXPO"
    page = web_client_for(marketing_ana).get(f"/marketing/campaigns/{campaign.pk}/")
    assert page.status_code == 200 and "3 members" in page.content.decode()


def test_rfm_value_churn_and_satisfaction_criteria_read_the_apps_that_compute_them(admin, shop):
    from django.utils import timezone

    from veracity.analytics.models import CustomerRfm
    from veracity.feedback.models import Survey, SurveyResponse
    from veracity.forecasting.models import CustomerValue

    a, b, c = shop["a"], shop["b"], shop["c"]
    today = dt.date(2026, 3, 1)
    for customer, segment in ((a, "champions"), (c, "at_risk")):
        CustomerRfm.objects.create(customer=customer, last_order_day=today, recency_days=1, frequency=2,
                                   monetary_cents=100, r_score=5, f_score=5, m_score=5, segment=segment,
                                   computed_on=today)
    for customer, clv, churn in ((a, "900.00", 0.1), (b, "50.00", 0.8)):
        CustomerValue.objects.create(customer=customer, clv=Decimal(clv), churn_probability=churn,
                                     expected_purchases_90d=1.0, purchases=2, fitted_at=timezone.now())
    survey = Survey.objects.create(name="NPS", kind="nps", title_en="How likely?")
    SurveyResponse.objects.create(survey=survey, customer=c, nps_score=3)
    SurveyResponse.objects.create(survey=survey, customer=a, nps_score=9)
    assert _names(admin, {"rfm_segment": ["at_risk"]}) == ["Gamma"]
    assert _names(admin, {"lifetime_value__min": "500"}) == ["Alpha"]
    assert _names(admin, {"churn_risk__min": "0.5"}) == ["Beta"]
    assert _names(admin, {"satisfaction__max": "6"}) == ["Gamma"]
