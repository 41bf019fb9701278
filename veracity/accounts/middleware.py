import time

from django.conf import settings
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

LOGIN_AT_KEY = "veracity_login_at"
ENROL_REQUIRED_KEY = "veracity_two_factor_enrol_required"


class SessionTimeoutMiddleware:
    """Ends a web session after `SESSION_IDLE_SECONDS` without a request, and `SESSION_COOKIE_AGE`
    after login however active it was (the login time is kept in the session; the cookie's own
    expiry moves on every save, so it cannot be trusted for the absolute limit)."""

    KEY = "veracity_last_seen"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get(self.KEY, now)
            login_at = request.session.get(LOGIN_AT_KEY, now)
            if now - last_seen > settings.SESSION_IDLE_SECONDS or now - login_at > settings.SESSION_COOKIE_AGE:
                logout(request)
            else:
                request.session[self.KEY] = now
                request.session.setdefault(LOGIN_AT_KEY, now)
        return self.get_response(request)


class TwoFactorEnrolmentMiddleware:
    """A user whom the security policy requires to use two-factor authentication, and who logged in
    without it, can only reach the enrolment pages (and log out) until they have enrolled. The flag
    is set at login, so this costs no query per request. Bearer-token API calls are not affected."""

    ALLOWED_PREFIXES = ("/static/", "/i18n/", "/manifest", "/sw.js", "/health")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated and request.session.get(ENROL_REQUIRED_KEY)
                and not self._allowed(request.path)):
            if request.path.startswith("/api/"):
                return JsonResponse({"code": "two_factor_enrolment_required",
                                     "message": "Set up two-factor authentication first.", "detail": {}},
                                    status=403)
            return redirect("accounts:two_factor")
        return self.get_response(request)

    def _allowed(self, path: str) -> bool:
        allowed = (reverse("accounts:two_factor"), reverse("accounts:two_factor_setup"),
                   reverse("accounts:two_factor_confirm"), reverse("accounts:logout"))
        return path in allowed or path.startswith(self.ALLOWED_PREFIXES)
