"""veracity report sales --by month|week|product|customer|region|rep|category [--from] [--to] --format csv|json"""

import csv
import datetime as dt
import json
import sys

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from veracity.analytics.errors import InvalidReportFilter
from veracity.analytics.selectors import REPORT_COLUMNS, REPORT_GROUPS, dashboard_filters_parse, sales_report
from veracity.analytics.services import rollups_refresh
from veracity.analytics.services.system import system_reader
from veracity.core.errors import PermissionDenied


class Command(BaseCommand):
    help = ("Sales from the rollups grouped by period or dimension: revenue (reporting currency), orders, "
            "quantity and customers. Figures are those --user may see; --system reads everything (for "
            "operators and cron, never reachable from the web).")

    def add_arguments(self, parser):
        parser.add_argument("report", choices=["sales"])
        parser.add_argument("--by", choices=REPORT_GROUPS, default="month")
        parser.add_argument("--from", dest="date_from", default="", help="first day, YYYY-MM-DD (default: a year ago)")
        parser.add_argument("--to", dest="date_to", default="", help="last day, YYYY-MM-DD (default: today)")
        parser.add_argument("--format", choices=["csv", "json"], default="csv")
        who = parser.add_mutually_exclusive_group(required=True)
        who.add_argument("--user", help="username whose permissions scope the figures")
        who.add_argument("--system", action="store_true", help="all figures, as the all-seeing system reader")
        for name in ("team", "rep", "region", "category", "channel", "currency"):
            parser.add_argument(f"--{name}", default="")

    def handle(self, *args, **options):
        if options["system"]:
            user = system_reader()
        else:
            user = get_user_model().objects.filter(username=options["user"], is_active=True).first()
            if user is None:
                raise CommandError(f"No active user called {options['user']!r}.")
        today = dt.date.today()
        params = {"date_from": options["date_from"] or (today - dt.timedelta(days=365)).isoformat(),
                  "date_to": options["date_to"] or today.isoformat(),
                  **{name: options[name] for name in ("team", "rep", "region", "category", "channel", "currency")}}
        try:
            filters = dashboard_filters_parse(params)
            rollups_refresh()
            rows = sales_report(user=user, by=options["by"], filters=filters)
        except InvalidReportFilter as error:
            raise CommandError(f"{', '.join(error.fields)}: {error.message}") from None
        except PermissionDenied as error:
            raise CommandError(error.message) from None
        if options["format"] == "json":
            self.stdout.write(json.dumps(rows, default=str, ensure_ascii=False, indent=2))
            return
        writer = csv.writer(self.stdout if self.stdout else sys.stdout)
        writer.writerow(REPORT_COLUMNS)
        for row in rows:
            writer.writerow([row[column] for column in REPORT_COLUMNS])
