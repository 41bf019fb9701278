"""Drop single-column foreign-key indexes that a composite index leading with the same column makes
redundant (docs/decisions/0005-redundant-foreign-key-indexes.md). Only the index goes: the state change
is AlterField(db_index=False), the database change one DROP INDEX — not SQLite's table rebuild, which
would also lose indexes created by RunSQL (analytics_sales_order_updated_at)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('customers', '0004_customers_trigram_search_indexes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AlterField(model_name='customer',
            name='owner',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='customers', to=settings.AUTH_USER_MODEL, verbose_name='owner'),
            )],
            database_operations=[migrations.RunSQL(
                'DROP INDEX IF EXISTS "customers_customer_owner_id_fbb2798e"',
                reverse_sql='CREATE INDEX "customers_customer_owner_id_fbb2798e" ON "customers_customer" ("owner_id")',
            )],
        ),
    ]
