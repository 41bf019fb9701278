from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DedupConfig(AppConfig):
    """Duplicate customers and contacts: scans, the review list, reversible merges."""

    name = "veracity.dedup"
    label = "dedup"
    verbose_name = _("Duplicates")

    def ready(self) -> None:
        from veracity.accounts.access import register_owner_paths
        from veracity.accounts.models import Resource

        # A cluster member belongs to the owner of its customer (for a contact: of the contact's
        # company). A rep sees the clusters that touch at least one of their own customers.
        register_owner_paths(Resource.DUPLICATE, ("customer__owner", "contact__customer__owner"))
