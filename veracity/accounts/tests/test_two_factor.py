"""R7: TOTP two-factor authentication — enrolment with a server-made QR code, single-use codes in
30-second steps, recovery codes hashed at rest, and a policy that can require it."""

import time

import pyotp
import pytest
from django.test import Client

from veracity.accounts.models import RecoveryCode, SecurityPolicy, TotpDevice, TwoFactorRequirement
from veracity.accounts.services import security_policy_update, totp_enrol_confirm, totp_enrol_start
from veracity.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def _enrol(user) -> tuple[pyotp.TOTP, list[str]]:
    device = totp_enrol_start(user=user)
    totp = pyotp.TOTP(device.secret)
    # A code from the previous step, so the test's own login code (the current step) is still unused.
    codes = totp_enrol_confirm(user=user, code=totp.at(time.time() - 30))
    return totp, codes


def test_enrolment_on_the_profile_shows_an_svg_qr_code_and_then_recovery_codes(web_client_for, rep_li):
    client = web_client_for(rep_li)
    assert client.post("/profile/two-factor/setup/").status_code == 302
    page = client.get("/profile/two-factor/").content.decode()
    device = TotpDevice.objects.get(user=rep_li)
    assert "<svg" in page and "otpauth://totp/Veracity:rep_li?secret=" + device.secret in page
    assert "<script" not in page.split("<main", 1)[-1].split("</main>")[0] if "<main" in page else True
    response = client.post("/profile/two-factor/confirm/", {"code": pyotp.TOTP(device.secret).now()})
    assert response.status_code == 302
    page = client.get("/profile/two-factor/").content.decode()
    assert "recovery-codes" in page
    assert TotpDevice.objects.get(user=rep_li).confirmed_at is not None
    assert RecoveryCode.objects.filter(user=rep_li).count() == 10
    assert AuditEvent.objects.filter(action="update", object_id=str(rep_li.pk), changes__two_factor=[False, True]).exists()


def test_a_wrong_code_does_not_turn_it_on(web_client_for, rep_li):
    client = web_client_for(rep_li)
    client.post("/profile/two-factor/setup/")
    client.post("/profile/two-factor/confirm/", {"code": "000000"})
    assert TotpDevice.objects.get(user=rep_li).confirmed_at is None


def test_recovery_codes_are_stored_hashed(rep_li):
    _totp, codes = _enrol(rep_li)
    stored = set(RecoveryCode.objects.filter(user=rep_li).values_list("code_hash", flat=True))
    assert not set(codes) & stored and all(len(value) == 64 for value in stored)


def test_login_asks_for_the_code_after_the_password(rep_li, password):
    totp, _codes = _enrol(rep_li)
    client = Client()
    response = client.post("/login/", {"username": "rep_li", "password": password})
    assert response.status_code == 302 and response["Location"] == "/login/verify/"
    assert client.get("/").status_code == 302  # not logged in yet
    assert client.post("/login/verify/", {"code": "123456"}).status_code == 200
    response = client.post("/login/verify/", {"code": totp.now()})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert AuditEvent.objects.filter(action="login_failed", extra__reason="bad_two_factor_code").exists()


def test_the_same_code_cannot_be_used_twice(rep_li, password):
    totp, _codes = _enrol(rep_li)
    code = totp.now()
    first = Client()
    first.post("/login/", {"username": "rep_li", "password": password})
    assert first.post("/login/verify/", {"code": code}).status_code == 302
    second = Client()
    second.post("/login/", {"username": "rep_li", "password": password})
    assert second.post("/login/verify/", {"code": code}).status_code == 200
    assert second.get("/").status_code == 302


def test_codes_one_step_away_are_accepted_but_not_two(rep_li, password):
    from veracity.accounts.services.twofactor import _matching_step

    totp, _codes = _enrol(rep_li)
    device = TotpDevice.objects.get(user=rep_li)
    device.last_used_step = None
    now = time.time()
    assert _matching_step(device, totp.at(now + 30), now) is not None
    assert _matching_step(device, totp.at(now - 30), now) is not None
    assert _matching_step(device, totp.at(now - 90), now) is None


def test_a_recovery_code_works_once(rep_li, password):
    _totp, codes = _enrol(rep_li)
    client = Client()
    client.post("/login/", {"username": "rep_li", "password": password})
    assert client.post("/login/verify/", {"code": codes[0]}).status_code == 302
    again = Client()
    again.post("/login/", {"username": "rep_li", "password": password})
    assert again.post("/login/verify/", {"code": codes[0]}).status_code == 200


def test_disable_needs_a_code(web_client_for, rep_li):
    totp, _codes = _enrol(rep_li)
    client = web_client_for(rep_li)
    client.post("/profile/two-factor/disable/", {"code": "000000"})
    assert TotpDevice.objects.filter(user=rep_li).exists()
    client.post("/profile/two-factor/disable/", {"code": totp.now()})
    assert not TotpDevice.objects.filter(user=rep_li).exists()
    assert not RecoveryCode.objects.filter(user=rep_li).exists()


def test_policy_sends_admins_without_two_factor_to_enrolment(admin, rep_li, password):
    security_policy_update(actor=admin, require_two_factor=TwoFactorRequirement.ADMINS)
    client = Client()
    client.post("/login/", {"username": "admin", "password": password})
    response = client.get("/customers/")
    assert response.status_code == 302 and response["Location"] == "/profile/two-factor/"
    assert client.get("/api/v1/me").status_code == 403
    # a rep is not in scope
    rep = Client()
    rep.post("/login/", {"username": "rep_li", "password": password})
    assert rep.get("/customers/").status_code == 200
    # enrolling lets the admin in
    client.post("/profile/two-factor/setup/")
    device = TotpDevice.objects.get(user=admin)
    client.post("/profile/two-factor/confirm/", {"code": pyotp.TOTP(device.secret).now()})
    assert client.get("/customers/").status_code == 200


def test_policy_for_everyone_still_lets_api_tokens_work(admin, rep_li, api_client_for, password):
    security_policy_update(actor=admin, require_two_factor=TwoFactorRequirement.EVERYONE)
    assert api_client_for(rep_li).get("/api/v1/me").status_code == 200
    client = Client()
    client.post("/login/", {"username": "rep_li", "password": password})
    assert client.get("/").status_code == 302


def test_policy_change_is_audited_and_only_admins_may_make_it(admin, rep_li, web_client_for):
    response = web_client_for(rep_li).post("/admin-access/security/", {"require_two_factor": "everyone"})
    assert response.status_code == 403
    assert SecurityPolicy.current().require_two_factor == "nobody"
    web_client_for(admin).post("/admin-access/security/", {"require_two_factor": "everyone"})
    assert SecurityPolicy.current().require_two_factor == "everyone"
    event = AuditEvent.objects.get(action="permission_change", object_type="accounts.securitypolicy")
    assert event.changes == {"require_two_factor": ["nobody", "everyone"]}
