"""API plumbing shared by every app's router: the one error shape, pagination and If-Match handling."""

import logging
import re
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import LimitOffsetPagination
from pydantic import Field

from veracity.core.errors import DomainError

logger = logging.getLogger("veracity.api")


class ErrorOut(Schema):
    code: str
    message: str
    detail: dict[str, Any] = {}


def error_response(api: NinjaAPI, request: HttpRequest, *, status: int, code: str, message: str,
                   detail: dict | None = None) -> HttpResponse:
    return api.create_response(request, {"code": code, "message": message, "detail": detail or {}}, status=status)


def install_error_handlers(api: NinjaAPI) -> None:
    """Every error leaves the API as {"code", "message", "detail"} with a stable code."""

    @api.exception_handler(DomainError)
    def domain_error(request, exc: DomainError):
        return error_response(api, request, status=exc.status, code=exc.code, message=exc.message, detail=exc.detail)

    @api.exception_handler(NinjaValidationError)
    def request_invalid(request, exc: NinjaValidationError):
        errors = [
            {"loc": [str(part) for part in error.get("loc", ())], "msg": str(error.get("msg", "")),
             "type": str(error.get("type", ""))}
            for error in exc.errors
        ]
        return error_response(api, request, status=422, code="invalid_request",
                              message="The request is not valid.", detail={"errors": errors})

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        return error_response(api, request, status=401, code="unauthenticated",
                              message="Send a valid API token as 'Authorization: Bearer <token>'.")

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return error_response(api, request, status=404, code="not_found",
                              message="The record does not exist or you may not see it.")

    @api.exception_handler(DjangoPermissionDenied)
    def forbidden(request, exc):
        return error_response(api, request, status=403, code="permission_denied",
                              message="You do not have permission to do this.")

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        return error_response(api, request, status=exc.status_code, code="http_error", message=str(exc))

    @api.exception_handler(OverflowError)
    def number_out_of_range(request, exc):  # e.g. an id beyond the database's 64-bit integers
        return error_response(api, request, status=422, code="invalid_request",
                              message="A number in the request is out of range.")

    @api.exception_handler(Exception)
    def server_error(request, exc):  # the last resort: log it, tell the client nothing internal
        logger.exception("Unhandled API error")
        return error_response(api, request, status=500, code="server_error",
                              message="Something went wrong on our side; it has been logged.")


class Pagination(LimitOffsetPagination):
    """limit/offset pagination; every list answers {"count", "items"}."""

    class Input(Schema):
        limit: int = Field(50, ge=1, le=200, description="Rows per page (at most 200).")
        offset: int = Field(0, ge=0, le=10_000_000)


_ETAG = re.compile(r'^\s*(?:W/)?"?(\d{1,10})"?\s*$')


def expected_version(request: HttpRequest, body_version: int | None = None) -> tuple[int | None, bool]:
    """The version the client says it is changing: from If-Match (preferred) or a `version` field.

    Returns (version, came_from_if_match)."""
    header = request.headers.get("If-Match")
    if header:
        match = _ETAG.match(header)
        if match is None:
            from veracity.core.errors import PreconditionFailed

            raise PreconditionFailed(current_version=0, message="If-Match must be an ETag such as \"3\".")
        return int(match.group(1)), True
    return body_version, False


def set_etag(response: HttpResponse, instance) -> None:
    response["ETag"] = instance.etag


class ShapedQuerySet:
    """A queryset whose rows are turned into output dicts only for the page being returned.

    Lets an endpoint apply field-level permissions (hide restricted fields) after pagination has
    sliced the queryset, without loading the whole list."""

    def __init__(self, queryset, shape):
        self.queryset, self.shape = queryset, shape

    def all(self):
        return self

    def count(self) -> int:
        return self.queryset.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item):
        rows = self.queryset[item]
        if isinstance(item, slice):
            return [self.shape(row) for row in rows]
        return self.shape(rows)
