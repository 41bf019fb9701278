"""Drop single-column foreign-key indexes that a composite index leading with the same column makes
redundant (docs/decisions/0005-redundant-foreign-key-indexes.md). Only the index goes: the state change
is AlterField(db_index=False), the database change one DROP INDEX — not SQLite's table rebuild, which
would also lose indexes created by RunSQL (analytics_sales_order_updated_at)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('imports', '0004_importedrecord_id_ranges'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AlterField(model_name='importedrecord',
            name='content_type',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, to='contenttypes.contenttype'),
            )],
            database_operations=[migrations.RunSQL(
                'DROP INDEX IF EXISTS "imports_importedrecord_content_type_id_693cdc1c"',
                reverse_sql='CREATE INDEX "imports_importedrecord_content_type_id_693cdc1c" ON "imports_importedrecord" ("content_type_id")',
            )],
        ),
    ]
