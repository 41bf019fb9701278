"""Start-up self-checks (`veracity check --database default`, run by `veracity serve` too)."""

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.db import connections


def sqlite_durability_problems(connection) -> list[str]:
    """The PRAGMAs SQLite must run with (SECURITY.md R19); empty when all is well."""
    if connection.vendor != "sqlite":
        return []
    problems = []
    database_name = str(connection.settings_dict["NAME"])
    in_memory = database_name in ("", ":memory:") or "mode=memory" in database_name
    with connection.cursor() as cursor:
        for name, expected in settings.SQLITE_PRAGMAS.items():
            if name == "journal_mode" and in_memory:
                continue  # in-memory test databases cannot use WAL
            cursor.execute(f"PRAGMA {name}")
            actual = str(cursor.fetchone()[0]).lower()
            if actual != str(expected).lower():
                problems.append(f"PRAGMA {name} is {actual}, expected {expected}")
    return problems


@register(Tags.database)
def check_sqlite_durability(app_configs=None, databases=None, **kwargs):
    errors = []
    for alias in databases or []:
        for problem in sqlite_durability_problems(connections[alias]):
            errors.append(Error(problem, hint="See docs/configuration.md (SQLite durability).",
                                id="veracity.E001"))
    return errors
