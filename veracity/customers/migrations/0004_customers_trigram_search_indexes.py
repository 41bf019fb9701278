"""Trigram (pg_trgm) GIN indexes for the customer search, on PostgreSQL only.

The search (customers.selectors._customer_search_q) matches a term anywhere in the name, code, email,
credit code, phone and pinyin, and in contacts' names and phones: `icontains`, which Django writes as
`UPPER("col"::text) LIKE UPPER('%term%')`, and `contains` (`"col"::text LIKE '%term%'`). A B-tree index
cannot serve a leading wildcard, so without these the search reads every customer. The expressions below
are exactly the ones Django generates, so PostgreSQL uses them for the existing queries (docs/scaling.md
has the EXPLAIN and the timings). Initials use `startswith`, which the existing `*_like` B-tree serves.

pg_trgm ships with PostgreSQL (the contrib package) and is a trusted extension: the database owner may
create it without superuser. If it cannot be created (not installed, or the role lacks CREATE on the
database), the migration says so and skips the indexes: the search still works, by scanning. Run
`CREATE EXTENSION pg_trgm;` as a superuser, then `veracity migrate customers 0003` and `veracity migrate`
(docs/deploy.md). SQLite: nothing to do (no such index type; the search scans, fine at that size).

Built with plain CREATE INDEX (the migration is one transaction): it blocks writes to customers while it
runs — about 20 s for 1,000,000 customers on this 2-core machine (docs/scaling.md).
"""

from django.db import migrations, transaction
from django.db.utils import DatabaseError

INDEXES = [
    ("customer_name_upper_trgm", "customers_customer", 'UPPER("name"::text)'),
    ("customer_code_upper_trgm", "customers_customer", 'UPPER("code"::text)'),
    ("customer_email_upper_trgm", "customers_customer", 'UPPER("email"::text)'),
    ("customer_credit_code_upper_trgm", "customers_customer", 'UPPER("credit_code"::text)'),
    ("customer_phone_trgm", "customers_customer", '("phone"::text)'),
    ("customer_name_pinyin_trgm", "customers_customer", '("name_pinyin"::text)'),
    ("contact_name_upper_trgm", "customers_contact", 'UPPER("name"::text)'),
    ("contact_phone_trgm", "customers_contact", '("phone"::text)'),
    ("contact_mobile_trgm", "customers_contact", '("mobile"::text)'),
]


def indexes_create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):  # a savepoint: a failure here is not fatal
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError as error:
        print(f"\n  customers: the pg_trgm extension could not be created ({str(error).strip()}); the customer "
              "search indexes are skipped and search scans the table. A superuser can run "
              "`CREATE EXTENSION pg_trgm;` in this database; then re-run this migration (docs/deploy.md).")
        return
    for name, table, expression in INDEXES:
        schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" USING gin ({expression} gin_trgm_ops)')


def indexes_drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _expression in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')  # the extension stays: others may use it


class Migration(migrations.Migration):

    dependencies = [
        ("customers", "0003_merge_dedup_keys_and_campaign_attribution"),
    ]

    operations = [
        migrations.RunPython(indexes_create, indexes_drop, elidable=False),
    ]
