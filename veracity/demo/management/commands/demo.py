"""`veracity demo`: load the demo data set into an empty database."""

import time

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from veracity.demo.services import DemoDataExists, demo_database_is_empty, demo_load


class RichProgress:
    """Shows each phase of the load as a rich progress bar."""

    def __init__(self, progress: Progress):
        self.progress = progress
        self.task = None

    def phase(self, name: str, total: int) -> None:
        self.task = self.progress.add_task(name, total=max(total, 1))
        if total == 0:
            self.progress.advance(self.task, 1)

    def advance(self, count: int) -> None:
        self.progress.advance(self.task, count)


class Command(BaseCommand):
    help = ("Load realistic demo data (users, teams, customers, products, orders, pipeline, activities) "
            "into an empty database. Every demo password is veracity-demo.")

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true",
                            help="Do nothing (and succeed) when the database already has customers.")
        parser.add_argument("--customers", type=int, default=2000, help="Number of customers (default 2000).")
        parser.add_argument("--order-lines", type=int, default=20000,
                            help="Number of order lines, about 7 orders per 20 lines (default 20000).")
        parser.add_argument("--seed", type=int, default=42, help="Random seed; the same seed gives the same data.")

    def handle(self, *args, **options):
        console = Console(file=self.stdout._out, quiet=options["verbosity"] == 0)
        if options["customers"] < 1 or options["order_lines"] < 1:
            raise CommandError("--customers and --order-lines must be at least 1.")
        if not demo_database_is_empty():
            if options["if_empty"]:
                console.print("The database already has customers: demo data not loaded.")
                return
            raise CommandError("The database already has customers; the demo loads into an empty database "
                               "(use --if-empty to skip quietly).")
        started = time.monotonic()
        columns = (TextColumn("{task.description:<28}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=console, transient=False) as progress:
            try:
                summary = demo_load(customers=options["customers"], order_lines=options["order_lines"],
                                    seed=options["seed"], progress=RichProgress(progress))
            except DemoDataExists as error:
                raise CommandError(f"{error} The demo loads into an empty database.") from error
            except RuntimeError as error:  # e.g. no pipeline stages: the database is not migrated
                raise CommandError(str(error)) from error
        counts = ", ".join(f"{value} {name.replace('_', ' ')}" for name, value in summary.counts.items())
        console.print(f"Demo data loaded in {time.monotonic() - started:.1f} s (seed {summary.seed}): {counts}.")
