import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from veracity.activities.models import Activity
from veracity.activities.tests.factories import make_activity, make_contact, make_customer, make_order
from veracity.audit.models import AuditAction, AuditEvent
from veracity.catalog.models import Product
from veracity.catalog.tests.factories import ProductFactory
from veracity.core.errors import NotFound, PermissionDenied
from veracity.core.services import record_soft_delete
from veracity.customers.models import Contact, Customer
from veracity.sales.models import Order, OrderLine
from veracity.workspace import selectors, services
from veracity.workspace.errors import RestoreConflict

pytestmark = pytest.mark.django_db


def delete_customer(customer, actor):
    """What customers.services.customer_delete does: the customer and its records, one deletion id."""
    return record_soft_delete(instance=customer, actor=actor, cascade=[
        Contact.objects.filter(customer=customer), Order.objects.filter(customer=customer),
        Activity.objects.filter(customer=customer),
    ])


@pytest.fixture
def deleted_customer(rep_li):
    customer = make_customer(rep_li, name="华为", code="HW-1")
    make_contact(customer, name="王芳")
    make_contact(customer, name="李强")
    make_order(customer, number="SO-HW-1")
    make_activity(customer)
    deletion_id = delete_customer(customer, rep_li)
    return customer, deletion_id


def test_customer_with_children_is_one_entry(rep_li, deleted_customer):
    customer, deletion_id = deleted_customer
    entries = selectors.trash_entries(user=rep_li)
    assert len(entries) == 1
    entry = entries[0]
    assert entry.deletion_id == deletion_id and entry.root == customer
    assert entry.record_count == 5


def test_rep_bob_does_not_see_north_trash(rep_bob, manager_mei, deleted_customer):
    assert selectors.trash_entries(user=rep_bob) == []
    assert len(selectors.trash_entries(user=manager_mei)) == 1


def test_entry_visible_only_when_main_record_in_scope(rep_li, manager_mei):
    """A task assigned to Li on Mei's customer must not let Li see or restore Mei's customer."""
    customer = make_customer(manager_mei)
    make_activity(customer, owner=manager_mei, assignee=rep_li, kind="task")
    delete_customer(customer, manager_mei)
    assert selectors.trash_entries(user=rep_li) == []


def test_restore_puts_back_every_record_and_is_audited(rep_li, deleted_customer):
    customer, deletion_id = deleted_customer
    services.trash_restore(actor=rep_li, deletion_id=deletion_id)
    customer = Customer.objects.get(pk=customer.pk)
    assert customer.deletion_id is None and customer.deleted_by is None and customer.version == 3
    assert Contact.objects.filter(customer=customer).count() == 2
    assert Order.objects.filter(customer=customer).count() == 1
    assert Activity.objects.filter(customer=customer).count() == 1
    event = AuditEvent.objects.get(action=AuditAction.RESTORE)
    assert event.object_id == str(customer.pk) and event.extra["records"]["customers.contact"] == 2
    assert selectors.trash_entries(user=rep_li) == []


def test_restore_refused_when_code_is_taken_and_nothing_changes(rep_li, deleted_customer):
    customer, deletion_id = deleted_customer
    make_customer(rep_li, name="New Huawei", code="HW-1")
    with pytest.raises(RestoreConflict) as error:
        services.trash_restore(actor=rep_li, deletion_id=deletion_id)
    assert error.value.code == "restore_conflict" and "HW-1" in error.value.message
    assert Customer.all_objects.get(pk=customer.pk).deleted_at is not None
    assert Contact.objects.count() == 0
    assert not AuditEvent.objects.filter(action=AuditAction.RESTORE).exists()


def test_restore_refused_when_order_number_or_sku_is_taken(rep_li, admin):
    customer = make_customer(rep_li)
    order = make_order(customer, number="SO-X")
    deletion_id = record_soft_delete(instance=order, actor=rep_li)
    make_order(customer, number="SO-X")
    with pytest.raises(RestoreConflict):
        services.trash_restore(actor=rep_li, deletion_id=deletion_id)
    product = ProductFactory(sku="SKU-1")
    product_deletion = record_soft_delete(instance=product, actor=admin)
    ProductFactory(sku="SKU-1")
    with pytest.raises(RestoreConflict):
        services.trash_restore(actor=admin, deletion_id=product_deletion)
    assert Product.all_objects.get(pk=product.pk).deleted_at is not None


def test_restoring_child_of_trashed_customer_is_refused(rep_li):
    customer = make_customer(rep_li)
    activity = make_activity(customer)
    activity_deletion = record_soft_delete(instance=activity, actor=rep_li)
    delete_customer(customer, rep_li)
    with pytest.raises(RestoreConflict):
        services.trash_restore(actor=rep_li, deletion_id=activity_deletion)


def test_other_team_and_auditor_cannot_restore(rep_bob, auditor_aud, deleted_customer):
    customer, deletion_id = deleted_customer
    with pytest.raises(NotFound):
        services.trash_restore(actor=rep_bob, deletion_id=deletion_id)
    with pytest.raises(PermissionDenied):
        services.trash_restore(actor=auditor_aud, deletion_id=deletion_id)
    assert Customer.all_objects.get(pk=customer.pk).deleted_at is not None


def test_entries_older_than_retention_are_hidden_and_purged(rep_li, deleted_customer, settings):
    customer, deletion_id = deleted_customer
    old = timezone.now() - dt.timedelta(days=settings.TRASH_RETENTION_DAYS + 1)
    for model in (Customer, Contact, Order, Activity):
        model.all_objects.filter(deletion_id=deletion_id).update(deleted_at=old)
    assert selectors.trash_entries(user=rep_li) == []
    with pytest.raises(NotFound):
        services.trash_restore(actor=rep_li, deletion_id=deletion_id)
    call_command("purge_trash")
    assert not Customer.all_objects.filter(pk=customer.pk).exists()
    assert not Contact.all_objects.exists() and not Order.all_objects.exists() and not Activity.all_objects.exists()
    event = AuditEvent.objects.get(action=AuditAction.PURGE)
    assert event.object_id == str(customer.pk) and event.extra["records"]["customers.customer"] == 1


def test_purge_keeps_recent_trash(rep_li, deleted_customer):
    call_command("purge_trash")
    assert Customer.all_objects.count() == 1
    assert not AuditEvent.objects.filter(action=AuditAction.PURGE).exists()


def test_purge_keeps_product_still_on_a_live_order_line(rep_li, admin, settings):
    product = ProductFactory(sku="OLD-1")
    order = make_order(make_customer(rep_li))
    OrderLine.objects.create(order=order, line_no=1, product=product, quantity=Decimal("1"),
                             unit_price=Decimal("10"), currency="CNY", net_amount=Decimal("10"))
    record_soft_delete(instance=product, actor=admin)
    Product.all_objects.filter(pk=product.pk).update(deleted_at=timezone.now() - dt.timedelta(days=365))
    call_command("purge_trash")
    assert Product.all_objects.filter(pk=product.pk).exists()


def test_trash_page_and_restore_view(web_client_for, rep_li, deleted_customer):
    customer, deletion_id = deleted_customer
    client = web_client_for(rep_li)
    html = client.get(reverse("workspace:trash")).content.decode()
    assert "华为" in html and str(deletion_id) in html
    response = client.post(reverse("workspace:trash_restore", args=[deletion_id]))
    assert response.status_code == 302
    assert Customer.objects.filter(pk=customer.pk).exists()


def test_restore_view_shows_clash_message(web_client_for, rep_li, deleted_customer):
    customer, deletion_id = deleted_customer
    make_customer(rep_li, code="HW-1")
    response = web_client_for(rep_li).post(reverse("workspace:trash_restore", args=[deletion_id]), follow=True)
    assert "HW-1 is now used by another record" in response.content.decode()
    assert not Customer.objects.filter(pk=customer.pk).exists()


def test_trash_api(api_client_for, rep_li, rep_bob, deleted_customer):
    customer, deletion_id = deleted_customer
    body = api_client_for(rep_li).get("/api/v1/trash").json()
    assert body["count"] == 1 and body["items"][0]["records"]["customers.contact"] == 2
    assert api_client_for(rep_bob).post(f"/api/v1/trash/{deletion_id}/restore").status_code == 404
    response = api_client_for(rep_li).post(f"/api/v1/trash/{deletion_id}/restore")
    assert response.status_code == 200 and response.json()["restored"]["customers.customer"] == 1


def test_trash_api_conflict_code(api_client_for, rep_li, deleted_customer):
    _customer, deletion_id = deleted_customer
    make_customer(rep_li, code="HW-1")
    response = api_client_for(rep_li).post(f"/api/v1/trash/{deletion_id}/restore")
    assert response.status_code == 409 and response.json()["code"] == "restore_conflict"


def test_marketing_has_no_trash(api_client_for, marketing_ana):
    assert api_client_for(marketing_ana).get("/api/v1/trash").status_code == 403
