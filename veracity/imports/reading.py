"""Reading CSV and XLSX files as a header plus a stream of rows, without loading the file into memory.

Encodings: a UTF-8 BOM means utf-8-sig; otherwise the whole file is checked as strict UTF-8 (in
chunks); if that fails it is read as GB18030 (a superset of GBK and GB2312), and if that fails too
the file is refused. Nothing is ever decoded with replacement characters."""

import codecs
import contextlib
import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _

from veracity.core.normalisation import clean_text
from veracity.imports.errors import ImportFileRejected

DEFAULT_MAX_BYTES = 200 * 1024 * 1024
DEFAULT_MAX_CELL_CHARS = 10_000
_CHUNK = 1024 * 1024
_XLSX_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls
csv.field_size_limit(64 * 1024 * 1024)  # read long cells whole; the cap is enforced per cell afterwards


def max_file_bytes() -> int:
    return int(getattr(settings, "VERACITY_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def max_cell_chars() -> int:
    return int(getattr(settings, "VERACITY_IMPORT_MAX_CELL_CHARS", DEFAULT_MAX_CELL_CHARS))


@dataclass(frozen=True)
class Row:
    number: int            # the row number a spreadsheet shows (the header is row 1)
    values: tuple[Any, ...]


def check_size(size: int) -> None:
    limit = max_file_bytes()
    if size > limit:
        raise ImportFileRejected(
            _("The file is %(size)s MB; the largest file you can import is %(limit)s MB. Split it into smaller files.")
            % {"size": round(size / 1024 / 1024, 1), "limit": round(limit / 1024 / 1024, 1)},
            code="file_too_large")


def detect_kind(head: bytes, name: str = "") -> str:
    """"csv" or "xlsx" from the first bytes (not the file name, which may lie)."""
    if not head:
        raise ImportFileRejected(_("The file is empty."), code="file_empty")
    if head.startswith(_XLSX_MAGIC):
        return "xlsx"
    if head.startswith(_OLE_MAGIC):
        raise ImportFileRejected(_("Old .xls workbooks cannot be read: save the file as .xlsx or CSV."),
                                 code="file_unreadable")
    if b"\x00" in head[:8192] and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ImportFileRejected(_("This is not a CSV or XLSX file."), code="file_unreadable")
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ImportFileRejected(_("UTF-16 files cannot be read: save the file as UTF-8 CSV or .xlsx."),
                                 code="file_unreadable")
    return "csv"


def detect_encoding(stream: IO[bytes]) -> str:
    """utf-8-sig, utf-8 or gb18030, checking the whole stream strictly; the stream is rewound."""
    stream.seek(0)
    head = stream.read(3)
    stream.seek(0)
    if head.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    else:
        encoding = "utf-8" if _decodes(stream, "utf-8") else "gb18030"
    if encoding != "utf-8" and not _decodes(stream, encoding):
        raise ImportFileRejected(
            _("The file's text encoding is not recognised: save it as UTF-8 CSV, GBK CSV or .xlsx."),
            code="file_unreadable")
    stream.seek(0)
    return encoding


def _decodes(stream: IO[bytes], encoding: str) -> bool:
    stream.seek(0)
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        while chunk := stream.read(_CHUNK):
            text = decoder.decode(chunk)
            if "\x00" in text:
                return False
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    finally:
        stream.seek(0)
    return True


class Table:
    """An opened file: `headers` and `rows()` (a generator, read lazily)."""

    def __init__(self, stream: IO[bytes], *, sheet: str | None = None):
        self.stream = stream
        stream.seek(0)
        self.kind = detect_kind(stream.read(8192))
        stream.seek(0)
        self.sheet = sheet
        self.sheets: list[str] = []
        self.encoding = ""
        if self.kind == "csv":
            self.encoding = detect_encoding(stream)
        self._iterator = self._open()
        try:
            first = next(self._iterator)
        except StopIteration:
            raise ImportFileRejected(_("The file is empty."), code="file_empty") from None
        self.headers = [clean_text(_text(value)) for value in first.values]
        while self.headers and not self.headers[-1]:
            self.headers.pop()
        if not any(self.headers):
            raise ImportFileRejected(_("The first row must hold the column names; it is empty."), code="file_empty")
        self._check_headers()
        self._first_data = next(self._iterator, None)
        if self._first_data is None:
            raise ImportFileRejected(_("The file has column names but no data rows."), code="file_header_only")

    def _check_headers(self) -> None:
        seen: dict[str, int] = {}
        duplicates = []
        for position, header in enumerate(self.headers):
            key = header.casefold()
            if not header:
                raise ImportFileRejected(
                    _("Column %(number)d has no name: give every column a name in the first row.")
                    % {"number": position + 1}, code="header_missing_name")
            if key in seen:
                duplicates.append(header)
            seen[key] = position
        if duplicates:
            raise ImportFileRejected(
                _("These column names appear more than once: %(names)s. Give each column a different name.")
                % {"names": ", ".join(duplicates)}, code="duplicate_headers", detail={"headers": duplicates})

    def _open(self) -> Iterator[Row]:
        if self.kind == "xlsx":
            return self._xlsx_rows()
        return self._csv_rows()

    def _csv_rows(self) -> Iterator[Row]:
        text = io.TextIOWrapper(self.stream, encoding=self.encoding, newline="", errors="strict")
        first_line = text.readline()
        delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
        if first_line.count(";") > max(first_line.count(","), first_line.count("\t")):
            delimiter = ";"
        lines = _chain_first(first_line, text)
        reader = csv.reader(lines, delimiter=delimiter)
        try:
            for index, values in enumerate(reader):
                if index and not any(value.strip() for value in values):
                    continue
                yield Row(index + 1, tuple(values))
        except csv.Error as error:
            raise ImportFileRejected(_("The CSV file is malformed: %(error)s") % {"error": error},
                                     code="file_unreadable") from error
        finally:
            with contextlib.suppress(ValueError):  # the underlying file may already be closed
                text.detach()

    def _xlsx_rows(self) -> Iterator[Row]:
        from openpyxl import load_workbook
        from openpyxl.utils.exceptions import InvalidFileException

        try:
            workbook = load_workbook(self.stream, read_only=True, data_only=True)
        except (InvalidFileException, KeyError, OSError, ValueError) as error:
            raise ImportFileRejected(_("The workbook cannot be read: %(error)s") % {"error": error},
                                     code="file_unreadable") from error
        except Exception as error:  # noqa: BLE001 - zipfile.BadZipFile and friends from a corrupt upload
            raise ImportFileRejected(_("The workbook cannot be read."), code="file_unreadable") from error
        self.sheets = list(workbook.sheetnames)
        if self.sheet and self.sheet not in self.sheets:
            raise ImportFileRejected(_("The workbook has no sheet named %(sheet)s.") % {"sheet": self.sheet},
                                     code="sheet_missing")
        worksheet = workbook[self.sheet] if self.sheet else workbook.worksheets[0]
        try:
            for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
                if number > 1 and not any(_text(value).strip() for value in values):
                    continue
                yield Row(number, tuple(_xlsx_value(value) for value in values))
        finally:
            workbook.close()

    def rows(self) -> Iterator[Row]:
        """Every data row after the header, each as many values as there are headers."""
        width = len(self.headers)
        pending = [self._first_data] if self._first_data is not None else []
        self._first_data = None
        for row in _chain_first_rows(pending, self._iterator):
            values = tuple(row.values[:width]) + ("",) * max(0, width - len(row.values))
            yield Row(row.number, values)


def _chain_first(first: str, rest: IO[str]) -> Iterator[str]:
    yield first
    # A loop, not `yield from`: closing this generator must not close `rest`, a wrapper around the
    # caller's stream (detached from it by _csv_rows; closing it then raised "buffer has been detached").
    for line in rest:  # noqa: UP028
        yield line


def _chain_first_rows(first: list[Row], rest: Iterator[Row]) -> Iterator[Row]:
    yield from first
    yield from rest


def _xlsx_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _text(value: Any) -> str:
    if value is None:
        return ""
    return str(value)


def table_open(stream: IO[bytes], *, sheet: str | None = None) -> Table:
    """Open a CSV or XLSX stream; raises ImportFileRejected with a clear message when it cannot be used."""
    return Table(stream, sheet=sheet)


def rows_estimate(stream: IO[bytes], *, kind: str, sheet: str = "") -> int:
    """About how many data rows a file holds, without reading them as rows: for a CSV its line breaks
    less the header's (a cell holding a line break counts twice, a blank line once; UTF-8 and GB18030
    never use the byte 0x0A inside a character); for an XLSX sheet the size it records. A load in one
    pass (no dry run counted the rows) needs it for its progress bar and to choose how to load; the
    exact count comes from reading the rows. The stream is rewound."""
    stream.seek(0)
    try:
        if kind == "xlsx":
            from openpyxl import load_workbook

            workbook = load_workbook(stream, read_only=True, data_only=True)
            try:
                worksheet = workbook[sheet] if sheet else workbook.worksheets[0]
                return max(0, (worksheet.max_row or 1) - 1)
            finally:
                workbook.close()
        breaks, last = 0, b""
        while chunk := stream.read(_CHUNK):
            breaks += chunk.count(b"\n")
            last = chunk[-1:]
        lines = breaks + (1 if last and last != b"\n" else 0)
        return max(0, lines - 1)
    finally:
        stream.seek(0)
