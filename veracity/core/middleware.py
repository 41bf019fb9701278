from django.http import HttpResponseBadRequest, JsonResponse
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


class RejectNulCharactersMiddleware:
    """No text in a CRM contains NUL characters, PostgreSQL refuses to store them, and they are a
    classic way to smuggle data past filters. Requests whose parameters or JSON body contain one are
    refused with 400 before any view runs. (Uploaded files are not inspected: binary is fine there.)"""

    JSON_NUL = (b"\\u0000", b"\\U0000", b"\x00")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._has_nul(request):
            if request.path.startswith("/api/"):
                return JsonResponse({"code": "invalid_request", "message": "Text may not contain NUL characters.",
                                     "detail": {}}, status=400)
            return HttpResponseBadRequest("Text may not contain NUL characters.")
        return self.get_response(request)

    def _has_nul(self, request) -> bool:
        if "\x00" in request.path or any("\x00" in value for value in request.GET.values()) or \
                any("\x00" in key for key in request.GET):
            return True
        content_type = request.content_type or ""
        if content_type == "application/json":
            body = request.body
            return any(marker in body for marker in self.JSON_NUL)
        if request.method == "POST" and content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            return any("\x00" in value for values in request.POST.lists() for value in values[1])
        return False
