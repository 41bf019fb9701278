"""Reads of import runs, scoped: a team-scoped user sees the runs created by people in their teams."""

from veracity.accounts.access import access_require, can, scope_q
from veracity.accounts.models import Action, Resource
from veracity.core.errors import NotFound
from veracity.imports.models import DeferredIndex, ImportMapping, ImportRowError, ImportRun, ImportStatus


def import_run_list(*, user, action: str = Action.VIEW):
    scope = access_require(user, Resource.IMPORT, action)
    return ImportRun.objects.filter(scope_q(user, scope, ("created_by",))).select_related("created_by")


def import_restorations_pending(*, user) -> list[str]:
    """The indexes, foreign keys and autovacuum settings a bulk load left out and no running load will put
    back (its process was killed: imports.bulk.indexes), for users who may edit imports; [] for others.
    Mark dead runs interrupted first (import_runs_mark_interrupted), or their rows count as running."""
    if not can(user, Resource.IMPORT, Action.EDIT):
        return []
    return list(DeferredIndex.objects.exclude(run__status=ImportStatus.RUNNING).order_by("id")
                .values_list("name", flat=True))


def import_run_get(*, user, pk: int, action: str = Action.VIEW) -> ImportRun:
    run = import_run_list(user=user, action=action).filter(pk=pk).first()
    if run is None:
        raise NotFound()
    return run


def import_row_errors(*, run: ImportRun, level: str | None = None):
    errors = ImportRowError.objects.filter(run=run)
    if level:
        errors = errors.filter(level=level)
    return errors.order_by("row_number", "id")


def file_headers_by_column(run: ImportRun) -> dict[str, str]:
    """Canonical column -> the header the user's own file has for it.

    Why: problems are stored against canonical columns (the same for every file), but people look for
    the column in their file, e.g. 手机 rather than phone.
    """
    return {column: header for header, column in (run.mapping or {}).items() if column}


def import_mapping_list(*, user, entity: str | None = None):
    access_require(user, Resource.IMPORT, Action.VIEW)
    mappings = ImportMapping.objects.all()
    return mappings.filter(entity=entity) if entity else mappings
