"""`veracity upgrade`: back up first, then apply the migrations of the installed version."""

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from veracity.ops.backups import services
from veracity.ops.backups.errors import BackupError
from veracity.ops.backups.models import BackupKind


class Command(BaseCommand):
    help = "Upgrade the database: take a backup (kind 'upgrade'), then run every pending migration."

    def add_arguments(self, parser):
        parser.add_argument("--skip-backup", action="store_true",
                            help="Migrate without a backup (only on an empty, fresh database).")

    def handle(self, *args, skip_backup: bool = False, **options):
        if not skip_backup:
            try:
                backup = services.backup_create(actor=None, label="before upgrade", kind=BackupKind.UPGRADE)
            except BackupError as error:
                raise CommandError(f"The backup before the upgrade failed, so nothing was migrated: "
                                   f"{error.message}") from error
            self.stdout.write(f"Backup before upgrade: {backup.name} ({backup.path})")
        call_command("migrate", interactive=False, verbosity=options.get("verbosity", 1), stdout=self.stdout)
        self.stdout.write("Upgrade complete. If anything looks wrong: "
                          "`veracity backup restore <that backup> --force`.")
