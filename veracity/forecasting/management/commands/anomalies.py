"""`veracity anomalies detect`: raise anomaly alerts for the latest week and order rhythms."""

from django.core.management.base import BaseCommand
from rich.console import Console

from veracity.forecasting import services


class Command(BaseCommand):
    help = ("Anomaly alerts. `detect` scores the last complete week's revenue per region and per steady "
            "customer, and big customers' order rhythm, and stores the new alerts.")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=("detect",))

    def handle(self, *args, **options):
        console = Console(file=self.stdout._out, quiet=options["verbosity"] == 0)
        created = services.alerts_detect()
        services.alerts_notify(created)
        for alert in created:
            console.print(f"[{alert.severity}] {alert.message}", markup=False)
        console.print(f"{len(created)} new alerts.")
