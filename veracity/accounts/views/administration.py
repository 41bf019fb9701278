"""Pages under /admin-access/ where administrators manage access: users, teams, the permission matrix
and the security policy. Each view asks the matrix (user:edit, user:create, team:edit, team:create)
and changes things only through the audited services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from veracity.accounts import selectors, services
from veracity.accounts.access import RESTRICTED_FIELDS, access_require
from veracity.accounts.forms import (
    SecurityPolicyForm,
    TeamForm,
    UserAdminForm,
    UserCreateForm,
    UserFilterForm,
)
from veracity.accounts.models import Action, Resource, Role, Scope, SecurityPolicy, Team
from veracity.core.errors import ValidationFailed
from veracity.core.forms import add_validation_errors
from veracity.core.views import paginate

SCOPE_CHOICES = [("", "—"), *((str(value), label) for value, label in Scope.choices)]


@login_required
def user_list(request):
    form = UserFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    users = selectors.user_admin_list(
        user=request.user, q=data.get("q") or "", role=data.get("role") or "",
        team_id=data["team"].pk if data.get("team") else None,
        active={"1": True, "0": False}.get(data.get("active") or ""),
    )
    return render(request, "accounts/admin/user_list.html", {"page_obj": paginate(request, users), "filter_form": form})


@login_required
def user_create(request):
    access_require(request.user, Resource.USER, Action.CREATE)
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.user_create(actor=request.user, username=data["username"], password=data["password"],
                                        email=data["email"] or "", display_name=data["display_name"] or "",
                                        roles=data["roles"], team=data["team"])
        except ValidationFailed as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, _("User created."))
            return redirect("accounts:admin_user_edit", pk=user.pk)
    return render(request, "accounts/admin/user_form.html", {"form": form, "creating": True})


@login_required
def user_edit(request, pk: int):
    target = selectors.user_admin_get(user=request.user, pk=pk)
    initial = {"display_name": target.display_name, "email": target.email, "team": target.team,
               "roles": [role.code for role in target.roles.all()]}
    form = UserAdminForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update(actor=request.user, user=target, changes=form.cleaned_data)
        except ValidationFailed as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("accounts:admin_user_edit", pk=target.pk)
    return render(request, "accounts/admin/user_form.html", {"form": form, "target": target,
                                                             "is_self": target.pk == request.user.pk})


def _user_action(request, pk: int, action):
    target = selectors.user_admin_get(user=request.user, pk=pk)
    try:
        action(target)
    except ValidationFailed as error:
        for field_messages in error.fields.values():
            for message in field_messages:
                messages.error(request, message)
    return redirect("accounts:admin_user_edit", pk=target.pk)


@login_required
@require_POST
def user_deactivate(request, pk: int):
    def deactivate(target):
        services.user_update(actor=request.user, user=target, changes={"is_active": False})
        messages.success(request, _("Deactivated. Their sessions and API tokens have ended."))
    return _user_action(request, pk, deactivate)


@login_required
@require_POST
def user_reactivate(request, pk: int):
    def reactivate(target):
        services.user_reactivate(actor=request.user, user=target)
        messages.success(request, _("Reactivated."))
    return _user_action(request, pk, reactivate)


@login_required
@require_POST
def user_end_sessions(request, pk: int):
    def end(target):
        ended = services.user_sessions_terminate(actor=request.user, user=target)
        messages.success(request, _("%(count)d session(s) ended.") % {"count": ended})
    return _user_action(request, pk, end)


@login_required
def team_list(request):
    access_require(request.user, Resource.TEAM, Action.EDIT)
    teams = selectors.team_list()
    return render(request, "accounts/admin/team_list.html", {"teams": teams})


@login_required
def team_create(request):
    access_require(request.user, Resource.TEAM, Action.CREATE)
    form = TeamForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.team_create(actor=request.user, name=form.cleaned_data["name"],
                                 manager=form.cleaned_data["manager"])
        except ValidationFailed as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, _("Team created."))
            return redirect("accounts:admin_team_list")
    return render(request, "accounts/admin/team_form.html", {"form": form, "creating": True})


@login_required
def team_edit(request, pk: int):
    team = selectors.team_admin_get(user=request.user, pk=pk)
    form = TeamForm(request.POST or None, initial={"name": team.name, "manager": team.manager})
    if request.method == "POST" and form.is_valid():
        try:
            services.team_update(actor=request.user, team=team, changes=form.cleaned_data)
        except ValidationFailed as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("accounts:admin_team_list")
    return render(request, "accounts/admin/team_form.html", {"form": form, "team": team})


@login_required
def permission_matrix(request):
    """The grid of roles × resources × actions with a scope in each cell, and the field grants."""
    matrix = selectors.permission_matrix(user=request.user)
    roles = list(Role.objects.all())
    if request.method == "POST":
        changed = 0
        try:
            for role in roles:
                for resource in Resource.values:
                    for action in Action.values:
                        key = f"perm:{role.code}:{resource}:{action}"
                        if key not in request.POST:
                            continue
                        raw = request.POST[key]
                        scope = int(raw) if raw.isdigit() else None
                        if matrix["grants"].get(role.code, {}).get((resource, action)) != scope:
                            services.role_permission_set(actor=request.user, role_code=role.code,
                                                         resource=resource, action=action, scope=scope)
                            changed += 1
                for resource, fields in RESTRICTED_FIELDS.items():
                    for field in fields:
                        granted = f"field:{role.code}:{resource}:{field}" in request.POST
                        if request.POST.get("fields_submitted") and granted != (
                                (resource, field) in matrix["fields"].get(role.code, set())):
                            services.field_permission_set(actor=request.user, role_code=role.code,
                                                          resource=resource, field=field, granted=granted)
                            changed += 1
        except ValidationFailed as error:
            for field_messages in error.fields.values():
                for message in field_messages:
                    messages.error(request, message)
        else:
            messages.success(request, _("%(count)d permission(s) changed.") % {"count": changed})
        return redirect("accounts:admin_permissions")
    rows = []
    for resource, resource_label in Resource.choices:
        cells = []
        for role in roles:
            grants = matrix["grants"].get(role.code, {})
            cells.append({"role": role, "actions": [
                {"action": action, "label": label, "name": f"perm:{role.code}:{resource}:{action}",
                 "scope": str(grants.get((resource, action), ""))}
                for action, label in Action.choices]})
        rows.append({"resource": resource, "label": resource_label, "cells": cells})
    field_rows = [
        {"resource": resource, "field": field, "cells": [
            {"role": role, "name": f"field:{role.code}:{resource}:{field}",
             "granted": (resource, field) in matrix["fields"].get(role.code, set())} for role in roles]}
        for resource, fields in RESTRICTED_FIELDS.items() for field in fields
    ]
    return render(request, "accounts/admin/permissions.html", {
        "roles": roles, "rows": rows, "field_rows": field_rows, "scope_choices": SCOPE_CHOICES,
    })


@login_required
def security_policy(request):
    access_require(request.user, Resource.USER, Action.EDIT)
    policy = SecurityPolicy.current()
    form = SecurityPolicyForm(request.POST or None, initial={"require_two_factor": policy.require_two_factor})
    if request.method == "POST" and form.is_valid():
        services.security_policy_update(actor=request.user,
                                        require_two_factor=form.cleaned_data["require_two_factor"])
        messages.success(request, _("Saved. The new rule applies from each user's next login."))
        return redirect("accounts:admin_security")
    return render(request, "accounts/admin/security.html", {"form": form, "teams": Team.objects.count()})
