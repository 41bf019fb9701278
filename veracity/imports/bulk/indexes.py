"""Secondary indexes dropped for a large bulk load and rebuilt once at its end.

Keeping a dozen indexes up to date row by row is most of what an insert costs; building an index
over the finished table is one sort (PostgreSQL's "Populating a database" advice; SQLite alike). A
bulk import that at least doubles the order lines (and brings at least
VERACITY_IMPORT_DEFER_INDEXES_MIN_LINES lines) therefore drops the NON-UNIQUE indexes of the tables it
fills and recreates them when it ends. Unique indexes (the alive-external-id constraints the upsert
relies on), primary keys and constraint-backed indexes are never touched.

Crash safety: each drop is committed together with a DeferredIndex row holding the statement that
recreates it, and each rebuild deletes that row in the same transaction. Whatever kills the process,
the rows left name exactly the indexes still missing; `indexes_restore()` recreates them and runs at
the end of every bulk load (also when it fails), before every import execution or resume
(`veracity import --resume`), and on demand (`veracity import --restore-indexes`)."""

from __future__ import annotations

from django.conf import settings
from django.db import connection, transaction

from veracity.imports.models import DeferredIndex

DEFAULT_DEFER_MIN_LINES = 200_000


def defer_min_lines() -> int:
    return int(getattr(settings, "VERACITY_IMPORT_DEFER_INDEXES_MIN_LINES", DEFAULT_DEFER_MIN_LINES))


def _secondary_indexes(table: str) -> list[tuple[str, str]]:
    """(name, CREATE INDEX statement) of `table`'s non-unique, non-constraint indexes."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
                "JOIN pg_class c ON c.oid = i.indexrelid "
                "WHERE i.indrelid = to_regclass(%s) AND NOT i.indisunique AND NOT i.indisprimary "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) ORDER BY c.relname",
                [connection.ops.quote_name(table)])
            return list(cursor.fetchall())
        cursor.execute(f"PRAGMA index_list({connection.ops.quote_name(table)})")
        plain = {row[1] for row in cursor.fetchall() if not row[2] and row[3] == "c"}  # (seq, name, unique, origin)
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL "
                       "ORDER BY name", [table])
        return [(name, sql) for name, sql in cursor.fetchall() if name in plain]


def _index_exists(name: str) -> bool:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [connection.ops.quote_name(name)])
        else:
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = %s", [name])
        return bool(cursor.fetchone()[0])


def _ddl(statement: str) -> None:
    """Run index DDL. PostgreSQL refuses it on a table with deferred foreign-key checks still pending in
    the transaction (an outer transaction that inserted rows): check those now, then defer again."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(statement)
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        else:
            cursor.execute(statement)


def indexes_defer(tables: list[str], *, run=None) -> list[str]:
    """Drop the secondary indexes of `tables`, each recorded for its rebuild in the same transaction.
    Returns the names dropped."""
    dropped = []
    for table in tables:
        for name, definition in _secondary_indexes(table):
            with transaction.atomic():
                if DeferredIndex.objects.filter(name=name).exists():
                    continue
                DeferredIndex.objects.create(table=table, name=name, definition=definition, run=run)
                _ddl(f"DROP INDEX {connection.ops.quote_name(name)}")
            dropped.append(name)
    return dropped


def indexes_restore(progress=None) -> list[str]:
    """Recreate every index a bulk load dropped and has not rebuilt yet (after a crash too). Returns
    the names recreated."""
    restored = []
    for deferred in DeferredIndex.objects.order_by("id"):
        with transaction.atomic():
            if not _index_exists(deferred.name):
                _ddl(deferred.definition)
                restored.append(deferred.name)
            DeferredIndex.objects.filter(pk=deferred.pk).delete()
        if progress:
            progress(deferred.name)
    return restored


def indexes_missing() -> list[str]:
    """Names of the indexes still waiting for their rebuild (empty when all are present)."""
    return list(DeferredIndex.objects.order_by("id").values_list("name", flat=True))


def defer_worthwhile(lines: int, existing_lines: int) -> bool:
    """Rebuilding an index re-sorts the whole table: worth it when the load brings many lines and at
    least as many as the table already holds."""
    return lines >= defer_min_lines() and lines >= existing_lines
