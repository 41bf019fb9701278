"""Exports: each entity needs the export permission of its own resource (customers -> customer, …).
The sweep exercises one entity, customers (`{entity}` is filled with "customers" by World.ids()); the
per-entity permissions, scopes and hidden columns are tested in veracity/exports/tests."""

from tests.security.policy import perm

POLICY = {
    "exports:download": perm("customer", "export"),
    "GET /api/v1/exports/{entity}": perm("customer", "export"),
}
