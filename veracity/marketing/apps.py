from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketingConfig(AppConfig):
    name = "veracity.marketing"
    label = "marketing"
    verbose_name = _("Marketing")

    def ready(self) -> None:
        from veracity.accounts.access import register_owner_paths
        from veracity.accounts.models import Resource

        # A campaign belongs to the marketer running it. Segments have no owner scope of their own:
        # a segment's *members* are customers, scoped as customers are (see selectors.segment_members).
        register_owner_paths(Resource.CAMPAIGN, ("owner",))
