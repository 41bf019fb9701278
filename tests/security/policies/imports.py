"""Permission policy of the imports pages and API. The world gets one ImportRun, created by rep_li
(team North) and finished, made here on first use so tests/security/world.py stays untouched."""

from django.core.files.base import ContentFile

from tests.security.policy import perm
from tests.security.world import World
from veracity.imports.models import ImportRun, ImportStatus

_original_ids = World.ids


def _import_run(world: World) -> ImportRun:
    owner = world.customer.owner
    run = ImportRun.objects.filter(created_by=owner, original_name="sweep.csv").first()
    if run is None:
        run = ImportRun(entity="customers", original_name="sweep.csv", headers=["name"], mapping={"name": "name"},
                        status=ImportStatus.COMPLETED, created_by=owner, counts={"dry_run": {"rows": 1, "valid": 1}})
        run.file.save("sweep.csv", ContentFile(b"name\r\nSweep Ltd\r\n"), save=False)
        run.save()
    return run


def _ids_with_import(self) -> dict[str, object]:
    ids = _original_ids(self)
    run_id = _import_run(self).pk
    ids["import"] = ids["import_run"] = run_id
    return ids


World.ids = _ids_with_import

POLICY = {
    "imports:list": perm("import", "view"),
    "imports:create": perm("import", "create", methods=("GET", "POST")),
    "imports:detail": perm("import", "view", obj="import_run", owned=True),
    "imports:mapping": perm("import", "create", obj="import_run", owned=True, methods=("GET", "POST")),
    "imports:preview": perm("import", "view", obj="import_run", owned=True),
    "imports:errors": perm("import", "view", obj="import_run", owned=True),
    "imports:revert": perm("import", "edit", obj="import_run", owned=True, methods=("POST",)),
    "GET /api/v1/imports": perm("import", "view"),
    "POST /api/v1/imports": perm("import", "create"),
    "GET /api/v1/imports/{import_id}": perm("import", "view", obj="import_run", owned=True),
    "POST /api/v1/imports/{import_id}/execute": perm("import", "create", obj="import_run", owned=True),
    "POST /api/v1/imports/{import_id}/revert": perm("import", "edit", obj="import_run", owned=True),
    "GET /api/v1/imports/{import_id}/errors": perm("import", "view", obj="import_run", owned=True),
}
