"""Writes of analytics. Other apps use these names only."""

from veracity.analytics.services.rfm import customer_rfm_refresh
from veracity.analytics.services.rollups import (
    RefreshResult,
    rollups_rebuild,
    rollups_refresh,
    rollups_refresh_for_orders,
)
from veracity.analytics.services.snapshots import pipeline_snapshot_take
from veracity.analytics.services.targets import sales_target_create, sales_target_delete, sales_target_update

__all__ = [
    "RefreshResult", "customer_rfm_refresh", "pipeline_snapshot_take", "rollups_rebuild", "rollups_refresh",
    "rollups_refresh_for_orders", "sales_target_create", "sales_target_delete", "sales_target_update",
]
