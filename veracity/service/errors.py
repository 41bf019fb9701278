"""Error codes of the service app."""

from django.utils.translation import gettext as _

from veracity.core.errors import ValidationFailed


class UnknownTicketField(ValidationFailed):
    code = "unknown_field"

    def __init__(self, names):
        super().__init__({name: [_("This field cannot be set.")] for name in sorted(names)}, code=self.code)


class TicketStatusInvalid(ValidationFailed):
    code = "ticket_status_invalid"

    def __init__(self, message: str):
        super().__init__({"status": [message]}, code=self.code)


class TicketClosed(ValidationFailed):
    code = "ticket_closed"

    def __init__(self):
        super().__init__({"__all__": [_("This ticket is closed: reopen it first.")]}, code=self.code)
