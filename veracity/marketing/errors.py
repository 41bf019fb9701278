"""Stable error codes of the marketing app."""

from django.utils.translation import gettext as _

from veracity.core.errors import DomainError, ValidationFailed


class CampaignCodeTaken(ValidationFailed):
    def __init__(self, code: str):
        super().__init__({"code": [_("Another campaign already uses the code %(code)s.") % {"code": code}]},
                         code="campaign_code_taken")


class SegmentNameTaken(ValidationFailed):
    def __init__(self, name: str):
        super().__init__({"name": [_("Another segment is already called %(name)s.") % {"name": name}]},
                         code="segment_name_taken")


class LeadOwnerNotConfigured(DomainError):
    """The web-to-lead form has no lead owner: set VERACITY_LEAD_OWNER or VERACITY_LEAD_OWNER_TEAM."""

    code = "lead_owner_not_configured"
    status = 503


class SubmissionRejected(DomainError):
    """The public form refused a submission (spam checks). `reason` says which check."""

    code = "submission_rejected"
    status = 400

    def __init__(self, reason: str, message: str = ""):
        super().__init__(message or reason, detail={"reason": reason})
        self.reason = reason


class RateLimited(SubmissionRejected):
    code = "rate_limited"
    status = 429

    def __init__(self):
        super().__init__("rate_limit", _("Too many submissions from your network. Please try again later."))
