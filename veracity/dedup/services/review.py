"""Review decisions: a reviewer confirms a cluster (they are duplicates) or dismisses it (they are not;
its pairs never come back in later scans)."""

import itertools

from django.db import transaction
from django.utils import timezone

from veracity.audit.services import audit_event_record
from veracity.dedup.models import ClusterStatus, Decision, DuplicateCluster, PairDecision
from veracity.dedup.selectors import cluster_get


def _decide(*, actor, cluster: DuplicateCluster, decision: str, status: str) -> DuplicateCluster:
    cluster = cluster_get(user=actor, pk=cluster.pk, action="edit") if actor is not None else cluster
    ids = sorted(member.record_id for member in cluster.members.all())
    user = actor if getattr(actor, "pk", None) else None
    for left, right in itertools.combinations(ids, 2):
        PairDecision.objects.update_or_create(
            entity=cluster.entity, left_id=left, right_id=right,
            defaults={"decision": decision, "decided_by": user, "decided_at": timezone.now()})
    previous = cluster.status
    cluster.status, cluster.decided_by, cluster.decided_at = status, user, timezone.now()
    cluster.save(update_fields=["status", "decided_by", "decided_at"])
    audit_event_record(actor=actor, action="update", obj=cluster, object_type="dedup.duplicatecluster",
                       changes={"status": [previous, status]}, extra={"records": ids, "entity": cluster.entity})
    return cluster


@transaction.atomic
def cluster_confirm(*, actor, cluster: DuplicateCluster) -> DuplicateCluster:
    """These records are one customer (or contact): the cluster stays listed until it is merged."""
    return _decide(actor=actor, cluster=cluster, decision=Decision.CONFIRMED, status=ClusterStatus.CONFIRMED)


@transaction.atomic
def cluster_dismiss(*, actor, cluster: DuplicateCluster) -> DuplicateCluster:
    """These records are different: every pair among them is remembered and never proposed again."""
    return _decide(actor=actor, cluster=cluster, decision=Decision.DISMISSED, status=ClusterStatus.DISMISSED)
