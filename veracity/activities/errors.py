"""Error codes of the activities app."""

from django.utils.translation import gettext as _

from veracity.core.errors import ValidationFailed


class TaskNeedsDueDate(ValidationFailed):
    code = "task_needs_due_date"

    def __init__(self):
        super().__init__({"due_at": [_("A task needs a due date.")]}, code=self.code)


class UnknownActivityField(ValidationFailed):
    code = "unknown_field"

    def __init__(self, names):
        super().__init__({name: [_("This field cannot be set.")] for name in sorted(names)}, code=self.code)
