"""File writers: each turns columns and an iterator of rows into an iterator of bytes, holding at most
one chunk of rows in memory.

Spreadsheet formats (CSV, XLSX) are for people: headers are translated, choices show their labels,
and every text cell that a spreadsheet could run as a formula is neutralised (SECURITY.md R11,
EspoCRM #2052). The data formats are for programs: Parquet keeps typed values and codes, and `raw`
(JSON Lines) gives back exactly what is stored, for moving data to another system."""

import csv
import datetime as dt
import json
import tempfile
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path

import polars as pl
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from veracity.exports.registry import Column, Kind

# Characters that make a spreadsheet treat a cell as a formula (or hide what follows them).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\0")
CSV_BATCH_ROWS = 500
FILE_BLOCK_BYTES = 64 * 1024
XLSX_MAX_CELL_CHARS = 32_767  # Excel refuses longer cells
UTF8_BOM = "\ufeff"


def neutralise(text: str) -> str:
    """A text cell no spreadsheet will run: one starting with a formula trigger gets a leading `'`."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def batched(rows: Iterable, size: int) -> Iterator[list]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


def _file_blocks(handle) -> Iterator[bytes]:
    handle.seek(0)
    while block := handle.read(FILE_BLOCK_BYTES):
        yield block


def _local_naive(value: dt.datetime) -> dt.datetime:
    """Spreadsheets have no time zones: show the time as the user's clock reads it."""
    return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value


def _spreadsheet_value(column: Column, value):
    """A value for CSV or XLSX: numbers and dates stay typed, text is shown as on the page and
    neutralised. Returns None for an empty cell."""
    if value is None:
        return None
    if column.kind == Kind.BOOL:
        return _("Yes") if value else _("No")
    if column.kind == Kind.DATETIME:
        return _local_naive(value).replace(microsecond=0)
    if column.kind in (Kind.INT, Kind.DECIMAL, Kind.DATE):
        return value
    return neutralise(str(column.display(value)))


def csv_stream(columns: list[Column], rows: Iterable[tuple]) -> Iterator[bytes]:
    """UTF-8 with a byte-order mark, so Excel opens Chinese text correctly."""

    class Echo:
        def write(self, value: str) -> str:
            return value

    writer = csv.writer(Echo())
    yield (UTF8_BOM + writer.writerow([neutralise(str(column.label)) for column in columns])).encode()
    for batch in batched(rows, CSV_BATCH_ROWS):
        lines = []
        for row in batch:
            cells = []
            for column, value in zip(columns, row, strict=True):
                cell = _spreadsheet_value(column, value)
                cells.append("" if cell is None else cell.isoformat(sep=" ") if isinstance(cell, dt.datetime)
                             else cell.isoformat() if isinstance(cell, dt.date) else cell)
            lines.append(writer.writerow(cells))
        yield "".join(lines).encode()


def _xlsx_text(text: str) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", text)[:XLSX_MAX_CELL_CHARS]


def xlsx_stream(columns: list[Column], rows: Iterable[tuple], *, title: str) -> Iterator[bytes]:
    """openpyxl's write-only mode streams rows to a temporary file; the finished workbook is then
    sent in blocks. Numbers are numeric cells, dates are date cells."""
    with tempfile.TemporaryFile() as handle:
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(title=_xlsx_text(title)[:31])
        sheet.freeze_panes = "A2"
        bold = Font(bold=True)
        header = []
        for column in columns:
            cell = WriteOnlyCell(sheet, value=_xlsx_text(neutralise(str(column.label))))
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        for row in rows:
            cells = []
            for column, value in zip(columns, row, strict=True):
                cell = _spreadsheet_value(column, value)
                cells.append(_xlsx_text(cell) if isinstance(cell, str) else cell)
            sheet.append(cells)
        workbook.save(handle)
        yield from _file_blocks(handle)


def _parquet_type(column: Column) -> pl.DataType:
    return {
        Kind.INT: pl.Int64(),
        Kind.DECIMAL: pl.Decimal(38, column.scale),
        Kind.DATE: pl.Date(),
        Kind.DATETIME: pl.Datetime("us", time_zone="UTC"),
        Kind.BOOL: pl.Boolean(),
    }.get(column.kind, pl.String())


def _parquet_value(column: Column, value):
    if value is None:
        return None
    if column.kind == Kind.TEXT:
        return str(value)
    if column.kind == Kind.DATETIME:
        return value.astimezone(dt.UTC)
    return value


def parquet_stream(columns: list[Column], rows: Iterable[tuple], *, chunk_size: int) -> Iterator[bytes]:
    """Each chunk of rows becomes one Polars frame written to a part file; Polars' streaming engine
    then joins the parts into one file, which is sent in blocks. Column names are the stable keys."""
    schema = {column.key: _parquet_type(column) for column in columns}
    with tempfile.TemporaryDirectory(prefix="veracity-export-") as folder:
        parts = []
        for number, batch in enumerate(batched(rows, chunk_size)):
            data = [[_parquet_value(column, value) for column, value in zip(columns, row, strict=True)]
                    for row in batch]
            part = Path(folder) / f"part-{number:06d}.parquet"
            pl.DataFrame(data, schema=schema, orient="row").write_parquet(part)
            parts.append(part)
        if not parts:
            part = Path(folder) / "part-empty.parquet"
            pl.DataFrame(schema=schema).write_parquet(part)
            parts.append(part)
        target = Path(folder) / "export.parquet"
        pl.scan_parquet(parts).sink_parquet(target)
        with target.open("rb") as handle:
            yield from _file_blocks(handle)


def _raw_value(column: Column, value):
    if value is None:
        return None
    if column.kind == Kind.DECIMAL:
        return str(value)  # exact: never through a float
    if column.kind == Kind.DATETIME:
        return value.astimezone(dt.UTC).isoformat()
    if column.kind == Kind.DATE:
        return value.isoformat()
    if column.kind in (Kind.INT, Kind.BOOL):
        return value
    return str(value)


def raw_stream(columns: list[Column], rows: Iterable[tuple]) -> Iterator[bytes]:
    """JSON Lines, one object per record keyed by the columns' stable keys, values exactly as stored
    (codes, not labels; decimals as strings; times in UTC). Nothing is neutralised: this format is
    for programs, and only administrators may take it."""
    for batch in batched(rows, CSV_BATCH_ROWS):
        yield "".join(
            json.dumps({column.key: _raw_value(column, value) for column, value in zip(columns, row, strict=True)},
                       ensure_ascii=False) + "\n"
            for row in batch
        ).encode()
