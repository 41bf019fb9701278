"""`veracity clv refresh`: refit customer lifetime values and churn risk."""

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console

from veracity.core.errors import DomainError
from veracity.forecasting import services


class Command(BaseCommand):
    help = ("Customer lifetime value and churn risk. `refresh` fits MBG/NBD + Gamma-Gamma on every customer's "
            "purchases, checks it on a 90-day holdout, and replaces the stored values.")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=("refresh",))
        parser.add_argument("--holdout-days", type=int, default=90, help="holdout for the validation (default 90)")

    def handle(self, *args, **options):
        if options["holdout_days"] < 7:
            raise CommandError("--holdout-days must be at least 7.")
        console = Console(file=self.stdout._out, quiet=options["verbosity"] == 0)
        with console.status("Fitting lifetime values"):
            try:
                fit = services.clv_refresh(holdout_days=options["holdout_days"])
            except DomainError as error:
                raise CommandError(error.message) from error
        console.print(f"{fit.customers} customers valued with {fit.model}.")
        if fit.holdout_actual is not None:
            console.print(f"Holdout ({fit.holdout_days} days): predicted {fit.holdout_predicted:.0f} purchases, "
                          f"actual {fit.holdout_actual:.0f}; mean absolute error per customer {fit.holdout_mae:.2f}.")
