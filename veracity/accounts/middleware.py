import time

from django.conf import settings
from django.contrib.auth import logout


class SessionTimeoutMiddleware:
    """Ends a web session after `SESSION_IDLE_SECONDS` without a request (the absolute lifetime is the
    session cookie age). Also ends sessions of users who have been deactivated."""

    KEY = "veracity_last_seen"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get(self.KEY, now)
            if now - last_seen > settings.SESSION_IDLE_SECONDS:
                logout(request)
            else:
                request.session[self.KEY] = now
        return self.get_response(request)
