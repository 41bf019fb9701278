"""An index on sales_order.updated_at for the rollup change scan (orders stamped since the last scan).

Kept in analytics, as raw SQL, because it serves only analytics' scan; the sales model does not
need to know (docs/decisions/0003-analytics-rollups-change-scan.md)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("analytics", "0001_initial"), ("sales", "0001_initial")]
    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS analytics_sales_order_updated_at ON sales_order (updated_at)",
            "DROP INDEX IF EXISTS analytics_sales_order_updated_at",
        ),
    ]
