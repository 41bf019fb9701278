import pytest
from django.urls import reverse

from veracity.activities import services as activity_services
from veracity.activities.tests.factories import make_activity, make_customer
from veracity.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def changed_activity(rep_li):
    activity = make_activity(make_customer(rep_li), subject="旧主题")
    activity_services.activity_update(actor=rep_li, activity=activity, values={"subject": "新主题"}, expected_version=1)
    return activity


def test_audit_page_forbidden_to_reps_and_managers(web_client_for, rep_li, manager_mei):
    assert web_client_for(rep_li).get(reverse("workspace:audit_list")).status_code == 403
    assert web_client_for(manager_mei).get(reverse("workspace:audit_list")).status_code == 403


def test_auditor_sees_old_and_new_values(web_client_for, auditor_aud, changed_activity):
    html = web_client_for(auditor_aud).get(reverse("workspace:audit_list")).content.decode()
    assert "旧主题 → 新主题" in html


def test_filters(web_client_for, admin, changed_activity, rep_li):
    client = web_client_for(admin)
    url = reverse("workspace:audit_list")
    html = client.get(url, {"actor": "rep_li", "action": "update", "object_type": "activities.activity",
                            "object_id": changed_activity.pk}).content.decode()
    assert "旧主题 → 新主题" in html
    assert "旧主题 →" not in client.get(url, {"action": "delete"}).content.decode()
    assert "旧主题 →" not in client.get(url, {"date_to": "2000-01-01"}).content.decode()


def test_audit_api(api_client_for, auditor_aud, rep_li, changed_activity):
    body = api_client_for(auditor_aud).get("/api/v1/audit-events", {"action": "update"}).json()
    assert body["count"] == 1 and body["items"][0]["changes"] == {"subject": ["旧主题", "新主题"]}
    response = api_client_for(rep_li).get("/api/v1/audit-events")
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"


def test_audit_api_query_count(api_client_for, auditor_aud, rep_li, django_assert_max_num_queries):
    customer = make_customer(rep_li)
    for i in range(10):
        make_activity(customer, subject=f"A{i}")
        activity_services.activity_create(actor=rep_li, values={"kind": "note", "subject": f"N{i}", "customer": customer.pk})
    client = api_client_for(auditor_aud)
    with django_assert_max_num_queries(8):
        assert client.get("/api/v1/audit-events").json()["count"] >= 10


def test_there_is_no_way_to_edit_the_trail(api_client_for, admin, changed_activity):
    event = AuditEvent.objects.first()
    client = api_client_for(admin)
    assert client.delete(f"/api/v1/audit-events/{event.pk}").status_code in (404, 405)
    assert client.patch(f"/api/v1/audit-events/{event.pk}").status_code in (404, 405)
