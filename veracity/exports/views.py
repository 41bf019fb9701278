"""GET /exports/<entity>/?format=csv&<the list's filters>: the file, streamed."""

from django.contrib.auth.decorators import login_required
from django.http import StreamingHttpResponse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from veracity.exports.services import export_create


def export_response(export) -> StreamingHttpResponse:
    """The streamed attachment for an ExportFile (shared by the page route and the API)."""
    response = StreamingHttpResponse(export.stream, content_type=export.stream.content_type)
    response["Content-Disposition"] = content_disposition_header(True, export.filename)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def download(request, entity: str):
    params = {key: value for key, value in request.GET.items() if key != "format"}
    export = export_create(actor=request.user, entity=entity, filters=params, fmt=request.GET.get("format") or "csv")
    return export_response(export)
