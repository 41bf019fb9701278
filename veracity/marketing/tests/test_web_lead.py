"""The public web-to-lead form: anonymous, write-only, spam-checked (honeypot, time to submit, rate limit)."""

import datetime as dt
import time

import pytest
from django.test import Client, override_settings
from freezegun import freeze_time

from veracity.customers.models import Contact, Customer
from veracity.customers.tests.factories import CustomerFactory
from veracity.marketing import services
from veracity.marketing.models import WebLead
from veracity.marketing.tests.factories import CampaignFactory

URL = "/forms/lead/"


def _post(client, *, token=None, **fields):
    data = {"name": "王小明", "email": "xiaoming@example.com", "phone": "13912345678",
            "token": token if token is not None else services.form_token_issue(now=time.time() - 60), **fields}
    return client.post(URL, data, REMOTE_ADDR=fields.pop("address", "203.0.113.7"))


@pytest.fixture
def lead_owner(rep_li):
    with override_settings(LEAD_OWNER=rep_li.username, LEAD_OWNER_TEAM=""):
        yield rep_li


def test_form_page_is_public_and_may_be_framed_only_by_configured_sites(client, lead_owner):
    response = client.get(URL + "?utm_campaign=EXPO&utm_source=newsletter")
    assert response.status_code == 200
    assert "X-Frame-Options" not in response
    policy = response["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in policy
    assert 'value="newsletter"' in response.content.decode()
    assert "frame-ancestors 'none'" in client.get("/accounts/login/")["Content-Security-Policy"]


def test_happy_path_creates_a_lead_with_campaign_source_and_owner(client, lead_owner):
    campaign = CampaignFactory(code="SPRING-EXPO")
    response = _post(client, company="深圳测试科技有限公司", campaign="spring-expo", utm_source="wechat",
                     utm_medium="social", message="Need 200 locks")
    assert response.status_code == 302 and response["Location"].endswith("/forms/lead/thanks/")
    customer = Customer.objects.get(name="深圳测试科技有限公司")
    assert (customer.lifecycle_status, customer.source, customer.owner, customer.campaign) == \
        ("lead", "website", lead_owner, campaign)
    assert Contact.objects.get(customer=customer).name == "王小明"
    lead = WebLead.objects.get()
    assert (lead.utm_source, lead.utm_medium, lead.created_new) == ("wechat", "social", True)


def test_utm_campaign_is_the_campaign_when_no_hidden_field_names_one(client, lead_owner):
    campaign = CampaignFactory(code="Q2-SEARCH")
    _post(client, utm_campaign="Q2-SEARCH", utm_source="baidu", utm_medium="cpc")
    customer = Customer.objects.get(email="xiaoming@example.com")
    assert customer.campaign == campaign and customer.kind == "person"
    assert WebLead.objects.get().utm_campaign == "Q2-SEARCH"


def test_honeypot_gets_the_thank_you_page_and_creates_nothing(client, lead_owner):
    response = _post(client, website="http://spam.example")
    assert response.status_code == 302 and response["Location"].endswith("/thanks/")
    assert not Customer.objects.exists() and not WebLead.objects.exists()


def test_a_form_sent_back_too_fast_is_refused(client, lead_owner):
    response = _post(client, token=services.form_token_issue(now=time.time()))
    assert response.status_code == 400
    assert "very quick" in response.content.decode()
    assert not Customer.objects.exists()


def test_a_forged_token_is_refused(client, lead_owner):
    assert _post(client, token="12345:forged").status_code == 400
    assert not Customer.objects.exists()


@override_settings(LEAD_FORM_RATE_LIMIT=2)
def test_rate_limit_per_address(client, lead_owner):
    with freeze_time("2026-03-01 10:00:00"):
        for number in range(2):
            _post(client, email=f"a{number}@example.com", token=services.form_token_issue(now=time.time() - 60))
        refused = _post(client, email="a3@example.com", token=services.form_token_issue(now=time.time() - 60))
        assert refused.status_code == 429
        other = client.post(URL, {"name": "x", "email": "b@example.com",
                                  "token": services.form_token_issue(now=time.time() - 60)}, REMOTE_ADDR="198.51.100.1")
        assert other.status_code == 302
    assert Customer.objects.count() == 3
    with freeze_time(dt.datetime(2026, 3, 1, 11, 1)):  # an hour later the address may send again
        assert _post(client, email="a4@example.com",
                     token=services.form_token_issue(now=time.time() - 60)).status_code == 302


def test_a_known_email_gets_the_same_thank_you_and_no_new_customer(client, lead_owner, rep_bob):
    existing = CustomerFactory(email="xiaoming@example.com", owner=rep_bob)
    response = _post(client)
    assert response.status_code == 302 and response["Location"].endswith("/thanks/")
    assert Customer.objects.count() == 1
    assert WebLead.objects.get().customer == existing
    assert existing.name not in client.get(response["Location"]).content.decode()


def test_invalid_fields_get_clear_errors_and_change_nothing(client, lead_owner):
    response = _post(client, email="not-an-email", phone="12")
    assert response.status_code == 400
    body = response.content.decode()
    assert "id_email_errors" in body
    assert not Customer.objects.exists()


def test_round_robin_over_a_team(client, rep_li, rep_lin, manager_mei):
    with override_settings(LEAD_OWNER_TEAM=rep_li.team.name, LEAD_OWNER=""):
        owners = []
        for number in range(3):
            Client().post(URL, {"name": f"P{number}", "email": f"p{number}@example.com",
                                "token": services.form_token_issue(now=time.time() - 60)},
                          REMOTE_ADDR=f"192.0.2.{number}")
            owners.append(Customer.objects.get(email=f"p{number}@example.com").owner)
    assert len(set(owners)) == 3  # manager, Li and Lin each in turn


def test_without_a_configured_owner_the_form_is_unavailable(client, db):
    with override_settings(LEAD_OWNER="", LEAD_OWNER_TEAM=""):
        assert _post(client).status_code == 503
    assert not Customer.objects.exists()
