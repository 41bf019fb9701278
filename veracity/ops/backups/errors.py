"""Error codes of backups, restores and drills."""

from veracity.core.errors import DomainError


class BackupError(DomainError):
    """The backup operation failed."""

    code = "backup_failed"
    status = 409


class BackupKeyError(BackupError):
    """The backup key is missing, malformed or wrong."""

    code = "backup_key_invalid"


class RestoreRefused(BackupError):
    """The restore was refused (it needs confirmation, or the target is in use)."""

    code = "restore_refused"
