"""Password rules per NIST SP 800-63B and OWASP ASVS §6.2 (SECURITY.md R5): length is what counts.
No composition rules and no forced rotation; common passwords and ones like the username are refused
by Django's CommonPasswordValidator and UserAttributeSimilarityValidator."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class PasswordLengthValidator:
    """At least `min_length` characters (8), at most `max_length` (64); `recommended_length` (15)
    is what the help text asks for."""

    def __init__(self, min_length: int = 8, max_length: int = 64, recommended_length: int = 15):
        self.min_length = min_length
        self.max_length = max_length
        self.recommended_length = recommended_length

    def validate(self, password, user=None):
        if len(password) < self.min_length:
            raise ValidationError(
                _("This password is too short. Use at least %(min)d characters (%(recommended)d or more is "
                  "better).") % {"min": self.min_length, "recommended": self.recommended_length},
                code="password_too_short",
            )
        if len(password) > self.max_length:
            raise ValidationError(
                _("This password is too long. Use at most %(max)d characters.") % {"max": self.max_length},
                code="password_too_long",
            )

    def get_help_text(self):
        return _("Use %(min)d to %(max)d characters; %(recommended)d or more is recommended. A few unrelated "
                 "words make a strong passphrase. Any characters are allowed.") % {
            "min": self.min_length, "max": self.max_length, "recommended": self.recommended_length}
