"""Stable error codes of the customers domain (the API answers them as `code`)."""

from django.utils.translation import gettext as _

from veracity.core.errors import ValidationFailed


class CustomerCodeTaken(ValidationFailed):
    code = "customer_code_taken"

    def __init__(self, customer_code: str):
        super().__init__(
            {"code": [_("Customer code %(code)s is already used by another customer.") % {"code": customer_code}]},
            code=self.code,
        )


class TransferTargetInvalid(ValidationFailed):
    """The new owner is outside your scope, inactive, or may not own customers."""

    code = "transfer_target_invalid"

    def __init__(self, message: str):
        super().__init__({"owner": [message]}, code=self.code)


class ContactNeedsCompany(ValidationFailed):
    """Contacts are people at a company; individual customers are their own contact."""

    code = "contact_needs_company"

    def __init__(self):
        super().__init__(
            {"customer": [_("Contacts can only be added to company customers.")]}, code=self.code
        )
