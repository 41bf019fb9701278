"""Drop single-column foreign-key indexes that a composite index leading with the same column makes
redundant (docs/decisions/0005-redundant-foreign-key-indexes.md). Only the index goes: the state change
is AlterField(db_index=False), the database change one DROP INDEX — not SQLite's table rebuild, which
would also lose indexes created by RunSQL (analytics_sales_order_updated_at)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('sales', '0002_marketing_campaign_attribution'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AlterField(model_name='order',
            name='customer',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='orders', to='customers.customer', verbose_name='customer'),
            )],
            database_operations=[migrations.RunSQL(
                'DROP INDEX IF EXISTS "sales_order_customer_id_798c889f"',
                reverse_sql='CREATE INDEX "sales_order_customer_id_798c889f" ON "sales_order" ("customer_id")',
            )],
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AlterField(model_name='order',
            name='salesperson',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='orders', to=settings.AUTH_USER_MODEL, verbose_name='salesperson'),
            )],
            database_operations=[migrations.RunSQL(
                'DROP INDEX IF EXISTS "sales_order_salesperson_id_60448194"',
                reverse_sql='CREATE INDEX "sales_order_salesperson_id_60448194" ON "sales_order" ("salesperson_id")',
            )],
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AlterField(model_name='orderline',
            name='order',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='lines', to='sales.order'),
            )],
            database_operations=[migrations.RunSQL(
                'DROP INDEX IF EXISTS "sales_orderline_order_id_9f597de6"',
                reverse_sql='CREATE INDEX "sales_orderline_order_id_9f597de6" ON "sales_orderline" ("order_id")',
            )],
        ),
    ]
