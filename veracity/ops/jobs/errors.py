"""Stable error codes of the jobs area."""

from veracity.core.errors import DomainError


class JobNotRetryable(DomainError):
    """Only a failed job can be retried."""

    code = "job_not_retryable"
    status = 409


class TaskUnavailable(DomainError):
    """The job's task no longer exists in the code, so it cannot be run again."""

    code = "task_unavailable"
    status = 409
