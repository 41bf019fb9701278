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
        kind_register("quality.reminder", _("Data-quality reminders"))
        kind_register("quality.review", _("Change reviews"))
        kind_register("quality.audit", _("Data audits"))
        kind_register("quality.award", _("Awards"))
