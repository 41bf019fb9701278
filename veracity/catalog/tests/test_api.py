import json
from decimal import Decimal

import pytest

from veracity.catalog.models import Product
from veracity.catalog.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def test_rep_lists_products_without_cost_or_margin(api_client_for, rep_li):
    ProductFactory(sku="A-1", cost_price=Decimal("60.00"))
    body = api_client_for(rep_li).get("/api/v1/products").json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["sku"] == "A-1"
    assert item["cost_price"] is None and item["margin"] is None
    assert item["hidden_fields"] == ["cost_price", "margin"]


def test_manager_sees_cost_and_margin(api_client_for, manager_mei):
    ProductFactory(sku="A-1", list_price=Decimal("100.00"), cost_price=Decimal("60.00"))
    item = api_client_for(manager_mei).get("/api/v1/products").json()["items"][0]
    assert Decimal(item["cost_price"]) == Decimal("60.00") and Decimal(item["margin"]) == Decimal("40.00")


def test_list_without_token_is_unauthenticated(client):
    response = client.get("/api/v1/products")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_revoked_or_garbage_token_is_refused(client):
    response = client.get("/api/v1/products", headers={"Authorization": "Bearer vrc_not-a-token"})
    assert response.status_code == 401


def test_admin_creates_product_and_gets_etag(api_client_for, admin):
    response = api_client_for(admin).post(
        "/api/v1/products", data=json.dumps({"sku": "n-1", "name": "New", "list_price": "10.00"}),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response["ETag"] == '"1"'
    assert Product.objects.get().sku == "N-1"


def test_rep_cannot_create_product_and_nothing_is_written(api_client_for, rep_li):
    response = api_client_for(rep_li).post(
        "/api/v1/products", data=json.dumps({"sku": "n-1", "name": "New", "list_price": "10.00"}),
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert not Product.objects.exists()


def test_patch_with_stale_if_match_is_refused_and_changes_nothing(api_client_for, admin):
    product = ProductFactory(name="Keep")
    client = api_client_for(admin)
    ok = client.patch(f"/api/v1/products/{product.pk}", data=json.dumps({"name": "First"}),
                      content_type="application/json", headers={"If-Match": '"1"'})
    assert ok.status_code == 200 and ok["ETag"] == '"2"'
    stale = client.patch(f"/api/v1/products/{product.pk}", data=json.dumps({"name": "Second"}),
                         content_type="application/json", headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    assert stale.json()["code"] == "precondition_failed"
    assert Product.objects.get(pk=product.pk).name == "First"


def test_patch_without_version_is_precondition_required(api_client_for, admin):
    product = ProductFactory()
    response = api_client_for(admin).patch(f"/api/v1/products/{product.pk}", data=json.dumps({"name": "X"}),
                                           content_type="application/json")
    assert response.status_code == 428


def test_version_and_bookkeeping_fields_cannot_be_mass_assigned(api_client_for, admin):
    product = ProductFactory()
    response = api_client_for(admin).patch(
        f"/api/v1/products/{product.pk}",
        data=json.dumps({"name": "X", "version": 1, "created_by": 999, "deleted_at": "2020-01-01T00:00:00Z"}),
        content_type="application/json",
    )
    assert response.status_code == 200
    product.refresh_from_db()
    assert product.version == 2 and product.created_by is None and product.deleted_at is None


def test_validation_errors_use_the_common_error_shape(api_client_for, admin):
    response = api_client_for(admin).post("/api/v1/products", data=json.dumps({"sku": "x"}),
                                          content_type="application/json")
    assert response.status_code == 422
    assert set(response.json()) == {"code", "message", "detail"}


def test_deleted_product_is_gone_from_the_api(api_client_for, admin):
    product = ProductFactory()
    client = api_client_for(admin)
    assert client.delete(f"/api/v1/products/{product.pk}").status_code == 204
    assert client.get(f"/api/v1/products/{product.pk}").status_code == 404
