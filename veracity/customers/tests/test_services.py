import pytest

from veracity.audit.models import AuditEvent
from veracity.core.errors import (
    NotFound,
    PermissionDenied,
    PreconditionRequired,
    ValidationFailed,
    VersionConflict,
)
from veracity.customers.models import Contact, Customer, CustomerKind
from veracity.customers.services import (
    contact_create,
    contact_delete,
    contact_update,
    customer_create,
    customer_delete,
    customer_transfer,
    customer_update,
)
from veracity.customers.tests.factories import ContactFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def test_rep_creates_customer_with_normalised_values_and_search_keys(rep_li):
    customer = customer_create(actor=rep_li, values={
        "name": "  字节跳动（北京）科技有限公司 ", "phone": "138 0013 8000", "email": " Contact@ByteDance.COM ",
        "credit_code": "９１４４０３００７１５２６７２６ｘｇ", "province": "北京市", "city": "北京市",
    })
    assert customer.owner == rep_li
    assert customer.name == "字节跳动(北京)科技有限公司"
    assert customer.phone == "+8613800138000"
    assert customer.email == "contact@bytedance.com"
    assert customer.credit_code == "9144030071526726XG"
    assert customer.name_initials == "zjtdbjkjyxgs"
    assert customer.code == "C000001"


def test_generated_codes_are_sequential_and_skip_taken_ones(admin):
    first = customer_create(actor=admin, values={"name": "甲公司"})
    CustomerFactory(code="C000002")
    third = customer_create(actor=admin, values={"name": "乙公司"})
    assert (first.code, third.code) == ("C000001", "C000003")


def test_create_is_audited_with_new_values(rep_li):
    customer = customer_create(actor=rep_li, values={"name": "腾讯", "code": "tx-1", "tags": "VIP，华南"})
    events = AuditEvent.objects.filter(object_type="customers.customer", object_id=str(customer.pk))
    created = events.get(action="create")
    assert created.actor == rep_li and created.changes["name"] == [None, "腾讯"]
    assert created.changes["code"] == [None, "TX-1"]
    assert sorted(customer.tags.values_list("name", flat=True)) == ["VIP", "华南"]


def test_customer_code_used_by_a_live_customer_is_refused_with_its_own_code(rep_li):
    CustomerFactory(code="C-100")
    with pytest.raises(ValidationFailed) as caught:
        customer_create(actor=rep_li, values={"name": "新公司", "code": "c-100"})
    assert caught.value.code == "customer_code_taken"
    assert Customer.objects.count() == 1


def test_code_of_a_trashed_customer_can_be_reused(admin):
    old = CustomerFactory(code="C-100")
    customer_delete(actor=admin, customer=old)
    assert customer_create(actor=admin, values={"name": "新公司", "code": "C-100"}).code == "C-100"


def test_invalid_phone_email_and_credit_code_are_reported_per_field(rep_li):
    with pytest.raises(ValidationFailed) as caught:
        customer_create(actor=rep_li, values={
            "name": "X", "phone": "12345", "email": "not-an-email", "credit_code": "9144030071526726XA",
        })
    assert set(caught.value.fields) == {"phone", "email", "credit_code"}
    assert not Customer.objects.exists()


def test_owner_cannot_be_mass_assigned_through_values(rep_li, rep_bob):
    with pytest.raises(ValidationFailed) as caught:
        customer_create(actor=rep_li, values={"name": "X", "owner": rep_bob})
    assert "owner" in caught.value.fields
    customer = CustomerFactory(owner=rep_li)
    with pytest.raises(ValidationFailed):
        customer_update(actor=rep_li, customer=customer, values={"owner": rep_bob, "version": 7},
                        expected_version=1)
    customer.refresh_from_db()
    assert customer.owner == rep_li and customer.version == 1


def test_rep_cannot_create_for_someone_else_but_manager_can_for_own_team(rep_li, rep_lin, manager_mei, rep_bob):
    with pytest.raises(PermissionDenied):
        customer_create(actor=rep_li, values={"name": "X"}, owner=rep_lin)
    assert customer_create(actor=manager_mei, values={"name": "X"}, owner=rep_lin).owner == rep_lin
    with pytest.raises(PermissionDenied):
        customer_create(actor=manager_mei, values={"name": "Y"}, owner=rep_bob)
    assert Customer.objects.count() == 1


def test_system_creates_for_an_explicit_owner(rep_bob):
    assert customer_create(actor=None, values={"name": "导入公司"}, owner=rep_bob).owner == rep_bob


def test_marketing_and_service_cannot_write(marketing_ana, service_sam, rep_li):
    customer = CustomerFactory(owner=rep_li, name="原名")
    for user in (marketing_ana, service_sam):
        with pytest.raises(PermissionDenied):
            customer_create(actor=user, values={"name": "X"})
        with pytest.raises(PermissionDenied):
            customer_update(actor=user, customer=customer, values={"name": "改"}, expected_version=1)
        with pytest.raises(PermissionDenied):
            customer_delete(actor=user, customer=customer)
    customer.refresh_from_db()
    assert customer.name == "原名" and customer.deleted_at is None
    assert Customer.objects.count() == 1


def test_rep_cannot_update_or_delete_another_reps_customer(rep_li, rep_bob):
    customer = CustomerFactory(owner=rep_li, name="李的客户")
    with pytest.raises(NotFound):
        customer_update(actor=rep_bob, customer=customer, values={"name": "Bob's"}, expected_version=1)
    with pytest.raises(NotFound):
        customer_delete(actor=rep_bob, customer=customer)
    customer.refresh_from_db()
    assert customer.name == "李的客户" and customer.deleted_at is None and customer.version == 1


def test_update_records_old_and_new_values_and_recomputes_pinyin(rep_li):
    customer = CustomerFactory(owner=rep_li, name="腾讯", phone="")
    customer_update(actor=rep_li, customer=customer, values={"name": "阿里巴巴", "phone": "0086 138-0013-8000"},
                    expected_version=1)
    customer.refresh_from_db()
    assert customer.name_pinyin == "alibaba" and customer.name_initials == "albb"
    event = AuditEvent.objects.get(action="update", object_id=str(customer.pk))
    assert event.changes["name"] == ["腾讯", "阿里巴巴"]
    assert event.changes["phone"] == ["", "+8613800138000"]


def test_stale_update_is_a_conflict_and_keeps_the_first_change(rep_li):
    customer = CustomerFactory(owner=rep_li, name="Original")
    first, second = Customer.objects.get(pk=customer.pk), Customer.objects.get(pk=customer.pk)
    customer_update(actor=rep_li, customer=first, values={"name": "First"}, expected_version=1)
    with pytest.raises(VersionConflict):
        customer_update(actor=rep_li, customer=second, values={"name": "Second"}, expected_version=1)
    with pytest.raises(PreconditionRequired):
        customer_update(actor=rep_li, customer=second, values={"name": "Second"}, expected_version=None)
    assert Customer.objects.get(pk=customer.pk).name == "First"


def test_tag_only_change_bumps_the_version_and_is_audited(rep_li):
    customer = CustomerFactory(owner=rep_li)
    customer_update(actor=rep_li, customer=customer, values={"tags": ["VIP", "华东"]}, expected_version=1)
    assert Customer.objects.get(pk=customer.pk).version == 2
    event = AuditEvent.objects.get(action="update", object_id=str(customer.pk))
    assert event.changes == {"tags": [[], ["VIP", "华东"]]}
    customer_update(actor=rep_li, customer=customer, values={"tags": "vip"}, expected_version=2)
    assert list(customer.tags.values_list("name", flat=True)) == ["VIP"]


def test_delete_cascades_to_contacts_under_one_deletion_id(rep_li):
    customer = CustomerFactory(owner=rep_li)
    contacts = ContactFactory.create_batch(2, customer=customer)
    other = ContactFactory()
    deletion_id = customer_delete(actor=rep_li, customer=customer)
    assert Customer.all_objects.get(pk=customer.pk).deletion_id == deletion_id
    assert {c.deletion_id for c in Contact.all_objects.filter(pk__in=[c.pk for c in contacts])} == {deletion_id}
    assert Contact.objects.filter(pk=other.pk).exists()
    event = AuditEvent.objects.get(action="delete", object_id=str(customer.pk))
    assert event.extra == {"deletion_id": str(deletion_id), "children": {"customers.contact": 2}}


def test_transfer_within_team_is_audited_as_a_transfer(manager_mei, rep_li, rep_lin):
    customer = CustomerFactory(owner=rep_li)
    customer_transfer(actor=manager_mei, customer=customer, new_owner=rep_lin)
    customer.refresh_from_db()
    assert customer.owner == rep_lin and customer.version == 2
    event = AuditEvent.objects.get(action="transfer")
    assert event.changes == {"owner": [rep_li.pk, rep_lin.pk]} and event.actor == manager_mei


def test_transfer_outside_the_actors_scope_is_refused(manager_mei, rep_li, rep_lin, rep_bob, marketing_ana):
    customer = CustomerFactory(owner=rep_li)
    with pytest.raises(ValidationFailed) as caught:
        customer_transfer(actor=manager_mei, customer=customer, new_owner=rep_bob)
    assert caught.value.code == "transfer_target_invalid"
    with pytest.raises(ValidationFailed):  # a rep's scope is only themselves
        customer_transfer(actor=rep_li, customer=customer, new_owner=rep_lin)
    with pytest.raises(NotFound):
        customer_transfer(actor=rep_bob, customer=customer, new_owner=rep_bob)
    with pytest.raises(PermissionDenied):
        customer_transfer(actor=marketing_ana, customer=customer, new_owner=marketing_ana)
    customer.refresh_from_db()
    assert customer.owner == rep_li and not AuditEvent.objects.filter(action="transfer").exists()


def test_admin_cannot_transfer_to_someone_who_may_not_own_customers(admin, rep_li, marketing_ana):
    customer = CustomerFactory(owner=rep_li)
    with pytest.raises(ValidationFailed):
        customer_transfer(actor=admin, customer=customer, new_owner=marketing_ana)
    customer_transfer(actor=admin, customer=customer, new_owner=admin)
    assert Customer.objects.get(pk=customer.pk).owner == admin


def test_contact_is_normalised_and_only_one_is_primary(rep_li):
    customer = CustomerFactory(owner=rep_li)
    first = contact_create(actor=rep_li, values={"customer": customer, "name": "单田芳", "mobile": "+86 139 1234 5678",
                                                 "is_primary": True})
    assert first.mobile == "+8613912345678" and first.name_initials == "stf"
    second = contact_create(actor=rep_li, values={"customer": customer.pk, "name": "曾国藩", "is_primary": True})
    first.refresh_from_db()
    assert second.is_primary and not first.is_primary
    assert Contact.objects.filter(customer=customer, is_primary=True).count() == 1


def test_contact_needs_a_company_the_actor_can_edit(rep_li, rep_bob):
    person = CustomerFactory(owner=rep_li, kind=CustomerKind.PERSON)
    with pytest.raises(ValidationFailed) as caught:
        contact_create(actor=rep_li, values={"customer": person, "name": "王芳"})
    assert caught.value.code == "contact_needs_company"
    lis_company = CustomerFactory(owner=rep_li)
    with pytest.raises(ValidationFailed) as caught:
        contact_create(actor=rep_bob, values={"customer": lis_company, "name": "王芳"})
    assert "customer" in caught.value.fields
    assert not Contact.objects.exists()


def test_contact_update_and_delete_respect_scope(rep_li, rep_bob):
    contact = ContactFactory(customer=CustomerFactory(owner=rep_li), name="王芳")
    with pytest.raises(NotFound):
        contact_update(actor=rep_bob, contact=contact, values={"name": "X"}, expected_version=1)
    with pytest.raises(NotFound):
        contact_delete(actor=rep_bob, contact=contact)
    contact_update(actor=rep_li, contact=contact, values={"title": "采购经理"}, expected_version=1)
    contact.refresh_from_db()
    assert contact.title == "采购经理" and contact.name == "王芳" and contact.deleted_at is None
