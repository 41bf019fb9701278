import json

import pytest

from veracity.activities.models import Activity, ActivityKind
from veracity.activities.tests.factories import make_activity, make_customer, make_order

pytestmark = pytest.mark.django_db


def _post(client, url, data):
    return client.post(url, data=json.dumps(data), content_type="application/json")


def test_rep_creates_activity_and_gets_etag(api_client_for, rep_li):
    customer = make_customer(rep_li)
    response = _post(api_client_for(rep_li), "/api/v1/activities",
                     {"kind": "visit", "subject": "On site", "customer_id": customer.pk})
    assert response.status_code == 201, response.content
    assert response["ETag"] == '"1"'
    assert response.json()["owner_id"] == rep_li.pk


def test_rep_cannot_create_on_other_teams_customer(api_client_for, rep_bob, rep_li):
    customer = make_customer(rep_li)
    response = _post(api_client_for(rep_bob), "/api/v1/activities",
                     {"kind": "call", "subject": "x", "customer_id": customer.pk})
    assert response.status_code == 422
    assert "customer" in response.json()["detail"]["fields"]
    assert not Activity.objects.exists()


def test_list_is_scoped_and_paginated(api_client_for, rep_li, rep_bob):
    make_activity(make_customer(rep_li), subject="Mine")
    make_activity(make_customer(rep_bob), subject="Bob's")
    body = api_client_for(rep_li).get("/api/v1/activities?limit=10").json()
    assert body["count"] == 1 and body["items"][0]["subject"] == "Mine"


def test_list_query_count_is_constant(api_client_for, rep_li, django_assert_max_num_queries):
    customer = make_customer(rep_li)
    for i in range(10):
        make_activity(customer, subject=f"A{i}")
    client = api_client_for(rep_li)
    with django_assert_max_num_queries(8):
        assert client.get("/api/v1/activities").json()["count"] == 10


def test_get_other_teams_activity_is_404(api_client_for, rep_li, rep_bob):
    activity = make_activity(make_customer(rep_li))
    response = api_client_for(rep_bob).get(f"/api/v1/activities/{activity.pk}")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_patch_needs_if_match_and_stale_one_changes_nothing(api_client_for, rep_li):
    activity = make_activity(make_customer(rep_li), subject="Keep")
    client = api_client_for(rep_li)
    url = f"/api/v1/activities/{activity.pk}"
    missing = client.patch(url, data=json.dumps({"subject": "New"}), content_type="application/json")
    assert missing.status_code == 428
    stale = client.patch(url, data=json.dumps({"subject": "New"}), content_type="application/json",
                         headers={"If-Match": '"7"'})
    assert stale.status_code == 412 and stale.json()["code"] == "precondition_failed"
    activity.refresh_from_db()
    assert activity.subject == "Keep"
    ok = client.patch(url, data=json.dumps({"subject": "New"}), content_type="application/json",
                      headers={"If-Match": '"1"'})
    assert ok.status_code == 200 and ok["ETag"] == '"2"'


def test_complete_and_reopen(api_client_for, rep_li):
    task = make_activity(make_customer(rep_li), kind=ActivityKind.TASK)
    client = api_client_for(rep_li)
    assert _post(client, f"/api/v1/activities/{task.pk}/complete", {}).json()["done"] is True
    assert _post(client, f"/api/v1/activities/{task.pk}/complete", {"done": False}).json()["done"] is False


def test_delete_by_other_team_is_404_and_keeps_record(api_client_for, rep_li, rep_bob):
    activity = make_activity(make_customer(rep_li))
    assert api_client_for(rep_bob).delete(f"/api/v1/activities/{activity.pk}").status_code == 404
    assert Activity.objects.filter(pk=activity.pk).exists()
    assert api_client_for(rep_li).delete(f"/api/v1/activities/{activity.pk}").status_code == 204
    assert not Activity.objects.filter(pk=activity.pk).exists()


def test_timeline_endpoint(api_client_for, rep_li, rep_bob):
    customer = make_customer(rep_li)
    make_order(customer, number="SO-9")
    make_activity(customer, subject="Call")
    body = api_client_for(rep_li).get(f"/api/v1/customers/{customer.pk}/timeline").json()
    assert {item["type"] for item in body} == {"order", "activity"}
    assert api_client_for(rep_bob).get(f"/api/v1/customers/{customer.pk}/timeline").status_code == 404
