"""`veracity quality scan | scores | scorecards`: the data-quality jobs from the command line."""

import csv
import sys

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from veracity.quality.scorecards import current_period, period_bounds, ranked, scorecard_compute
from veracity.quality.services.issues import issue_scan
from veracity.quality.services.reviews import reps
from veracity.quality.services.scores import score_snapshot_take

SCORECARD_COLUMNS = ("rank", "rep", "team", "period", "score", "completeness", "timeliness", "tasks_due",
                     "tasks_on_time", "overdue_tasks", "duplicates", "validation_errors", "review_pass_rate")


class Command(BaseCommand):
    help = "Data quality: scan for problems, store today's scores, or print scorecards."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        scan = sub.add_parser("scan", help="Run the enabled rules and update the flagged problems.")
        scan.add_argument("--rule", action="append", help="Only this rule (repeatable).")
        sub.add_parser("scores", help="Compute and store today's quality snapshot.")
        cards = sub.add_parser("scorecards", help="Print every rep's scorecard for a month.")
        cards.add_argument("--period", default="", help="YYYY-MM (default: this month).")
        cards.add_argument("--format", choices=("table", "csv"), default="table")

    def handle(self, *args, **options):
        action = options["action"]
        if action == "scan":
            return self._scan(options.get("rule"))
        if action == "scores":
            rows = score_snapshot_take()
            self.stdout.write(f"Stored {rows} snapshot rows.")
            return None
        return self._scorecards(options["period"] or current_period(), options["format"])

    def _scan(self, rules):
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                      console=Console(stderr=True)) as progress:
            bar = progress.add_task("Scanning", total=None)

            def report(current, total, name):
                progress.update(bar, completed=current, total=total, description=f"Rule {name}")

            results = issue_scan(rules=rules, progress=report)
        for rule, counts in results.items():
            self.stdout.write(f"{rule}: {counts['found']} found, {counts['new']} new, {counts['resolved']} resolved")

    def _scorecards(self, period, output_format):
        try:
            period_bounds(period)
        except ValueError:
            raise CommandError(f"--period must be YYYY-MM, not {period!r}.") from None
        cards = ranked([scorecard_compute(rep, period) for rep in reps()])
        if output_format == "csv":
            writer = csv.writer(sys.stdout if self.stdout._out is sys.stdout else self.stdout)
            writer.writerow(SCORECARD_COLUMNS)
            for card in cards:
                row = card.as_dict()
                writer.writerow(["" if row[name] is None else row[name] for name in SCORECARD_COLUMNS])
            return
        table = Table(*SCORECARD_COLUMNS)
        for card in cards:
            row = card.as_dict()
            table.add_row(*["" if row[name] is None else str(row[name]) for name in SCORECARD_COLUMNS])
        Console(file=self.stdout).print(table)
