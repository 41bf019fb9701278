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
(`veracity import --resume`), and on demand (`veracity import --restore-indexes`).

Foreign keys (PostgreSQL only, decision 0008): Django declares them DEFERRABLE INITIALLY DEFERRED, so
PostgreSQL queues one check per inserted row and runs them one at a time at COMMIT — about a third of
a large load. The same load drops the foreign keys of the tables it fills (recorded in DeferredIndex
like the indexes, the statement being an `ALTER TABLE … ADD CONSTRAINT … NOT VALID`) and restores
them at the end with that statement and `VALIDATE CONSTRAINT`: one set-based check of the whole table
instead of a million single-row lookups. If the check finds a row pointing nowhere, the restore fails
loudly and rolls back: the constraint stays missing and its DeferredIndex row stays, so every later
restore reports it again until the row is fixed. SQLite's deferred checks are cheap: it keeps its keys.

Autovacuum (PostgreSQL only, decision 0014): a table that grows by a million rows crosses autovacuum's
insert threshold after the first batch, so a worker vacuums and analyses it again and again while the load
runs — seconds of CPU on a 2-core server — and any DDL of the restore that meets it waits a whole
`deadlock_timeout` (1 s) until PostgreSQL cancels the worker. The same load turns autovacuum off for the
tables it fills (recorded like the indexes, the statement being the `ALTER TABLE … SET|RESET
(autovacuum_enabled …)` that puts the table's own setting back) and restores it after the indexes and keys:
autovacuum then vacuums and analyses each table once, after the load. A table an admin set to
`autovacuum_enabled = false` is left alone."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import connection, connections, transaction

from veracity.imports.models import DeferredIndex

DEFAULT_DEFER_MIN_LINES = 200_000
INDEX_BUILDERS = 2


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


_ALTER_TABLE = "ALTER TABLE"
_AUTOVACUUM_SUFFIX = " autovacuum"  # the DeferredIndex name of a table's autovacuum setting: "<table> autovacuum"


def _kind(deferred: DeferredIndex) -> str:
    """"index", "foreign_key" (an ALTER TABLE … ADD CONSTRAINT) or "autovacuum" (an ALTER TABLE … SET|RESET)."""
    if not deferred.definition.startswith(_ALTER_TABLE):
        return "index"
    return "autovacuum" if deferred.name.endswith(_AUTOVACUUM_SUFFIX) else "foreign_key"


def _foreign_keys(table: str) -> list[tuple[str, str]]:
    """(name, ALTER TABLE … ADD CONSTRAINT … NOT VALID statement) of `table`'s foreign keys (PostgreSQL)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                       "WHERE conrelid = to_regclass(%s) AND contype = 'f' ORDER BY conname",
                       [connection.ops.quote_name(table)])
        found = cursor.fetchall()
    quote = connection.ops.quote_name
    return [(name, f"{_ALTER_TABLE} {quote(table)} ADD CONSTRAINT {quote(name)} {definition} NOT VALID")
            for name, definition in found]


def _exists(deferred: DeferredIndex) -> bool:
    kind = _kind(deferred)
    if kind == "autovacuum":  # putting the setting back is idempotent: always done
        return False
    if kind == "foreign_key":
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_constraint WHERE conrelid = to_regclass(%s) AND conname = %s",
                           [connection.ops.quote_name(deferred.table), deferred.name])
            return bool(cursor.fetchone()[0])
    return _index_exists(deferred.name)


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
    quote = connection.ops.quote_name
    return [name for table in tables for name, definition in _secondary_indexes(table)
            if _record_and_drop(table, name, definition, f"DROP INDEX {quote(name)}", run=run)]


def foreign_keys_defer(tables: list[str], *, run=None) -> list[str]:
    """PostgreSQL: drop the foreign keys of `tables`, each recorded for its restore in the same
    transaction (see the module's docstring). Returns the names dropped; nothing on SQLite."""
    if connection.vendor != "postgresql":
        return []
    quote = connection.ops.quote_name
    return [name for table in tables for name, statement in _foreign_keys(table)
            if _record_and_drop(table, name, statement, f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}",
                                run=run)]


def autovacuum_defer(tables: list[str], *, run=None) -> list[str]:
    """PostgreSQL: turn autovacuum off for `tables` until the restore (see the module's docstring), each
    recorded with the statement that puts the table's own setting back. Returns the tables' record names;
    nothing on SQLite, for a table an admin already keeps out of autovacuum, or one already recorded."""
    if connection.vendor != "postgresql":
        return []
    quote = connection.ops.quote_name
    deferred = []
    for table in tables:
        own = _autovacuum_setting(table)
        if own is not None and not own[1]:
            continue
        written = own[0].replace("'", "''") if own else ""
        back = (f"{_ALTER_TABLE} {quote(table)} SET (autovacuum_enabled = '{written}')" if own
                else f"{_ALTER_TABLE} {quote(table)} RESET (autovacuum_enabled)")
        name = table + _AUTOVACUUM_SUFFIX
        if _record_and_drop(table, name, back, f"ALTER TABLE {quote(table)} SET (autovacuum_enabled = false)",
                            run=run):
            deferred.append(name)
    return deferred


def _autovacuum_setting(table: str) -> tuple[str, bool] | None:
    """The table's own autovacuum_enabled storage parameter — as written (PostgreSQL keeps the spelling it
    was given: on, off, 0 …) and as a boolean — or None when it has none."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT option_value, option_value::boolean FROM pg_class c, pg_options_to_table(c.reloptions) "
                       "WHERE c.oid = to_regclass(%s) AND option_name = 'autovacuum_enabled'",
                       [connection.ops.quote_name(table)])
        row = cursor.fetchone()
    return None if row is None else (row[0], row[1])


def _record_and_drop(table: str, name: str, definition: str, drop: str, *, run) -> bool:
    """Record how to rebuild `name`, then drop it, in one transaction: a crash leaves either both or
    neither. False when it is already recorded (an earlier load dropped it and has not restored it)."""
    with transaction.atomic():
        if DeferredIndex.objects.filter(name=name).exists():
            return False
        DeferredIndex.objects.create(table=table, name=name, definition=definition, run=run)
        _ddl(drop)
    return True


def indexes_restore() -> list[str]:
    """Recreate every index (and foreign key) a bulk load dropped and has not rebuilt yet (after a crash
    too), then put autovacuum back on its tables. Returns the names recreated.

    PostgreSQL builds the indexes INDEX_BUILDERS at a time, each in its own connection (a build is one
    backend's work, so one at a time leaves the other core idle: 47 indexes after the 1M-line load,
    6.7-7.1 s one at a time, 5.3-5.5 s two at a time); each is still its own transaction with the
    deletion of its DeferredIndex row. Only outside a transaction: inside one (a test's), the other
    connections would wait for its locks. Foreign keys are restored one at a time on this connection
    (adding one locks both its tables), each as soon as the indexes of both its tables are built — the
    order lines' keys while the customers' indexes are still being built; autovacuum last, so that no
    worker starts on a table whose keys are being checked."""
    pending = list(DeferredIndex.objects.order_by("id"))
    order = {"index": 0, "foreign_key": 1, "autovacuum": 2}
    pending.sort(key=lambda deferred: order[_kind(deferred)])  # stable: in the order dropped within a kind
    indexes = [deferred for deferred in pending if _kind(deferred) == "index"]
    rest = [deferred for deferred in pending if _kind(deferred) != "index"]
    builders = min(INDEX_BUILDERS, len(indexes))
    if connection.vendor != "postgresql" or connection.in_atomic_block or builders < 2:
        return [deferred.name for deferred in pending if _restore_one(deferred)]
    with ThreadPoolExecutor(max_workers=builders, thread_name_prefix="index-build") as pool:
        builds = [pool.submit(_restore_in_own_connection, deferred) for deferred in indexes]
        by_table: dict[str, list[int]] = {}
        for position, deferred in enumerate(indexes):
            by_table.setdefault(deferred.table, []).append(position)

        def waits_for(deferred: DeferredIndex) -> list[int]:
            """The builds (positions) to finish first: those of the key's table and of the table it
            references; all of them for autovacuum, or when the referenced table cannot be read."""
            if _kind(deferred) != "foreign_key" or (referenced := _referenced_table(deferred.definition)) is None:
                return list(range(len(builds)))
            return by_table.get(deferred.table, []) + by_table.get(referenced, [])

        # Builds finish about in the order submitted: the key whose last build comes first goes first.
        rest.sort(key=lambda deferred: (order[_kind(deferred)], max(waits_for(deferred), default=-1)))
        restored_rest = []
        for deferred in rest:
            for position in waits_for(deferred):
                builds[position].result()  # the first failure is raised here
            if _restore_one(deferred):
                restored_rest.append(deferred.name)
        built = [build.result() for build in builds]
    restored = [deferred.name for deferred, created in zip(indexes, built, strict=True) if created]
    return restored + restored_rest


_REFERENCES = re.compile(r'\bREFERENCES\s+(?:"?\w+"?\.)?"?(\w+)"?\s*\(')


def _referenced_table(definition: str) -> str | None:
    """The table an `ALTER TABLE … ADD CONSTRAINT … FOREIGN KEY (…) REFERENCES table(…)` points at."""
    found = _REFERENCES.search(definition)
    return found.group(1) if found else None


def _restore_one(deferred: DeferredIndex) -> bool:
    """Recreate one dropped index or foreign key and forget its row, in one transaction; True when it
    had to be recreated."""
    with transaction.atomic():
        created = not _exists(deferred)
        if created:
            _ddl(deferred.definition)
            if _kind(deferred) == "foreign_key":  # added NOT VALID: check every row once
                quote = connection.ops.quote_name
                _ddl(f"ALTER TABLE {quote(deferred.table)} VALIDATE CONSTRAINT {quote(deferred.name)}")
        DeferredIndex.objects.filter(pk=deferred.pk).delete()
    return created


def _restore_in_own_connection(deferred: DeferredIndex) -> bool:
    """One index, built by this thread's own connection without PostgreSQL's parallel workers: the
    INDEX_BUILDERS builds already keep the cores busy, and workers on top of them only took turns with
    them (the 1M-line restore: 2.60-2.69 s with the default two workers a build, 2.34-2.40 s without)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SET max_parallel_maintenance_workers = 0")
        return _restore_one(deferred)
    finally:
        connections.close_all()  # this thread's connection only


def indexes_missing() -> list[str]:
    """Names of the indexes and foreign keys still waiting for their rebuild (empty when all are present)."""
    return list(DeferredIndex.objects.order_by("id").values_list("name", flat=True))


def defer_worthwhile(lines: int, existing_lines: int) -> bool:
    """Rebuilding an index re-sorts the whole table: worth it when the load brings many lines and at
    least as many as the table already holds."""
    return lines >= defer_min_lines() and lines >= existing_lines
