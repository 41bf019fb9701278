"""`veracity dedup scan` and `veracity dedup export -o FILE`."""

import csv

from django.core.management.base import BaseCommand, CommandError
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from veracity.customers.models import Customer
from veracity.dedup.models import ClusterMember, ClusterStatus, ScanRun
from veracity.dedup.services import scan_run_execute, scan_run_start
from veracity.matching.scoring import DEFAULT_THRESHOLD


class Command(BaseCommand):
    help = ("Duplicate customers and contacts. `scan` scans the whole base now (with progress); "
            "`export -o FILE` writes one CSV row per customer in an open or confirmed cluster: "
            "customer_code,cluster_id,score.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        scan = sub.add_parser("scan", help="Scan companies, individual customers and contacts for duplicates.")
        scan.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD,
                          help="Match probability from which a pair is a duplicate (default %(default)s).")
        export = sub.add_parser("export", help="Write the clusters' customers as CSV.")
        export.add_argument("-o", "--output", required=True, help="The CSV file to write ('-' for stdout).")
        export.add_argument("--all", action="store_true", help="Include dismissed and merged clusters too.")

    def handle(self, *args, **options):
        if options["action"] == "scan":
            return self._scan(options["threshold"])
        return self._export(options["output"], include_all=options["all"])

    def _scan(self, threshold: float) -> None:
        scan = scan_run_start(actor=None, threshold=threshold, enqueue=False)
        with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                      TimeElapsedColumn(), transient=True) as bar:
            task = bar.add_task("starting", total=None)

            def report(stage: str, done: int, total: int) -> None:
                bar.update(task, description=stage, completed=done, total=total or None)

            try:
                scan = scan_run_execute(scan=scan, progress=report)
            except Exception as error:  # noqa: BLE001 - recorded on the scan; say so and exit non-zero
                raise CommandError(f"scan {scan.pk} failed: {error}") from error
        self.stdout.write(f"scan {scan.pk}: {scan.records} records, {scan.compared} pairs compared, "
                          f"{scan.clusters_found} clusters")

    def _export(self, output: str, *, include_all: bool) -> None:
        members = ClusterMember.objects.filter(customer__isnull=False).select_related("cluster")
        if not include_all:
            members = members.filter(cluster__status__in=[ClusterStatus.OPEN, ClusterStatus.CONFIRMED])
        codes = dict(Customer.all_objects.filter(pk__in=members.values("customer_id")).values_list("pk", "code"))
        rows = [(codes.get(m.customer_id, ""), m.cluster_id, f"{m.cluster.score:.6f}")
                for m in members.order_by("-cluster__score", "cluster_id", "customer_id")]
        handle = self.stdout if output == "-" else open(output, "w", newline="", encoding="utf-8")  # noqa: SIM115
        try:
            writer = csv.writer(handle)
            writer.writerow(["customer_code", "cluster_id", "score"])
            writer.writerows(rows)
        finally:
            if handle is not self.stdout:
                handle.close()
        if output != "-":
            self.stdout.write(f"{len(rows)} rows written to {output}")
        if not ScanRun.objects.exists():
            self.stderr.write("No scan has run yet: run `veracity dedup scan` first.")
