import json

import pytest

from veracity.audit.models import AuditEvent
from veracity.customers.models import Contact, Customer
from veracity.customers.tests.factories import ContactFactory, CustomerFactory, TagFactory

pytestmark = pytest.mark.django_db


def _json(client, method, url, body=None, **headers):
    return getattr(client, method)(url, data=json.dumps(body or {}), content_type="application/json",
                                   headers=headers)


def test_rep_lists_only_own_customers_with_owner_and_tags(api_client_for, rep_li, rep_bob):
    mine = CustomerFactory(owner=rep_li, name="字节跳动")
    mine.tags.add(TagFactory(name="VIP"))
    CustomerFactory(owner=rep_bob, name="Bob 的客户")
    body = api_client_for(rep_li).get("/api/v1/customers").json()
    assert body["count"] == 1
    item = body["items"][0]
    assert (item["name"], item["owner_id"], item["owner_username"], item["tags"], item["version"]) == (
        "字节跳动", rep_li.pk, "rep_li", ["VIP"], 1)


def test_manager_lists_team_north_but_not_south(api_client_for, manager_mei, rep_li, rep_lin, rep_bob):
    CustomerFactory(owner=rep_li, name="North 1")
    CustomerFactory(owner=rep_lin, name="North 2")
    CustomerFactory(owner=rep_bob, name="South 1")
    names = [item["name"] for item in api_client_for(manager_mei).get("/api/v1/customers").json()["items"]]
    assert names == ["North 1", "North 2"]


def test_list_api_searches_by_phone_pinyin_initials_and_code(api_client_for, rep_li):
    CustomerFactory(owner=rep_li, name="字节跳动", code="BD-001", phone="+8613800138000")
    CustomerFactory(owner=rep_li, name="腾讯", code="TX-001")
    client = api_client_for(rep_li)
    for q in ("138 0013 8000", "+86 13800138000", "zjtd", "bd-001", "0013 8000"):
        items = client.get("/api/v1/customers", {"q": q}).json()["items"]
        assert [item["name"] for item in items] == ["字节跳动"], q


def test_list_api_query_count_does_not_grow_with_rows(api_client_for, rep_li, django_assert_max_num_queries):
    for index in range(15):
        CustomerFactory(owner=rep_li).tags.add(TagFactory(name=f"t{index}"))
    client = api_client_for(rep_li)
    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/customers")
    assert response.json()["count"] == 15


def test_rep_gets_404_for_another_teams_customer_and_changes_nothing(api_client_for, rep_li, rep_bob):
    customer = CustomerFactory(owner=rep_li, name="李的客户")
    client = api_client_for(rep_bob)
    assert client.get(f"/api/v1/customers/{customer.pk}").json()["code"] == "not_found"
    patch = _json(client, "patch", f"/api/v1/customers/{customer.pk}", {"name": "Bob's"}, **{"If-Match": '"1"'})
    assert patch.status_code == 404
    assert client.delete(f"/api/v1/customers/{customer.pk}").status_code == 404
    transfer = _json(client, "post", f"/api/v1/customers/{customer.pk}/transfer", {"owner_id": rep_bob.pk})
    assert transfer.status_code == 404
    customer.refresh_from_db()
    assert (customer.name, customer.owner, customer.version, customer.deleted_at) == ("李的客户", rep_li, 1, None)


@pytest.mark.parametrize("persona", ["marketing_ana", "service_sam"])
def test_read_only_roles_get_403_on_writes(api_client_for, rep_li, persona, request):
    user = request.getfixturevalue(persona)
    customer = CustomerFactory(owner=rep_li, name="原名")
    client = api_client_for(user)
    assert client.get(f"/api/v1/customers/{customer.pk}").status_code == 200
    assert _json(client, "post", "/api/v1/customers", {"name": "X"}).status_code == 403
    response = _json(client, "patch", f"/api/v1/customers/{customer.pk}", {"name": "改"}, **{"If-Match": '"1"'})
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    assert client.delete(f"/api/v1/customers/{customer.pk}").status_code == 403
    assert _json(client, "post", "/api/v1/contacts", {"customer_id": customer.pk, "name": "X"}).status_code == 403
    assert Customer.objects.get().name == "原名" and Customer.objects.count() == 1
    assert not Contact.objects.exists()


def test_create_normalises_and_returns_etag(api_client_for, rep_li):
    response = _json(api_client_for(rep_li), "post", "/api/v1/customers", {
        "name": "字节跳动（北京）科技有限公司", "phone": "0086 138-0013-8000", "tags": ["VIP", "华北"],
    })
    assert response.status_code == 201, response.content
    body = response.json()
    assert response["ETag"] == '"1"'
    assert body["phone"] == "+8613800138000" and body["name_initials"] == "zjtdbjkjyxgs"
    assert body["owner_username"] == "rep_li" and body["tags"] == ["VIP", "华北"] and body["code"] == "C000001"


def test_owner_and_version_cannot_be_mass_assigned(api_client_for, rep_li, rep_bob):
    client = api_client_for(rep_li)
    created = _json(client, "post", "/api/v1/customers", {"name": "X", "owner_id": rep_bob.pk, "version": 9})
    assert created.status_code == 201
    customer = Customer.objects.get()
    assert customer.owner == rep_li and customer.version == 1
    patched = _json(client, "patch", f"/api/v1/customers/{customer.pk}",
                    {"name": "Y", "owner_id": rep_bob.pk, "owner": rep_bob.pk, "created_by": rep_bob.pk},
                    **{"If-Match": '"1"'})
    assert patched.status_code == 200
    customer.refresh_from_db()
    assert (customer.name, customer.owner, customer.created_by, customer.version) == ("Y", rep_li, rep_li, 2)


def test_duplicate_code_answers_its_own_error_code(api_client_for, rep_li):
    CustomerFactory(code="TAKEN")
    response = _json(api_client_for(rep_li), "post", "/api/v1/customers", {"name": "X", "code": "taken"})
    assert response.status_code == 422
    assert response.json()["code"] == "customer_code_taken"
    assert set(response.json()["detail"]["fields"]) == {"code"}


def test_get_sends_etag_and_stale_if_match_is_refused(api_client_for, rep_li):
    customer = CustomerFactory(owner=rep_li, name="Keep")
    client = api_client_for(rep_li)
    assert client.get(f"/api/v1/customers/{customer.pk}")["ETag"] == '"1"'
    ok = _json(client, "patch", f"/api/v1/customers/{customer.pk}", {"name": "First"}, **{"If-Match": '"1"'})
    assert ok.status_code == 200 and ok["ETag"] == '"2"'
    stale = _json(client, "patch", f"/api/v1/customers/{customer.pk}", {"name": "Second"}, **{"If-Match": '"1"'})
    assert stale.status_code == 412 and stale.json()["code"] == "precondition_failed"
    missing = _json(client, "patch", f"/api/v1/customers/{customer.pk}", {"name": "Third"})
    assert missing.status_code == 428
    assert Customer.objects.get(pk=customer.pk).name == "First"


def test_body_version_conflict_is_409(api_client_for, rep_li):
    customer = CustomerFactory(owner=rep_li)
    Customer.objects.filter(pk=customer.pk).update(version=3)
    response = _json(api_client_for(rep_li), "patch", f"/api/v1/customers/{customer.pk}", {"name": "X", "version": 2})
    assert response.status_code == 409 and response.json()["detail"] == {"current_version": 3}


def test_delete_moves_customer_and_contacts_to_trash(api_client_for, rep_li):
    customer = CustomerFactory(owner=rep_li)
    contact = ContactFactory(customer=customer)
    client = api_client_for(rep_li)
    assert client.delete(f"/api/v1/customers/{customer.pk}").status_code == 204
    assert client.get(f"/api/v1/customers/{customer.pk}").status_code == 404
    assert client.get(f"/api/v1/contacts/{contact.pk}").status_code == 404
    assert Contact.all_objects.get(pk=contact.pk).deletion_id == Customer.all_objects.get(pk=customer.pk).deletion_id


def test_manager_transfers_within_team_and_not_outside(api_client_for, manager_mei, rep_li, rep_lin, rep_bob):
    customer = CustomerFactory(owner=rep_li)
    client = api_client_for(manager_mei)
    refused = _json(client, "post", f"/api/v1/customers/{customer.pk}/transfer", {"owner_id": rep_bob.pk})
    assert refused.status_code == 422 and refused.json()["code"] == "transfer_target_invalid"
    done = _json(client, "post", f"/api/v1/customers/{customer.pk}/transfer", {"owner_id": rep_lin.pk})
    assert done.status_code == 200, done.content
    assert done.json()["owner_username"] == "rep_lin" and done["ETag"] == '"2"'
    assert AuditEvent.objects.get(action="transfer").changes == {"owner": [rep_li.pk, rep_lin.pk]}


def test_contacts_crud_and_scope(api_client_for, rep_li, rep_bob):
    customer = CustomerFactory(owner=rep_li)
    client = api_client_for(rep_li)
    created = _json(client, "post", "/api/v1/contacts", {
        "customer_id": customer.pk, "name": "王芳", "mobile": "139 1234 5678", "email": "Wang@Example.com",
        "is_primary": True,
    })
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["mobile"], body["email"], body["customer_name"]) == ("+8613912345678", "wang@example.com",
                                                                     customer.name)
    contact_id = body["id"]
    assert api_client_for(rep_bob).get(f"/api/v1/contacts/{contact_id}").status_code == 404
    assert api_client_for(rep_bob).get("/api/v1/contacts").json()["count"] == 0
    refused = _json(api_client_for(rep_bob), "post", "/api/v1/contacts", {"customer_id": customer.pk, "name": "X"})
    assert refused.status_code == 422
    patched = _json(client, "patch", f"/api/v1/contacts/{contact_id}", {"title": "CTO"}, **{"If-Match": '"1"'})
    assert patched.status_code == 200 and patched.json()["title"] == "CTO"
    items = client.get("/api/v1/contacts", {"q": "wf"}).json()["items"]
    assert [item["name"] for item in items] == ["王芳"]
    assert client.delete(f"/api/v1/contacts/{contact_id}").status_code == 204
    assert Contact.objects.count() == 0


def test_contact_list_query_count(api_client_for, rep_li, django_assert_max_num_queries):
    ContactFactory.create_batch(10, customer=CustomerFactory(owner=rep_li))
    client = api_client_for(rep_li)
    with django_assert_max_num_queries(7):
        assert client.get("/api/v1/contacts").json()["count"] == 10


def test_tags_list(api_client_for, rep_li):
    TagFactory(name="VIP")
    TagFactory(name="华东")
    assert [tag["name"] for tag in api_client_for(rep_li).get("/api/v1/tags").json()] == ["VIP", "华东"]
