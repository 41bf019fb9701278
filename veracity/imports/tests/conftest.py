import pytest

REFERENCE_DATA_MIGRATIONS = [
    "veracity.accounts.migrations.0002_default_roles_and_permissions",
    "veracity.accounts.migrations.0004_grants_for_standards_imports_backups_jobs",
    "veracity.pipeline.migrations.0002_default_stages",
]


@pytest.fixture(autouse=True)
def reference_data(db):
    """The browser tests flush the database after each test (live server, real transactions), which
    takes the migration-seeded permission matrix with it for whatever runs next on that worker. Seed it
    again (idempotently, with the migrations' own functions) so these tests do not depend on ordering."""
    from importlib import import_module

    from django.apps import apps

    for module in REFERENCE_DATA_MIGRATIONS:
        migration = import_module(module)
        (getattr(migration, "seed", None) or migration.grant)(apps, None)
