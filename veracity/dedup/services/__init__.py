"""Writes of the duplicates app: scans, review decisions, merges and their undo.

Public: `scan_run_start`, `scan_run_execute`, `cluster_confirm`, `cluster_dismiss`, `record_merge`,
`merge_undo`."""

from veracity.dedup.services.merge import MERGEABLE_FIELDS, merge_undo, record_merge
from veracity.dedup.services.review import cluster_confirm, cluster_dismiss
from veracity.dedup.services.scan import scan_run_execute, scan_run_start

__all__ = ["MERGEABLE_FIELDS", "cluster_confirm", "cluster_dismiss", "merge_undo", "record_merge",
           "scan_run_execute", "scan_run_start"]
