import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from veracity.catalog.tests.factories import ProductFactory
from veracity.sales import services
from veracity.sales.models import ExchangeRate, Order, OrderLine
from veracity.sales.tests.factories import ExchangeRateFactory, customer_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def product():
    return ProductFactory(sku="LOCK-1", list_price=Decimal("100.00"), cost_price=Decimal("61.23"))


def book(actor, customer, product, **values):
    return services.order_create(actor=actor, values={"customer": customer.pk, "order_date": dt.date(2026, 3, 5),
                                                      **values},
                                 lines=[{"product": product.pk, "quantity": "2"}])


def form_data(customer, lines, **header):
    data = {"customer": customer.pk, "order_date": "2026-03-05", "status": "confirmed", "channel": "direct",
            "region": "", "currency": "CNY", "notes": "", "number": "",
            "lines-TOTAL_FORMS": str(len(lines)), "lines-INITIAL_FORMS": "0",
            "lines-MIN_NUM_FORMS": "0", "lines-MAX_NUM_FORMS": "1000", **header}
    for index, line in enumerate(lines):
        for key, value in line.items():
            data[f"lines-{index}-{key}"] = value
    return data


def test_rep_creates_order_through_the_form(web_client_for, rep_li, product):
    customer = customer_for(rep_li)
    page = web_client_for(rep_li).get(f"/orders/new/?customer={customer.pk}")
    assert page.status_code == 200 and "sales/order_form.js" in page.text
    response = web_client_for(rep_li).post("/orders/new/", form_data(customer, [
        {"product": product.pk, "quantity": "2", "discount_percent": "10"},
        {"product": product.pk, "quantity": "1", "DELETE": "on"},
    ]))
    assert response.status_code == 302, response.content.decode()[:2000]
    order = Order.objects.get()
    assert order.total_amount == Decimal("180.00") and order.salesperson == rep_li
    assert OrderLine.objects.filter(order=order).count() == 1


def test_line_errors_are_shown_on_their_row_and_nothing_is_saved(web_client_for, rep_li, product):
    response = web_client_for(rep_li).post("/orders/new/", form_data(customer_for(rep_li), [
        {"product": product.pk, "quantity": "1"},
        {"product": product.pk, "quantity": "1", "discount_percent": "150"},
    ]))
    assert response.status_code == 200
    assert "Enter a number between 0 and 100." in response.text
    assert not Order.objects.exists()


def test_service_errors_are_shown_inline(web_client_for, rep_li):
    usd = ProductFactory(currency="USD", list_price=Decimal("10.00"))
    response = web_client_for(rep_li).post("/orders/new/", form_data(customer_for(rep_li), [
        {"product": usd.pk, "quantity": "1"}]))
    assert response.status_code == 200
    assert "enter a unit price in CNY" in response.text
    assert not Order.objects.exists()


def test_rep_cannot_book_for_another_reps_customer_through_the_form(web_client_for, rep_li, rep_bob, product):
    response = web_client_for(rep_li).post("/orders/new/", form_data(customer_for(rep_bob), [
        {"product": product.pk, "quantity": "1"}]))
    assert response.status_code == 200 and not Order.objects.exists()


@pytest.mark.parametrize("persona", ["service_sam", "marketing_ana"])
def test_service_and_marketing_cannot_open_or_post_order_forms(request, web_client_for, rep_li, product, persona):
    order = book(rep_li, customer_for(rep_li), product)
    client = web_client_for(request.getfixturevalue(persona))
    assert client.get("/orders/new/").status_code == 403
    assert client.post("/orders/new/", form_data(order.customer, [{"product": product.pk, "quantity": "1"}])
                       ).status_code == 403
    assert client.get(f"/orders/{order.pk}/edit/").status_code == 403
    assert client.post(f"/orders/{order.pk}/status/", {"status": "shipped"}).status_code == 403
    assert client.post(f"/orders/{order.pk}/delete/").status_code == 403
    page = client.get(f"/orders/{order.pk}/")
    assert page.status_code == 200 and f"/orders/{order.pk}/edit/" not in page.text
    assert Order.objects.count() == 1 and Order.objects.get().status == "confirmed"


def test_stale_edit_form_shows_a_conflict_and_saves_nothing(web_client_for, rep_li, product):
    order = book(rep_li, customer_for(rep_li), product)
    services.order_update(actor=rep_li, order=order, values={"notes": "someone else"}, expected_version=1)
    data = form_data(order.customer, [{"product": product.pk, "quantity": "7"}], version="1", notes="mine")
    response = web_client_for(rep_li).post(f"/orders/{order.pk}/edit/", data)
    assert response.status_code == 200
    assert "Someone else changed this order" in response.text
    fresh = Order.objects.get(pk=order.pk)
    assert fresh.notes == "someone else" and fresh.total_amount == Decimal("200.00")


def test_edit_form_replaces_lines(web_client_for, rep_li, product):
    order = book(rep_li, customer_for(rep_li), product)
    page = web_client_for(rep_li).get(f"/orders/{order.pk}/edit/")
    assert 'name="version" value="1"' in page.text
    data = form_data(order.customer, [{"product": product.pk, "quantity": "3", "unit_price": "50"}], version="1",
                     number=order.number)
    response = web_client_for(rep_li).post(f"/orders/{order.pk}/edit/", data)
    assert response.status_code == 302
    assert Order.objects.get(pk=order.pk).total_amount == Decimal("150.00")


def test_rep_does_not_see_cost_or_margin_but_manager_does(web_client_for, rep_li, manager_mei, product):
    order = book(rep_li, customer_for(rep_li), product)  # cost 122.46, margin 77.54
    for url in (f"/orders/{order.pk}/", "/orders/"):
        rep_page = web_client_for(rep_li).get(url).text
        assert "122.46" not in rep_page and "77.54" not in rep_page
    assert "122.46" in web_client_for(manager_mei).get(f"/orders/{order.pk}/").text
    assert "77.54" in web_client_for(manager_mei).get("/orders/").text


def test_detail_shows_reporting_total_with_rate(web_client_for, rep_li):
    ExchangeRateFactory(currency="USD", rate_date=dt.date(2026, 3, 1), rate=Decimal("7.25"))
    usd = ProductFactory(currency="USD", list_price=Decimal("10.00"))
    order = book(rep_li, customer_for(rep_li), usd, currency="USD")
    page = web_client_for(rep_li).get(f"/orders/{order.pk}/").text
    assert "145.00 CNY" in page and "7.25" in page


def test_status_buttons_move_the_order(web_client_for, rep_li, product):
    order = book(rep_li, customer_for(rep_li), product)
    client = web_client_for(rep_li)
    assert client.post(f"/orders/{order.pk}/status/", {"status": "shipped", "version": "1"}).status_code == 302
    assert Order.objects.get(pk=order.pk).status == "shipped"
    client.post(f"/orders/{order.pk}/status/", {"status": "draft", "version": "2"})
    assert Order.objects.get(pk=order.pk).status == "shipped"


def test_manager_list_shows_team_orders_only(web_client_for, manager_mei, rep_li, rep_bob, product):
    north = book(rep_li, customer_for(rep_li), product)
    south = book(rep_bob, customer_for(rep_bob), product, number="SOUTH-1")
    page = web_client_for(manager_mei).get("/orders/").text
    assert north.number in page and south.number not in page


def test_order_list_page_query_count_does_not_grow(web_client_for, manager_mei, rep_li, product):
    client = web_client_for(manager_mei)
    customer = customer_for(rep_li)
    book(rep_li, customer, product)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/orders/").status_code == 200
    for _ in range(5):
        book(rep_li, customer, product)
    with CaptureQueriesContext(connection) as many:
        client.get("/orders/")
    assert len(many) == len(few)


def test_customer_orders_fragment_is_scoped(web_client_for, rep_li, rep_bob, product):
    mine = customer_for(rep_li)
    order = book(rep_li, mine, product)
    fragment = web_client_for(rep_li).get(f"/customers/{mine.pk}/orders/").text
    assert order.number in fragment and f"/orders/new/?customer={mine.pk}" in fragment
    assert order.number not in web_client_for(rep_bob).get(f"/customers/{mine.pk}/orders/").text


def test_admin_manages_rates_through_pages_and_rep_cannot(web_client_for, admin, rep_li):
    client = web_client_for(admin)
    assert client.post("/exchange-rates/new/", {"currency": "USD", "rate_date": "2026-03-01",
                                                "rate": "7.2"}).status_code == 302
    rate = ExchangeRate.objects.get()
    assert client.post(f"/exchange-rates/{rate.pk}/edit/", {"currency": "USD", "rate_date": "2026-03-01",
                                                            "rate": "7.3"}).status_code == 302
    duplicate = client.post("/exchange-rates/new/", {"currency": "USD", "rate_date": "2026-03-01", "rate": "1"})
    assert "There is already a USD rate" in duplicate.text
    rep = web_client_for(rep_li)
    assert rep.get("/exchange-rates/").status_code == 200
    assert rep.get("/exchange-rates/new/").status_code == 403
    assert rep.post(f"/exchange-rates/{rate.pk}/delete/").status_code == 403
    assert client.post(f"/exchange-rates/{rate.pk}/delete/").status_code == 302
    assert not ExchangeRate.objects.exists()


def test_order_pages_speak_simplified_chinese(web_client_for, rep_li, product):
    order = book(rep_li, customer_for(rep_li), product)
    client = web_client_for(rep_li)
    page = client.get(f"/orders/{order.pk}/", headers={"Accept-Language": "zh-hans"})
    assert "已确认" in page.text and "下单日期" in page.text
