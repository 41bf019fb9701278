"""The error vocabulary. Every error reaching a client has a stable `code`, a human `message` and a
`detail` object; the API renders it as {"code", "message", "detail"}. Apps subclass these in their
own errors.py with more specific codes."""

from typing import Any


class DomainError(Exception):
    code = "error"
    status = 400

    def __init__(self, message: str = "", *, code: str | None = None, detail: dict[str, Any] | None = None):
        super().__init__(message or self.__class__.__doc__ or self.code)
        self.message = str(message or self.__class__.__doc__ or self.code)
        if code:
            self.code = code
        self.detail = detail or {}


class NotFound(DomainError):
    """The record does not exist or you may not see it."""

    code = "not_found"
    status = 404


class PermissionDenied(DomainError):
    """You do not have permission to do this."""

    code = "permission_denied"
    status = 403


class ValidationFailed(DomainError):
    """Some fields are not valid. `detail.fields` maps each field to its messages."""

    code = "validation_failed"
    status = 422

    def __init__(self, fields: dict[str, list[str]], message: str = "", *, code: str | None = None):
        super().__init__(message or "Some fields are not valid.", code=code, detail={"fields": fields})
        self.fields = fields


class VersionConflict(DomainError):
    """Someone else changed this record after you loaded it. Reload and apply your change again."""

    code = "version_conflict"
    status = 409

    def __init__(self, *, current_version: int, message: str = ""):
        super().__init__(message, detail={"current_version": current_version})
        self.current_version = current_version


class PreconditionFailed(VersionConflict):
    """The If-Match header names a version that is no longer current."""

    code = "precondition_failed"
    status = 412


class PreconditionRequired(DomainError):
    """Updates must say which version they change: send If-Match (the ETag you read) or `version`."""

    code = "precondition_required"
    status = 428
