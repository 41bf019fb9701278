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


class WorkerLost(RuntimeError):
    """Recorded as the failure of a job whose worker stopped beating while it ran (killed or crashed).
    Not raised by any code path: it names the cause on the jobs page and in the API."""
