"""Two-factor authentication with an authenticator app (TOTP, RFC 6238) and one-time recovery codes
(SECURITY.md R7). Codes use 30-second steps with one step of tolerance either side, and each accepted
step is remembered so the same code cannot be used twice."""

import hashlib
import secrets
import time
from io import BytesIO

import pyotp
import qrcode
import qrcode.image.svg
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from veracity.accounts.models import (
    RecoveryCode,
    RoleCode,
    SecurityPolicy,
    TotpDevice,
    TwoFactorRequirement,
    User,
)
from veracity.audit.models import AuditAction
from veracity.audit.services import audit_event_record
from veracity.core.errors import ValidationFailed

ISSUER = "Veracity"
STEP_SECONDS = 30
TOLERANCE_STEPS = 1
RECOVERY_CODE_COUNT = 10


def _hash(code: str) -> str:
    return hashlib.sha256(_normalise_recovery_code(code).encode()).hexdigest()


def _normalise_recovery_code(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


def two_factor_enabled(user) -> bool:
    return TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()


def two_factor_required(user) -> bool:
    """Whether the security policy requires this user to use two-factor authentication."""
    requirement = SecurityPolicy.current().require_two_factor
    if requirement == TwoFactorRequirement.EVERYONE:
        return True
    if requirement == TwoFactorRequirement.ADMINS:
        return user.roles.filter(code=RoleCode.ADMIN).exists()
    return False


def provisioning_uri(device: TotpDevice) -> str:
    return pyotp.TOTP(device.secret, interval=STEP_SECONDS).provisioning_uri(
        name=device.user.username, issuer_name=ISSUER)


def qr_code_svg(uri: str) -> str:
    """The otpauth:// URI as an SVG QR code, made here (no external service, no script)."""
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=20, border=2)
    buffer = BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode()
    return svg[svg.index("<svg"):]  # drop the XML declaration so it can sit inside HTML


def _matching_step(device: TotpDevice, code: str, now: float | None = None) -> int | None:
    """The time step `code` belongs to (within the tolerance), if it is newer than the last one used."""
    code = "".join(ch for ch in (code or "") if ch.isdigit())
    if len(code) != 6:
        return None
    totp = pyotp.TOTP(device.secret, interval=STEP_SECONDS)
    now = time.time() if now is None else now
    current = int(now // STEP_SECONDS)
    for step in range(current - TOLERANCE_STEPS, current + TOLERANCE_STEPS + 1):
        if device.last_used_step is not None and step <= device.last_used_step:
            continue
        if secrets.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def _accept_totp(device: TotpDevice, code: str) -> bool:
    step = _matching_step(device, code)
    if step is None:
        return False
    # Conditional update: two requests racing with the same code cannot both win.
    last = device.last_used_step
    condition = {"last_used_step__isnull": True} if last is None else {"last_used_step": last}
    won = TotpDevice.objects.filter(pk=device.pk, **condition).update(last_used_step=step)
    device.last_used_step = step
    return bool(won)


@transaction.atomic
def totp_enrol_start(*, user: User) -> TotpDevice:
    """Create (or replace) an unconfirmed device with a new secret. An enabled device is kept until
    it is disabled."""
    if two_factor_enabled(user):
        raise ValidationFailed({"code": [_("Two-factor authentication is already on.")]}, code="already_enabled")
    TotpDevice.objects.filter(user=user).delete()
    return TotpDevice.objects.create(user=user, secret=pyotp.random_base32())


@transaction.atomic
def totp_enrol_confirm(*, user: User, code: str) -> list[str]:
    """Turn the device on once the user proves their app works. Returns fresh recovery codes (shown
    once; only their hashes are stored)."""
    device = TotpDevice.objects.select_for_update().filter(user=user, confirmed_at__isnull=True).first()
    if device is None:
        raise ValidationFailed({"code": [_("Start the set-up again.")]}, code="no_pending_device")
    if not _accept_totp(device, code):
        raise ValidationFailed({"code": [_("That code is not right. Check the time on your phone.")]},
                               code="invalid_code")
    device.confirmed_at = timezone.now()
    device.save(update_fields=["confirmed_at"])
    codes = _recovery_codes_replace(user)
    audit_event_record(actor=user, action=AuditAction.UPDATE, obj=user, changes={"two_factor": [False, True]})
    return codes


def _recovery_codes_replace(user: User) -> list[str]:
    RecoveryCode.objects.filter(user=user).delete()
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _i in range(RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.bulk_create(RecoveryCode(user=user, code_hash=_hash(code)) for code in codes)
    return codes


@transaction.atomic
def two_factor_verify(*, user: User, code: str) -> bool:
    """Check a login code: an authenticator code, or one of the unused recovery codes (then used up)."""
    device = TotpDevice.objects.select_for_update().filter(user=user, confirmed_at__isnull=False).first()
    if device is None:
        return False
    if _accept_totp(device, code):
        return True
    if not code or len(code) > 32:
        return False
    used = RecoveryCode.objects.filter(user=user, code_hash=_hash(code), used_at__isnull=True).update(
        used_at=timezone.now())
    if used:
        audit_event_record(actor=user, action=AuditAction.UPDATE, obj=user,
                           extra={"two_factor": "recovery code used"})
    return bool(used)


@transaction.atomic
def totp_disable(*, user: User, code: str) -> None:
    """Turn two-factor authentication off; needs a current code (or a recovery code)."""
    if not two_factor_verify(user=user, code=code):
        raise ValidationFailed({"code": [_("That code is not right.")]}, code="invalid_code")
    TotpDevice.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()
    audit_event_record(actor=user, action=AuditAction.UPDATE, obj=user, changes={"two_factor": [True, False]})


def recovery_codes_left(*, user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()
