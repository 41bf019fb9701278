"""`veracity segments export NAME -o FILE --as USERNAME [--format csv|xlsx]` and `veracity segments list`."""

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from veracity.core.errors import DomainError
from veracity.marketing import selectors


class Command(BaseCommand):
    help = ("Saved customer segments. `list`: names and current member counts; `export NAME`: the segment's "
            "current members as a target list (CSV or XLSX), through `veracity export segment_members`, so "
            "the same permission (segment export), scope and audit apply.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="List segments with their current member counts.")
        listing.add_argument("--as", dest="as_user", required=True, metavar="USERNAME")
        export = sub.add_parser("export", help="Export a segment's current members.")
        export.add_argument("name", help="The segment's name.")
        export.add_argument("-o", "--output", required=True, help="The file to write (replaced if it exists).")
        export.add_argument("--format", dest="fmt", choices=["csv", "xlsx"], default="csv",
                            help="File format (default: csv).")
        export.add_argument("--as", dest="as_user", required=True, metavar="USERNAME",
                            help="Export as this user: their permissions and scope apply, and the audit trail "
                                 "names them.")

    def handle(self, *args, **options):
        user = get_user_model().objects.filter(username=options["as_user"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active user named {options['as_user']!r}.")
        try:
            if options["action"] == "list":
                for segment in selectors.segment_list(user=user):
                    count = selectors.segment_members(user=user, segment=segment).count()
                    self.stdout.write(f"{segment.name}\t{count}")
                return
            segment = selectors.segment_get_by_name(user=user, name=options["name"])
        except DomainError as error:
            raise CommandError(error.message) from error
        # The export machinery lives in a higher app (exports): reach it by command name, not import.
        call_command("export", "segment_members", f"--segment={segment.pk}", f"--format={options['fmt']}",
                     "-o", options["output"], "--as", user.username, stdout=self.stdout, stderr=self.stderr)
