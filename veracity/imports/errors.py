"""Stable error codes of the imports app."""

from django.utils.translation import gettext as _

from veracity.core.errors import DomainError


class ImportFileRejected(DomainError):
    """The file cannot be imported. Nothing was changed."""

    code = "import_file_rejected"
    status = 422

    def __init__(self, message: str, *, code: str = "import_file_rejected", detail: dict | None = None):
        super().__init__(message, code=code, detail=detail)


class ImportStateInvalid(DomainError):
    """The import is not in a state that allows this."""

    code = "import_state_invalid"
    status = 409

    def __init__(self, message: str = ""):
        super().__init__(message or _("The import is not in a state that allows this."))
