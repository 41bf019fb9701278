"""Counts rejected saves per user: every web form and API write runs inside `rejections_collected`,
and what the entry rules rejected is recorded once the request is over (after its transaction rolled
back, so the record stays)."""

from veracity.core.rejections import rejections_collected
from veracity.quality.models import EntrySource
from veracity.quality.services.rejections import entry_rejection_record

_WRITES = frozenset({"POST", "PUT", "PATCH"})


class EntryRejectionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in _WRITES:
            return self.get_response(request)
        with rejections_collected() as notes:
            response = self.get_response(request)
        user = getattr(request, "user", None)
        if notes and user is not None and user.is_authenticated:
            source = EntrySource.API if request.path.startswith("/api/") else EntrySource.FORM
            entry_rejection_record(actor=user, notes=notes, source=source)
        return response
