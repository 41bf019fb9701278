"""Error codes of the activities app."""

from veracity.core.errors import ValidationFailed


class TaskNeedsDueDate(ValidationFailed):
    code = "task_needs_due_date"

    def __init__(self):
        super().__init__({"due_at": ["A task needs a due date."]}, code=self.code)


class UnknownActivityField(ValidationFailed):
    code = "unknown_field"

    def __init__(self, names):
        super().__init__({name: ["This field cannot be set."] for name in sorted(names)}, code=self.code)
