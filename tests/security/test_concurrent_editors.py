"""Two editors save the same customer: one wins, the other gets a conflict, nothing is lost — through
the web form and through the API. And a deactivated user's API token and every one of their sessions
stop working at once (the very next request, within the same second)."""

import pytest
from django.test import Client

from veracity.accounts.tests.factories import TEST_PASSWORD
from veracity.audit.models import AuditEvent
from veracity.customers.models import Customer
from veracity.customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def edit_form(customer, **changes):
    data = {"name": customer.name, "kind": customer.kind, "code": customer.code,
            "lifecycle_status": customer.lifecycle_status, "country": customer.country, "version": customer.version}
    data.update(changes)
    return data


def test_two_editors_on_the_web_form_one_wins_the_other_sees_a_conflict_with_their_input_kept(
        web_client_for, rep_li, manager_mei):
    customer = CustomerFactory(owner=rep_li, name="华北贸易", notes="")
    li, mei = web_client_for(rep_li), web_client_for(manager_mei)
    assert li.get(f"/customers/{customer.pk}/edit/").status_code == 200  # both open version 1
    assert mei.get(f"/customers/{customer.pk}/edit/").status_code == 200

    first = li.post(f"/customers/{customer.pk}/edit/", edit_form(customer, notes="Li: met the buyer"))
    assert first.status_code == 302
    second = mei.post(f"/customers/{customer.pk}/edit/", edit_form(customer, notes="Mei: call on Monday"))
    assert second.status_code == 200 and "Someone else changed this customer" in second.text
    assert "Mei: call on Monday" in second.text  # the loser's typing is still in the form, not lost

    saved = Customer.objects.get(pk=customer.pk)
    assert (saved.notes, saved.version) == ("Li: met the buyer", 2)  # the winner's change is intact
    assert AuditEvent.objects.filter(action="update", object_id=str(customer.pk)).count() == 1

    retried = mei.post(f"/customers/{customer.pk}/edit/",
                       edit_form(saved, notes="Li: met the buyer\nMei: call on Monday"))
    assert retried.status_code == 302
    assert Customer.objects.get(pk=customer.pk).notes == "Li: met the buyer\nMei: call on Monday"


def test_two_editors_on_the_api_one_wins_the_other_gets_412_and_nothing_is_lost(api_client_for, rep_li,
                                                                                 manager_mei):
    customer = CustomerFactory(owner=rep_li, name="华北贸易", phone="", notes="")
    li, mei = api_client_for(rep_li), api_client_for(manager_mei)
    url = f"/api/v1/customers/{customer.pk}"
    etag_li, etag_mei = li.get(url)["ETag"], mei.get(url)["ETag"]
    assert etag_li == etag_mei == '"1"'

    won = li.patch(url, {"notes": "Li: met the buyer"}, content_type="application/json", HTTP_IF_MATCH=etag_li)
    assert won.status_code == 200
    lost = mei.patch(url, {"city": "天津"}, content_type="application/json", HTTP_IF_MATCH=etag_mei)
    assert (lost.status_code, lost.json()["code"]) == (412, "precondition_failed")
    assert Customer.objects.get(pk=customer.pk).city == ""  # the stale write changed nothing

    fresh = mei.get(url)
    assert fresh.json()["notes"] == "Li: met the buyer"
    again = mei.patch(url, {"city": "天津"}, content_type="application/json", HTTP_IF_MATCH=fresh["ETag"])
    assert again.status_code == 200
    saved = Customer.objects.get(pk=customer.pk)
    assert (saved.notes, saved.city, saved.version) == ("Li: met the buyer", "天津", 3)  # both changes kept


def test_deactivating_a_user_ends_every_session_and_token_on_the_next_request(admin, rep_li, api_client_for):
    from veracity.accounts.services import user_deactivate

    phone, laptop = Client(), Client()
    for browser in (phone, laptop):
        assert browser.post("/login/", {"username": rep_li.username, "password": TEST_PASSWORD}).status_code == 302
        assert browser.get("/customers/").status_code == 200
    first_token, second_token = api_client_for(rep_li), api_client_for(rep_li)
    assert first_token.get("/api/v1/me").status_code == second_token.get("/api/v1/me").status_code == 200

    user_deactivate(actor=admin, user=rep_li)

    # No sleep, no cache expiry to wait for: the very next request is refused.
    assert first_token.get("/api/v1/me").status_code == 401
    assert second_token.get("/api/v1/customers").status_code == 401
    for browser in (phone, laptop):
        response = browser.get("/customers/")
        assert response.status_code == 302 and "/login/" in response.url
