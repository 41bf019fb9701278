"""Writes for users, roles, API tokens, two-factor devices and the permission matrix. Each one records an
audit event. Split by topic into submodules; everything is importable from here."""

import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone

from veracity.accounts.access import access_require
from veracity.accounts.models import Action, ApiToken, Resource, Role, RoleCode, Team, User, hash_token
from veracity.accounts.services.guards import ensure_another_active_admin
from veracity.accounts.services.sessions import user_sessions_end
from veracity.audit.models import AuditAction
from veracity.audit.services import audit_event_record
from veracity.core.errors import NotFound, ValidationFailed

TOKEN_PREFIX = "vrc_"


@transaction.atomic
def user_create(
    *,
    actor,
    username: str,
    password: str,
    email: str = "",
    display_name: str = "",
    roles: list[str] | tuple[str, ...] = (RoleCode.SALES_REP,),
    team: Team | None = None,
    is_superuser: bool = False,
) -> User:
    if actor is not None:
        access_require(actor, Resource.USER, Action.CREATE)
    username = username.strip()
    if not username:
        raise ValidationFailed({"username": ["A username is required."]})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationFailed({"username": [f"The username {username!r} is taken."]}, code="username_taken")
    unknown = sorted(set(roles) - set(RoleCode.values))
    if unknown:
        raise ValidationFailed({"roles": [f"Unknown role(s): {', '.join(unknown)}."]})
    user = User(username=username, email=email, display_name=display_name, team=team,
                is_superuser=is_superuser, is_staff=is_superuser)
    try:
        validate_password(password, user=user)
    except DjangoValidationError as error:
        raise ValidationFailed({"password": list(error.messages)}, code="weak_password") from error
    user.set_password(password)
    user.save()
    user.roles.set(Role.objects.filter(code__in=roles))
    audit_event_record(
        actor=actor, action=AuditAction.CREATE, obj=user,
        changes={"username": [None, username], "roles": [None, sorted(roles)],
                 "team": [None, team.pk if team else None]},
    )
    return user


@transaction.atomic
def user_deactivate(*, actor, user: User) -> User:
    """Deactivating a user ends every web session and revokes every API token at once."""
    if actor is not None:
        access_require(actor, Resource.USER, Action.EDIT)
    if user.roles.filter(code=RoleCode.ADMIN).exists():
        ensure_another_active_admin(user=user, field="is_active")
    User.objects.filter(pk=user.pk).update(is_active=False)
    user.is_active = False
    revoked = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    ended = user_sessions_end(user=user)
    audit_event_record(
        actor=actor, action=AuditAction.UPDATE, obj=user, changes={"is_active": [True, False]},
        extra={"tokens_revoked": revoked, "sessions_ended": ended},
    )
    return user


@transaction.atomic
def api_token_create(*, actor, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token for `user`. Returns the token row and the raw token, which is never stored."""
    if actor is not None and actor.pk != user.pk:
        access_require(actor, Resource.USER, Action.EDIT)
    name = (name or "").strip() or "API token"
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name[:100], prefix=raw[:12], key_hash=hash_token(raw))
    audit_event_record(actor=actor, action=AuditAction.TOKEN_CREATE, obj=token,
                       extra={"user": user.username, "prefix": token.prefix})
    return token, raw


@transaction.atomic
def api_token_revoke(*, actor, user: User, token_id: int) -> ApiToken:
    token = ApiToken.objects.filter(pk=token_id, user=user).first()
    if token is None:
        raise NotFound("No such token.")
    if actor is not None and actor.pk != user.pk:
        access_require(actor, Resource.USER, Action.EDIT)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_event_record(actor=actor, action=AuditAction.TOKEN_REVOKE, obj=token,
                           extra={"user": user.username, "prefix": token.prefix})
    return token


def api_token_authenticate(*, raw_token: str) -> User | None:
    """The active user behind a raw token, or None. Inactive users' tokens never authenticate."""
    if not raw_token or not raw_token.startswith(TOKEN_PREFIX) or len(raw_token) > 100:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_token(raw_token), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    # Touch last_used_at at most once a minute so reads don't all turn into writes.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def login_record(*, user, succeeded: bool, username: str = "", reason: str = "") -> None:
    """Audit a login attempt (successful or not; `reason` says why one failed: "bad_credentials",
    "locked_out", "bad_two_factor_code")."""
    audit_event_record(
        actor=user if succeeded else None,
        action=AuditAction.LOGIN if succeeded else AuditAction.LOGIN_FAILED,
        object_type="accounts.user",
        object_id=user.pk if user is not None and succeeded else "",
        object_repr=username or getattr(user, "username", ""),
        extra={"reason": reason} if reason else None,
    )


def logout_record(*, user) -> None:
    audit_event_record(actor=user, action=AuditAction.LOGOUT, obj=user)


from veracity.accounts.services.administration import (  # noqa: E402  (split by topic; re-exported)
    USER_WRITABLE_FIELDS,
    field_permission_set,
    role_permission_set,
    security_policy_update,
    team_create,
    team_update,
    user_password_change,
    user_reactivate,
    user_sessions_terminate,
    user_update,
)
from veracity.accounts.services.twofactor import (  # noqa: E402
    recovery_codes_left,
    totp_disable,
    totp_enrol_confirm,
    totp_enrol_start,
    two_factor_enabled,
    two_factor_required,
    two_factor_verify,
)

__all__ = [
    "USER_WRITABLE_FIELDS", "api_token_authenticate", "api_token_create", "api_token_revoke",
    "field_permission_set", "login_record", "logout_record", "recovery_codes_left", "role_permission_set",
    "security_policy_update", "team_create", "team_update", "totp_disable", "totp_enrol_confirm",
    "totp_enrol_start", "two_factor_enabled", "two_factor_required", "two_factor_verify", "user_create",
    "user_deactivate", "user_password_change", "user_reactivate", "user_sessions_end",
    "user_sessions_terminate", "user_update",
]
