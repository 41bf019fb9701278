"""Error codes of the feedback app. The public-link errors carry no detail on purpose: a caller
with a bad token learns only that it does not work."""

from django.utils.translation import gettext_lazy as _

from veracity.core.errors import DomainError, ValidationFailed


class InvitationUnknown(DomainError):
    code = "survey_link_unknown"
    status = 404

    def __init__(self):
        super().__init__(str(_("This survey link does not exist.")))


class InvitationExpired(DomainError):
    code = "survey_link_expired"
    status = 410

    def __init__(self):
        super().__init__(str(_("This survey link has expired.")))


class InvitationUsed(DomainError):
    code = "survey_link_used"
    status = 410

    def __init__(self):
        super().__init__(str(_("This survey has already been answered with this link. Thank you!")))


class RateLimited(DomainError):
    code = "rate_limited"
    status = 429

    def __init__(self):
        super().__init__(str(_("Too many requests from your address. Please try again in a few minutes.")))


class AnswersInvalid(ValidationFailed):
    code = "answers_invalid"


class QuestionInvalid(ValidationFailed):
    code = "question_invalid"
