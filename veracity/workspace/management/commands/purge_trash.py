"""`veracity purge_trash`: hard-delete trash older than VERACITY_TRASH_RETENTION_DAYS (run daily)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from veracity.workspace.services import trash_purge


class Command(BaseCommand):
    help = "Permanently delete records that have been in the trash longer than the retention window."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Only report what would be deleted.")

    def handle(self, *args, dry_run: bool = False, **options):
        counts = trash_purge(actor=None, dry_run=dry_run)
        verb = "Would purge" if dry_run else "Purged"
        total = sum(counts.values())
        detail = ", ".join(f"{count} {label}" for label, count in sorted(counts.items())) or "nothing"
        self.stdout.write(f"{verb} {total} record(s) older than {settings.TRASH_RETENTION_DAYS} days: {detail}.")
