"""Login, logout and the profile page where users manage their API tokens."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from veracity.accounts import selectors, services
from veracity.accounts.forms import ApiTokenForm, LoginForm


class LoginView(auth_views.LoginView):
    """Django's login (which rotates the session key), with every attempt written to the audit trail."""

    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        services.login_record(user=form.get_user(), succeeded=True)
        return response

    def form_invalid(self, form):
        services.login_record(user=None, succeeded=False, username=form.data.get("username", "")[:150])
        return super().form_invalid(form)


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
