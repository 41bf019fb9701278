from django.shortcuts import render

from veracity.audit.models import AuditAction
from veracity.audit.services import audit_event_record
from veracity.core.errors import DomainError, NotFound, PermissionDenied


class DomainErrorMiddleware:
    """Turns domain errors raised in page views into proper error pages (403/404/409/422). The API
    has its own handlers that answer in JSON."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if request.path.startswith("/api/"):
            return None
        if isinstance(exception, OverflowError):  # an id in the URL beyond 64-bit integers: no such record
            return render(request, "errors/404.html", status=404)
        if not isinstance(exception, DomainError):
            return None
        if isinstance(exception, PermissionDenied):
            audit_event_record(actor=request.user, action=AuditAction.ACCESS_DENIED,
                               object_type="page", object_id=request.path[:64],
                               extra={"method": request.method, "detail": exception.detail})
            return render(request, "errors/403.html", {"message": exception.message}, status=403)
        if isinstance(exception, NotFound):
            return render(request, "errors/404.html", status=404)
        return render(request, "errors/error.html", {"error": exception}, status=exception.status)
