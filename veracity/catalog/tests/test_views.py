from decimal import Decimal

import pytest

from veracity.catalog.models import Product
from veracity.catalog.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def test_rep_sees_product_list_without_cost_column(web_client_for, rep_li):
    ProductFactory(sku="A-1", cost_price=Decimal("61.23"))
    response = web_client_for(rep_li).get("/products/")
    assert response.status_code == 200
    assert "A-1" in response.text and "61.23" not in response.text


def test_admin_edits_product_through_the_form(web_client_for, admin):
    product = ProductFactory(name="Old")
    response = web_client_for(admin).post(f"/products/{product.pk}/edit/", {
        "sku": product.sku, "name": "New", "unit": "pcs", "list_price": "10", "cost_price": "5",
        "currency": "CNY", "is_active": "on", "version": "1",
    })
    assert response.status_code == 302
    assert Product.objects.get(pk=product.pk).name == "New"


def test_stale_form_shows_a_conflict_and_saves_nothing(web_client_for, admin):
    product = ProductFactory(name="Current")
    Product.objects.filter(pk=product.pk).update(version=2)
    response = web_client_for(admin).post(f"/products/{product.pk}/edit/", {
        "sku": product.sku, "name": "Stale edit", "unit": "pcs", "list_price": "10", "currency": "CNY", "version": "1",
    })
    assert response.status_code == 200
    assert "Someone else changed this product" in response.text
    assert Product.objects.get(pk=product.pk).name == "Current"


def test_form_shows_service_errors_inline(web_client_for, admin):
    ProductFactory(sku="TAKEN")
    response = web_client_for(admin).post("/products/new/", {
        "sku": "taken", "name": "X", "unit": "pcs", "list_price": "10", "currency": "CNY",
    })
    assert response.status_code == 200
    assert "already used by another product" in response.text


def test_rep_cannot_open_the_new_product_form(web_client_for, rep_li):
    assert web_client_for(rep_li).get("/products/new/").status_code == 403
