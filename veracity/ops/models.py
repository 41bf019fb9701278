"""Models of the ops app.

# --- Backups (owned by ops.backups) ---"""

from veracity.ops.backups.models import Backup, BackupDrill, BackupKind

__all__ = ["Backup", "BackupDrill", "BackupKind"]
