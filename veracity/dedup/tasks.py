"""Background tasks of the duplicates app (run by `veracity worker`)."""

from django_tasks import task

from veracity.dedup.models import ScanRun
from veracity.dedup.services import scan_run_execute


@task()
def dedup_scan_run(scan_id: int) -> dict[str, int]:
    """Run a queued duplicate scan; progress is kept on the ScanRun row (stage, done, total)."""
    scan = scan_run_execute(scan=ScanRun.objects.get(pk=scan_id))
    return {"records": scan.records, "compared": scan.compared, "clusters": scan.clusters_found}
