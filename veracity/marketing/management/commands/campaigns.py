"""`veracity campaigns report --from DATE --to DATE --format csv|json --as USERNAME [-o FILE]`."""

import datetime as dt
import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from veracity.core.errors import DomainError
from veracity.marketing import reports, services


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{text!r} is not a date such as 2026-03-31.") from None


class Command(BaseCommand):
    help = ("Campaign reports. `report`: leads, conversions, revenue (first and last touch), cost per "
            "acquisition and return on spend per campaign and channel for a period (default: last quarter), "
            "ranked by return, as the user named by --as sees it; the export is audited.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        report = sub.add_parser("report", help="Write the campaign report.")
        report.add_argument("--from", dest="date_from", help="First day (YYYY-MM-DD; default: last quarter).")
        report.add_argument("--to", dest="date_to", help="Last day (YYYY-MM-DD; default: last quarter).")
        report.add_argument("--format", dest="fmt", choices=list(services.REPORT_FORMATS), default="csv",
                            help="csv or json (default: csv).")
        report.add_argument("--model", choices=["last", "first"], default="last",
                            help="Attribution that ranks campaigns and drives ROI (default: last touch).")
        report.add_argument("--as", dest="as_user", required=True, metavar="USERNAME",
                            help="Report as this user: their report scope applies and the audit trail names them.")
        report.add_argument("-o", "--output", help="The file to write (default: standard output).")

    def handle(self, *args, **options):
        user = get_user_model().objects.filter(username=options["as_user"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active user named {options['as_user']!r}.")
        start, end = reports.last_quarter()
        date_from = _date(options["date_from"]) if options["date_from"] else start
        date_to = _date(options["date_to"]) if options["date_to"] else end
        try:
            _name, _type, body = services.campaign_report_export(
                actor=user, date_from=date_from, date_to=date_to, model=options["model"], fmt=options["fmt"])
        except DomainError as error:
            raise CommandError(f"{error.message} {error.detail or ''}".strip()) from error
        if options["output"]:
            Path(options["output"]).write_bytes(body)
            self.stdout.write(f"Wrote {options['output']}")
        else:
            sys.stdout.buffer.write(body)
            sys.stdout.flush()
