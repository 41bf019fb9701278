"""Stable error codes of the duplicates app."""

from veracity.core.errors import DomainError, ValidationFailed


class MergeNotAllowed(ValidationFailed):
    """These records cannot be merged (see detail.fields)."""

    code = "merge_not_allowed"


class MergeUndoConflict(DomainError):
    """These records changed after the merge, so it can no longer be undone exactly."""

    code = "merge_undo_conflict"
    status = 409


class MergeAlreadyUndone(DomainError):
    """This merge has already been undone."""

    code = "merge_already_undone"
    status = 409


class ScanAlreadyRunning(DomainError):
    """A duplicate scan is already running."""

    code = "scan_already_running"
    status = 409
