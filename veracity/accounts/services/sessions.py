"""Ending web sessions: on deactivation, on a password change, and at an administrator's request."""

from django.contrib.sessions.models import Session
from django.utils import timezone


def user_sessions_end(*, user, keep_session_key: str | None = None) -> int:
    """Delete the user's server-side sessions, except `keep_session_key` (the caller's own, after a
    password change). Sessions are not indexed by user, so this decodes the live ones; fine for the
    number of sessions a CRM has."""
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.session_key == keep_session_key:
            continue
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            session.delete()
            ended += 1
    return ended
