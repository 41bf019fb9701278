from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceConfig(AppConfig):
    name = "veracity.service"
    label = "service"
    verbose_name = _("Customer service")

    def ready(self):
        from veracity.accounts.access import register_owner_paths
        from veracity.accounts.models import Resource

        # A ticket is "yours" when its customer is yours or it is assigned to you.
        register_owner_paths(Resource.TICKET, ("customer__owner", "assignee"))
