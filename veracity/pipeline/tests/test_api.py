import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from veracity.audit.models import AuditEvent
from veracity.pipeline.models import Opportunity, PipelineStage
from veracity.pipeline.tests.factories import OpportunityFactory, customer_for, stage

pytestmark = pytest.mark.django_db


def _post(client, url, body, **headers):
    return client.post(url, data=json.dumps(body), content_type="application/json", headers=headers)


def test_rep_lists_only_own_opportunities(api_client_for, rep_li, li_deal, bob_deal):
    body = api_client_for(rep_li).get("/api/v1/opportunities").json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["name"] == "Li's deal" and item["stage_name"] == "Qualification"
    assert Decimal(item["weighted_amount"]) == Decimal("100.00")  # 1000 × 10 %


def test_list_filters_by_status_and_search(api_client_for, manager_mei, rep_li):
    OpportunityFactory(owner=rep_li, name="Alpha", stage=stage("Won"))
    OpportunityFactory(owner=rep_li, name="Beta")
    client = api_client_for(manager_mei)
    assert [i["name"] for i in client.get("/api/v1/opportunities?status=won").json()["items"]] == ["Alpha"]
    assert [i["name"] for i in client.get("/api/v1/opportunities?q=bet").json()["items"]] == ["Beta"]


def test_list_query_count_does_not_grow_with_rows(api_client_for, manager_mei, rep_li):
    client = api_client_for(manager_mei)
    OpportunityFactory(owner=rep_li)
    client.get("/api/v1/opportunities")  # warm up
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/opportunities")
    OpportunityFactory.create_batch(5, owner=rep_li)
    with CaptureQueriesContext(connection) as many:
        assert client.get("/api/v1/opportunities").json()["count"] == 6
    assert len(many) == len(few)


def test_rep_creates_opportunity_and_gets_etag(api_client_for, rep_li):
    customer = customer_for(rep_li)
    response = _post(api_client_for(rep_li), "/api/v1/opportunities",
                     {"name": "New", "customer_id": customer.pk, "amount": "10.00", "currency": "usd"})
    assert response.status_code == 201, response.content
    assert response["ETag"] == '"1"'
    assert response.json()["owner_id"] == rep_li.pk and response.json()["currency"] == "USD"


def test_rep_gets_404_for_bobs_opportunity(api_client_for, rep_li, bob_deal):
    client = api_client_for(rep_li)
    assert client.get(f"/api/v1/opportunities/{bob_deal.pk}").status_code == 404
    response = _post(client, f"/api/v1/opportunities/{bob_deal.pk}/move",
                     {"stage_id": stage("Proposal").pk, "version": 1})
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    bob_deal.refresh_from_db()
    assert bob_deal.stage == stage("Qualification") and bob_deal.version == 1


def test_rep_moves_own_opportunity_with_if_match(api_client_for, rep_li, li_deal):
    response = _post(api_client_for(rep_li), f"/api/v1/opportunities/{li_deal.pk}/move",
                     {"stage_id": stage("Won").pk, "position": 0}, **{"If-Match": '"1"'})
    assert response.status_code == 200, response.content
    assert response["ETag"] == '"2"' and response.json()["closed_on"] is not None
    assert AuditEvent.objects.filter(action="stage_change", object_id=str(li_deal.pk)).exists()


def test_manager_moves_teams_opportunity(api_client_for, manager_mei, li_deal):
    response = _post(api_client_for(manager_mei), f"/api/v1/opportunities/{li_deal.pk}/move",
                     {"stage_id": stage("Proposal").pk, "version": 1})
    assert response.status_code == 200
    assert Opportunity.objects.get(pk=li_deal.pk).stage == stage("Proposal")


@pytest.mark.parametrize("persona", ["marketing_ana", "service_sam"])
def test_marketing_and_service_cannot_move(api_client_for, request, persona, li_deal):
    user = request.getfixturevalue(persona)
    response = _post(api_client_for(user), f"/api/v1/opportunities/{li_deal.pk}/move",
                     {"stage_id": stage("Proposal").pk, "version": 1})
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    assert Opportunity.objects.get(pk=li_deal.pk).stage == stage("Qualification")


def test_move_to_lost_without_reason_answers_its_own_code(api_client_for, rep_li, li_deal):
    client = api_client_for(rep_li)
    response = _post(client, f"/api/v1/opportunities/{li_deal.pk}/move", {"stage_id": stage("Lost").pk, "version": 1})
    assert response.status_code == 422 and response.json()["code"] == "lost_reason_required"
    response = _post(client, f"/api/v1/opportunities/{li_deal.pk}/move",
                     {"stage_id": stage("Lost").pk, "version": 1, "lost_reason": "competitor"})
    assert response.status_code == 200 and response.json()["lost_reason"] == "competitor"


def test_stale_if_match_on_move_and_patch_is_412_and_changes_nothing(api_client_for, rep_li, li_deal):
    client = api_client_for(rep_li)
    ok = client.patch(f"/api/v1/opportunities/{li_deal.pk}", data=json.dumps({"name": "First"}),
                      content_type="application/json", headers={"If-Match": '"1"'})
    assert ok.status_code == 200 and ok["ETag"] == '"2"'
    stale = client.patch(f"/api/v1/opportunities/{li_deal.pk}", data=json.dumps({"name": "Second"}),
                         content_type="application/json", headers={"If-Match": '"1"'})
    assert stale.status_code == 412 and stale.json()["code"] == "precondition_failed"
    moved = _post(client, f"/api/v1/opportunities/{li_deal.pk}/move", {"stage_id": stage("Proposal").pk},
                  **{"If-Match": '"1"'})
    assert moved.status_code == 412
    li_deal.refresh_from_db()
    assert (li_deal.name, li_deal.stage, li_deal.version) == ("First", stage("Qualification"), 2)


def test_patch_and_move_without_version_are_428(api_client_for, rep_li, li_deal):
    client = api_client_for(rep_li)
    assert client.patch(f"/api/v1/opportunities/{li_deal.pk}", data=json.dumps({"name": "X"}),
                        content_type="application/json").status_code == 428
    assert _post(client, f"/api/v1/opportunities/{li_deal.pk}/move",
                 {"stage_id": stage("Proposal").pk}).status_code == 428


def test_owner_and_stage_cannot_be_mass_assigned(api_client_for, rep_li, li_deal, rep_bob):
    response = api_client_for(rep_li).patch(
        f"/api/v1/opportunities/{li_deal.pk}",
        data=json.dumps({"name": "X", "owner_id": rep_bob.pk, "stage_id": stage("Won").pk, "version": 1}),
        content_type="application/json",
    )
    assert response.status_code == 200
    li_deal.refresh_from_db()
    assert li_deal.owner == rep_li and li_deal.stage == stage("Qualification")


def test_delete_moves_to_trash(api_client_for, rep_li, li_deal):
    client = api_client_for(rep_li)
    assert client.delete(f"/api/v1/opportunities/{li_deal.pk}").status_code == 204
    assert client.get(f"/api/v1/opportunities/{li_deal.pk}").status_code == 404


def test_everyone_lists_stages_but_only_admin_changes_them(api_client_for, admin, rep_li):
    stages = api_client_for(rep_li).get("/api/v1/pipeline-stages").json()
    assert [s["name"] for s in stages][:2] == ["Qualification", "Needs analysis"]
    denied = _post(api_client_for(rep_li), "/api/v1/pipeline-stages", {"name": "X", "probability": 5})
    assert denied.status_code == 403
    client = api_client_for(admin)
    created = _post(client, "/api/v1/pipeline-stages", {"name": "Demo", "probability": 30})
    assert created.status_code == 201
    patched = client.patch(f"/api/v1/pipeline-stages/{created.json()['id']}", data=json.dumps({"probability": 35}),
                           content_type="application/json")
    assert patched.json()["probability"] == 35
    assert client.delete(f"/api/v1/pipeline-stages/{created.json()['id']}").status_code == 204
    assert not PipelineStage.objects.filter(name="Demo").exists()


def test_deleting_a_stage_in_use_is_409_stage_in_use(api_client_for, admin, li_deal):
    response = api_client_for(admin).delete(f"/api/v1/pipeline-stages/{stage('Qualification').pk}")
    assert response.status_code == 409 and response.json()["code"] == "stage_in_use"
