"""R8: idle and absolute session timeouts enforced on the server; administrators end sessions."""

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client
from freezegun import freeze_time

from veracity.audit.models import AuditEvent

pytestmark = pytest.mark.django_db
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def test_session_save_every_request_stays_off():
    assert settings.SESSION_SAVE_EVERY_REQUEST is False


def test_idle_timeout_ends_the_session(rep_li, password):
    client = Client()
    with freeze_time(START) as clock:
        client.post("/login/", {"username": "rep_li", "password": password})
        assert client.get("/").status_code == 200
        clock.tick(dt.timedelta(seconds=settings.SESSION_IDLE_SECONDS - 60))
        assert client.get("/").status_code == 200
        clock.tick(dt.timedelta(seconds=settings.SESSION_IDLE_SECONDS + 1))
        assert client.get("/").status_code == 302


def test_absolute_timeout_is_not_extended_by_activity(rep_li, password):
    client = Client()
    step = dt.timedelta(seconds=settings.SESSION_IDLE_SECONDS - 60)
    with freeze_time(START) as clock:
        client.post("/login/", {"username": "rep_li", "password": password})
        elapsed = dt.timedelta(0)
        while elapsed + step < dt.timedelta(seconds=settings.SESSION_COOKIE_AGE):
            clock.tick(step)
            elapsed += step
            assert client.get("/").status_code == 200
        clock.tick(step)
        assert client.get("/").status_code == 302


def test_admin_ends_a_users_sessions_from_the_user_page(admin, rep_li, web_client_for, password):
    li = Client()
    li.post("/login/", {"username": "rep_li", "password": password})
    assert li.get("/").status_code == 200
    response = web_client_for(admin).post(f"/admin-access/users/{rep_li.pk}/end-sessions/")
    assert response.status_code == 302
    assert li.get("/").status_code == 302
    assert AuditEvent.objects.filter(object_id=str(rep_li.pk), extra__sessions_ended=1).exists()


def test_a_non_admin_cannot_end_someone_elses_sessions(rep_bob, rep_li, web_client_for, password):
    li = Client()
    li.post("/login/", {"username": "rep_li", "password": password})
    assert web_client_for(rep_bob).post(f"/admin-access/users/{rep_li.pk}/end-sessions/").status_code == 403
    assert li.get("/").status_code == 200
