"""Reads of import runs, scoped: a team-scoped user sees the runs created by people in their teams."""

from veracity.accounts.access import access_require, scope_q
from veracity.accounts.models import Action, Resource
from veracity.core.errors import NotFound
from veracity.imports.models import ImportMapping, ImportRowError, ImportRun


def import_run_list(*, user, action: str = Action.VIEW):
    scope = access_require(user, Resource.IMPORT, action)
    return ImportRun.objects.filter(scope_q(user, scope, ("created_by",))).select_related("created_by")


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


def import_mapping_list(*, user, entity: str | None = None):
    access_require(user, Resource.IMPORT, Action.VIEW)
    mappings = ImportMapping.objects.all()
    return mappings.filter(entity=entity) if entity else mappings
