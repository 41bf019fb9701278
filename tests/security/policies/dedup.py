"""Duplicates: reps see clusters touching their own customers; managers review and merge their team's;
administrators also scan. The world's cluster holds rep_li's customer and her trashed one."""

from tests.security.policy import perm

POLICY = {
    "dedup:cluster_list": perm("duplicate", "view"),
    "dedup:cluster_confirm": perm("duplicate", "edit", obj="cluster", owned=True, methods=("POST",)),
    "dedup:cluster_dismiss": perm("duplicate", "edit", obj="cluster", owned=True, methods=("POST",)),
    "dedup:cluster_merge": perm("duplicate", "edit", obj="cluster", owned=True, methods=("GET", "POST")),
    "dedup:merge_undo": perm("duplicate", "edit", obj="merge", owned=True, methods=("POST",)),
    "dedup:scan_start": perm("duplicate", "create", methods=("POST",)),
    "dedup:customer_check": perm("customer", "view"),
    "GET /api/v1/duplicates/clusters": perm("duplicate", "view"),
    "GET /api/v1/duplicates/clusters/{cluster_id}": perm("duplicate", "view", obj="cluster", owned=True),
    "POST /api/v1/duplicates/clusters/{cluster_id}/confirm": perm("duplicate", "edit", obj="cluster", owned=True),
    "POST /api/v1/duplicates/clusters/{cluster_id}/dismiss": perm("duplicate", "edit", obj="cluster", owned=True),
    "GET /api/v1/duplicates/scans": perm("duplicate", "view"),
    "POST /api/v1/duplicates/scans": perm("duplicate", "create", body=lambda world: {"threshold": 0.9}),
    "POST /api/v1/duplicates/merges": perm(
        "duplicate", "edit", owned=True,
        body=lambda world: {"survivor_id": world.customer.pk, "loser_id": world.customer.pk}),
    "POST /api/v1/duplicates/merges/{merge_id}/undo": perm("duplicate", "edit", obj="merge", owned=True),
    "POST /api/v1/customers/duplicates/check": perm("customer", "view", body=lambda world: {"name": "字节跳动"}),
}
