"""The authentication backend that puts django-axes' (username, IP) throttling in front of the password check."""

from axes.backends import AxesStandaloneBackend


class ThrottledLoginBackend(AxesStandaloneBackend):
    """django-axes for every login that comes with an HTTP request (the login page). Calls without a
    request (the demo loader, management commands, tests) have no client address to throttle by, so
    this backend steps aside and the next one (ModelBackend) checks the password."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
