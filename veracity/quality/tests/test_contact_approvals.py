"""The approval gate covers contacts' key fields too (name, mobile, phone; configured per field)."""

import pytest

from veracity.customers import services as customer_services
from veracity.customers.models import Customer
from veracity.quality.models import ChangeRequest, ChangeStatus
from veracity.quality.services import approvals
from veracity.quality.services.settings import quality_settings_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def contact(rep_li):
    customer = Customer.objects.create(code="A1", name="联系人公司", owner=rep_li)
    return customer_services.contact_create(actor=rep_li, values={"customer": customer, "name": "王芳",
                                                                  "mobile": "13900139000", "title": "经理"})


def _watch(*fields):
    quality_settings_update(actor=None, values={"approval_fields": list(fields)})


def test_rep_contact_rename_waits_and_the_manager_applies_it_with_its_keys(contact, rep_li, manager_mei):
    _watch("contact.name", "contact.mobile")
    updated = customer_services.contact_update(actor=rep_li, contact=contact,
                                               values={"name": "王芳芳", "title": "总监"}, expected_version=1)
    contact.refresh_from_db()
    assert contact.name == "王芳" and contact.title == "总监"    # only the key field waits
    assert contact.match_name == "王芳"                          # and its derived keys with it
    request = updated.pending_change_request
    assert (request.entity, request.changes) == ("contact", {"name": ["王芳", "王芳芳"]})
    approvals.change_request_approve(actor=manager_mei, change_request_id=request.pk)
    contact.refresh_from_db()
    assert contact.name == "王芳芳" and contact.match_name == "王芳芳" and contact.updated_by == manager_mei
    assert ChangeRequest.objects.get().status == ChangeStatus.APPROVED


def test_a_reformatted_mobile_needs_no_approval_but_a_new_number_does(contact, rep_li):
    _watch("contact.mobile")
    customer_services.contact_update(actor=rep_li, contact=contact, values={"mobile": "139 0013 9000"},
                                     expected_version=1)
    assert not ChangeRequest.objects.exists()
    contact.refresh_from_db()
    customer_services.contact_update(actor=rep_li, contact=contact, values={"mobile": "13700137000"},
                                     expected_version=contact.version)
    contact.refresh_from_db()
    assert contact.mobile == "+8613900139000"
    assert ChangeRequest.objects.get().changes == {"mobile": ["+8613900139000", "+8613700137000"]}


def test_contact_fields_not_configured_are_saved_directly(contact, rep_li):
    _watch("customer.name")
    customer_services.contact_update(actor=rep_li, contact=contact, values={"name": "王小芳"}, expected_version=1)
    contact.refresh_from_db()
    assert contact.name == "王小芳" and not ChangeRequest.objects.exists()


def test_a_stale_contact_change_is_not_applied(contact, rep_li, manager_mei):
    _watch("contact.name")
    request = customer_services.contact_update(actor=rep_li, contact=contact, values={"name": "王芳芳"},
                                               expected_version=1).pending_change_request
    customer_services.contact_update(actor=manager_mei, contact=contact, values={"name": "王大芳"},
                                     expected_version=contact.version)
    with pytest.raises(Exception) as raised:
        approvals.change_request_approve(actor=manager_mei, change_request_id=request.pk)
    assert raised.value.code == "change_request_stale"
    contact.refresh_from_db()
    assert contact.name == "王大芳"
