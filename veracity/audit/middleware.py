import uuid

from veracity.audit.context import RequestContext, reset_request_context, set_request_context


class RequestContextMiddleware:
    """Gives every request an id (echoed in X-Request-ID) and makes the client address available to
    the audit trail without passing the request into services."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = uuid.uuid4().hex
        token = set_request_context(
            RequestContext(ip_address=request.META.get("REMOTE_ADDR") or None, request_id=request_id)
        )
        try:
            response = self.get_response(request)
        finally:
            reset_request_context(token)
        response["X-Request-ID"] = request_id
        return response
