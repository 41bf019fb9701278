import pytest

from veracity.audit.models import AuditEvent
from veracity.customers.models import Contact, Customer
from veracity.customers.tests.factories import ContactFactory, CustomerFactory, TagFactory

pytestmark = pytest.mark.django_db


def _form(customer, **changes):
    data = {"name": customer.name, "kind": customer.kind, "code": customer.code,
            "lifecycle_status": customer.lifecycle_status, "country": customer.country, "version": customer.version}
    data.update(changes)
    return data


def test_rep_sees_only_own_customers_on_the_list(web_client_for, rep_li, rep_bob):
    CustomerFactory(owner=rep_li, name="字节跳动")
    CustomerFactory(owner=rep_bob, name="南方公司")
    response = web_client_for(rep_li).get("/customers/")
    assert response.status_code == 200
    assert "字节跳动" in response.text and "南方公司" not in response.text
    assert 'name="owner"' not in response.text  # reps get no owner filter


def test_manager_sees_team_north_and_an_owner_filter(web_client_for, manager_mei, rep_li, rep_bob):
    CustomerFactory(owner=rep_li, name="北方公司")
    CustomerFactory(owner=rep_bob, name="南方公司")
    response = web_client_for(manager_mei).get("/customers/")
    assert "北方公司" in response.text and "南方公司" not in response.text
    assert 'name="owner"' in response.text
    filtered = web_client_for(manager_mei).get("/customers/", {"owner": manager_mei.pk})
    assert "北方公司" not in filtered.text


def test_list_search_by_phone_formats_initials_and_code(web_client_for, rep_li):
    CustomerFactory(owner=rep_li, name="字节跳动", code="BD-9", phone="+8613800138000")
    CustomerFactory(owner=rep_li, name="腾讯", code="TX-9")
    client = web_client_for(rep_li)
    for q in ("138 0013 8000", "+86 13800138000", "0086-138-0013-8000", "１３８００１３８０００", "zjtd", "BD-9"):
        text = client.get("/customers/", {"q": q}).text
        assert "字节跳动" in text and "腾讯" not in text, q


def test_list_filters_by_tag_and_lifecycle(web_client_for, rep_li):
    vip = CustomerFactory(owner=rep_li, name="大客户", lifecycle_status="customer")
    vip.tags.add(TagFactory(name="VIP"))
    CustomerFactory(owner=rep_li, name="线索公司", lifecycle_status="lead")
    client = web_client_for(rep_li)
    assert "线索公司" not in client.get("/customers/", {"tag": "VIP"}).text
    assert "大客户" not in client.get("/customers/", {"lifecycle_status": "lead"}).text


def test_list_page_query_count_does_not_grow(web_client_for, manager_mei, rep_li, django_assert_max_num_queries):
    for index in range(20):
        CustomerFactory(owner=rep_li).tags.add(TagFactory(name=f"t{index}"))
    client = web_client_for(manager_mei)
    with django_assert_max_num_queries(16):
        response = client.get("/customers/")
    assert response.status_code == 200


def test_other_teams_rep_gets_404_on_page_and_nothing_changes(web_client_for, rep_li, rep_bob):
    customer = CustomerFactory(owner=rep_li, name="李的客户")
    client = web_client_for(rep_bob)
    assert client.get(f"/customers/{customer.pk}/").status_code == 404
    assert client.get(f"/customers/{customer.pk}/edit/").status_code == 404
    assert client.post(f"/customers/{customer.pk}/edit/", _form(customer, name="Bob's")).status_code == 404
    assert client.post(f"/customers/{customer.pk}/delete/").status_code == 404
    assert client.post(f"/customers/{customer.pk}/transfer/", {"owner": rep_bob.pk, "version": 1}).status_code == 404
    customer.refresh_from_db()
    assert (customer.name, customer.owner, customer.deleted_at, customer.version) == ("李的客户", rep_li, None, 1)


@pytest.mark.parametrize("persona", ["marketing_ana", "service_sam"])
def test_read_only_roles_can_view_but_not_write(web_client_for, rep_li, persona, request):
    customer = CustomerFactory(owner=rep_li, name="原名")
    client = web_client_for(request.getfixturevalue(persona))
    page = client.get(f"/customers/{customer.pk}/")
    assert page.status_code == 200 and f"/customers/{customer.pk}/edit/" not in page.text
    assert client.get("/customers/new/").status_code == 403
    assert client.post(f"/customers/{customer.pk}/edit/", _form(customer, name="改")).status_code == 403
    assert client.post(f"/customers/{customer.pk}/delete/").status_code == 403
    customer.refresh_from_db()
    assert customer.name == "原名" and customer.deleted_at is None


def test_detail_page_shows_address_contacts_and_panels(web_client_for, rep_li):
    customer = CustomerFactory(owner=rep_li, province="北京市", city="北京市", district="海淀区",
                               address_line="中关村大街1号")
    ContactFactory(customer=customer, name="王芳", is_primary=True)
    text = web_client_for(rep_li).get(f"/customers/{customer.pk}/").text
    assert "北京市海淀区中关村大街1号" in text
    assert "王芳" in text
    assert f'hx-get="/customers/{customer.pk}/opportunities/"' in text
    assert f'hx-get="/customers/{customer.pk}/orders/"' in text
    assert f'hx-get="/customers/{customer.pk}/timeline/"' in text


def test_script_in_a_name_is_escaped(web_client_for, rep_li):
    customer = CustomerFactory(owner=rep_li, name='<script>alert("x")</script>')
    ContactFactory(customer=customer, name="<b>bold</b>")
    for url in ("/customers/", f"/customers/{customer.pk}/", "/contacts/"):
        text = web_client_for(rep_li).get(url).text
        assert '<script>alert("x")</script>' not in text and "<b>bold</b>" not in text
    assert "&lt;script&gt;" in web_client_for(rep_li).get(f"/customers/{customer.pk}/").text


def test_create_through_the_form_normalises(web_client_for, rep_li):
    response = web_client_for(rep_li).post("/customers/new/", {
        "name": "字节跳动", "kind": "company", "lifecycle_status": "lead", "phone": "138 0013 8000",
        "tags": "VIP，华北",
    })
    assert response.status_code == 302
    customer = Customer.objects.get()
    assert customer.phone == "+8613800138000" and customer.owner == rep_li and customer.code == "C000001"
    assert sorted(customer.tags.values_list("name", flat=True)) == ["VIP", "华北"]


def test_form_shows_service_errors_inline(web_client_for, rep_li):
    CustomerFactory(code="TAKEN")
    response = web_client_for(rep_li).post("/customers/new/", {
        "name": "X", "kind": "company", "lifecycle_status": "lead", "code": "taken", "phone": "12345",
    })
    assert response.status_code == 200
    assert "already used by another customer" in response.text
    assert "id_phone_errors" in response.text
    assert Customer.objects.count() == 1


def test_stale_form_shows_a_conflict_and_saves_nothing(web_client_for, rep_li):
    customer = CustomerFactory(owner=rep_li, name="Current")
    Customer.objects.filter(pk=customer.pk).update(version=2)
    response = web_client_for(rep_li).post(f"/customers/{customer.pk}/edit/", _form(customer, name="Stale", version=1))
    assert response.status_code == 200
    assert "Someone else changed this customer" in response.text
    assert Customer.objects.get(pk=customer.pk).name == "Current"


def test_edit_form_ignores_a_smuggled_owner(web_client_for, rep_li, rep_bob):
    customer = CustomerFactory(owner=rep_li, name="Old")
    response = web_client_for(rep_li).post(f"/customers/{customer.pk}/edit/",
                                           _form(customer, name="New", owner=rep_bob.pk))
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.name == "New" and customer.owner == rep_li


def test_manager_transfers_through_the_page(web_client_for, manager_mei, rep_li, rep_lin, rep_bob):
    customer = CustomerFactory(owner=rep_li)
    client = web_client_for(manager_mei)
    page = client.get(f"/customers/{customer.pk}/transfer/")
    assert "rep_lin" in page.text or "林芳" in page.text
    assert "Bob Smith" not in page.text
    refused = client.post(f"/customers/{customer.pk}/transfer/", {"owner": rep_bob.pk, "version": 1})
    assert refused.status_code == 200
    assert client.post(f"/customers/{customer.pk}/transfer/", {"owner": rep_lin.pk, "version": 1}).status_code == 302
    assert Customer.objects.get(pk=customer.pk).owner == rep_lin
    assert AuditEvent.objects.filter(action="transfer").count() == 1


def test_delete_through_the_page_cascades(web_client_for, rep_li):
    customer = CustomerFactory(owner=rep_li)
    ContactFactory(customer=customer)
    assert web_client_for(rep_li).post(f"/customers/{customer.pk}/delete/").status_code == 302
    assert not Customer.objects.exists() and not Contact.objects.exists()


def test_contact_added_from_the_customer_page_returns_there(web_client_for, rep_li):
    customer = CustomerFactory(owner=rep_li)
    response = web_client_for(rep_li).post("/contacts/new/", {
        "customer": customer.pk, "name": "王芳", "mobile": "139 1234 5678", "is_primary": "on",
        "next": f"/customers/{customer.pk}/#contacts",
    })
    assert response.status_code == 302 and response["Location"] == f"/customers/{customer.pk}/#contacts"
    contact = Contact.objects.get()
    assert contact.mobile == "+8613912345678" and contact.is_primary


def test_contact_form_refuses_an_external_next(web_client_for, rep_li):
    customer = CustomerFactory(owner=rep_li)
    response = web_client_for(rep_li).post("/contacts/new/", {
        "customer": customer.pk, "name": "王芳", "next": "https://evil.example/",
    })
    assert response["Location"] == f"/customers/{customer.pk}/"


def test_contact_edit_and_delete_are_scoped(web_client_for, rep_li, rep_bob):
    contact = ContactFactory(customer=CustomerFactory(owner=rep_li), name="王芳")
    client = web_client_for(rep_bob)
    assert client.get(f"/contacts/{contact.pk}/edit/").status_code == 404
    assert client.post(f"/contacts/{contact.pk}/delete/").status_code == 404
    assert "王芳" not in client.get("/contacts/").text
    assert Contact.objects.get(pk=contact.pk).name == "王芳"
    ok = web_client_for(rep_li).post(f"/contacts/{contact.pk}/edit/", {
        "customer": contact.customer_id, "name": "王芳", "title": "CTO", "version": 1,
    })
    assert ok.status_code == 302
    assert Contact.objects.get(pk=contact.pk).title == "CTO"


def test_contact_list_searches_by_initials(web_client_for, rep_li):
    customer = CustomerFactory(owner=rep_li)
    ContactFactory(customer=customer, name="单田芳")
    ContactFactory(customer=customer, name="王芳")
    text = web_client_for(rep_li).get("/contacts/", {"q": "stf"}).text
    assert "单田芳" in text and "王芳" not in text


def test_pages_speak_simplified_chinese(web_client_for, rep_li, settings):
    CustomerFactory(owner=rep_li, name="字节跳动")
    response = web_client_for(rep_li).get("/customers/", headers={"Accept-Language": "zh-hans"})
    assert "新建客户" in response.text and "没有符合条件的客户" not in response.text
