"""Stable error codes of the pipeline domain (the API's `code` field)."""

from django.utils.translation import gettext as _

from veracity.core.errors import DomainError, ValidationFailed


class LostReasonRequired(ValidationFailed):
    code = "lost_reason_required"

    def __init__(self):
        super().__init__({"lost_reason": [_("Say why the opportunity was lost.")]}, code=self.code)


class StageInUse(DomainError):
    """The stage still holds opportunities: move them to another stage first."""

    code = "stage_in_use"
    status = 409

    def __init__(self, count: int):
        super().__init__(
            _("This stage still holds %(count)d opportunities (including any in the trash): "
              "move them to another stage first.") % {"count": count},
            detail={"opportunities": count},
        )


class StageSetInvalid(ValidationFailed):
    """The change would leave the pipeline without exactly one won stage, a lost stage or an open stage."""

    code = "stage_set_invalid"

    def __init__(self, message: str):
        super().__init__({"kind": [message]}, message=message, code=self.code)
