"""Reading an order-line CSV as a stream of Polars frames, and cutting it into batches that never
split an order — the same batches (numbers, row ranges) as pipeline.batch_units makes row by row.

The file is scanned with Polars `scan_csv(...).collect_batches()` in chunks. Polars reads ahead of a
slower consumer without bound: while the first batches are checked it holds most of the file, parsed
(~300 MB for the 166 MB benchmark file), so memory grows with the file up to the import size cap
(VERACITY_IMPORT_MAX_BYTES, 200 MB). Reading quote-free files in pieces of our own removed that but did
not lower the 1M-line import's peak, which comes later (docs/benchmarks.md, tenth round). A GBK/GB18030
file is first transcoded to a temporary UTF-8 file in 1 MB steps (Polars reads only UTF-8)."""

from __future__ import annotations

import codecs
import csv
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import polars as pl
from django.utils.translation import gettext as _

from veracity.imports.bulk.checks import ERROR_SCHEMA, FILE_COLUMNS
from veracity.imports.errors import ImportFileRejected
from veracity.imports.pipeline import VALUE_PREVIEW_CHARS
from veracity.imports.reading import max_cell_chars

READ_CHUNK_ROWS = 100_000
_TRANSCODE_CHUNK = 1024 * 1024


@dataclass
class FrameBatch:
    number: int
    frame: pl.DataFrame            # row, unit, the canonical columns (text, null when empty)
    issues: pl.DataFrame           # structural problems found while reading (ERROR_SCHEMA)

    @property
    def row_start(self) -> int:
        return int(self.frame.get_column("row")[0])

    @property
    def row_end(self) -> int:
        return int(self.frame.get_column("row")[-1])

    @property
    def row_count(self) -> int:
        return self.frame.height


@contextmanager
def utf8_path(path: str, encoding: str):
    """The file itself when it is UTF-8, else a temporary UTF-8 copy, transcoded in streaming fashion."""
    if encoding in ("", "utf-8", "utf-8-sig"):
        yield path
        return
    handle, target = tempfile.mkstemp(suffix=".csv", prefix="veracity-import-")
    try:
        decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
        with open(path, "rb") as source, os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            while chunk := source.read(_TRANSCODE_CHUNK):
                out.write(decoder.decode(chunk))
            out.write(decoder.decode(b"", final=True))
        yield target
    finally:
        os.unlink(target)


def _delimiter(path: str) -> str:
    """As reading.Table decides it, from the first line."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        first_line = handle.readline()
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    if first_line.count(";") > max(first_line.count(","), first_line.count("\t")):
        delimiter = ";"
    return delimiter


def read_frames(path: str, *, headers: list[str], mapping: dict[str, str], chunk_rows: int = READ_CHUNK_ROWS
                ) -> Iterator[tuple[pl.DataFrame, pl.DataFrame]]:
    """(frame, issues) per chunk: "row" (the spreadsheet row number, the header is row 1) and the
    canonical columns as text (null when empty), blank rows dropped; cells over the length cap are
    cut and reported, as pipeline.map_rows does."""
    width = len(headers)
    names = [f"c{index}" for index in range(width)]
    separator = _delimiter(path)
    # Short lines padded, long ones cut (the row path reads the header's columns of every row) — the first
    # line too: Polars takes the width from it and refused the whole file when it was the longer one.
    source = pl.scan_csv(
        path, has_header=False, skip_rows=1, separator=separator, infer_schema=False,
        schema={name: pl.String for name in names}, truncate_ragged_lines=True, row_index_name="row",
        row_index_offset=2, raise_if_empty=False, missing_columns="insert", extra_columns="ignore")
    selected = {}
    for index, header in enumerate(headers):
        column = mapping.get(header) or ""
        if column and column not in selected:
            selected[column] = names[index]
    try:
        yield from _frames(source.collect_batches(chunk_size=chunk_rows), names, selected)
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError, pl.exceptions.SchemaError) as error:
        raise ImportFileRejected(_malformed_message(path, separator, error), code="file_unreadable") from error


def _malformed_message(path: str, separator: str, error: Exception) -> str:
    """Which row Polars could not read, and why, in words: Python's csv module reads the file again,
    strictly (only after a failure), to name the first row it cannot read; Polars' own message (its
    first paragraph: the rest is advice for Polars users) when that module reads every row."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, delimiter=separator, strict=True)
        rows = 0
        try:
            for _values in reader:
                rows += 1
        except csv.Error as csv_error:
            return _("The CSV file is malformed at row %(row)s: %(reason)s. A cell that holds a comma, a quote "
                     "or a line break must be in double quotes, with each quote inside it doubled.") % {
                "row": rows + 1, "reason": csv_error}
    return _("The CSV file is malformed: %(error)s") % {"error": str(error).split("\n\n")[0]}


def _frames(chunks: Iterator[pl.DataFrame], names: list[str], selected: dict[str, str]
            ) -> Iterator[tuple[pl.DataFrame, pl.DataFrame]]:
    limit = max_cell_chars()
    for chunk in chunks:
        blank = pl.all_horizontal([pl.col(name).fill_null("").str.strip_chars() == "" for name in names])
        chunk = chunk.filter(~blank)
        if chunk.height == 0:
            continue
        issues = []
        for column, name in selected.items():
            long = chunk.filter(pl.col(name).str.len_chars() > limit)
            if long.height:
                issues.append(pl.DataFrame({
                    "row": long.get_column("row").cast(pl.Int64), "column": [column] * long.height,
                    "value": long.get_column(name).str.slice(0, VALUE_PREVIEW_CHARS),
                    "message": [_("This cell has %(count)s characters; at most %(limit)s are allowed.")
                                % {"count": f"{count:,}", "limit": f"{limit:,}"}
                                for count in long.get_column(name).str.len_chars().to_list()]}, schema=ERROR_SCHEMA))
        frame = chunk.select(pl.col("row").cast(pl.Int64),
                             *[pl.col(name).str.slice(0, limit).alias(column) for column, name in selected.items()])
        missing = [column for column in FILE_COLUMNS if column not in frame.columns]
        frame = frame.with_columns([pl.lit(None, dtype=pl.String).alias(column) for column in missing])
        yield frame, (pl.concat(issues) if issues else pl.DataFrame(schema=ERROR_SCHEMA))


def order_batches(chunks: Iterator[tuple[pl.DataFrame, pl.DataFrame]], *, batch_size: int,
                  closed: set[str] | None = None) -> Iterator[FrameBatch]:
    """Batches of about `batch_size` lines; an order (consecutive lines with the same number) is
    never split. Lines of an order number seen earlier in the file are refused, as group_units does."""
    closed = set() if closed is None else closed
    pending: pl.DataFrame | None = None
    pending_key: pl.Series | None = None  # each line's order key, computed once per line (a regex per value)
    pending_issues: list[pl.DataFrame] = []
    number, next_unit = 1, 0
    exhausted = False
    iterator = iter(chunks)
    while True:
        if not exhausted:
            try:
                chunk, issues = next(iterator)
                pending = chunk if pending is None else pl.concat([pending, chunk])
                pending_key = _keys(chunk) if pending_key is None else pl.concat([pending_key, _keys(chunk)])
                pending_issues.append(issues)
            except StopIteration:
                exhausted = True
        if pending is None or pending.height == 0:
            if exhausted:
                return
            continue
        while pending is not None and pending.height:
            key = pending_key
            starts = (key != key.shift(1)).fill_null(True) | (key == "")
            start_positions = starts.arg_true()
            after = start_positions.filter(start_positions >= batch_size)
            if after.len():
                cut = int(after[0])
            elif exhausted:
                cut = pending.height
            else:
                break
            taken, pending, pending_key = pending.slice(0, cut), pending.slice(cut), key.slice(cut)
            taken_key, taken_starts = key.slice(0, cut), starts.slice(0, cut)
            unit = pl.select(pl.lit(taken_starts).cast(pl.Int64).cum_sum() - 1 + next_unit).to_series().alias("unit")
            next_unit += int(taken_starts.sum())
            frame = taken.with_columns(unit)
            issues = pl.concat(pending_issues) if pending_issues else pl.DataFrame(schema=ERROR_SCHEMA)
            last_row = int(frame.get_column("row")[-1])
            batch_issues = issues.filter(pl.col("row") <= last_row)
            pending_issues = [issues.filter(pl.col("row") > last_row)]
            heads = frame.filter(taken_starts).select("row", key=taken_key.filter(taken_starts))
            heads = heads.filter(pl.col("key") != "")
            keys = heads.get_column("key").to_list()
            # A set lookup per order head: `closed` grows to every order number of the file, too big to
            # turn into a Series for every batch.
            seen_before = pl.Series([key in closed for key in keys], dtype=pl.Boolean)
            repeated = seen_before | ~heads.get_column("key").is_first_distinct()
            if repeated.any():
                bad = heads.filter(repeated)
                batch_issues = pl.concat([batch_issues, pl.DataFrame({
                    "row": bad.get_column("row"), "column": ["order_number"] * bad.height,
                    "value": bad.get_column("key"),
                    "message": [_("The lines of order %(number)s are not together: sort the file by order number.")
                                % {"number": key} for key in bad.get_column("key").to_list()]},
                    schema=ERROR_SCHEMA)])
            closed.update(keys)
            yield FrameBatch(number, frame, batch_issues)
            number += 1
        if exhausted and (pending is None or pending.height == 0):
            return


def _keys(frame: pl.DataFrame) -> pl.Series:
    """order_key for every line, vectorised: whitespace runs collapsed, trimmed, upper case."""
    return (frame.get_column("order_number").fill_null("").str.replace_all(r"\s+", " ").str.strip_chars()
            .str.to_uppercase().alias("key"))
