"""GET /api/v1/exports/{entity}?format=csv|xlsx|parquet|raw&<filters>: the same files as the pages."""

from enum import StrEnum

from django.http import HttpRequest
from ninja import Router

from veracity.core.api import ErrorOut
from veracity.exports.registry import ENTITIES, filter_names
from veracity.exports.services import FORMATS, export_create
from veracity.exports.views import export_response

router = Router(tags=["exports"])

ExportEntity = StrEnum("ExportEntity", {name: name for name in ENTITIES})
ExportFormat = StrEnum("ExportFormat", {name: name for name in FORMATS})

_FILTERS = "\n".join(f"- `{name}`: {', '.join(f'`{f}`' for f in filter_names(entity))}"
                     for name, entity in ENTITIES.items())


@router.get(
    "/exports/{entity}",
    response={200: None, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Export a list as a file",
    description=(
        "Streams every record the list would show for these filters, within your scope, as a file "
        "(`Content-Disposition: attachment`). Needs the export permission for the entity; `raw` (JSON Lines, "
        "round-trip exact) is for administrators only. Filters are the list's own query parameters:\n"
        + _FILTERS
    ),
    openapi_extra={"responses": {200: {"description": "The file", "content": {
        FORMATS[name].content_type.split(";")[0]: {"schema": {"type": "string", "format": "binary"}}
        for name in FORMATS}}}},
)
def export_download(request: HttpRequest, entity: ExportEntity, format: ExportFormat = ExportFormat.csv):  # noqa: A002
    params = {key: value for key, value in request.GET.items() if key != "format"}
    export = export_create(actor=request.user, entity=entity.value, filters=params, fmt=format.value)
    return export_response(export)
