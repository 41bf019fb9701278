from decimal import Decimal

import pytest

from veracity.audit.models import AuditEvent
from veracity.catalog.models import Product
from veracity.catalog.services import product_create, product_delete, product_update
from veracity.catalog.tests.factories import ProductFactory
from veracity.core.errors import PermissionDenied, PreconditionRequired, ValidationFailed, VersionConflict

pytestmark = pytest.mark.django_db


def test_admin_creates_product_with_normalised_sku_and_audit(admin):
    product = product_create(actor=admin, values={
        "sku": "  ab-100 ", "name": "  Smart   Lock ", "list_price": "1299.00", "cost_price": "700", "currency": "cny",
    })
    assert (product.sku, product.name, product.currency) == ("AB-100", "Smart Lock", "CNY")
    event = AuditEvent.objects.get(object_type="catalog.product", object_id=str(product.pk))
    assert event.action == "create" and event.actor == admin
    assert event.changes["sku"] == [None, "AB-100"]


def test_duplicate_sku_is_rejected_with_its_own_code(admin):
    ProductFactory(sku="AB-100")
    with pytest.raises(ValidationFailed) as caught:
        product_create(actor=admin, values={"sku": "ab-100", "name": "Other", "list_price": "1"})
    assert caught.value.code == "sku_taken"
    assert Product.objects.count() == 1


def test_negative_price_and_unknown_currency_are_reported_per_field(admin):
    with pytest.raises(ValidationFailed) as caught:
        product_create(actor=admin, values={"sku": "X", "name": "X", "list_price": "-1", "currency": "XYZ"})
    assert set(caught.value.fields) == {"list_price", "currency"}
    assert not Product.objects.exists()


def test_rep_cannot_create_products(rep_li):
    with pytest.raises(PermissionDenied):
        product_create(actor=rep_li, values={"sku": "X", "name": "X", "list_price": "1"})
    assert not Product.objects.exists()


def test_manager_without_cost_grant_cannot_set_cost_but_admin_can(admin, marketing_ana):
    product = ProductFactory(cost_price=Decimal("60.00"))
    updated = product_update(actor=admin, product=product, values={"cost_price": Decimal("61.00")},
                             expected_version=product.version)
    assert updated.cost_price == Decimal("61.00")
    with pytest.raises(PermissionDenied):
        product_update(actor=marketing_ana, product=updated, values={"name": "x"}, expected_version=updated.version)


def test_update_requires_the_version_that_was_read(admin):
    product = ProductFactory()
    with pytest.raises(PreconditionRequired):
        product_update(actor=admin, product=product, values={"name": "New"}, expected_version=None)


def test_stale_update_gets_a_conflict_and_keeps_the_first_writers_change(admin):
    product = ProductFactory(name="Original")
    first_copy = Product.objects.get(pk=product.pk)
    second_copy = Product.objects.get(pk=product.pk)
    product_update(actor=admin, product=first_copy, values={"name": "First"}, expected_version=first_copy.version)
    with pytest.raises(VersionConflict) as caught:
        product_update(actor=admin, product=second_copy, values={"name": "Second"}, expected_version=1)
    assert caught.value.detail == {"current_version": 2}
    assert Product.objects.get(pk=product.pk).name == "First"


def test_update_records_old_and_new_values(admin):
    product = ProductFactory(name="Old name", list_price=Decimal("10.00"))
    product_update(actor=admin, product=product, values={"name": "New name", "list_price": Decimal("12.50")},
                   expected_version=1)
    event = AuditEvent.objects.filter(action="update").get()
    assert event.changes == {"name": ["Old name", "New name"], "list_price": ["10.00", "12.50"]}


def test_unchanged_update_neither_bumps_version_nor_audits(admin):
    product = ProductFactory(name="Same")
    product_update(actor=admin, product=product, values={"name": "Same"}, expected_version=1)
    assert Product.objects.get(pk=product.pk).version == 1
    assert not AuditEvent.objects.filter(action="update").exists()


def test_delete_moves_product_to_trash_and_frees_nothing_else(admin):
    product = ProductFactory()
    product_delete(actor=admin, product=product)
    assert not Product.objects.filter(pk=product.pk).exists()
    trashed = Product.all_objects.get(pk=product.pk)
    assert trashed.deleted_by == admin and trashed.deletion_id is not None
