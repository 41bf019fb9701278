from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
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


class RequestBodyGuardMiddleware:
    """Refuses malformed request bodies before any view (or other middleware) reads them, with a clear
    status instead of a bare 400 or a silently mangled value:

    - 413 when the declared body is larger than DATA_UPLOAD_MAX_MEMORY_SIZE (VERACITY_MAX_BODY_BYTES);
      multipart uploads are exempt here (Django counts only their non-file fields; imports cap file sizes);
    - 415 when a body sent to the JSON API is neither JSON nor multipart (text/plain JSON is not JSON:
      accepting it would let a cross-site form post reach the API);
    - 400 when a form body is not valid UTF-8 (Django would store U+FFFD replacement characters)."""

    API_TYPES = ("application/json", "multipart/form-data")
    BODY_METHODS = ("POST", "PUT", "PATCH", "DELETE")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        refusal = self._refusal(request)
        return refusal if refusal is not None else self.get_response(request)

    def _answer(self, request, status: int, code: str, message: str) -> HttpResponse:
        if request.path.startswith("/api/"):
            return JsonResponse({"code": code, "message": message, "detail": {}}, status=status)
        return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")

    def _refusal(self, request) -> HttpResponse | None:
        if request.method not in self.BODY_METHODS:
            return None
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return self._answer(request, 400, "invalid_request", "Content-Length is not a number.")
        content_type = request.content_type or ""
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and length > limit and content_type != "multipart/form-data":
            return self._answer(request, 413, "request_too_large",
                                f"The request body is {length} bytes; the limit is {limit} bytes.")
        if length and request.path.startswith("/api/") and content_type not in self.API_TYPES:
            return self._answer(request, 415, "unsupported_media_type",
                                f"Send the body as application/json (got {content_type or 'no content type'!r}).")
        if length and content_type == "application/x-www-form-urlencoded":
            try:
                for part in request.body.split(b"&"):
                    unquote_to_bytes(part.replace(b"+", b" ")).decode("utf-8")
            except UnicodeDecodeError:
                return self._answer(request, 400, "invalid_encoding", "The form data is not valid UTF-8.")
        return None
