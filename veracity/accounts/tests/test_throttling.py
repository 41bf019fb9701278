"""R6 / T11: failed logins are throttled per (username, IP) with django-axes, without a lock-out that
an attacker elsewhere can cause, and without telling whether the account exists."""

import pytest
from django.test import Client

from veracity.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

ATTACKER = "203.0.113.9"


def _login(username, password, ip=ATTACKER):
    return Client(REMOTE_ADDR=ip).post("/login/", {"username": username, "password": password})


def test_five_failures_lock_that_username_from_that_ip_only(rep_li, rep_lin, password):
    for _attempt in range(5):
        _login("rep_li", "wrong-password")
    locked = _login("rep_li", password)
    assert locked.status_code == 429
    assert "Too many failed attempts" in locked.content.decode()
    assert "_auth_user_id" not in locked.wsgi_request.session
    assert _login("rep_li", password, ip="198.51.100.7").status_code == 302   # rep_li elsewhere
    assert _login("rep_lin", password).status_code == 302                    # another user, same IP


def test_a_lock_out_says_the_same_for_an_unknown_user(db):
    for _attempt in range(5):
        _login("nobody-here", "wrong-password")
    response = _login("nobody-here", "wrong-password")
    assert response.status_code == 429
    assert "Too many failed attempts" in response.content.decode()


def test_locked_out_attempts_are_audited_with_the_reason(rep_li, password):
    for _attempt in range(6):
        _login("rep_li", "wrong-password")
    reasons = list(AuditEvent.objects.filter(action="login_failed", object_repr="rep_li")
                   .values_list("extra__reason", flat=True))
    assert reasons.count("bad_credentials") >= 4 and "locked_out" in reasons


def test_success_resets_the_failure_count(rep_li, password):
    for _attempt in range(4):
        _login("rep_li", "wrong-password")
    assert _login("rep_li", password).status_code == 302
    for _attempt in range(4):
        _login("rep_li", "wrong-password")
    assert _login("rep_li", password).status_code == 302


def test_the_api_token_path_is_not_affected_by_a_lock_out(rep_li, api_client_for):
    api = api_client_for(rep_li)
    for _attempt in range(6):
        _login("rep_li", "wrong-password", ip="127.0.0.1")
    assert api.get("/api/v1/me").status_code == 200
