"""Dashboard tables as CSV or XLSX through the exports app's writers, so every text cell is
neutralised against formula injection (SECURITY.md R11) exactly as list exports are."""

from collections.abc import Iterator

from veracity.analytics.selectors.base import Table
from veracity.exports.registry import Column, Kind
from veracity.exports.writers import csv_stream, xlsx_stream

KINDS = {"int": Kind.INT, "decimal": Kind.DECIMAL, "percent": Kind.DECIMAL, "date": Kind.DATE, "text": Kind.TEXT}
FORMATS = {"csv": "text/csv; charset=utf-8",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def table_stream(table: Table, fmt: str) -> Iterator[bytes]:
    columns = [Column(key=column.key, label=column.label, get=lambda row: row, kind=KINDS.get(column.kind, Kind.TEXT))
               for column in table.columns]
    if fmt == "xlsx":
        return xlsx_stream(columns, table.rows, title=str(table.title))
    return csv_stream(columns, table.rows)
