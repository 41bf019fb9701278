"""Turn domain errors into clear command-line errors (non-zero exit, one line per problem)."""

from django.core.management.base import CommandError

from veracity.core.errors import DomainError, ValidationFailed


def command_error(error: DomainError) -> CommandError:
    if isinstance(error, ValidationFailed):
        problems = "; ".join(f"{field}: {' '.join(messages)}" for field, messages in error.fields.items())
        return CommandError(f"{error.message} {problems}")
    return CommandError(error.message)
