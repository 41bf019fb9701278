"""`veracity backup create|list|verify|restore|drill`: verified backups from the command line
(docs/backups.md)."""

from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat
from rich.console import Console
from rich.table import Table

from veracity.ops.backups import services
from veracity.ops.backups.errors import BackupError
from veracity.ops.backups.models import Backup


class Command(BaseCommand):
    help = "Create, list, verify, restore and drill backups of the database and uploaded files."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        create = commands.add_parser("create", help="Take a backup now (online; people can keep working).")
        create.add_argument("--label", default="manual", help="A note stored with the backup.")
        commands.add_parser("list", help="List backups, newest first.")
        verify = commands.add_parser("verify", help="Check every file of a backup against its manifest.")
        verify.add_argument("backup", metavar="ID|PATH")
        verify.add_argument("--decrypt", action="store_true", help="Also decrypt and check the plaintext hashes.")
        restore = commands.add_parser("restore", help="Restore a backup into a new target, or over the live "
                                                      "database with --force (a safety backup is taken first).")
        restore.add_argument("backup", metavar="ID|PATH")
        restore.add_argument("--target", metavar="PATH_OR_URL",
                             help="A new SQLite file, or a postgres:// URL of a new database. Default: live.")
        restore.add_argument("--force", action="store_true",
                             help="Confirm replacing the live database (or an existing target).")
        drill = commands.add_parser("drill", help="Restore into scratch and check everything (integrity, "
                                                  "migrations, invariants, checksums); exit 1 if it fails.")
        drill.add_argument("backup", metavar="ID|PATH")

    def handle(self, *args, action: str, **options):
        self.console = Console(file=self.stdout._out, highlight=False, soft_wrap=True)
        try:
            getattr(self, f"do_{action}")(**options)
        except BackupError as error:
            raise CommandError(error.message) from error

    def _progress(self):
        status = self.console.status("Working…")
        return status, lambda message: status.update(message)

    def do_create(self, *, label, **options):
        status, progress = self._progress()
        with status:
            backup = services.backup_create(actor=None, label=label, progress=progress)
        self.console.print(f"Backup [bold]{backup.name}[/bold] (id {backup.pk}) created: "
                           f"{filesizeformat(backup.size_bytes)}, {len(backup.manifest['tables'])} tables"
                           f"{', encrypted' if backup.encrypted else ''}, in {backup.path}")

    def do_list(self, **options):
        services.backup_sync()
        table = Table("ID", "Name", "Label", "Size", "Encrypted", "Verified", "Latest drill")
        for backup in Backup.objects.prefetch_related("drills"):
            drill = backup.latest_drill
            drill_text = "—" if drill is None else (
                f"{'passed' if drill.passed else 'FAILED'}"
                + (f" ({drill.restore_seconds:.1f}s)" if drill.restore_seconds is not None else ""))
            verified = "—" if backup.verified_ok is None else ("ok" if backup.verified_ok else "FAILED")
            table.add_row(str(backup.pk), backup.name, backup.label, filesizeformat(backup.size_bytes),
                          "yes" if backup.encrypted else "no", verified, drill_text)
        self.console.print(table)

    def do_verify(self, *, backup, decrypt, **options):
        result = services.backup_verify(backup, decrypt=decrypt)
        if not result.ok:
            raise CommandError("Verification FAILED: " + "; ".join(result.problems))
        self.console.print(f"Verified: {len(result.manifest['files'])} file(s) match the manifest.")

    def do_restore(self, *, backup, target, force, **options):
        status, progress = self._progress()
        with status:
            result = services.backup_restore(backup=backup, target=target, force=force, progress=progress)
        if result.safety_backup:
            self.console.print(f"Safety backup of the previous data: {result.safety_backup}")
        if result.problems:
            raise CommandError("Restored, but the data differs from the manifest: " + "; ".join(result.problems))
        self.console.print(f"Restored into {result.target} in {result.seconds:.1f}s; every table matches "
                           "the manifest's checksums.")

    def do_drill(self, *, backup, **options):
        status, progress = self._progress()
        with status:
            result = services.backup_drill(backup, progress=progress)
        table = Table("Step", "Result", "Detail")
        for step in result.details["steps"]:
            table.add_row(step["name"], "ok" if step["ok"] else "[red]FAILED[/red]",
                          "" if step["ok"] else str(step["detail"])[:200])
        self.console.print(table)
        if not result.passed:
            raise CommandError(f"Restore drill FAILED for {result.drill.backup_name}; admins were alerted.")
        self.console.print(f"Restore drill passed; restore took {result.restore_seconds:.1f}s (measured RTO).")
