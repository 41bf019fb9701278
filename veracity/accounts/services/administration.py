"""What administrators change about access: users' roles and teams, teams, the permission matrix,
the security policy, and other people's sessions. Every change is audited with old → new values and
takes effect on the next request (grants are cached only on the request's own user object)."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from veracity.accounts.access import RESTRICTED_FIELDS, access_require
from veracity.accounts.models import (
    Action,
    FieldPermission,
    Resource,
    Role,
    RoleCode,
    RolePermission,
    Scope,
    SecurityPolicy,
    Team,
    TwoFactorRequirement,
    User,
)
from veracity.accounts.services.guards import ensure_another_active_admin
from veracity.accounts.services.sessions import user_sessions_end
from veracity.audit.models import AuditAction
from veracity.audit.services import audit_event_record
from veracity.core.errors import NotFound, ValidationFailed

# What an administrator may set on a user (pages and API). Username, password, is_staff and
# is_superuser are not here: they are never writable through these paths.
USER_WRITABLE_FIELDS = ("display_name", "email", "team", "roles", "is_active")
TEAM_WRITABLE_FIELDS = ("name", "manager")


def _role_codes(user: User) -> list[str]:
    return sorted(user.roles.values_list("code", flat=True))


@transaction.atomic
def user_update(*, actor, user: User, changes: dict) -> User:
    """Change the fields in USER_WRITABLE_FIELDS. Deactivation also ends sessions and revokes tokens."""
    from veracity.accounts.services import user_deactivate

    if actor is not None:
        access_require(actor, Resource.USER, Action.EDIT)
    unknown = sorted(set(changes) - set(USER_WRITABLE_FIELDS))
    if unknown:
        raise ValidationFailed({name: [_("This field cannot be changed.")] for name in unknown}, code="read_only")
    user = User.objects.select_for_update().get(pk=user.pk)
    diff: dict[str, list] = {}
    permission_diff: dict[str, list] = {}
    if "roles" in changes:
        new_roles = sorted(set(changes["roles"]))
        unknown_roles = sorted(set(new_roles) - set(RoleCode.values))
        if unknown_roles:
            raise ValidationFailed({"roles": [_("Unknown role(s): %(roles)s.") % {"roles": ", ".join(unknown_roles)}]})
        old_roles = _role_codes(user)
        if new_roles != old_roles:
            if actor is not None and actor.pk == user.pk:
                raise ValidationFailed({"roles": [_("You cannot change your own roles.")]}, code="own_roles")
            if RoleCode.ADMIN in old_roles and RoleCode.ADMIN not in new_roles and user.is_active:
                ensure_another_active_admin(user=user, field="roles")
            user.roles.set(Role.objects.filter(code__in=new_roles))
            permission_diff["roles"] = [old_roles, new_roles]
    if "team" in changes:
        team = changes["team"]
        if isinstance(team, int):
            team = Team.objects.filter(pk=team).first()
            if team is None:
                raise ValidationFailed({"team": [_("No such team.")]})
        if (team.pk if team else None) != user.team_id:
            if actor is not None and actor.pk == user.pk:
                raise ValidationFailed({"team": [_("You cannot change your own team.")]}, code="own_roles")
            permission_diff["team"] = [user.team_id, team.pk if team else None]
            user.team = team
    for name in ("display_name", "email"):
        if name in changes and (changes[name] or "") != getattr(user, name):
            value = (changes[name] or "").strip()
            if name == "email" and value and "@" not in value:
                raise ValidationFailed({"email": [_("Enter a valid email address.")]})
            diff[name] = [getattr(user, name), value[:254 if name == "email" else 100]]
            setattr(user, name, diff[name][1])
    if diff or "team" in permission_diff:
        user.save()
    if permission_diff:
        audit_event_record(actor=actor, action=AuditAction.PERMISSION_CHANGE, obj=user, changes=permission_diff)
    if diff:
        audit_event_record(actor=actor, action=AuditAction.UPDATE, obj=user, changes=diff)
    if "is_active" in changes and bool(changes["is_active"]) != user.is_active:
        if changes["is_active"]:
            user_reactivate(actor=actor, user=user)
        else:
            if actor is not None and actor.pk == user.pk:
                raise ValidationFailed({"is_active": [_("You cannot deactivate yourself.")]}, code="own_account")
            user_deactivate(actor=actor, user=user)
    user.refresh_from_db()
    return user


@transaction.atomic
def user_reactivate(*, actor, user: User) -> User:
    if actor is not None:
        access_require(actor, Resource.USER, Action.EDIT)
    if not user.is_active:
        User.objects.filter(pk=user.pk).update(is_active=True)
        user.is_active = True
        audit_event_record(actor=actor, action=AuditAction.UPDATE, obj=user, changes={"is_active": [False, True]})
    return user


def user_sessions_terminate(*, actor, user: User) -> int:
    """An administrator ends all of someone's web sessions (their API tokens are left alone)."""
    if actor is not None:
        access_require(actor, Resource.USER, Action.EDIT)
    ended = user_sessions_end(user=user)
    audit_event_record(actor=actor, action=AuditAction.UPDATE, obj=user, extra={"sessions_ended": ended})
    return ended


@transaction.atomic
def user_password_change(*, user: User, new_password: str, keep_session_key: str | None) -> User:
    """The user sets a new password: every other session of theirs ends, the current one stays."""
    try:
        validate_password(new_password, user=user)
    except DjangoValidationError as error:
        raise ValidationFailed({"new_password1": list(error.messages)}, code="weak_password") from error
    user.set_password(new_password)
    user.save(update_fields=["password"])
    ended = user_sessions_end(user=user, keep_session_key=keep_session_key)
    audit_event_record(actor=user, action=AuditAction.UPDATE, obj=user, changes={"password": ["***", "***"]},
                       extra={"sessions_ended": ended})
    return user


@transaction.atomic
def team_create(*, actor, name: str, manager: User | None = None) -> Team:
    if actor is not None:
        access_require(actor, Resource.TEAM, Action.CREATE)
    name = (name or "").strip()
    if not name:
        raise ValidationFailed({"name": [_("A name is required.")]})
    if Team.objects.filter(name__iexact=name).exists():
        raise ValidationFailed({"name": [_("A team with this name exists.")]}, code="team_name_taken")
    team = Team.objects.create(name=name[:100], manager=manager)
    audit_event_record(actor=actor, action=AuditAction.PERMISSION_CHANGE, obj=team,
                       changes={"name": [None, team.name], "manager": [None, manager.pk if manager else None]})
    return team


@transaction.atomic
def team_update(*, actor, team: Team, changes: dict) -> Team:
    if actor is not None:
        access_require(actor, Resource.TEAM, Action.EDIT)
    unknown = sorted(set(changes) - set(TEAM_WRITABLE_FIELDS))
    if unknown:
        raise ValidationFailed({name: [_("This field cannot be changed.")] for name in unknown}, code="read_only")
    team = Team.objects.select_for_update().get(pk=team.pk)
    diff: dict[str, list] = {}
    if "name" in changes:
        name = (changes["name"] or "").strip()[:100]
        if not name:
            raise ValidationFailed({"name": [_("A name is required.")]})
        if name != team.name:
            if Team.objects.filter(name__iexact=name).exclude(pk=team.pk).exists():
                raise ValidationFailed({"name": [_("A team with this name exists.")]}, code="team_name_taken")
            diff["name"] = [team.name, name]
            team.name = name
    if "manager" in changes:
        manager = changes["manager"]
        if isinstance(manager, int):
            manager = User.objects.filter(pk=manager, is_active=True).first()
            if manager is None:
                raise ValidationFailed({"manager": [_("No such active user.")]})
        if (manager.pk if manager else None) != team.manager_id:
            diff["manager"] = [team.manager_id, manager.pk if manager else None]
            team.manager = manager
    if diff:
        team.save()
        audit_event_record(actor=actor, action=AuditAction.PERMISSION_CHANGE, obj=team, changes=diff)
    return team


def _role(code: str) -> Role:
    role = Role.objects.filter(code=code).first()
    if role is None:
        raise NotFound(_("No such role."))
    return role


@transaction.atomic
def role_permission_set(*, actor, role_code: str, resource: str, action: str, scope: int | None) -> int | None:
    """Set one cell of the permission matrix; `scope=None` removes the grant. Returns the old scope."""
    if actor is not None:
        access_require(actor, Resource.USER, Action.EDIT)
    role = _role(role_code)
    if resource not in Resource.values or action not in Action.values:
        raise NotFound(_("No such permission."))
    if scope is not None and scope not in Scope.values:
        raise ValidationFailed({"scope": [_("Unknown scope.")]})
    if role.code == RoleCode.ADMIN and resource in (Resource.USER, Resource.TEAM) and scope != Scope.ALL:
        # Otherwise nobody could ever manage access again.
        raise ValidationFailed({"scope": [_("Administrators keep full access to users and teams.")]},
                               code="admin_lockout")
    row = RolePermission.objects.select_for_update().filter(role=role, resource=resource, action=action).first()
    old = row.scope if row else None
    if old == scope:
        return old
    if scope is None:
        row.delete()
    elif row is None:
        RolePermission.objects.create(role=role, resource=resource, action=action, scope=scope)
    else:
        row.scope = scope
        row.save(update_fields=["scope"])
    audit_event_record(
        actor=actor, action=AuditAction.PERMISSION_CHANGE, object_type="accounts.rolepermission",
        object_id=f"{role.code}:{resource}:{action}", object_repr=f"{role.code} {action} {resource}",
        changes={"scope": [_scope_name(old), _scope_name(scope)]},
    )
    return old


def _scope_name(scope: int | None) -> str:
    return Scope(scope).name.lower() if scope else "none"


@transaction.atomic
def field_permission_set(*, actor, role_code: str, resource: str, field: str, granted: bool) -> bool:
    """Grant or withdraw sight of a restricted field. Returns whether it was granted before."""
    if actor is not None:
        access_require(actor, Resource.USER, Action.EDIT)
    role = _role(role_code)
    if field not in RESTRICTED_FIELDS.get(resource, ()):
        raise NotFound(_("No such restricted field."))
    existing = FieldPermission.objects.filter(role=role, resource=resource, field=field)
    before = existing.exists()
    if before == granted:
        return before
    if granted:
        FieldPermission.objects.create(role=role, resource=resource, field=field)
    else:
        existing.delete()
    audit_event_record(
        actor=actor, action=AuditAction.PERMISSION_CHANGE, object_type="accounts.fieldpermission",
        object_id=f"{role.code}:{resource}:{field}", object_repr=f"{role.code} sees {resource}.{field}",
        changes={"granted": [before, granted]},
    )
    return before


@transaction.atomic
def security_policy_update(*, actor, require_two_factor: str) -> SecurityPolicy:
    if actor is not None:
        access_require(actor, Resource.USER, Action.EDIT)
    if require_two_factor not in TwoFactorRequirement.values:
        raise ValidationFailed({"require_two_factor": [_("Unknown choice.")]})
    policy = SecurityPolicy.current()
    old = policy.require_two_factor
    if old != require_two_factor:
        policy.require_two_factor = require_two_factor
        policy.updated_at = timezone.now()
        policy.save()
        audit_event_record(actor=actor, action=AuditAction.PERMISSION_CHANGE, obj=policy,
                           changes={"require_two_factor": [old, require_two_factor]})
    return policy
