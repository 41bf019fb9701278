"""Stable error codes of analytics."""

from django.utils.translation import gettext as _

from veracity.core.errors import ValidationFailed


class SalesTargetTaken(ValidationFailed):
    code = "sales_target_taken"

    def __init__(self):
        text = _("This salesperson already has a target for exactly this period.")
        super().__init__({"period_start": [text]}, message=text, code=self.code)


class InvalidReportFilter(ValidationFailed):
    code = "invalid_report_filter"

    def __init__(self, field: str, text: str):
        super().__init__({field: [text]}, message=text, code=self.code)
