"""veracity rollups rebuild|refresh|prepare — the sales rollups behind the dashboards."""

from django.core.management.base import BaseCommand
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from veracity.analytics.services import (
    customer_rfm_refresh,
    pipeline_snapshot_take,
    rollups_rebuild,
    rollups_refresh,
)
from veracity.analytics.services.stored_figures import stored_figures_prepare, stored_figures_refresh


class Command(BaseCommand):
    help = ("Rebuild the sales rollups from every order line (rebuild), or bring them up to date with the "
            "orders changed since the last run (refresh). Both then refresh RFM segments, today's "
            "pipeline snapshot and the stored dashboard figures read lately. prepare: store today's preset "
            "ranges' figures for every reach read in the last 7 days (what the nightly job does).")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["rebuild", "refresh", "prepare"])

    def handle(self, *args, action: str, **options):
        if action == "prepare":
            self.stdout.write(f"prepare: {stored_figures_prepare()} stored dashboard figures computed")
            return
        if action == "rebuild":
            with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                          TimeElapsedColumn(), transient=False, disable=options.get("verbosity", 1) == 0) as bar:
                task = bar.add_task("Rebuilding rollups", total=None)

                def progress(current, total, message):
                    bar.update(task, completed=current, total=total, description=f"Rebuilding rollups {message}")

                result = rollups_rebuild(progress=progress)
        else:
            result = rollups_refresh()
        customers = customer_rfm_refresh()
        cells = pipeline_snapshot_take()
        stored = stored_figures_refresh()
        self.stdout.write(f"{action}: {result.orders} orders, {result.keys} rollup keys; "
                          f"RFM for {customers} customers; {cells} pipeline cells; {stored} stored dashboard figures "
                          "recomputed")
