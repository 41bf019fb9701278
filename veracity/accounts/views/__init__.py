"""Login (with the two-factor step), logout, and the profile pages where users manage their password,\ntwo-factor authentication and API tokens."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from veracity.accounts import selectors, services
from veracity.accounts.access import can
from veracity.accounts.forms import ApiTokenForm, LoginForm, TwoFactorCodeForm
from veracity.accounts.middleware import ENROL_REQUIRED_KEY, LOGIN_AT_KEY
from veracity.accounts.models import Action, Resource, TotpDevice, User
from veracity.accounts.services import twofactor
from veracity.core.errors import ValidationFailed

PENDING_KEY = "veracity_two_factor_pending"
PENDING_SECONDS = 300
MAX_CODE_ATTEMPTS = 5


def _finish_login(request, user):
    """Log `user` in (Django rotates the session key), start the absolute session clock, and
    remember whether the security policy sends them to two-factor enrolment first."""
    auth_login(request, user)
    request.session[LOGIN_AT_KEY] = int(time.time())
    if services.two_factor_required(user) and not services.two_factor_enabled(user):
        request.session[ENROL_REQUIRED_KEY] = True
    services.login_record(user=user, succeeded=True)


class LoginView(auth_views.LoginView):
    """Django's login, throttled per (username, IP) by django-axes, followed by the two-factor code
    for users who have it; every attempt is written to the audit trail."""

    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if services.two_factor_enabled(user):
            self.request.session.cycle_key()
            self.request.session[PENDING_KEY] = {
                "user_id": user.pk, "backend": user.backend, "at": int(time.time()), "attempts": 0,
                "next": self.get_success_url(),
            }
            return redirect("accounts:login_verify")
        _finish_login(self.request, user)
        return HttpResponseRedirect(self.get_success_url())

    def form_invalid(self, form):
        locked = bool(getattr(self.request, "axes_locked_out", False))
        services.login_record(user=None, succeeded=False, username=form.data.get("username", "")[:150],
                              reason="locked_out" if locked else "bad_credentials")
        return super().form_invalid(form)


def login_locked_out(request, original_response=None, credentials=None):
    """What django-axes answers while a (username, IP) pair is locked out: the login page with a
    message that says nothing about whether the account exists."""
    message = _("Too many failed attempts. Wait %(minutes)d minutes, then try again.") % {
        "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)}
    return render(request, "accounts/login.html", {"form": LoginForm(request), "next": "",
                                                   "lockout_message": message}, status=429)


def login_verify(request):
    """The second step of login for users with two-factor authentication."""
    pending = request.session.get(PENDING_KEY)
    if not pending or int(time.time()) - pending["at"] > PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        messages.error(request, _("Please log in again."))
        return redirect("accounts:login")
    user = User.objects.filter(pk=pending["user_id"], is_active=True).first()
    if user is None:
        request.session.pop(PENDING_KEY, None)
        return redirect("accounts:login")
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.two_factor_verify(user=user, code=form.cleaned_data["code"]):
            del request.session[PENDING_KEY]
            user.backend = pending["backend"]
            _finish_login(request, user)
            return HttpResponseRedirect(pending["next"])
        services.login_record(user=None, succeeded=False, username=user.username, reason="bad_two_factor_code")
        pending["attempts"] += 1
        if pending["attempts"] >= MAX_CODE_ATTEMPTS:
            del request.session[PENDING_KEY]
            messages.error(request, _("Too many wrong codes. Please log in again."))
            return redirect("accounts:login")
        request.session[PENDING_KEY] = pending
        form.add_error("code", _("That code is not right."))
    return render(request, "accounts/login_verify.html", {"form": form})


class LogoutView(auth_views.LogoutView):
    """POST only; flushes the server-side session and records the logout."""

    def post(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            services.logout_record(user=request.user)
        return super().post(request, *args, **kwargs)


@login_required
def profile(request):
    new_token = request.session.pop("new_api_token", None)
    return render(request, "accounts/profile.html", {
        "tokens": selectors.api_token_list(user=request.user),
        "roles": sorted(selectors.user_role_codes(request.user)),
        "form": ApiTokenForm(),
        "new_token": new_token,
        "two_factor": services.two_factor_enabled(request.user),
        "can_manage_access": can(request.user, Resource.USER, Action.EDIT),
    })


@login_required
@require_POST
def token_create(request):
    form = ApiTokenForm(request.POST)
    if form.is_valid():
        _token, raw = services.api_token_create(actor=request.user, user=request.user, name=form.cleaned_data["name"])
        # Shown once on the next page, then gone: only the hash is stored.
        request.session["new_api_token"] = raw
        messages.success(request, _("Token created. Copy it now: it will not be shown again."))
    else:
        messages.error(request, _("Give the token a name."))
    return redirect("accounts:profile")


@login_required
@require_POST
def token_revoke(request, pk: int):
    services.api_token_revoke(actor=request.user, user=request.user, token_id=pk)  # NotFound -> 404
    messages.success(request, _("Token revoked."))
    return redirect("accounts:profile")


@login_required
def password_change(request):
    """Change your password; your other sessions end, this one stays."""
    form = PasswordChangeForm(request.user, request.POST or None)
    for field in form.fields.values():
        field.widget.attrs["class"] = "form-control"
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_password_change(user=request.user, new_password=form.cleaned_data["new_password1"],
                                                 keep_session_key=request.session.session_key)
        except ValidationFailed as error:
            for message in error.fields.get("new_password1", []):
                form.add_error("new_password1", message)
        else:
            update_session_auth_hash(request, user)
            messages.success(request, _("Password changed. You were logged out everywhere else."))
            return redirect("accounts:profile")
    return render(request, "accounts/password_change.html", {"form": form})


@login_required
def two_factor(request):
    """Two-factor status; the set-up (QR code and confirmation) while a device is pending."""
    device = TotpDevice.objects.filter(user=request.user).first()
    enabled = device is not None and device.confirmed_at is not None
    context = {"enabled": enabled, "form": TwoFactorCodeForm(),
               "recovery_codes": request.session.pop("new_recovery_codes", None),
               "required": request.session.get(ENROL_REQUIRED_KEY, False)}
    if enabled:
        context["recovery_codes_left"] = services.recovery_codes_left(user=request.user)
    elif device is not None:
        uri = twofactor.provisioning_uri(device)
        context.update(pending=True, otpauth_uri=uri, secret=device.secret, qr_svg=twofactor.qr_code_svg(uri))
    return render(request, "accounts/two_factor.html", context)


@login_required
@require_POST
def two_factor_setup(request):
    try:
        services.totp_enrol_start(user=request.user)
    except ValidationFailed:
        messages.info(request, _("Two-factor authentication is already on."))
    return redirect("accounts:two_factor")


@login_required
@require_POST
def two_factor_confirm(request):
    form = TwoFactorCodeForm(request.POST)
    try:
        codes = services.totp_enrol_confirm(user=request.user, code=form.data.get("code", ""))
    except ValidationFailed as error:
        for message in error.fields.get("code", []):
            messages.error(request, message)
        return redirect("accounts:two_factor")
    request.session.pop(ENROL_REQUIRED_KEY, None)
    request.session["new_recovery_codes"] = codes  # shown once on the next page
    messages.success(request, _("Two-factor authentication is on."))
    return redirect("accounts:two_factor")


@login_required
@require_POST
def two_factor_disable(request):
    if services.two_factor_required(request.user):
        messages.error(request, _("The security policy requires two-factor authentication for you."))
        return redirect("accounts:two_factor")
    try:
        services.totp_disable(user=request.user, code=request.POST.get("code", ""))
    except ValidationFailed as error:
        for message in error.fields.get("code", []):
            messages.error(request, message)
        return redirect("accounts:two_factor")
    messages.success(request, _("Two-factor authentication is off."))
    return redirect("accounts:two_factor")
