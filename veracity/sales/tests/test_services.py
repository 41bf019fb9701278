import datetime as dt
from decimal import Decimal

import pytest

from veracity.audit.models import AuditEvent
from veracity.catalog.tests.factories import ProductFactory
from veracity.core.errors import (
    NotFound,
    PermissionDenied,
    PreconditionRequired,
    ValidationFailed,
    VersionConflict,
)
from veracity.sales import selectors, services
from veracity.sales.models import ExchangeRate, Order, OrderLine, OrderStatus
from veracity.sales.tests.factories import ExchangeRateFactory, customer_for

pytestmark = pytest.mark.django_db

MARCH_5 = dt.date(2026, 3, 5)


def book(actor, customer, lines, **values):
    return services.order_create(actor=actor, values={"customer": customer.pk, "order_date": MARCH_5, **values},
                                 lines=lines)


@pytest.fixture
def product():
    return ProductFactory(sku="LOCK-1", list_price=Decimal("100.00"), cost_price=Decimal("60.00"))


def test_rep_books_order_for_own_customer_with_totals_cost_and_number(rep_li, product):
    customer = customer_for(rep_li, province="广东省")
    other = ProductFactory(sku="KEY-1", list_price=Decimal("33.35"), cost_price=Decimal("10.00"))
    order = book(rep_li, customer, [
        {"product": product.pk, "quantity": "2", "discount_percent": "5"},
        {"product": other.pk, "quantity": "3", "unit_price": "33.35", "discount_percent": "5"},
    ])
    assert order.number == "SO-202603-00001"
    assert order.salesperson == rep_li and order.region == "south" and order.currency == "CNY"
    assert [line.net_amount for line in order.lines.order_by("line_no")] == [Decimal("190.00"), Decimal("95.05")]
    assert order.total_amount == Decimal("285.05")
    assert order.cost_total == Decimal("150.00")
    assert order.margin == Decimal("135.05")
    assert order.exchange_rate == Decimal("1")
    assert book(rep_li, customer, [{"product": product.pk, "quantity": "1"}]).number == "SO-202603-00002"


def test_line_cost_snapshot_survives_later_product_cost_changes(rep_li, product):
    order = book(rep_li, customer_for(rep_li), [{"product": product.pk, "quantity": "1"}])
    product.cost_price = Decimal("99.00")
    product.save()
    assert OrderLine.objects.get(order=order).unit_cost == Decimal("60.00")


def test_unknown_product_cost_makes_cost_total_unknown(rep_li, product):
    no_cost = ProductFactory(cost_price=None)
    order = book(rep_li, customer_for(rep_li), [{"product": product.pk, "quantity": "1"},
                                               {"product": no_cost.pk, "quantity": "1"}])
    assert order.cost_total is None and order.margin is None


def test_line_in_another_currency_is_rejected_on_that_line(rep_li, product):
    customer = customer_for(rep_li)
    with pytest.raises(ValidationFailed) as caught:
        book(rep_li, customer, [{"product": product.pk, "quantity": "1"},
                                {"product": product.pk, "quantity": "1", "currency": "USD"}])
    assert set(caught.value.fields) == {"lines.1.currency"}
    assert not Order.objects.exists()


def test_product_listed_in_another_currency_needs_an_explicit_price(rep_li):
    usd_product = ProductFactory(currency="USD", list_price=Decimal("10.00"))
    with pytest.raises(ValidationFailed) as caught:
        book(rep_li, customer_for(rep_li), [{"product": usd_product.pk, "quantity": "1"}])
    assert set(caught.value.fields) == {"lines.0.unit_price"}
    order = book(rep_li, customer_for(rep_li), [{"product": usd_product.pk, "quantity": "1", "unit_price": "70"}])
    assert order.total_amount == Decimal("70.00") and order.cost_total is None  # USD cost never mixed into CNY


def test_reporting_currency_rate_is_one_and_others_use_latest_rate_on_or_before(rep_li, product):
    ExchangeRateFactory(currency="USD", rate_date=dt.date(2026, 3, 1), rate=Decimal("7.1"))
    ExchangeRateFactory(currency="USD", rate_date=dt.date(2026, 3, 4), rate=Decimal("7.2"))
    ExchangeRateFactory(currency="USD", rate_date=dt.date(2026, 3, 6), rate=Decimal("7.3"))
    assert selectors.rate_for("CNY", MARCH_5) == Decimal("1")
    assert selectors.rate_for("usd", MARCH_5) == Decimal("7.2")
    assert selectors.rate_for("USD", dt.date(2026, 2, 28)) is None
    usd = ProductFactory(currency="USD", list_price=Decimal("10.00"), cost_price=Decimal("4.00"))
    order = book(rep_li, customer_for(rep_li), [{"product": usd.pk, "quantity": "3"}], currency="USD")
    assert order.exchange_rate == Decimal("7.2")
    assert order.total_amount == Decimal("30.00") and order.cost_total == Decimal("12.00")
    assert order.total_in_reporting_currency == Decimal("216.00")


def test_missing_rate_is_a_clear_error_and_nothing_is_written(rep_li):
    usd = ProductFactory(currency="USD")
    with pytest.raises(ValidationFailed) as caught:
        book(rep_li, customer_for(rep_li), [{"product": usd.pk, "quantity": "1"}], currency="USD")
    assert caught.value.code == "exchange_rate_missing"
    assert caught.value.fields["currency"] == [
        "No CNY rate for USD on or before 2026-03-05: add one under Exchange rates."]
    assert not Order.objects.exists()


def test_rep_cannot_book_for_another_reps_customer_and_nothing_is_written(rep_li, rep_bob, product):
    with pytest.raises(NotFound):
        book(rep_li, customer_for(rep_bob), [{"product": product.pk, "quantity": "1"}])
    assert not Order.objects.exists() and not AuditEvent.objects.filter(object_type="sales.order").exists()


def test_rep_cannot_book_in_a_colleagues_name(rep_li, rep_lin, product):
    with pytest.raises(ValidationFailed) as caught:
        book(rep_li, customer_for(rep_li), [{"product": product.pk, "quantity": "1"}], salesperson=rep_lin.pk)
    assert set(caught.value.fields) == {"salesperson"}


@pytest.mark.parametrize("persona", ["service_sam", "marketing_ana", "auditor_aud"])
def test_read_only_roles_cannot_create_or_edit_orders(request, persona, rep_li, product):
    user = request.getfixturevalue(persona)
    order = book(rep_li, customer_for(rep_li), [{"product": product.pk, "quantity": "1"}])
    with pytest.raises(PermissionDenied):
        book(user, order.customer, [{"product": product.pk, "quantity": "1"}])
    with pytest.raises(PermissionDenied):
        services.order_update(actor=user, order=order, values={"notes": "x"}, expected_version=1)
    with pytest.raises(PermissionDenied):
        services.order_status_change(actor=user, order=order, status=OrderStatus.SHIPPED)
    assert Order.objects.count() == 1
    assert Order.objects.get().notes == "" and Order.objects.get().version == 1


def test_given_order_number_must_be_unique_among_live_orders(rep_li, product):
    customer = customer_for(rep_li)
    first = book(rep_li, customer, [{"product": product.pk, "quantity": "1"}], number="po-1")
    assert first.number == "PO-1"
    with pytest.raises(ValidationFailed) as caught:
        book(rep_li, customer, [{"product": product.pk, "quantity": "1"}], number="PO-1")
    assert caught.value.code == "order_number_taken"
    services.order_delete(actor=rep_li, order=first)
    assert book(rep_li, customer, [{"product": product.pk, "quantity": "1"}], number="PO-1").number == "PO-1"


def test_update_replaces_lines_recomputes_totals_and_audits_old_and_new(rep_li, product):
    order = book(rep_li, customer_for(rep_li), [{"product": product.pk, "quantity": "1"}])
    updated = services.order_update(
        actor=rep_li, order=order, values={"notes": "rush"}, expected_version=1,
        lines=[{"product": product.pk, "quantity": "2", "unit_price": "90"},
               {"product": product.pk, "quantity": "1", "discount_percent": "50"}],
    )
    assert updated.version == 2
    assert updated.total_amount == Decimal("230.00") and updated.cost_total == Decimal("180.00")
    assert OrderLine.objects.filter(order=order).count() == 2
    event = AuditEvent.objects.get(action="update", object_type="sales.order")
    assert event.changes["notes"] == ["", "rush"]
    assert event.changes["total_amount"] == ["100.00", "230.00"]
    assert event.changes["lines"] == [
        ["1: LOCK-1 × 1 @ 100.00 = 100.00 CNY"],
        ["1: LOCK-1 × 2 @ 90.00 = 180.00 CNY", "2: LOCK-1 × 1 @ 100.00 -50% = 50.00 CNY"],
    ]


@pytest.mark.parametrize("status", [OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.CANCELLED])
def test_lines_of_shipped_delivered_or_cancelled_orders_cannot_change(rep_li, product, status):
    order = book(rep_li, customer_for(rep_li), [{"product": product.pk, "quantity": "1"}], status=status)
    with pytest.raises(ValidationFailed) as caught:
        services.order_update(actor=rep_li, order=order, values={}, expected_version=1,
                              lines=[{"product": product.pk, "quantity": "5"}])
    assert caught.value.code == "order_lines_locked"
    assert Order.objects.get(pk=order.pk).total_amount == Decimal("100.00")
    notes_only = services.order_update(actor=rep_li, order=order, values={"notes": "signed for"}, expected_version=1)
    assert notes_only.notes == "signed for"


def test_stale_update_is_refused_and_changes_nothing(rep_li, product):
    order = book(rep_li, customer_for(rep_li), [{"product": product.pk, "quantity": "1"}])
    stale = Order.objects.get(pk=order.pk)
    services.order_update(actor=rep_li, order=order, values={"notes": "first"}, expected_version=1)
    with pytest.raises(VersionConflict):
        services.order_update(actor=rep_li, order=stale, values={"notes": "second"}, expected_version=1,
                              lines=[{"product": product.pk, "quantity": "5"}])
    with pytest.raises(PreconditionRequired):
        services.order_update(actor=rep_li, order=stale, values={"notes": "x"}, expected_version=None)
    fresh = Order.objects.get(pk=order.pk)
    assert fresh.notes == "first" and fresh.total_amount == Decimal("100.00")
    assert OrderLine.objects.get(order=order).quantity == Decimal("1")


def test_unchanged_update_neither_bumps_version_nor_audits(rep_li, product):
    order = book(rep_li, customer_for(rep_li), [{"product": product.pk, "quantity": "1"}])
    services.order_update(actor=rep_li, order=order, values={"notes": ""}, expected_version=1,
                          lines=[{"product": product.pk, "quantity": "1"}])
    assert Order.objects.get(pk=order.pk).version == 1
    assert not AuditEvent.objects.filter(action="update").exists()


@pytest.mark.parametrize(("path", "target"), [
    ([], OrderStatus.CONFIRMED),
    ([OrderStatus.CONFIRMED], OrderStatus.SHIPPED),
    ([OrderStatus.CONFIRMED, OrderStatus.SHIPPED], OrderStatus.DELIVERED),
    ([OrderStatus.CONFIRMED, OrderStatus.SHIPPED], OrderStatus.CANCELLED),
    ([], OrderStatus.CANCELLED),
])
def test_allowed_status_transitions(rep_li, product, path, target):
    order = book(rep_li, customer_for(rep_li), [{"product": product.pk, "quantity": "1"}], status="draft")
    for status in [*path, target]:
        order = services.order_status_change(actor=rep_li, order=order, status=status)
    assert Order.objects.get(pk=order.pk).status == target


@pytest.mark.parametrize(("start", "target"), [
    (OrderStatus.DRAFT, OrderStatus.SHIPPED),
    (OrderStatus.CONFIRMED, OrderStatus.DRAFT),
    (OrderStatus.DELIVERED, OrderStatus.CANCELLED),
    (OrderStatus.CANCELLED, OrderStatus.CONFIRMED),
])
def test_invalid_status_transitions_are_refused(rep_li, product, start, target):
    order = book(rep_li, customer_for(rep_li), [{"product": product.pk, "quantity": "1"}], status=start)
    with pytest.raises(ValidationFailed) as caught:
        services.order_status_change(actor=rep_li, order=order, status=target)
    assert caught.value.code == "invalid_status_transition"
    assert Order.objects.get(pk=order.pk).status == start


def test_soft_delete_hides_the_order_from_every_list(rep_li, product):
    order = book(rep_li, customer_for(rep_li), [{"product": product.pk, "quantity": "1"}])
    services.order_delete(actor=rep_li, order=order)
    assert not selectors.order_list(user=rep_li).exists()
    with pytest.raises(NotFound):
        selectors.order_get(user=rep_li, pk=order.pk)
    assert Order.all_objects.get(pk=order.pk).deleted_by == rep_li


def test_manager_sees_team_orders_only(manager_mei, rep_li, rep_bob, product):
    mine = book(rep_li, customer_for(rep_li), [{"product": product.pk, "quantity": "1"}])
    book(rep_bob, customer_for(rep_bob), [{"product": product.pk, "quantity": "1"}])
    assert list(selectors.order_list(user=manager_mei)) == [mine]
    assert list(selectors.order_list(user=rep_bob)) != [mine]


def test_filters_match_number_customer_and_dates(rep_li, product):
    acme = customer_for(rep_li, code="ACME", name="Acme Trading")
    order = book(rep_li, acme, [{"product": product.pk, "quantity": "1"}])
    book(rep_li, customer_for(rep_li, name="Other"), [{"product": product.pk, "quantity": "1"}],
         order_date=dt.date(2026, 4, 1))
    for filters in (selectors.OrderFilters(q="acme"), selectors.OrderFilters(q="SO-202603"),
                    selectors.OrderFilters(date_to=MARCH_5), selectors.OrderFilters(customer=acme.pk)):
        assert list(selectors.order_list(user=rep_li, filters=filters)) == [order]


def test_admin_manages_exchange_rates_with_audit(admin):
    rate = services.exchange_rate_create(actor=admin, values={"currency": "usd", "rate_date": "2026-03-01",
                                                              "rate": "7.2"})
    assert rate.currency == "USD"
    services.exchange_rate_update(actor=admin, rate=rate, values={"rate": Decimal("7.25")})
    with pytest.raises(ValidationFailed) as caught:
        services.exchange_rate_create(actor=admin, values={"currency": "USD", "rate_date": "2026-03-01", "rate": "1"})
    assert caught.value.code == "exchange_rate_exists"
    services.exchange_rate_delete(actor=admin, rate=rate)
    assert not ExchangeRate.objects.exists()
    events = AuditEvent.objects.filter(object_type="sales.exchangerate").order_by("id")
    assert [event.action for event in events] == ["create", "update", "delete"]
    assert events[1].changes == {"rate": ["7.20000000", "7.25000000"]}


def test_reporting_currency_cannot_get_a_rate(admin):
    with pytest.raises(ValidationFailed) as caught:
        services.exchange_rate_create(actor=admin, values={"currency": "CNY", "rate_date": MARCH_5, "rate": "1"})
    assert set(caught.value.fields) == {"currency"}


@pytest.mark.parametrize("persona", ["manager_mei", "rep_li", "service_sam"])
def test_only_admins_change_exchange_rates(request, persona):
    with pytest.raises(PermissionDenied):
        services.exchange_rate_create(actor=request.getfixturevalue(persona),
                                      values={"currency": "USD", "rate_date": MARCH_5, "rate": "7"})
    assert not ExchangeRate.objects.exists()


def test_create_is_audited_with_its_lines(rep_li, product):
    order = book(rep_li, customer_for(rep_li), [{"product": product.pk, "quantity": "2", "discount_percent": "5"}])
    event = AuditEvent.objects.get(object_type="sales.order", object_id=str(order.pk), action="create")
    assert event.actor == rep_li
    assert event.changes["total_amount"] == [None, "190.00"]
    assert event.extra["lines"] == ["1: LOCK-1 × 2 @ 100.00 -5% = 190.00 CNY"]
