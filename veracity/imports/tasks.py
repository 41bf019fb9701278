"""Background execution of import runs (django-tasks: the database queue and `veracity db_worker`)."""

from django_tasks import task

from veracity.imports import services
from veracity.imports.models import ImportRun


@task()
def import_run_execute_task(run_id: int) -> None:
    run = ImportRun.objects.select_related("created_by").get(pk=run_id)
    try:
        services.import_run_execute(actor=run.created_by, run_id=run_id)
    except Exception as error:  # noqa: BLE001 - any failure leaves a resumable run, and is reported on it
        services.import_run_mark_failed(run_id=run_id, message=str(error))
        raise


@task()
def import_prepared_sweep_task() -> list[str]:
    """`veracity import --sweep-prepared` as a scheduled job: the files whose dry-run frames were deleted."""
    return services.import_prepared_sweep()
