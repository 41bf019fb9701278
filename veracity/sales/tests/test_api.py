import datetime as dt
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from veracity.audit.models import AuditEvent
from veracity.catalog.tests.factories import ProductFactory
from veracity.sales import services
from veracity.sales.models import ExchangeRate, Order
from veracity.sales.tests.factories import ExchangeRateFactory, customer_for

pytestmark = pytest.mark.django_db
JSON = "application/json"


@pytest.fixture
def product():
    return ProductFactory(sku="LOCK-1", list_price=Decimal("100.00"), cost_price=Decimal("60.00"))


def book(actor, customer, product, **values):
    return services.order_create(actor=actor, values={"customer": customer.pk, "order_date": dt.date(2026, 3, 5),
                                                      **values},
                                 lines=[{"product": product.pk, "quantity": "2"}])


def post_order(client, customer, product, **extra):
    body = {"customer_id": customer.pk, "order_date": "2026-03-05",
            "lines": [{"product_id": product.pk, "quantity": "2", "discount_percent": "10"}], **extra}
    return client.post("/api/v1/orders", data=json.dumps(body), content_type=JSON)


def test_rep_creates_order_with_nested_lines_and_read_only_totals(api_client_for, rep_li, product):
    customer = customer_for(rep_li)
    response = post_order(api_client_for(rep_li), customer, product, total_amount="1.00")
    assert response.status_code == 201, response.content
    body = response.json()
    assert response["ETag"] == '"1"'
    assert Decimal(body["total_amount"]) == Decimal("180.00")  # the client's total is ignored
    assert body["reporting_currency"] == "CNY" and Decimal(body["total_in_reporting_currency"]) == Decimal("180.00")
    assert body["lines"][0]["product_sku"] == "LOCK-1" and Decimal(body["lines"][0]["net_amount"]) == Decimal("180")
    assert body["cost_total"] is None and body["margin"] is None
    assert body["hidden_fields"] == ["cost_total", "margin"]


def test_rep_cannot_create_for_another_reps_customer_and_nothing_is_written(api_client_for, rep_li, rep_bob, product):
    response = post_order(api_client_for(rep_li), customer_for(rep_bob), product)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert not Order.objects.exists()


@pytest.mark.parametrize("persona", ["service_sam", "marketing_ana"])
def test_service_and_marketing_cannot_create_or_change_orders(request, api_client_for, rep_li, product, persona):
    order = book(rep_li, customer_for(rep_li), product)
    client = api_client_for(request.getfixturevalue(persona))
    assert post_order(client, order.customer, product).status_code == 403
    patch = client.patch(f"/api/v1/orders/{order.pk}", data=json.dumps({"notes": "x"}), content_type=JSON,
                         headers={"If-Match": '"1"'})
    assert patch.status_code == 403 and patch.json()["code"] == "permission_denied"
    status = client.post(f"/api/v1/orders/{order.pk}/status", data=json.dumps({"status": "shipped"}),
                         content_type=JSON)
    assert status.status_code == 403
    assert client.delete(f"/api/v1/orders/{order.pk}").status_code == 403
    assert client.get(f"/api/v1/orders/{order.pk}").status_code == 200  # they may still read it
    fresh = Order.objects.get()
    assert (fresh.notes, fresh.status, fresh.version) == ("", "confirmed", 1)


def test_manager_sees_team_orders_with_cost_and_margin(api_client_for, manager_mei, rep_li, rep_bob, product):
    north = book(rep_li, customer_for(rep_li), product)
    book(rep_bob, customer_for(rep_bob), product)
    body = api_client_for(manager_mei).get("/api/v1/orders").json()
    assert [item["id"] for item in body["items"]] == [north.pk]
    item = body["items"][0]
    assert Decimal(item["cost_total"]) == Decimal("120.00") and Decimal(item["margin"]) == Decimal("80.00")
    assert item["hidden_fields"] == [] and item["lines"] is None


def test_rep_gets_404_for_another_teams_order(api_client_for, rep_li, rep_bob, product):
    order = book(rep_bob, customer_for(rep_bob), product)
    assert api_client_for(rep_li).get(f"/api/v1/orders/{order.pk}").status_code == 404


def test_patch_needs_if_match_and_a_stale_one_changes_nothing(api_client_for, rep_li, product):
    order = book(rep_li, customer_for(rep_li), product)
    client = api_client_for(rep_li)
    url = f"/api/v1/orders/{order.pk}"
    missing = client.patch(url, data=json.dumps({"notes": "x"}), content_type=JSON)
    assert missing.status_code == 428 and missing.json()["code"] == "precondition_required"
    ok = client.patch(url, data=json.dumps({"notes": "first", "lines": [{"product_id": product.pk, "quantity": "3"}]}),
                      content_type=JSON, headers={"If-Match": '"1"'})
    assert ok.status_code == 200, ok.content
    assert ok["ETag"] == '"2"' and Decimal(ok.json()["total_amount"]) == Decimal("300.00")
    stale = client.patch(url, data=json.dumps({"notes": "second", "lines": [{"product_id": product.pk,
                                                                             "quantity": "9"}]}),
                         content_type=JSON, headers={"If-Match": '"1"'})
    assert stale.status_code == 412 and stale.json()["code"] == "precondition_failed"
    fresh = Order.objects.get(pk=order.pk)
    assert fresh.notes == "first" and fresh.total_amount == Decimal("300.00")


def test_line_currency_mismatch_is_a_field_error(api_client_for, rep_li, product):
    response = post_order(api_client_for(rep_li), customer_for(rep_li), product,
                          lines=[{"product_id": product.pk, "quantity": "1", "currency": "USD"}])
    assert response.status_code == 422
    assert set(response.json()["detail"]["fields"]) == {"lines.0.currency"}
    assert not Order.objects.exists()


def test_missing_exchange_rate_and_then_conversion(api_client_for, rep_li, product):
    client = api_client_for(rep_li)
    customer = customer_for(rep_li)
    usd = ProductFactory(currency="USD", list_price=Decimal("10.00"))
    lines = [{"product_id": usd.pk, "quantity": "1"}]
    refused = post_order(client, customer, usd, currency="USD", lines=lines)
    assert refused.status_code == 422 and refused.json()["code"] == "exchange_rate_missing"
    ExchangeRateFactory(currency="USD", rate_date=dt.date(2026, 3, 1), rate=Decimal("7.25"))
    body = post_order(client, customer, usd, currency="USD", lines=lines).json()
    assert Decimal(body["exchange_rate"]) == Decimal("7.25")
    assert Decimal(body["total_in_reporting_currency"]) == Decimal("72.50")


def test_status_endpoint_moves_forward_and_refuses_invalid_transitions(api_client_for, rep_li, product):
    order = book(rep_li, customer_for(rep_li), product)
    client = api_client_for(rep_li)
    url = f"/api/v1/orders/{order.pk}/status"
    ok = client.post(url, data=json.dumps({"status": "shipped"}), content_type=JSON)
    assert ok.status_code == 200 and ok.json()["status"] == "shipped"
    bad = client.post(url, data=json.dumps({"status": "draft"}), content_type=JSON)
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_status_transition"
    assert Order.objects.get(pk=order.pk).status == "shipped"


def test_delete_moves_order_to_trash(api_client_for, rep_li, product):
    order = book(rep_li, customer_for(rep_li), product)
    client = api_client_for(rep_li)
    assert client.delete(f"/api/v1/orders/{order.pk}").status_code == 204
    assert client.get(f"/api/v1/orders/{order.pk}").status_code == 404
    assert client.get("/api/v1/orders").json()["count"] == 0
    assert AuditEvent.objects.filter(object_type="sales.order", action="delete").exists()


def test_list_filters_by_status_and_date(api_client_for, rep_li, product):
    customer = customer_for(rep_li)
    early = book(rep_li, customer, product, order_date=dt.date(2026, 1, 2), status="draft")
    book(rep_li, customer, product)
    client = api_client_for(rep_li)
    assert [i["id"] for i in client.get("/api/v1/orders?status=draft").json()["items"]] == [early.pk]
    assert [i["id"] for i in client.get("/api/v1/orders?date_to=2026-01-31").json()["items"]] == [early.pk]


def test_order_list_query_count_does_not_grow_with_rows(api_client_for, manager_mei, rep_li, product):
    client = api_client_for(manager_mei)
    customer = customer_for(rep_li)
    book(rep_li, customer, product)
    client.get("/api/v1/orders")  # warm the token and permission caches of the first request
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/orders")
    for _ in range(5):
        book(rep_li, customer, product)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/api/v1/orders")
    assert response.json()["count"] == 6
    assert len(many) == len(few)
    assert len(many) <= 10


def test_exchange_rates_admin_only_writes(api_client_for, admin, rep_li):
    body = {"currency": "usd", "rate_date": "2026-03-01", "rate": "7.2"}
    refused = api_client_for(rep_li).post("/api/v1/exchange-rates", data=json.dumps(body), content_type=JSON)
    assert refused.status_code == 403 and not ExchangeRate.objects.exists()
    client = api_client_for(admin)
    created = client.post("/api/v1/exchange-rates", data=json.dumps(body), content_type=JSON)
    assert created.status_code == 201 and created.json()["currency"] == "USD"
    rate_id = created.json()["id"]
    changed = client.patch(f"/api/v1/exchange-rates/{rate_id}", data=json.dumps({"rate": "7.3"}), content_type=JSON)
    assert Decimal(changed.json()["rate"]) == Decimal("7.3")
    listed = api_client_for(rep_li).get("/api/v1/exchange-rates").json()
    assert listed["count"] == 1 and listed["items"][0]["reporting_currency"] == "CNY"
    assert api_client_for(rep_li).delete(f"/api/v1/exchange-rates/{rate_id}").status_code == 403
    assert client.delete(f"/api/v1/exchange-rates/{rate_id}").status_code == 204
    assert not ExchangeRate.objects.exists()
