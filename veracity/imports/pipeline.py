"""The import pipeline as separate steps: read -> map -> group into units -> batch -> apply.

Each step is a generator over the previous one, so a file is never held in memory whole, and a
faster persist step can replace `unit_apply` without changing the rest."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO

from django.db import transaction
from django.utils.translation import gettext as _

from veracity.core.errors import DomainError
from veracity.imports.entities import HANDLERS, Context, Issue, MappedRow, Outcome, RowFailure
from veracity.imports.reading import Row, max_cell_chars, table_open

VALUE_PREVIEW_CHARS = 200


@dataclass
class Unit:
    rows: list[MappedRow]
    issues: list[Issue] = field(default_factory=list)

    @property
    def first(self) -> int:
        return self.rows[0].number

    @property
    def last(self) -> int:
        return self.rows[-1].number


@dataclass
class Batch:
    number: int
    units: list[Unit]

    @property
    def row_start(self) -> int:
        return self.units[0].first

    @property
    def row_end(self) -> int:
        return self.units[-1].last

    @property
    def row_count(self) -> int:
        return sum(len(unit.rows) for unit in self.units)


@dataclass
class UnitResult:
    unit: Unit
    status: str                  # created | updated | unchanged | invalid
    outcome: Outcome | None = None
    issues: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)


def map_rows(rows: Iterable[Row], headers: list[str], mapping: dict[str, str]) -> Iterator[tuple[MappedRow, list[Issue]]]:
    """Rows as {canonical column: value}; cells over the length cap become issues (value truncated)."""
    positions = [(index, mapping.get(header) or "") for index, header in enumerate(headers)]
    limit = max_cell_chars()
    for row in rows:
        values, issues = {}, []
        for index, column in positions:
            if not column:
                continue
            value = row.values[index] if index < len(row.values) else ""
            if isinstance(value, str) and len(value) > limit:
                issues.append(Issue(row.number, column, value[:VALUE_PREVIEW_CHARS],
                                    _("This cell has %(count)s characters; at most %(limit)s are allowed.")
                                    % {"count": f"{len(value):,}", "limit": f"{limit:,}"}))
                value = value[:limit]
            values[column] = value
        yield MappedRow(row.number, values), issues


def group_units(entity: str, mapped: Iterable[tuple[MappedRow, list[Issue]]]) -> Iterator[Unit]:
    """One unit per record. Order lines: consecutive rows with the same order number; the same number
    again later is refused (the file must keep an order's lines together)."""
    handler = HANDLERS[entity]
    if not getattr(handler, "groups_rows", False):
        for row, issues in mapped:
            yield Unit([row], issues)
        return
    closed: set[str] = set()
    current: Unit | None = None
    current_key = None
    for row, issues in mapped:
        key = handler.key(row)
        if current is not None and key == current_key and key:
            current.rows.append(row)
            current.issues.extend(issues)
            continue
        if current is not None:
            yield current
            closed.add(current_key)
        current, current_key = Unit([row], issues), key
        if key and key in closed:
            current.issues.append(Issue(row.number, "order_number", key, _(
                "The lines of order %(number)s are not together: sort the file by order number.") % {"number": key}))
    if current is not None:
        yield current


def batch_units(units: Iterable[Unit], size: int) -> Iterator[Batch]:
    """Batches of about `size` rows; a unit (an order) is never split."""
    number, pending, rows = 1, [], 0
    for unit in units:
        pending.append(unit)
        rows += len(unit.rows)
        if rows >= size:
            yield Batch(number, pending)
            number, pending, rows = number + 1, [], 0
    if pending:
        yield Batch(number, pending)


def read_batches(stream: IO[bytes], *, entity: str, sheet: str, mapping: dict[str, str], batch_size: int
                 ) -> Iterator[Batch]:
    table = table_open(stream, sheet=sheet or None)
    mapped = map_rows(table.rows(), table.headers, mapping)
    batches = batch_units(group_units(entity, mapped), batch_size)
    if entity == "orders":
        return _prechecked(batches)
    return batches


def _prechecked(batches: Iterable[Batch]) -> Iterator[Batch]:
    """Order lines pass the same checks as in the bulk path (bulk.checks) before any service sees
    them, so one set of rules decides which rows are valid on both paths."""
    import polars as pl

    from veracity.imports.bulk.checks import FILE_COLUMNS, order_lines_check
    from veracity.imports.parsing import text

    cache: dict = {}
    for batch in batches:
        rows, units = [], []
        for index, unit in enumerate(batch.units):
            rows.extend(unit.rows)
            units.extend([index] * len(unit.rows))
        frame = pl.DataFrame({"row": [row.number for row in rows], "unit": units,
                              **{column: [text(row.values.get(column)) or None for row in rows]
                                 for column in FILE_COLUMNS}},
                             schema={"row": pl.Int64, "unit": pl.Int64, **{column: pl.String for column in FILE_COLUMNS}})
        _cleaned, errors = order_lines_check(frame, cache=cache)
        unit_of_row = dict(zip(frame.get_column("row").to_list(), units, strict=True))
        for row, column, value, message in errors.iter_rows():
            batch.units[unit_of_row[row]].issues.append(Issue(row, column, value, message))
        yield batch


def unit_apply(unit: Unit, ctx: Context, *, entity: str, with_warnings: bool = False) -> UnitResult:
    """Validate and write one unit through the domain services, inside a savepoint: a refused unit
    leaves nothing behind."""
    handler = HANDLERS[entity]
    warnings = handler.warnings(unit.rows, ctx) if with_warnings and hasattr(handler, "warnings") else []
    if unit.issues:
        return UnitResult(unit, "invalid", issues=list(unit.issues), warnings=warnings)
    try:
        with transaction.atomic():
            outcome = handler.persist(unit.rows, ctx)
    except RowFailure as failure:
        return UnitResult(unit, "invalid", issues=failure.issues, warnings=warnings)
    except DomainError as error:
        return UnitResult(unit, "invalid", issues=[Issue(unit.first, "", "", error.message)], warnings=warnings)
    return UnitResult(unit, outcome.status, outcome=outcome, warnings=warnings)
