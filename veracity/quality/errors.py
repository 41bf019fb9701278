"""Stable error codes of the quality app."""

from veracity.core.errors import DomainError, ValidationFailed


class ChangeRequestDecided(DomainError):
    """This change request has already been approved or rejected."""

    code = "change_request_decided"
    status = 409


class ChangeRequestStale(DomainError):
    """The record changed since the request was made; ask the rep to request the change again."""

    code = "change_request_stale"
    status = 409


class OwnChangeRequest(DomainError):
    """You cannot review your own change request."""

    code = "own_change_request"
    status = 403


class RejectionNeedsReason(ValidationFailed):
    """A rejection needs a reason the rep can act on."""


class UnknownRule(ValidationFailed):
    """No data-quality rule has this code."""
