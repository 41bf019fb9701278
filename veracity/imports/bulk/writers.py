"""Writing many rows fast, per database, inside the batch's transaction.

SQLite: multi-row `INSERT … VALUES` through `executemany` on the raw sqlite3 cursor (the connection
Django's transaction.atomic already opened with BEGIN IMMEDIATE, so the batch commits or rolls back
whole). PostgreSQL: psycopg's COPY
straight into the real table (the rows are known to be new; should another writer have taken an
external id meanwhile, the alive-id unique index fails the COPY and the batch is refused whole).

Ids are pre-allocated (SQLite: after the highest id and the AUTOINCREMENT sequence, under the write
lock the transaction holds — or, pipelined, checked under it by `ids_still_free`; PostgreSQL: nextval of the table's identity sequence), so lines can point
at their orders without reading anything back."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from itertools import chain
from typing import Any

from django.db import IntegrityError, connection, models

from veracity.imports.errors import ImportStateInvalid

SQLITE_ROWS_PER_INSERT = 1000
SQLITE_ROWS_PER_SLICE = 10_000


def column_template(model: type[models.Model], values: dict[str, Any]) -> tuple[list[str], list[Any]]:
    """Every concrete column of `model` (but id) with its database value: `values` (by field name,
    Python values) or the field's default. Fields added later get their default without a change here."""
    columns, defaults = [], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        value = values[field.name] if field.name in values else field.get_default()  # "" for blank text
        columns.append(field.column)
        defaults.append(field.get_db_prep_save(value, connection))
    return columns, defaults


def ids_allocate(model: type[models.Model], count: int, *, after: int = 0) -> list[int]:
    """`count` new ids of `model`. `after` (SQLite): the highest id already handed out for rows not yet
    committed (a pipelined load's batch being written on another connection); PostgreSQL's sequence
    knows them itself."""
    if count == 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The sequence is named once: pg_get_serial_sequence inside the select ran its catalog lookup
            # for every id (85 ms for 10,000 ids, against 13 ms).
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            sequence = cursor.fetchone()[0]
            cursor.execute("SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [sequence, count])
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f'SELECT max(id) FROM "{table}"')  # noqa: S608 - a model's own table name
        highest = cursor.fetchone()[0] or 0
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        start = max(highest, row[0] if row else 0, after) + 1
    return list(range(start, start + count))


def ids_still_free(model: type[models.Model], first: int) -> bool:
    """SQLite, inside the writing transaction: no row of `model` has an id from `first` on (ids
    allocated before the write lock was held, by a pipelined load, that no other writer took since)."""
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT count(*) FROM "{model._meta.db_table}" WHERE id >= %s', [first])  # noqa: S608
        return not cursor.fetchone()[0]


def rows_insert(model: type[models.Model], columns: Sequence[str], rows: list[tuple], *,
                conflict: str = "") -> None:
    """Insert `rows` (tuples in `columns` order, id first when given). `conflict` (PostgreSQL): the
    ON CONFLICT target of an external id that must not be inserted twice."""
    if not rows:
        return
    table = model._meta.db_table
    if connection.vendor == "postgresql":
        _copy_insert(table, columns, rows, conflict)
        return
    columns, rows, constants = _constant_columns(table, columns, rows)
    _sqlite_insert(table, columns, rows, constants)


def _sqlite_insert(table: str, columns: Sequence[str], rows: list[tuple], constants: dict[str, str]) -> None:
    """Multi-row INSERT of `rows` (`columns` bound) with `constants` (column → SQL literal) written into
    the statement: the same value in every row is not bound again for each of them."""
    names = ", ".join(f'"{column}"' for column in (*columns, *constants))
    one = "(" + ", ".join(["?"] * len(columns) + list(constants.values())) + ")"
    per = _rows_per_statement(len(columns))
    full = len(rows) - len(rows) % per
    raw = connection.connection.cursor()
    try:
        if full:
            raw.executemany(f'INSERT INTO "{table}" ({names}) VALUES {", ".join([one] * per)}',  # noqa: S608
                            (tuple(chain.from_iterable(rows[start:start + per])) for start in range(0, full, per)))
        if full < len(rows):
            rest = rows[full:]
            raw.execute(f'INSERT INTO "{table}" ({names}) VALUES {", ".join([one] * len(rest))}',  # noqa: S608
                        tuple(chain.from_iterable(rest)))
    finally:
        raw.close()


def _constant_columns(table: str, columns: Sequence[str], rows: list[tuple]
                      ) -> tuple[list[str], list[tuple], dict[str, str]]:
    """SQLite: (bound columns, their rows, constants) — the columns with one value in every row come out
    of the rows. Each bound value costs SQLite about as much as inserting it, and a new order has as
    many constant columns (timestamps, version, status, notes, NULL contact, opportunity, campaign, …)
    as varying ones. A column NULL in every row is left out when the table gives it no default (NULL all
    the same); one text or integer in every row becomes a literal of the statement (stored the same:
    the column's affinity applies to literals as to bound values); anything else stays bound."""
    nullable = _columns_without_default(table)
    constants: dict[str, str] = {}
    dropped: set[int] = set()
    # Column by column, transposed and compared by tuple.count and set(map(type, …)): C loops, not a
    # Python generator per cell (49,000 new customers × 40 columns: 0.6 s that way).
    by_column = list(zip(*rows, strict=True))
    for index, column in enumerate(columns):
        values = by_column[index]
        first = values[0]
        if values.count(first) != len(values) or len(set(map(type, values))) != 1:  # 1 == True: types too
            continue
        if first is None and column in nullable:
            dropped.add(index)
        elif (literal := _sql_literal(first)) is not None:
            constants[column] = literal
            dropped.add(index)
    if not dropped:
        return list(columns), rows, constants
    keep = [index for index in range(len(columns)) if index not in dropped]
    kept = list(zip(*(by_column[index] for index in keep), strict=True)) if keep else [()] * len(rows)
    return [columns[index] for index in keep], kept, constants


def _sql_literal(value: Any) -> str | None:
    """`value` as an SQLite literal, for text and 64-bit integers only; None: bind it."""
    if type(value) is int and -(2 ** 63) <= value < 2 ** 63:
        return str(value)
    if type(value) is str and "\x00" not in value:
        return "'" + value.replace("'", "''") + "'"
    return None


_NO_DEFAULT: dict[tuple[str, str], frozenset[str]] = {}


def _columns_without_default(table: str) -> frozenset[str]:
    """SQLite: the columns of `table` without a DEFAULT, read once per database file and table (a
    schema changes only through migrations, which run before Veracity serves; every batch asked again)."""
    key = (str(connection.settings_dict["NAME"]), table)
    if key not in _NO_DEFAULT:
        with connection.cursor() as cursor:
            cursor.execute(f'PRAGMA table_info("{table}")')
            _NO_DEFAULT[key] = frozenset(name for _cid, name, _type, _notnull, default, _pk in cursor.fetchall()
                                         if default is None)
    return _NO_DEFAULT[key]


def _rows_per_statement(width: int) -> int:
    """SQLite: rows per INSERT … VALUES (…), (…), …: as many as the bound-variable limit allows, up to
    SQLITE_ROWS_PER_INSERT. One statement per row spends about as long stepping, resetting and
    rebinding the statement (and updating the AUTOINCREMENT sequence) as inserting the row; a
    multi-row statement pays that once per a thousand rows. Either way it is one statement inside
    the batch's transaction, which commits or rolls back whole."""
    limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return max(1, min(SQLITE_ROWS_PER_INSERT, limit // max(width, 1)))


def _copy_insert(table: str, columns: Sequence[str], rows: list[tuple], conflict: str) -> None:
    """COPY straight into the table: the batch's lookups found these external ids free, and the alive-id
    unique index (`conflict` names it) refuses the whole COPY — and so the batch — if another writer
    took one meanwhile. No staging table, no INSERT … SELECT."""
    from psycopg import errors, sql

    names = sql.SQL(", ").join(sql.Identifier(column) for column in columns)
    try:
        with connection.cursor() as wrapper, wrapper.cursor.copy(
                sql.SQL("COPY {} ({}) FROM STDIN").format(sql.Identifier(table), names)) as copy:
            for row in rows:
                copy.write_row(row)
    except (errors.UniqueViolation, IntegrityError) as error:
        raise ImportStateInvalid(f"Rows of {table} were written by someone else meanwhile ({conflict or 'id'}); "
                                 "the batch was not loaded. Resume the import.") from error


def frame_write(model: type[models.Model], frame, *, conflict: str = "") -> None:
    """Insert a Polars frame whose columns are named after `model`'s columns. PostgreSQL: the frame is
    turned into CSV by Polars (in Rust, not one Python call per row) and COPY'd (`FORMAT csv`: an
    unquoted empty field is NULL, a quoted one the empty string, as Polars writes them). SQLite:
    `executemany` over its rows. `conflict`: as for rows_insert."""
    if frame.height == 0:
        return
    if connection.vendor != "postgresql":
        # The constant columns (_constant_columns), found by Polars: their cells never become Python objects.
        table = model._meta.db_table
        nullable = _columns_without_default(table)
        constants: dict[str, str] = {}
        dropped = []
        for name in frame.columns:
            series = frame.get_column(name)
            nulls = series.null_count()
            # min == max finds a constant column without hashing every cell (n_unique did: ~1 s of a
            # 1M-line load); a column with some nulls and some values is not constant.
            if nulls == frame.height:
                value = None
            elif nulls or series.min() != series.max():
                continue
            else:
                value = series[0]
            if value is None and name in nullable:
                dropped.append(name)
            elif value is not None and (literal := _sql_literal(value)) is not None:
                constants[name] = literal
                dropped.append(name)
        bound = frame.drop(dropped)
        # A slice at a time: the Python rows of a whole batch (a million objects) need not exist at once.
        for start in range(0, bound.height, SQLITE_ROWS_PER_SLICE):
            _sqlite_insert(table, bound.columns, bound.slice(start, SQLITE_ROWS_PER_SLICE).rows(), constants)
        return
    from psycopg import errors, sql

    table = model._meta.db_table
    names = sql.SQL(", ").join(sql.Identifier(column) for column in frame.columns)
    try:
        with connection.cursor() as wrapper, wrapper.cursor.copy(
                sql.SQL("COPY {} ({}) FROM STDIN (FORMAT csv)").format(sql.Identifier(table), names)) as copy:
            copy.write(frame.write_csv(include_header=False, quote_style="necessary").encode())
    except (errors.UniqueViolation, IntegrityError) as error:
        raise ImportStateInvalid(f"Rows of {table} were written by someone else meanwhile ({conflict or 'id'}); "
                                 "the batch was not loaded. Resume the import.") from error


def copy_direct(model: type[models.Model], columns: Sequence[str], rows: list[tuple]) -> None:
    """Rows that cannot conflict (fresh ids, no external id): straight in — COPY on PostgreSQL."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        rows_insert(model, columns, rows)
        return
    from psycopg import sql

    names = sql.SQL(", ").join(sql.Identifier(column) for column in columns)
    with connection.cursor() as wrapper, wrapper.cursor.copy(
            sql.SQL("COPY {} ({}) FROM STDIN").format(sql.Identifier(model._meta.db_table), names)) as copy:
        for row in rows:
            copy.write_row(row)
