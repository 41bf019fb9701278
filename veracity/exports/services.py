"""`export_create`: the one way out for data. Pages, the API and `veracity export` all call it."""

from collections.abc import Callable, Iterator, Mapping
from functools import partial
from typing import NamedTuple

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from veracity.accounts.access import access_require
from veracity.accounts.models import Action, RoleCode
from veracity.audit.models import AuditAction
from veracity.audit.services import audit_event_record, object_type_of
from veracity.core.errors import PermissionDenied, ValidationFailed
from veracity.exports import writers
from veracity.exports.registry import Entity, entity_get, filters_describe, filters_parse

# Records fetched per database round trip (and per Parquet part): bounds memory whatever the size.
CHUNK_SIZE = 2000


class Format(NamedTuple):
    name: str
    extension: str
    content_type: str


FORMATS: dict[str, Format] = {
    "csv": Format("csv", "csv", "text/csv; charset=utf-8"),
    "xlsx": Format("xlsx", "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "parquet": Format("parquet", "parquet", "application/vnd.apache.parquet"),
    "raw": Format("raw", "jsonl", "application/x-ndjson; charset=utf-8"),
}
# The round-trip format skips formula neutralisation, so it is for administrators only.
ADMIN_ONLY_FORMATS = frozenset({"raw"})


class ExportStream:
    """The bytes of an export file, produced as they are read. `row_count` is known up front (it is
    audited before the first byte); `on_row` is called after each record is written."""

    def __init__(self, chunks: Callable[[Iterator[tuple]], Iterator[bytes]], rows: Iterator[tuple],
                 *, row_count: int, content_type: str):
        self.row_count = row_count
        self.rows_written = 0
        self.content_type = content_type
        self.on_row: Callable[[int], None] | None = None
        self._chunks = chunks(self._counted(rows))
        # Django reads a streamed body after the view has returned: keep the request's language.
        self._language = translation.get_language()

    def _counted(self, rows: Iterator[tuple]) -> Iterator[tuple]:
        for row in rows:
            yield row
            self.rows_written += 1
            if self.on_row is not None:
                self.on_row(self.rows_written)

    def __iter__(self) -> Iterator[bytes]:
        while True:
            with translation.override(self._language):
                chunk = next(self._chunks, None)
            if chunk is None:
                return
            yield chunk

    def close(self) -> None:
        """Called by Django when the response ends (also when the client goes away): removes temp files."""
        self._chunks.close()


class ExportFile(NamedTuple):
    filename: str
    stream: ExportStream


def export_filename(entity: Entity, fmt: Format) -> str:
    """ASCII only and built from our own names, never from anything the user typed."""
    return f"veracity-{entity.name.replace('_', '-')}-{timezone.localdate():%Y-%m-%d}.{fmt.extension}"


def _is_admin(user) -> bool:
    return user.roles.filter(code=RoleCode.ADMIN).exists()


def _writer(fmt: Format, columns, spec: Entity) -> Callable[[Iterator[tuple]], Iterator[bytes]]:
    if fmt.name == "csv":
        return partial(writers.csv_stream, columns)
    if fmt.name == "xlsx":
        return partial(writers.xlsx_stream, columns, title=str(spec.label))
    if fmt.name == "parquet":
        return partial(writers.parquet_stream, columns, chunk_size=CHUNK_SIZE)
    return partial(writers.raw_stream, columns)


def export_create(*, actor, entity: str, filters: Mapping[str, str] | object, fmt: str) -> ExportFile:
    """Check that `actor` may export `entity`, audit the export, and return its file name and a
    stream of its bytes. `filters` is either the list's filter dataclass or query parameters named
    as on the list page. Raises NotFound (unknown entity), PermissionDenied or ValidationFailed."""
    spec = entity_get(entity)
    access_require(actor, spec.resource, Action.EXPORT)
    file_format = FORMATS.get(fmt)
    if file_format is None:
        raise ValidationFailed({"format": [_("Choose one of: %(formats)s.") % {"formats": ", ".join(FORMATS)}]})
    if file_format.name in ADMIN_ONLY_FORMATS and not _is_admin(actor):
        raise PermissionDenied(_("Only administrators may take the raw export."),
                               detail={"format": file_format.name})
    parsed = filters if isinstance(filters, spec.filters) else filters_parse(spec, filters)
    columns = spec.visible_columns(actor)
    queryset = spec.queryset(user=actor, filters=parsed)
    row_count = queryset.count()
    audit_event_record(
        actor=actor, action=AuditAction.EXPORT, object_type=object_type_of(queryset.model),
        object_repr=f"{spec.name} ({file_format.name})",
        extra={"entity": spec.name, "format": file_format.name, "filters": filters_describe(parsed),
               "row_count": row_count, "columns": [column.key for column in columns]},
    )
    getters = [column.get for column in columns]
    rows = (tuple(get(record) for get in getters) for record in queryset.iterator(chunk_size=CHUNK_SIZE))
    stream = ExportStream(_writer(file_format, columns, spec), rows, row_count=row_count,
                          content_type=file_format.content_type)
    return ExportFile(export_filename(spec, file_format), stream)
