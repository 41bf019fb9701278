from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualityConfig(AppConfig):
    """Invalid and decaying data rules, quality scores and their history, change approvals, scheduled
    audits and reminders, and per-rep scorecards with awards."""

    name = "veracity.quality"
    label = "quality"
    verbose_name = _("Data quality")

    def ready(self) -> None:
        from veracity.accounts.access import register_owner_paths
        from veracity.accounts.models import Resource
        from veracity.customers.services import change_gate_register
        from veracity.notifications.services import kind_register
        from veracity.quality.services.approvals import change_gate

        register_owner_paths(Resource.QUALITY_ISSUE, ("owner",))
        register_owner_paths(Resource.CHANGE_REQUEST, ("requested_by",))
        register_owner_paths(Resource.DATA_AUDIT, ("rep",))
        # Key-field changes by reps wait for approval: customers calls this gate without importing us.
        change_gate_register(change_gate)
        # Uniqueness and "duplicates a rep created" come from the dedup matcher's clusters.
        from veracity.dedup.selectors import duplicate_record_ids
        from veracity.quality.uniqueness import duplicate_metrics_register, matcher_duplicates_created_by

        duplicate_metrics_register(ids=duplicate_record_ids, created_by=matcher_duplicates_created_by)
        kind_register("quality.reminder", _("Data-quality reminders"))
        kind_register("quality.review", _("Change reviews"))
        kind_register("quality.audit", _("Data audits"))
        kind_register("quality.award", _("Awards"))
