import pytest
from django.contrib.sessions.models import Session

from veracity.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_login_rotates_the_session_and_is_audited(client, rep_li, password):
    client.get("/login/")
    before = client.cookies.get("sessionid")
    response = client.post("/login/", {"username": "rep_li", "password": password})
    assert response.status_code == 302
    assert client.cookies["sessionid"].value != (before.value if before else None)
    assert AuditEvent.objects.filter(action="login", actor=rep_li).exists()


def test_failed_login_is_audited_without_an_actor(client, rep_li):
    response = client.post("/login/", {"username": "rep_li", "password": "wrong-password"})
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="login_failed")
    assert event.actor is None and event.object_repr == "rep_li"


def test_logout_ends_the_server_side_session_and_is_audited(client, rep_li, password):
    client.post("/login/", {"username": "rep_li", "password": password})
    assert Session.objects.count() == 1
    client.post("/logout/")
    assert Session.objects.count() == 0
    assert AuditEvent.objects.filter(action="logout", actor=rep_li).exists()
    assert client.get("/").status_code == 302


def test_deactivated_users_sessions_and_tokens_end_at_once(client, api_client_for, rep_li, admin, password):
    from veracity.accounts.services import user_deactivate

    client.post("/login/", {"username": "rep_li", "password": password})
    api = api_client_for(rep_li)
    assert api.get("/api/v1/me").status_code == 200
    user_deactivate(actor=admin, user=rep_li)
    assert api.get("/api/v1/me").status_code == 401
    assert client.get("/").status_code == 302
