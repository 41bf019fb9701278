"""Stable error codes of the notifications app."""

from veracity.core.errors import ValidationFailed


class UnknownFrequency(ValidationFailed):
    """The frequency must be immediately, daily, weekly or never."""
