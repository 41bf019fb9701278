"""`veracity forecast`: forecasts as CSV or JSON, fitting them first when asked (or when none exist)."""

import csv
import json

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from veracity.accounts.models import User
from veracity.core.errors import DomainError
from veracity.forecasting import selectors, services
from veracity.forecasting.models import Frequency, SeriesKind

COLUMNS = ["series", "period", "forecast", "lo80", "hi80", "lo95", "hi95", "model", "backtest_mase"]


class Command(BaseCommand):
    help = ("Print revenue forecasts with 80 % and 95 % intervals and each series' backtest MASE, as CSV "
            "(columns: series, period, forecast, lo80, hi80, lo95, hi95, model, backtest_mase) or JSON.")

    def add_arguments(self, parser):
        parser.add_argument("--by", choices=[k.value for k in SeriesKind], default=SeriesKind.COMPANY,
                            help="company, team, category, product or rep (default company)")
        parser.add_argument("--horizon", type=int, default=None, help="periods ahead (default 12 months / 13 weeks)")
        parser.add_argument("--freq", choices=Frequency.values, default=Frequency.MONTH, help="month or week")
        parser.add_argument("--format", choices=("csv", "json"), default="csv")
        parser.add_argument("--refit", action="store_true", help="fit a new run first (otherwise the latest run "
                            "is used, and one is fitted only if none exists or it is too short)")
        parser.add_argument("--user", default="", help="answer as this user (their permissions); default: the system")

    def handle(self, *args, **options):
        freq, by, horizon = options["freq"], options["by"], options["horizon"]
        if horizon is not None and horizon < 1:
            raise CommandError("--horizon must be at least 1.")
        user = None
        if options["user"]:
            user = User.objects.filter(username=options["user"], is_active=True).first()
            if user is None:
                raise CommandError(f"No active user {options['user']!r}.")
        latest = selectors.forecast_run_latest(freq=freq)
        too_short = latest is not None and horizon is not None and latest.horizon < horizon
        try:
            if options["refit"] or latest is None or too_short or by not in latest.kinds:
                self._fit(freq, max(horizon or 0, latest.horizon if latest else 0) or None, user)
            rows = selectors.forecast_rows(user=user, by=by, freq=freq, horizon=horizon)
        except DomainError as error:
            raise CommandError(error.message) from error
        if options["format"] == "json":
            self.stdout.write(json.dumps(rows, default=str, ensure_ascii=False, indent=1))
            return
        writer = csv.DictWriter(self.stdout, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({key: "" if value is None else value for key, value in row.items()})

    def _fit(self, freq, horizon, user):
        console = Console(stderr=True)
        columns = (TextColumn("{task.description:<22}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=console, transient=True) as progress:
            task = progress.add_task("Fitting forecasts", total=None)

            def report(current, total, _message):
                progress.update(task, completed=current, total=total)

            services.forecast_run_execute(actor=user, freq=freq, horizon=horizon, progress=report)

