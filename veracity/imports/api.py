"""/api/v1/imports: upload (dry run), list, get, execute, revert, errors."""

from django.http import HttpRequest
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from veracity.accounts.models import Action
from veracity.core.api import ErrorOut, Pagination
from veracity.core.errors import ValidationFailed
from veracity.imports import selectors, services
from veracity.imports.schemas import ImportRunOut, RevertOut, RowErrorOut

router = Router(tags=["imports"])


@router.post("/imports", response={201: ImportRunOut, 403: ErrorOut, 422: ErrorOut},
             summary="Upload a file: returns the dry-run result (nothing is loaded yet); with one_pass (and "
                     "policy load_valid) no dry run: the load is queued at once")
def import_create(
    request: HttpRequest,
    file: File[UploadedFile] = None,
    entity: Form[str] = "",
    mode: Form[str] = "create",
    policy: Form[str] = "all_or_nothing",
    sheet: Form[str] = "",
    mapping_name: Form[str] = "",
    one_pass: Form[bool] = False,
):
    selectors.import_run_list(user=request.user, action=Action.CREATE)  # permission first
    if file is None:
        raise ValidationFailed({"file": ["Send the file as multipart form data."]})
    run = services.import_run_create(actor=request.user, stream=file.file, name=file.name or "upload",
                                     size=file.size or 0, entity=entity, mode=mode, policy=policy, sheet=sheet,
                                     mapping_name=mapping_name, one_pass=one_pass)
    if one_pass and services.mapping_complete(run):
        run = services.import_run_queue(actor=request.user, run=run)
        run.refresh_from_db()
    return Status(201, run)


@router.get("/imports", response={200: list[ImportRunOut], 403: ErrorOut}, summary="List the imports you may see")
@paginate(Pagination)
def import_list(request: HttpRequest):
    return selectors.import_run_list(user=request.user)


@router.get("/imports/{import_id}", response={200: ImportRunOut, 403: ErrorOut, 404: ErrorOut}, summary="Get an import")
def import_get(request: HttpRequest, import_id: int):
    return selectors.import_run_get(user=request.user, pk=import_id)


@router.post("/imports/{import_id}/execute", response={202: ImportRunOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
             summary="Load the rows (in the background)")
def import_execute(request: HttpRequest, import_id: int):
    run = selectors.import_run_get(user=request.user, pk=import_id, action=Action.CREATE)
    run = services.import_run_queue(actor=request.user, run=run)
    run.refresh_from_db()
    return Status(202, run)


@router.post("/imports/{import_id}/revert", response={200: RevertOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
             summary="Undo an import")
def import_revert(request: HttpRequest, import_id: int):
    run = selectors.import_run_get(user=request.user, pk=import_id, action=Action.EDIT)
    return services.import_run_revert(actor=request.user, run=run)


@router.get("/imports/{import_id}/errors", response={200: list[RowErrorOut], 403: ErrorOut, 404: ErrorOut},
            summary="The problems found in the file")
@paginate(Pagination)
def import_errors(request: HttpRequest, import_id: int):
    run = selectors.import_run_get(user=request.user, pk=import_id)
    return selectors.import_row_errors(run=run)
