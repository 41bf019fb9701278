import json

import pytest

from veracity.audit.models import AuditEvent
from veracity.customers.forms import ContactForm
from veracity.customers.models import Customer
from veracity.customers.services import contact_create
from veracity.customers.tests.factories import CustomerFactory
from veracity.standards.models import FieldRule, StandardsSettings

pytestmark = pytest.mark.django_db


def _patch(client, url, body):
    return client.patch(url, data=json.dumps(body), content_type="application/json")


def test_everyone_reads_the_rules(api_client_for, rep_li):
    body = api_client_for(rep_li).get("/api/v1/entry-rules").json()
    customer = next(entity for entity in body["entities"] if entity["entity"] == "customer")
    name = next(field for field in customer["fields"] if field["field"] == "name")
    assert (name["required"], name["database_requires"], body["date_order"]) == (True, True, "DMY")


def test_admin_override_takes_effect_in_form_api_and_service(api_client_for, admin, rep_li):
    response = _patch(api_client_for(admin), "/api/v1/entry-rules/contact/department", {
        "required": True, "picklist_values": [{"value": "purchasing", "label": "采购部"}]})
    assert response.status_code == 200, response.content
    assert response.json()["picklist"] == [{"value": "purchasing", "label": "采购部"}]
    form = ContactForm(companies=Customer.objects.none())
    assert form.fields["department"].required
    assert ("purchasing", "采购部") in form.fields["department"].choices
    customer = CustomerFactory(owner=rep_li)
    refused = api_client_for(rep_li).post("/api/v1/contacts", data=json.dumps(
        {"customer_id": customer.pk, "name": "王芳", "department": "Marketing"}), content_type="application/json")
    assert refused.status_code == 422 and "department" in refused.json()["detail"]["fields"]
    contact = contact_create(actor=rep_li, values={"customer": customer, "name": "王芳", "department": "采购部"})
    assert contact.department == "purchasing"


def test_rule_changes_are_audited_with_old_and_new(api_client_for, admin):
    _patch(api_client_for(admin), "/api/v1/entry-rules/customer/industry", {"required": True})
    _patch(api_client_for(admin), "/api/v1/entry-settings", {"date_order": "MDY", "default_region": "hk"})
    rule_event = AuditEvent.objects.get(object_type="standards.fieldrule")
    assert (rule_event.actor, rule_event.changes) == (admin, {"required": [None, True]})
    settings_event = AuditEvent.objects.get(object_type="standards.standardssettings")
    assert settings_event.changes == {"date_order": ["DMY", "MDY"], "default_region": ["CN", "HK"]}


def test_a_field_the_database_requires_cannot_be_made_optional(api_client_for, admin):
    response = _patch(api_client_for(admin), "/api/v1/entry-rules/product/sku", {"required": False})
    assert response.status_code == 422 and "required" in response.json()["detail"]["fields"]
    assert not FieldRule.objects.exists()


def test_a_picklist_cannot_add_values_the_database_refuses(api_client_for, admin):
    response = _patch(api_client_for(admin), "/api/v1/entry-rules/customer/industry",
                      {"picklist_values": [{"value": "mining", "label": "Mining"}]})
    assert response.status_code == 422 and "mining" in response.json()["detail"]["fields"]["picklist_values"][0]


def test_rep_cannot_edit_rules_and_nothing_changes(api_client_for, web_client_for, rep_li):
    client = api_client_for(rep_li)
    assert _patch(client, "/api/v1/entry-rules/contact/title", {"required": True}).status_code == 403
    assert _patch(client, "/api/v1/entry-settings", {"date_order": "MDY"}).status_code == 403
    web = web_client_for(rep_li)
    assert web.post("/standards/rules/contact/title/", {"required": "1"}).status_code == 403
    assert web.post("/standards/rules/settings/", {"default_region": "US", "date_order": "MDY"}).status_code == 403
    assert not FieldRule.objects.exists() and not StandardsSettings.objects.exists()
    assert not AuditEvent.objects.filter(object_type__startswith="standards.").exists()


def test_guide_is_generated_from_the_rules_for_everyone(web_client_for, admin, rep_li):
    from veracity.standards.services import field_rule_update

    field_rule_update(actor=admin, entity="contact", field="title", values={"required": True})
    page = web_client_for(rep_li).get("/standards/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "138 0013 8000" in text and "+8613800138000" in text and "2026年3月5日" in text
    assert "Change the rules" not in text


def test_guide_in_chinese(web_client_for, rep_li):
    text = web_client_for(rep_li).get("/standards/", headers={"accept-language": "zh-hans"}).content.decode()
    assert "录入" in text


def test_admin_edits_a_rule_on_the_page_and_sees_the_history(web_client_for, admin):
    client = web_client_for(admin)
    response = client.post("/standards/rules/contact/title/", {
        "required": "1", "picklist_values": "ceo | 总经理\ncfo | 财务总监", "help_text": "职位"})
    assert response.status_code == 302
    rule = FieldRule.objects.get(entity="contact", field="title")
    assert (rule.required, rule.picklist_values[0], rule.help_text) == (True, {"value": "ceo", "label": "总经理"}, "职位")
    listing = client.get("/standards/rules/").content.decode()
    assert "contact.title" in listing
    assert client.post("/standards/rules/settings/", {"default_region": "us", "date_order": "MDY"}).status_code == 302
    assert StandardsSettings.objects.get().default_region == "US"
