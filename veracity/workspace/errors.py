"""Error codes of the workspace app (trash, saved views)."""

from django.utils.translation import gettext as _

from veracity.core.errors import DomainError, ValidationFailed


class RestoreConflict(DomainError):
    """The records cannot be put back: a live record now uses one of their unique keys, or they
    belong to a customer that is still in the trash."""

    code = "restore_conflict"
    status = 409

    def __init__(self, problems: list[str]):
        super().__init__(" ".join(problems), detail={"problems": problems})
        self.problems = problems


class UnknownSavedViewList(ValidationFailed):
    code = "unknown_list"

    def __init__(self, list_name: str):
        super().__init__({"list_name": [_("%(list)s is not a list that can have saved views.") % {"list": list_name}]}, code=self.code)
