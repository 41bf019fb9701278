"""Per-table row counts and content checksums, the same way for the live snapshot, a restored copy and
the manifest: rows ordered by primary key, every value serialised canonically, the lines hashed."""

import datetime as dt
import hashlib
import json
import sqlite3
from decimal import Decimal
from typing import Any


def canonical_value(value: Any) -> Any:
    """A JSON-able, type-tagged form of a database value that does not depend on the driver's whims."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return {"f": repr(value)}
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"b": bytes(value).hex()}
    if isinstance(value, Decimal):
        return {"d": str(value)}
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return {"t": value.isoformat()}
    if isinstance(value, (dict, list)):
        return {"j": json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))}
    return {"s": str(value)}


def _digest(rows) -> dict[str, Any]:
    digest = hashlib.sha256()
    count = 0
    for row in rows:
        line = json.dumps([canonical_value(value) for value in row], ensure_ascii=False, separators=(",", ":"))
        digest.update(line.encode())
        digest.update(b"\n")
        count += 1
    return {"rows": count, "sha256": digest.hexdigest()}


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def sqlite_table_checksums(connection: sqlite3.Connection) -> dict[str, dict[str, Any]]:
    tables = [row[0] for row in connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    result = {}
    for table in tables:
        columns = connection.execute(f"PRAGMA table_info({_quote(table)})").fetchall()
        keys = [column[1] for column in sorted((c for c in columns if c[5]), key=lambda c: c[5])]
        order = ", ".join(_quote(name) for name in (keys or [column[1] for column in columns]))
        cursor = connection.execute(f"SELECT * FROM {_quote(table)} ORDER BY {order}")
        result[table] = _digest(iter(cursor))
    return result


def postgresql_table_checksums(connection) -> dict[str, dict[str, Any]]:
    """`connection` is a psycopg connection; call it inside the transaction whose snapshot you want."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
                       "AND table_type = 'BASE TABLE' ORDER BY table_name")
        tables = [row[0] for row in cursor.fetchall()]
    result = {}
    for table in tables:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
                "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = %s::regclass AND i.indisprimary "
                "ORDER BY array_position(i.indkey::int2[], a.attnum)", [_quote(table)])
            keys = [row[0] for row in cursor.fetchall()]
            if not keys:
                cursor.execute("SELECT column_name FROM information_schema.columns WHERE table_schema = "
                               "current_schema() AND table_name = %s ORDER BY ordinal_position", [table])
                keys = [row[0] for row in cursor.fetchall()]
        order = ", ".join(_quote(name) for name in keys)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT * FROM {_quote(table)} ORDER BY {order}")
            result[table] = _digest(iter(cursor))
    return result


def compare_checksums(expected: dict, actual: dict) -> list[str]:
    """Differences between two {table: {rows, sha256}} maps, one line each; empty when identical."""
    problems = []
    for table in sorted(set(expected) | set(actual)):
        if table not in actual:
            problems.append(f"table {table} is missing")
        elif table not in expected:
            problems.append(f"table {table} is not in the manifest")
        elif expected[table] != actual[table]:
            problems.append(f"table {table}: expected {expected[table]['rows']} rows/{expected[table]['sha256'][:12]}, "
                            f"found {actual[table]['rows']} rows/{actual[table]['sha256'][:12]}")
    return problems
